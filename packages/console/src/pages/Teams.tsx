import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { GuardedButton, usePermissions } from '../access.tsx';
import { Confirm, ErrorList, Field } from '../components.tsx';

type Team = types.TeamFieldsFragment;

function TeamForm({ team, onDone }: { team?: Team; onDone: () => void }) {
  const [key, setKey] = useState(team?.key ?? '');
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const [memberIds, setMemberIds] = useState<string[]>(team?.members.map((m) => m.id) ?? []);
  const [roleKeys, setRoleKeys] = useState<string[]>(team?.customRoles.map((r) => r.key) ?? []);
  const [members] = useQuery({ query: types.MembersDocument, variables: { first: 100 } });
  const [roles] = useQuery({ query: types.RolesDocument, variables: { first: 100 } });
  const [created, create] = useMutation(types.CreateTeamDocument);
  const [updated, update] = useMutation(types.UpdateTeamDocument);
  const result = team ? updated : created;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = team
      ? await update({ input: { key: team.key, name, description, memberIds, customRoleKeys: roleKeys } })
      : await create({ input: { key, name, description: description || null, memberIds, customRoleKeys: roleKeys } });
    if (!res.error) onDone();
  };
  const toggle = (list: string[], set: (v: string[]) => void, value: string, on: boolean) => set(on ? [...list, value] : list.filter((v) => v !== value));
  return (
    <form className="panel" aria-labelledby="team-form-title" onSubmit={(e) => void submit(e)}>
      <h2 id="team-form-title">{team ? `Edit ${team.name}` : 'Create a team'}</h2>
      {!team && <Field label="Key">{(p) => <input {...p} required value={key} onChange={(e) => setKey(e.target.value)} />}</Field>}
      <Field label="Name">{(p) => <input {...p} required value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Description">{(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
      <fieldset>
        <legend>Members</legend>
        {(members.data?.members?.edges ?? []).map(({ node: m }) => (
          <label key={m.id} className="check">
            <input type="checkbox" checked={memberIds.includes(m.id)} onChange={(e) => toggle(memberIds, setMemberIds, m.id, e.target.checked)} /> {m.name || m.email}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Custom roles</legend>
        {(roles.data?.roles?.edges ?? []).map(({ node: r }) => (
          <label key={r.key} className="check">
            <input type="checkbox" checked={roleKeys.includes(r.key)} onChange={(e) => toggle(roleKeys, setRoleKeys, r.key, e.target.checked)} /> {r.name}
          </label>
        ))}
      </fieldset>
      <ErrorList error={result.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={result.fetching}>
          Save team
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function TeamRow({ team, onEdit, onChanged }: { team: Team; onEdit: () => void; onChanged: () => void }) {
  const [perms] = useQuery({ query: types.ConsoleTeamPermissionsDocument, variables: { resource: `team/${team.key}` }, requestPolicy: 'network-only' });
  const [confirming, setConfirming] = useState(false);
  const [removed, remove] = useMutation(types.DeleteTeamDocument);
  const p = perms.data;
  return (
    <tr>
      <th scope="row">
        {team.name} <code>{team.key}</code>
      </th>
      <td data-label="Members">{team.members.map((m) => m.name || m.email).join(', ') || '—'}</td>
      <td data-label="Custom roles">{team.customRoles.map((r) => r.name).join(', ') || '—'}</td>
      <td data-label="Actions" className="row-actions">
        <div role="group" aria-label={`Actions for ${team.key}`}>
          <GuardedButton decision={p ? ([p.updateMembers, p.updateRoles].find((d) => d?.allowed) ?? p.updateMembers) : undefined} onClick={onEdit}>
            Edit
          </GuardedButton>
          <GuardedButton decision={p?.remove} className="danger" onClick={() => setConfirming(true)}>
            Delete
          </GuardedButton>
        </div>
        {confirming && (
          <Confirm title={`Delete ${team.name}?`} confirmLabel="Delete team" busy={removed.fetching} onCancel={() => setConfirming(false)} onConfirm={() => void remove({ input: { key: team.key } }).then((r) => !r.error && onChanged())}>
            <p>Members keep their own roles; they lose the roles given through this team.</p>
            <ErrorList error={removed.error} />
          </Confirm>
        )}
      </td>
    </tr>
  );
}

export function Teams() {
  const perms = usePermissions();
  const [list, refetch] = useQuery({ query: types.TeamsDocument, variables: { first: 100 } });
  const [form, setForm] = useState<{ team?: Team } | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const teams = list.data?.teams?.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="teams-title">
      <div className="page-head">
        <h1 id="teams-title">Teams</h1>
        {!form && (
          <GuardedButton className="primary" decision={perms?.createTeam} onClick={() => setForm({})}>
            New team
          </GuardedButton>
        )}
      </div>
      {form && <TeamForm team={form.team} onDone={() => { setForm(null); reload(); }} />}
      <ErrorList error={list.error} />
      {teams.length === 0 ? (
        <p>No teams yet.</p>
      ) : (
        <table className="list">
          <caption className="visually-hidden">Teams</caption>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Members</th>
              <th scope="col">Custom roles</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {teams.map((t) => (
              <TeamRow key={t.id} team={t} onEdit={() => setForm({ team: t })} onChanged={reload} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
