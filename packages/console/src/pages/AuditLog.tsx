import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { refusal, usePermissions } from '../access.tsx';
import { ErrorList, Field, formatDate } from '../components.tsx';

type Filter = types.AuditLogFilter;

function credentialOf(entry: types.AuditEntryFieldsFragment): string {
  if (entry.credentialKind === 'SESSION') return 'Session';
  const kind = entry.credentialKind === 'SERVICE' ? 'Service token' : 'Personal token';
  return `${kind} ${entry.token?.name ?? entry.tokenId ?? ''}`.trim();
}

export function AuditLog() {
  const perms = usePermissions();
  const [draft, setDraft] = useState({ action: '', resource: '', q: '', outcome: '', actorId: '' });
  const [filter, setFilter] = useState<Filter>({});
  // Cursors of the pages before this one, for "Previous page".
  const [cursors, setCursors] = useState<Array<string | null>>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [members] = useQuery({ query: types.MembersDocument, variables: { first: 100 } });
  const [log] = useQuery({ query: types.AuditLogDocument, variables: { first: 20, after, filter }, requestPolicy: 'cache-and-network' });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const f: Filter = {};
    if (draft.action) f.action = draft.action;
    if (draft.resource) f.resource = draft.resource;
    if (draft.q) f.q = draft.q;
    if (draft.outcome) f.outcome = draft.outcome as types.AuditOutcome;
    if (draft.actorId) f.actorId = draft.actorId;
    setFilter(f);
    setCursors([]);
    setAfter(null);
  };
  const denied = refusal(perms?.viewAuditLog);
  const entries = log.data?.auditLog?.edges.map((e) => e.node) ?? [];
  const pageInfo = log.data?.auditLog?.pageInfo;
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      {perms && denied ? <p className="reason">{denied}</p> : null}
      <form className="filters" aria-label="Filter the audit log" onSubmit={apply}>
        <Field label="Action">{(p) => <input {...p} placeholder="e.g. update*" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />}</Field>
        <Field label="Resource">{(p) => <input {...p} placeholder="e.g. proj/*:env/production:*" value={draft.resource} onChange={(e) => setDraft({ ...draft, resource: e.target.value })} />}</Field>
        <Field label="Text">{(p) => <input {...p} value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />}</Field>
        <Field label="Member">
          {(p) => (
            <select {...p} value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}>
              <option value="">Anyone</option>
              {(members.data?.members?.edges ?? []).map(({ node: m }) => (
                <option key={m.id} value={m.id}>
                  {m.name || m.email}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Outcome">
          {(p) => (
            <select {...p} value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}>
              <option value="">All</option>
              <option value="SUCCESS">Changes</option>
              <option value="REFUSED">Refused attempts</option>
            </select>
          )}
        </Field>
        <button type="submit">Apply filters</button>
      </form>
      <ErrorList error={log.error} />
      <table className="list">
        <caption className="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Credential</th>
            <th scope="col">What</th>
            <th scope="col">Resource</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td data-label="When">{formatDate(e.date)}</td>
              <th scope="row" data-label="Who">
                {e.actor ? e.actor.name || e.actor.email : '—'}
              </th>
              <td data-label="Credential">{credentialOf(e)}</td>
              <td data-label="What">
                {e.title}
                <div className="hint">
                  <code>{e.action}</code>
                  {e.changes.length > 0 && ` — ${e.changes.map((c) => c.field).join(', ')}`}
                </div>
              </td>
              <td data-label="Resource">
                <code>{e.resource}</code>
              </td>
              <td data-label="Outcome">{e.outcome === 'REFUSED' ? 'Refused' : 'Done'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        {cursors.length > 0 && (
          <button
            type="button"
            onClick={() => {
              setAfter(cursors[cursors.length - 1] ?? null);
              setCursors(cursors.slice(0, -1));
            }}
          >
            Previous page
          </button>
        )}
        {pageInfo?.hasNextPage && (
          <button
            type="button"
            onClick={() => {
              setCursors([...cursors, after]);
              setAfter(pageInfo.endCursor ?? null);
            }}
          >
            Next page
          </button>
        )}
      </div>
    </section>
  );
}
