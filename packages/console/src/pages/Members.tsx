import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { GuardedButton, rawIdOf, refusal, usePermissions } from '../access.tsx';
import { Confirm, ErrorList, Field } from '../components.tsx';
import { roleLabel } from './Tokens.tsx';

type Member = types.MemberAdminFieldsFragment;
const ROLES: types.BaseRole[] = ['NO_ACCESS', 'READER', 'WRITER', 'ADMIN', 'OWNER'];

function RoleChecks({ roles, value, onChange, reason }: { roles: Array<{ key: string; name: string }>; value: string[]; onChange: (keys: string[]) => void; reason?: string | null }) {
  return (
    <fieldset disabled={Boolean(reason)}>
      <legend>Custom roles</legend>
      {reason && <p className="reason">{reason}</p>}
      {roles.length === 0 && <p className="hint">No custom roles yet.</p>}
      {roles.map((r) => (
        <label key={r.key} className="check">
          <input type="checkbox" checked={value.includes(r.key)} onChange={(e) => onChange(e.target.checked ? [...value, r.key] : value.filter((k) => k !== r.key))} /> {r.name}
        </label>
      ))}
    </fieldset>
  );
}

function MemberRow({ member, me, roles, onChanged }: { member: Member; me: types.MemberFieldsFragment; roles: Array<{ key: string; name: string }>; onChanged: () => void }) {
  const [perms] = useQuery({ query: types.ConsoleMemberPermissionsDocument, variables: { resource: `member/${rawIdOf(member.id)}` }, requestPolicy: 'network-only' });
  const [mode, setMode] = useState<'none' | 'edit' | 'remove'>('none');
  const [role, setRole] = useState<types.BaseRole>(member.role);
  const [custom, setCustom] = useState(member.customRoles.map((r) => r.key));
  const [updated, update] = useMutation(types.UpdateMemberDocument);
  const [removed, remove] = useMutation(types.RemoveMemberDocument);
  const p = perms.data;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const input: types.UpdateMemberInput = { id: member.id };
    if (role !== member.role) input.role = role;
    if (p?.updateCustomRole?.allowed) input.customRoleKeys = custom;
    const res = await update({ input });
    if (!res.error) {
      setMode('none');
      onChanged();
    }
  };
  return (
    <tr>
      <th scope="row">
        {member.name || member.email}
        {member.id === me.id && <span className="badge">you</span>}
        <div className="hint">{member.email}</div>
      </th>
      <td data-label="Role">{roleLabel(member.role)}</td>
      <td data-label="Custom roles">{member.customRoles.map((r) => r.name).join(', ') || '—'}</td>
      <td data-label="Teams">{member.teams.map((t) => t.name).join(', ') || '—'}</td>
      <td data-label="Status">{member.status.toLowerCase()}</td>
      <td data-label="Actions" className="row-actions">
        <div role="group" aria-label={`Actions for ${member.email}`}>
          <GuardedButton decision={p ? ([p.updateRole, p.updateCustomRole].find((d) => d?.allowed) ?? p.updateRole) : undefined} onClick={() => setMode('edit')}>
            Change role
          </GuardedButton>
          <GuardedButton decision={p?.remove} className="danger" onClick={() => setMode('remove')}>
            Remove
          </GuardedButton>
        </div>
        {mode === 'edit' && (
          <form className="panel" aria-label={`Change the role of ${member.email}`} onSubmit={(e) => void save(e)}>
            <Field label="Role" hint={refusal(p?.updateRole)}>
              {(props) => (
                <select {...props} value={role} disabled={!p?.updateRole?.allowed} onChange={(e) => setRole(e.target.value as types.BaseRole)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {roleLabel(r)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <RoleChecks roles={roles} value={custom} onChange={setCustom} reason={refusal(p?.updateCustomRole)} />
            <ErrorList error={updated.error} />
            <div className="actions">
              <button type="submit" className="primary" disabled={updated.fetching}>
                Save member
              </button>
              <button type="button" onClick={() => setMode('none')}>
                Cancel
              </button>
            </div>
          </form>
        )}
        {mode === 'remove' && (
          <Confirm
            title={`Remove ${member.email}?`}
            confirmLabel="Remove member"
            busy={removed.fetching}
            onCancel={() => setMode('none')}
            onConfirm={() =>
              void remove({ input: { id: member.id } }).then((res) => {
                if (!res.error) onChanged();
              })
            }
          >
            <p>Their personal tokens stop working at once. Service tokens they created keep working.</p>
            <ErrorList error={removed.error} />
          </Confirm>
        )}
      </td>
    </tr>
  );
}

function InviteForm({ roles, onDone }: { roles: Array<{ key: string; name: string }>; onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<types.BaseRole>('READER');
  const [custom, setCustom] = useState<string[]>([]);
  const [result, invite] = useMutation(types.InviteMemberDocument);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await invite({ input: { email, name: name || null, role, customRoleKeys: custom } });
  };
  const code = result.data?.inviteMember?.inviteCode;
  return (
    <form className="panel" aria-labelledby="invite-title" onSubmit={(e) => void submit(e)}>
      <h2 id="invite-title">Invite a member</h2>
      {code ? (
        <>
          <p>
            Invitation created. Give this invite code to {email}: <strong>it is shown once.</strong>
          </p>
          <label htmlFor="invite-code">Invite code</label>
          <input id="invite-code" readOnly value={code} onFocus={(e) => e.target.select()} />
          <button type="button" onClick={onDone}>
            Done
          </button>
        </>
      ) : (
        <>
          <Field label="Email">{(p) => <input {...p} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
          <Field label="Name">{(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
          <Field label="Role">
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.target.value as types.BaseRole)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {roleLabel(r)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <RoleChecks roles={roles} value={custom} onChange={setCustom} />
          <ErrorList error={result.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={result.fetching}>
              Send invite
            </button>
            <button type="button" onClick={onDone}>
              Cancel
            </button>
          </div>
        </>
      )}
    </form>
  );
}

export function Members({ me }: { me: types.MemberFieldsFragment }) {
  const perms = usePermissions();
  const [after, setAfter] = useState<string | null>(null);
  const [list, refetch] = useQuery({ query: types.ConsoleMembersDocument, variables: { first: 50, after } });
  const [roles] = useQuery({ query: types.RolesDocument, variables: { first: 100 } });
  const [inviting, setInviting] = useState(false);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const roleList = roles.data?.roles?.edges.map((e) => ({ key: e.node.key, name: e.node.name })) ?? [];
  const members = list.data?.members?.edges.map((e) => e.node) ?? [];
  const pageInfo = list.data?.members?.pageInfo;
  return (
    <section aria-labelledby="members-title">
      <div className="page-head">
        <h1 id="members-title">Members</h1>
        {!inviting && (
          <GuardedButton className="primary" decision={perms?.inviteMember} onClick={() => setInviting(true)}>
            Invite member
          </GuardedButton>
        )}
      </div>
      {inviting && <InviteForm roles={roleList} onDone={() => { setInviting(false); reload(); }} />}
      <ErrorList error={list.error} />
      <table className="list">
        <caption className="visually-hidden">Members</caption>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Custom roles</th>
            <th scope="col">Teams</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <MemberRow key={m.id} member={m} me={me} roles={roleList} onChanged={reload} />
          ))}
        </tbody>
      </table>
      {pageInfo?.hasNextPage && (
        <button type="button" onClick={() => setAfter(pageInfo.endCursor ?? null)}>
          Next page
        </button>
      )}
    </section>
  );
}
