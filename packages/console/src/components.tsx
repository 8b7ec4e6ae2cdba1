import { useId, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { shownErrors, type ShownError } from './errors.ts';

/** API errors, shown where the request was made, with the server's message. */
export function ErrorList({ error, errors, label }: { error?: CombinedError | null; errors?: ShownError[]; label?: string }) {
  const list = errors ?? shownErrors(error);
  if (list.length === 0) return null;
  return (
    <div role="alert" className="error" aria-label={label}>
      {list.map((e, i) => (
        <p key={i}>
          {e.code && <strong>{e.code}: </strong>}
          {e.message}
        </p>
      ))}
    </div>
  );
}

/** A labelled form field; `hint` and `error` are tied to the control for screen readers. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function formatDate(iso: string | null | undefined, never = 'Never'): string {
  if (!iso) return never;
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A confirmation step in place (an alert dialog): Escape or Cancel backs out. */
export function Confirm({ title, children, confirmLabel, onConfirm, onCancel, busy }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean }) {
  const id = useId();
  return (
    <div
      role="alertdialog"
      aria-modal="false"
      aria-labelledby={id}
      className="confirm"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <h3 id={id}>{title}</h3>
      {children}
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm} disabled={busy} autoFocus>
          {confirmLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
