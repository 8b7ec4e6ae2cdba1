import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { ErrorList, Field } from '../components.tsx';

/**
 * "Check access": would this credential be allowed, and which statements decided. For your own
 * credential or any token you may view; for a personal token, whether the token's scope or its
 * owner's permissions were the limit.
 */
export function CheckAccess() {
  const [tokenId, setTokenId] = useState('');
  const [action, setAction] = useState('');
  const [resource, setResource] = useState('');
  const [asked, setAsked] = useState<{ action: string; resource: string; tokenId: string | null } | null>(null);
  const [tokens] = useQuery({ query: types.TokensDocument, variables: { first: 100, showAll: true } });
  const [decision] = useQuery({ query: types.CheckAccessDocument, variables: asked ?? { action: '', resource: '' }, pause: !asked, requestPolicy: 'network-only' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked({ action: action.trim(), resource: resource.trim(), tokenId: tokenId || null });
  };
  const d = decision.data?.checkAccess;
  return (
    <section aria-labelledby="check-title">
      <h1 id="check-title">Check access</h1>
      <p className="hint">Ask the server whether a credential may do an action on a resource, and why.</p>
      <form className="panel" aria-label="Check access" onSubmit={submit}>
        <Field label="Credential">
          {(p) => (
            <select {...p} value={tokenId} onChange={(e) => setTokenId(e.target.value)}>
              <option value="">Me (this session)</option>
              {(tokens.data?.tokens?.edges ?? []).map(({ node: t }) => (
                <option key={t.id} value={t.id}>
                  Token {t.name} ({t.kind === 'SERVICE' ? 'service' : `personal, ${t.owner?.email ?? ''}`})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Action" hint="e.g. updateOn, createAccessToken, viewProject">
          {(p) => <input {...p} required value={action} onChange={(e) => setAction(e.target.value)} />}
        </Field>
        <Field label="Resource" hint="e.g. proj/web:env/production:flag/new-ui">
          {(p) => <input {...p} required value={resource} onChange={(e) => setResource(e.target.value)} />}
        </Field>
        <button type="submit" className="primary">
          Check
        </button>
        <ErrorList error={decision.error} />
      </form>
      {d && (
        <section aria-labelledby="decision-title" className={d.allowed ? 'decision allowed' : 'decision denied'} aria-live="polite">
          <h2 id="decision-title">{d.allowed ? 'Allowed' : 'Denied'}</h2>
          <p>
            <code>{d.action}</code> on <code>{d.resource}</code>: {d.reason}
          </p>
          {d.refusedBy && <p>Limited by {d.refusedBy === 'TOKEN' ? "the token's own scope" : "its owner's current permissions"}.</p>}
          <h3>Deciding statements</h3>
          {d.statements.length === 0 ? (
            <p>No statement matched: nothing allows it (default deny).</p>
          ) : (
            <ul>
              {d.statements.map((s, i) => (
                <li key={i}>
                  <strong>{s.effect === 'ALLOW' ? 'Allow' : 'Deny'}</strong> from <code>{s.source}</code> (statement {s.index + 1}):{' '}
                  <code>{JSON.stringify({ actions: s.statement.actions ?? undefined, notActions: s.statement.notActions ?? undefined, resources: s.statement.resources ?? undefined, notResources: s.statement.notResources ?? undefined })}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </section>
  );
}
