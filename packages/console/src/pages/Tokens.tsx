import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { GuardedButton, rawIdOf, tokenResourceOf, usePermissions } from '../access.tsx';
import { Confirm, ErrorList, Field, formatDate } from '../components.tsx';
import { TokenForm } from './TokenForm.tsx';

type Token = types.TokenFieldsFragment;
type Me = types.MemberFieldsFragment;
export type TokenPermissions = types.ConsoleTokenPermissionsQuery;

export function scopeSummary(token: Token): string {
  if (token.role) return `Role: ${roleLabel(token.role)}`;
  if (token.customRoleKeys.length > 0) return `Custom roles: ${token.customRoleKeys.join(', ')}`;
  if (token.inlinePolicy) return `Inline policy (${token.inlinePolicy.length} statement${token.inlinePolicy.length === 1 ? '' : 's'})`;
  return '—';
}

export function roleLabel(role: string): string {
  return role === 'NO_ACCESS' ? 'No access' : role.charAt(0) + role.slice(1).toLowerCase();
}

function status(token: Token): string {
  if (token.expiresAt && new Date(token.expiresAt) <= new Date()) return 'Expired';
  return token.active ? 'Active' : 'Inactive';
}

/** The secret of a token just created, cloned or reset: shown this once, never again. */
function ShownSecret({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Could not copy: select the secret and copy it yourself.');
    }
  };
  return (
    <section className="secret-panel" aria-labelledby="secret-title">
      <h2 id="secret-title">{title}</h2>
      <p>
        <strong>Copy this secret now and store it somewhere secure: you won't be able to see it again.</strong>
      </p>
      <div className="secret-row">
        <label htmlFor="new-secret">Secret</label>
        <input id="new-secret" readOnly autoFocus value={secret} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status">{copied}</p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

const GRACE_PERIODS = [
  { label: 'Immediately', ms: 0 },
  { label: '1 hour', ms: 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
];

function TokenRow({ token, me, onSecret, onEdit, onChanged }: { token: Token; me: Me; onSecret: (title: string, secret: string) => void; onEdit: (t: Token, perms: TokenPermissions) => void; onChanged: () => void }) {
  const [perms] = useQuery({
    query: types.ConsoleTokenPermissionsDocument,
    variables: { resource: tokenResourceOf(token), cloneResource: token.kind === 'SERVICE' ? 'service-token/*' : `member/${rawIdOf(me.id)}:token/*` },
    requestPolicy: 'network-only',
  });
  const p = perms.data;
  const [mode, setMode] = useState<'none' | 'delete' | 'reset' | 'clone'>('none');
  const [grace, setGrace] = useState(String(GRACE_PERIODS[2]?.ms ?? 0));
  const [cloneName, setCloneName] = useState(`${token.name} (copy)`);
  const [deleted, remove] = useMutation(types.DeleteTokenDocument);
  const [reset, doReset] = useMutation(types.ResetTokenDocument);
  const [cloned, doClone] = useMutation(types.CloneTokenDocument);

  const confirmDelete = async () => {
    const res = await remove({ input: { id: token.id } });
    if (!res.error) {
      setMode('none');
      onChanged();
    }
  };
  const confirmReset = async () => {
    const ms = Number(grace);
    const res = await doReset({ input: { id: token.id, oldSecretExpiresAt: ms > 0 ? new Date(Date.now() + ms).toISOString() : null } });
    const secret = res.data?.resetToken?.secret;
    if (secret) {
      setMode('none');
      onSecret(`New secret for ${token.name}`, secret);
      onChanged();
    }
  };
  const confirmClone = async () => {
    const res = await doClone({ input: { id: token.id, name: cloneName } });
    const secret = res.data?.cloneToken?.secret;
    if (secret) {
      setMode('none');
      onSecret(`Your new token ${res.data?.cloneToken?.token.name ?? cloneName}`, secret);
      onChanged();
    }
  };
  // Edit opens when any of its fields may change; otherwise it shows why renaming is refused.
  const canEdit = p ? ([p.rename, p.describe, p.rescope].find((d) => d?.allowed) ?? p.rename) : undefined;
  return (
    <tr>
      <th scope="row">
        {token.name}
        {token.description && <div className="hint">{token.description}</div>}
      </th>
      <td data-label="Kind">{token.kind === 'SERVICE' ? 'Service' : 'Personal'}</td>
      <td data-label="Owner">{token.owner ? token.owner.name || token.owner.email : '—'}</td>
      <td data-label="Scope">{scopeSummary(token)}</td>
      <td data-label="Secret">
        <code>{token.obscuredSecret}</code>
      </td>
      <td data-label="Last used">{formatDate(token.lastUsedAt, 'Never used')}</td>
      <td data-label="Expires">{formatDate(token.expiresAt)}</td>
      <td data-label="Status">{status(token)}</td>
      <td data-label="Actions" className="row-actions">
        <div role="group" aria-label={`Actions for ${token.name}`}>
          <GuardedButton decision={canEdit} onClick={() => p && onEdit(token, p)}>
            Edit
          </GuardedButton>
          <GuardedButton decision={p?.clone} onClick={() => setMode('clone')}>
            Clone
          </GuardedButton>
          <GuardedButton decision={p?.reset} onClick={() => setMode('reset')}>
            Reset
          </GuardedButton>
          <GuardedButton decision={p?.delete} className="danger" onClick={() => setMode('delete')}>
            Delete
          </GuardedButton>
        </div>
        {mode === 'delete' && (
          <Confirm title={`Delete ${token.name}?`} confirmLabel="Delete token" onConfirm={() => void confirmDelete()} onCancel={() => setMode('none')} busy={deleted.fetching}>
            <p>Every API call made with this token will get 401 Unauthorized. This cannot be undone.</p>
            <ErrorList error={deleted.error} />
          </Confirm>
        )}
        {mode === 'reset' && (
          <Confirm title={`Reset ${token.name}?`} confirmLabel="Reset token" onConfirm={() => void confirmReset()} onCancel={() => setMode('none')} busy={reset.fetching}>
            <p>A new secret replaces the current one.</p>
            <Field label="Old secret keeps working" hint="A grace period lets integrations move to the new secret without downtime.">
              {(props) => (
                <select {...props} value={grace} onChange={(e) => setGrace(e.target.value)}>
                  {GRACE_PERIODS.map((g) => (
                    <option key={g.ms} value={String(g.ms)}>
                      {g.ms === 0 ? 'No: stops immediately' : `For ${g.label}`}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <ErrorList error={reset.error} />
          </Confirm>
        )}
        {mode === 'clone' && (
          <Confirm title={`Clone ${token.name}`} confirmLabel="Clone token" onConfirm={() => void confirmClone()} onCancel={() => setMode('none')} busy={cloned.fetching}>
            <p>A new token with the same scope, kind and API version, and its own secret.</p>
            <Field label="Name of the clone">{(props) => <input {...props} value={cloneName} onChange={(e) => setCloneName(e.target.value)} />}</Field>
            <ErrorList error={cloned.error} />
          </Confirm>
        )}
      </td>
    </tr>
  );
}

export function Tokens({ me }: { me: Me }) {
  const perms = usePermissions();
  const [showAll, setShowAll] = useState(false);
  const [after, setAfter] = useState<string | null>(null);
  const [list, refetch] = useQuery({ query: types.TokensDocument, variables: { first: 25, after, showAll }, requestPolicy: 'cache-and-network' });
  const [form, setForm] = useState<{ mode: 'create' } | { mode: 'edit'; token: Token; perms: TokenPermissions } | null>(null);
  const [secret, setSecret] = useState<{ title: string; secret: string } | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const tokens = list.data?.tokens?.edges.map((e) => e.node) ?? [];
  const pageInfo = list.data?.tokens?.pageInfo;

  return (
    <section aria-labelledby="tokens-title">
      <div className="page-head">
        <h1 id="tokens-title">Access tokens</h1>
        {!form && (
          <GuardedButton className="primary" decision={perms?.createToken} onClick={() => { setSecret(null); setForm({ mode: 'create' }); }}>
            New token
          </GuardedButton>
        )}
      </div>
      <p className="hint">Only you can see the tokens you create. Administrators can delete your tokens, but cannot see their values.</p>
      {secret && <ShownSecret title={secret.title} secret={secret.secret} onDone={() => setSecret(null)} />}
      {form && (
        <TokenForm
          token={form.mode === 'edit' ? form.token : undefined}
          perms={form.mode === 'edit' ? form.perms : undefined}
          onCancel={() => setForm(null)}
          onSaved={(saved) => {
            setForm(null);
            if (saved.secret) setSecret({ title: `Your new token ${saved.name}`, secret: saved.secret });
            reload();
          }}
        />
      )}
      {perms?.viewAllTokens?.allowed && (
        <fieldset className="segmented">
          <legend>Show</legend>
          <label>
            <input type="radio" name="token-scope" checked={!showAll} onChange={() => { setShowAll(false); setAfter(null); }} /> My tokens
          </label>
          <label>
            <input type="radio" name="token-scope" checked={showAll} onChange={() => { setShowAll(true); setAfter(null); }} /> All tokens
          </label>
        </fieldset>
      )}
      <ErrorList error={list.error} />
      {tokens.length === 0 && !list.fetching ? (
        <p>No tokens yet. Click New token to create one.</p>
      ) : (
        <table className="list">
          <caption className="visually-hidden">Access tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Owner</th>
              <th scope="col">Scope</th>
              <th scope="col">Secret</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <TokenRow key={t.id} token={t} me={me} onChanged={reload} onEdit={(token, tokenPerms) => { setSecret(null); setForm({ mode: 'edit', token, perms: tokenPerms }); }} onSecret={(title, s) => setSecret({ title, secret: s })} />
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        {after && (
          <button type="button" onClick={() => setAfter(null)}>
            First page
          </button>
        )}
        {pageInfo?.hasNextPage && pageInfo.endCursor && (
          <button type="button" onClick={() => setAfter(pageInfo.endCursor ?? null)}>
            Next page
          </button>
        )}
      </div>
    </section>
  );
}
