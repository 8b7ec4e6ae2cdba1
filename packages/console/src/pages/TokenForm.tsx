import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { refusal, usePermissions, type Decision, type Permissions } from '../access.tsx';
import { ErrorList, Field } from '../components.tsx';
import { shownErrors } from '../errors.ts';
import { EXAMPLE_POLICY, PolicyEditor, policyText, usePolicyCheck } from '../components/PolicyEditor.tsx';
import { roleLabel, type TokenPermissions } from './Tokens.tsx';

type Token = types.TokenFieldsFragment;
type BaseRole = types.BaseRole;
type ScopeKind = 'role' | 'custom' | 'inline';

const BASE_ROLES: BaseRole[] = ['READER', 'WRITER', 'ADMIN', 'OWNER'];

/** The server's answer to "could you do what this base role does?" (see ConsolePermissions). */
function roleDecision(perms: Permissions | null, role: BaseRole): Decision | null | undefined {
  if (!perms) return undefined;
  return { READER: perms.asReader, WRITER: perms.asWriter, ADMIN: perms.asAdmin, OWNER: perms.asOwner, NO_ACCESS: perms.asReader }[role];
}

const EXPIRIES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'custom', label: 'Custom date' },
  { value: 'never', label: 'Never' },
];

function scopeKindOf(token: Token | undefined): ScopeKind {
  if (!token || token.role) return 'role';
  return token.customRoleKeys.length > 0 ? 'custom' : 'inline';
}

