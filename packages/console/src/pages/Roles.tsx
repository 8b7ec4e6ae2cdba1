import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { GuardedButton, usePermissions } from '../access.tsx';
import { Confirm, ErrorList, Field } from '../components.tsx';
import { shownErrors } from '../errors.ts';
import { EXAMPLE_POLICY, PolicyEditor, policyText, usePolicyCheck } from '../components/PolicyEditor.tsx';

type Role = types.CustomRoleFieldsFragment;

function RoleForm({ role, onDone }: { role?: Role; onDone: () => void }) {
  const [key, setKey] = useState(role?.key ?? '');
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [base, setBase] = useState<string>(role?.basePermissions ?? 'NO_ACCESS');
  const [policy, setPolicy] = useState(role ? policyText(role.policy) : EXAMPLE_POLICY);
  const check = usePolicyCheck(policy, true, true);
  const [created, create] = useMutation(types.CreateRoleDocument);
  const [updated, update] = useMutation(types.UpdateRoleDocument);
  const result = role ? updated : created;
  const errors = shownErrors(result.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!check.statements) return;
    const basePermissions = base as types.BaseRole;
    const res = role
      ? await update({ input: { key: role.key, name, description, basePermissions, policy: check.statements } })
      : await create({ input: { key, name, description: description || null, basePermissions, policy: check.statements } });
    if (!res.error) onDone();
  };
  return (
    <form className="panel" aria-labelledby="role-form-title" onSubmit={(e) => void submit(e)}>
      <h2 id="role-form-title">{role ? `Edit ${role.name}` : 'Create a custom role'}</h2>
      {!role && <Field label="Key" error={errors.find((x) => x.field === 'key')?.message}>{(p) => <input {...p} required value={key} onChange={(e) => setKey(e.target.value)} />}</Field>}
      <Field label="Name">{(p) => <input {...p} required value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Description">{(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
      <Field label="Base permissions" hint="Reader adds the reader policy into this role (its denies cut it too).">
        {(p) => (
          <select {...p} value={base} onChange={(e) => setBase(e.target.value)}>
            <option value="NO_ACCESS">None: only the policy</option>
            <option value="READER">Reader</option>
          </select>
        )}
      </Field>
      <PolicyEditor label="Policy" value={policy} onChange={setPolicy} check={check} serverError={errors.find((x) => x.field?.startsWith('policy'))?.message} />
      <ErrorList errors={errors.filter((x) => !x.field?.startsWith('policy') && x.field !== 'key')} />
      <div className="actions">
        <button type="submit" className="primary" disabled={result.fetching || !check.statements}>
          Save role
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RoleRow({ role, onEdit, onChanged }: { role: Role; onEdit: () => void; onChanged: () => void }) {
  const [perms] = useQuery({ query: types.ConsoleRolePermissionsDocument, variables: { resource: `role/${role.key}` }, requestPolicy: 'network-only' });
  const [confirming, setConfirming] = useState(false);
  const [removed, remove] = useMutation(types.DeleteRoleDocument);
  return (
    <tr>
      <th scope="row">
        {role.name} <code>{role.key}</code>
        {role.description && <div className="hint">{role.description}</div>}
      </th>
      <td data-label="Base">{role.basePermissions === 'READER' ? 'Reader' : 'None'}</td>
      <td data-label="Policy">{role.policy.length} statement{role.policy.length === 1 ? '' : 's'}</td>
      <td data-label="Actions" className="row-actions">
        <div role="group" aria-label={`Actions for ${role.key}`}>
          <GuardedButton decision={perms.data?.updatePolicy} onClick={onEdit}>
            Edit
          </GuardedButton>
          <GuardedButton decision={perms.data?.remove} className="danger" onClick={() => setConfirming(true)}>
            Delete
          </GuardedButton>
        </div>
        {confirming && (
          <Confirm
            title={`Delete ${role.name}?`}
            confirmLabel="Delete role"
            busy={removed.fetching}
            onCancel={() => setConfirming(false)}
            onConfirm={() => void remove({ input: { key: role.key } }).then((r) => !r.error && onChanged())}
          >
            <ErrorList error={removed.error} />
          </Confirm>
        )}
      </td>
    </tr>
  );
}

export function Roles() {
  const perms = usePermissions();
  const [list, refetch] = useQuery({ query: types.RolesDocument, variables: { first: 100 } });
  const [form, setForm] = useState<{ role?: Role } | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const roles = list.data?.roles?.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="roles-title">
      <div className="page-head">
        <h1 id="roles-title">Roles</h1>
        {!form && (
          <GuardedButton className="primary" decision={perms?.createRole} onClick={() => setForm({})}>
            New role
          </GuardedButton>
        )}
      </div>
      {form && <RoleForm role={form.role} onDone={() => { setForm(null); reload(); }} />}
      <ErrorList error={list.error} />
      {roles.length === 0 ? (
        <p>No custom roles yet.</p>
      ) : (
        <table className="list">
          <caption className="visually-hidden">Custom roles</caption>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Base permissions</th>
              <th scope="col">Policy</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <RoleRow key={r.id} role={r} onEdit={() => setForm({ role: r })} onChanged={reload} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