/** "Create an access token" (or edit one): Name, Description, Role, then "Save token". */
export function TokenForm({ token, perms: tokenPerms, onSaved, onCancel }: { token?: Token; perms?: TokenPermissions; onSaved: (saved: { name: string; secret?: string }) => void; onCancel: () => void }) {
  const perms = usePermissions();
  const editing = token !== undefined;
  const scopeLocked = token?.kind === 'SERVICE';
  const [name, setName] = useState(token?.name ?? '');
  const [description, setDescription] = useState(token?.description ?? '');
  const [scopeKind, setScopeKind] = useState<ScopeKind>(scopeKindOf(token));
  const [role, setRole] = useState<BaseRole>(token?.role ?? 'READER');
  const [customRoles, setCustomRoles] = useState<string[]>(token?.customRoleKeys ?? []);
  const [policy, setPolicy] = useState(token?.inlinePolicy ? policyText(token.inlinePolicy) : EXAMPLE_POLICY);
  const [service, setService] = useState(false);
  const [apiVersion, setApiVersion] = useState<string>('');
  const [expiry, setExpiry] = useState(editing ? 'keep' : '30');
  const [customDate, setCustomDate] = useState('');
  const [roles] = useQuery({ query: types.RolesDocument, variables: { first: 100 } });
  const [versions] = useQuery({ query: types.ApiVersionsDocument });
  const [created, create] = useMutation(types.CreateTokenDocument);
  const [updated, update] = useMutation(types.UpdateTokenDocument);
  const check = usePolicyCheck(policy, scopeKind === 'inline' && !scopeLocked, !service);
  const scopeId = useId();
  const result = editing ? updated : created;
  const errors = shownErrors(result.error);
  const fieldError = (field: string) => errors.find((e) => e.field?.startsWith(field))?.message ?? null;
  const formErrors = errors.filter((e) => !e.field || !['name', 'description', 'inlinePolicy', 'expiresAt'].some((f) => e.field?.startsWith(f)));

  // Editing: each field the server says you may not change is disabled with its reason.
  const editReason = (decision: Decision | null | undefined) => (tokenPerms && decision ? refusal(decision) : null);
  const nameReason = editReason(tokenPerms?.rename);
  const descriptionReason = editReason(tokenPerms?.describe);
  const scopeReason = editReason(tokenPerms?.rescope);
  const expiryReason = editReason(tokenPerms?.expiry);

  const expiresAt = (): string | null | undefined => {
    if (expiry === 'keep') return undefined;
    if (expiry === 'never') return null;
    if (expiry === 'custom') return customDate ? new Date(customDate).toISOString() : undefined;
    return new Date(Date.now() + Number(expiry) * 86_400_000).toISOString();
  };

  const scopeInput = () => {
    if (scopeKind === 'role') return { role };
    if (scopeKind === 'custom') return { customRoleKeys: customRoles };
    return { inlinePolicy: check.statements ?? [] };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (scopeKind === 'inline' && !scopeLocked && !scopeReason && !check.statements) return;
    if (editing) {
      const input: types.UpdateTokenInput = { id: token.id };
      if (name !== token.name) input.name = name;
      if (description !== (token.description ?? '')) input.description = description;
      if (!scopeLocked && !scopeReason) Object.assign(input, scopeInput());
      const at = expiresAt();
      if (at !== undefined) input.expiresAt = at;
      const res = await update({ input });
      if (res.data?.updateToken?.token) onSaved({ name: res.data.updateToken.token.name });
      return;
    }
    const input: types.CreateTokenInput = { name, ...scopeInput(), serviceToken: service };
    if (description) input.description = description;
    if (apiVersion) input.defaultApiVersion = Number(apiVersion);
    const at = expiresAt();
    if (at) input.expiresAt = at;
    const res = await create({ input });
    const payload = res.data?.createToken;
    if (payload?.secret) onSaved({ name: payload.token.name, secret: payload.secret });
  };

  const serviceReason = refusal(perms?.createServiceToken);
  const customRoleList = roles.data?.roles?.edges.map((e) => e.node) ?? [];
  const title = editing ? `Edit ${token.name}` : 'Create an access token';
  return (
    <form className="panel" aria-labelledby="token-form-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="token-form-title">{title}</h2>
      <Field label="Name" error={fieldError('name')} hint={nameReason}>
        {(p) => <input {...p} required autoFocus={!editing} disabled={nameReason !== null} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Description" error={fieldError('description')} hint={descriptionReason}>
        {(p) => <textarea {...p} rows={2} disabled={descriptionReason !== null} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>

      {scopeLocked || scopeReason ? (
        <p className="hint">{scopeLocked ? "A service token's scope is fixed when it is created: create a new service token to change it." : `The scope cannot be changed here. ${scopeReason}`}</p>
      ) : (
        <fieldset aria-describedby={scopeId}>
          <legend>Scope</legend>
          <p id={scopeId} className="hint">
            Your tokens can never do more than you can.
          </p>
          <div className="choices">
            {(
              [
                ['role', 'Base role'],
                ['custom', 'Custom roles'],
                ['inline', 'Inline policy'],
              ] as const
            ).map(([kind, label]) => (
              <label key={kind}>
                <input type="radio" name="scope-kind" value={kind} checked={scopeKind === kind} onChange={() => setScopeKind(kind)} /> {label}
              </label>
            ))}
          </div>
          {scopeKind === 'role' && (
            <Field label="Role" hint={roleHint(perms)}>
              {(p) => (
                <select {...p} value={role} onChange={(e) => setRole(e.target.value as BaseRole)}>
                  {BASE_ROLES.map((r) => {
                    const reason = refusal(roleDecision(perms, r));
                    return (
                      <option key={r} value={r} disabled={reason !== null && r !== role}>
                        {roleLabel(r)}
                        {reason && perms ? ` — not available: ${reason}` : ''}
                      </option>
                    );
                  })}
                </select>
              )}
            </Field>
          )}
          {scopeKind === 'custom' && (
            <fieldset>
              <legend>Custom roles</legend>
              {customRoleList.length === 0 && <p className="hint">No custom roles in this account yet (see Roles).</p>}
              {customRoleList.map((r) => (
                <label key={r.key} className="check">
                  <input
                    type="checkbox"
                    checked={customRoles.includes(r.key)}
                    onChange={(e) => setCustomRoles(e.target.checked ? [...customRoles, r.key] : customRoles.filter((k) => k !== r.key))}
                  />{' '}
                  {r.name} <code>{r.key}</code>
                </label>
              ))}
            </fieldset>
          )}
          {scopeKind === 'inline' && <PolicyEditor label="Inline policy" value={policy} onChange={setPolicy} check={check} serverError={fieldError('inlinePolicy')} />}
        </fieldset>
      )}

      {!editing && (
        <>
          <div className="field">
            <label className="check">
              <input type="checkbox" checked={service} disabled={serviceReason !== null} aria-describedby="service-hint" onChange={(e) => setService(e.target.checked)} /> This is a service token
            </label>
            <p id="service-hint" className="hint">
              {serviceReason ?? 'A service token belongs to the account, not to you: its scope is fixed when it is created and it keeps working if your permissions change.'}
            </p>
          </div>
          <Field label="API version" hint="Requests made with this token use this version unless they send Latchkey-API-Version.">
            {(p) => (
              <select {...p} value={apiVersion} onChange={(e) => setApiVersion(e.target.value)}>
                <option value="">Newest ({versions.data?.apiVersions?.[0] ?? '…'})</option>
                {(versions.data?.apiVersions ?? []).map((v) => (
                  <option key={v} value={String(v)}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </>
      )}
      <Field
        label="Expiration"
        error={fieldError('expiresAt')}
        hint={expiryReason ?? (expiry === 'never' ? <strong className="warning">This token will never expire. A leaked token stays usable until someone deletes it: prefer an expiry.</strong> : undefined)}
      >
        {(p) => (
          <select {...p} value={expiry} disabled={expiryReason !== null} onChange={(e) => setExpiry(e.target.value)}>
            {editing && <option value="keep">Keep the current expiry</option>}
            {EXPIRIES.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {expiry === 'custom' && <Field label="Expires on">{(p) => <input {...p} type="datetime-local" value={customDate} onChange={(e) => setCustomDate(e.target.value)} />}</Field>}

      <ErrorList errors={formErrors} />
      <div className="actions">
        <button type="submit" className="primary" disabled={result.fetching || (scopeKind === 'inline' && !scopeLocked && !scopeReason && !check.statements)}>
          Save token
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Which base roles the server says are out of your reach, and why. */
function roleHint(perms: Permissions | null): string {
  const unavailable = BASE_ROLES.map((r) => ({ r, reason: refusal(roleDecision(perms, r)) })).filter((x) => perms && x.reason);
  const base = 'The token gets the permissions of the role, and never more than yours.';
  if (unavailable.length === 0) return base;
  return `${base} Not available to you: ${unavailable.map((x) => `${roleLabel(x.r)} (${x.reason})`).join('; ')}.`;
}
