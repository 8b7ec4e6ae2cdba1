import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { refusal, type Decision } from '../access.tsx';
import { ErrorList, Field } from '../components.tsx';
import { shownErrors } from '../errors.ts';
import { EXAMPLE_POLICY, PolicyEditor, parsePolicy, policyText, type PolicyCheck } from '../components/PolicyEditor.tsx';
import { DRY_RUN_NAME, firstBeyond, scopeRefusal, useDryRun, type ScopeCheck } from '../scope.ts';
import { roleLabel, type TokenPermissions } from './Tokens.tsx';

type Token = types.TokenFieldsFragment;
type BaseRole = types.BaseRole;
type ScopeKind = 'role' | 'custom' | 'inline';
type ScopeInput = Pick<types.CreateTokenInput, 'role' | 'customRoleKeys' | 'inlinePolicy'>;
type RoleOptions = Partial<Record<BaseRole | 'SERVICE', ScopeCheck>>;

const BASE_ROLES = ['READER', 'WRITER', 'ADMIN', 'OWNER'] as const;
/** Custom-role choices asked per request (ConsoleCustomRoleScopes has ten slots). */
const ROLE_SLOTS = 10;

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

/** The expiry the form asks for: undefined keeps (editing) or leaves the server's default. */
function expiryFor(expiry: string, customDate: string): string | null | undefined {
  if (expiry === 'keep') return undefined;
  if (expiry === 'never') return null;
  if (expiry === 'custom') {
    const at = customDate ? new Date(customDate) : null;
    return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
  }
  return new Date(Date.now() + Number(expiry) * 86_400_000).toISOString();
}

/** The first action and resource beyond your permissions, then the server's reason. */
function exceeding(check: ScopeCheck | null): string | null {
  if (!check || check.allowed) return null;
  const reason = check.reason ?? 'not within your permissions';
  const beyond = firstBeyond(check);
  return beyond ? `${beyond} — ${reason}` : reason;
}

/** The variables of one ConsoleCustomRoleScopes request: a slot per input, the unused ones not asked. */
function roleSlots(inputs: types.CreateTokenInput[]): types.ConsoleCustomRoleScopesQueryVariables {
  const variables: Record<string, unknown> = {};
  for (let i = 0; i < ROLE_SLOTS; i++) {
    variables[`s${i}`] = inputs[i] ?? inputs[0];
    variables[`ask${i}`] = i < inputs.length;
  }
  return variables as types.ConsoleCustomRoleScopesQueryVariables;
}

/** "Create an access token" (or edit one): Name, Description, Role, then "Save token". */
export function TokenForm({ token, perms: tokenPerms, onSaved, onCancel }: { token?: Token; perms?: TokenPermissions; onSaved: (saved: { name: string; secret?: string }) => void; onCancel: () => void }) {
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
  const scopeId = useId();
  const result = editing ? updated : created;
  const errors = shownErrors(result.error);
  const formErrors = errors.filter((e) => !e.field || !['name', 'description', 'inlinePolicy', 'expiresAt'].some((f) => e.field?.startsWith(f)));

  // Editing: each field the server says you may not change is disabled with its reason.
  const editReason = (decision: Decision | null | undefined) => (tokenPerms && decision ? refusal(decision) : null);
  const nameReason = editReason(tokenPerms?.rename);
  const descriptionReason = editReason(tokenPerms?.describe);
  const scopeReason = editReason(tokenPerms?.rescope);
  const expiryReason = editReason(tokenPerms?.expiry);

  const scopeOpen = !scopeLocked && !scopeReason;
  const parsed = useMemo(() => parsePolicy(policy), [policy]);
  const statements = parsed.ok ? parsed.statements : null;

  const scopeInput = (): ScopeInput => {
    if (scopeKind === 'role') return { role };
    if (scopeKind === 'custom') return { customRoleKeys: customRoles };
    return { inlinePolicy: statements ?? [] };
  };
  /** The scope as the server would be sent it, or null while there is none to send. */
  const scopeToAsk: ScopeInput | null = !scopeOpen ? null : scopeKind === 'custom' && customRoles.length === 0 ? null : scopeKind === 'inline' && !statements ? null : scopeInput();

  // The whole form, dry-run as you type: exactly what Save would send (a blank name sent as a
  // placeholder, the name changing nothing of what a token may do). Editing asks about a token of
  // yours with the new scope: the same caps and rule updateToken applies.
  const dryExpiry = useMemo(() => (editing ? undefined : expiryFor(expiry, customDate)), [editing, expiry, customDate]);
  const formInput: types.CreateTokenInput | null = scopeToAsk && {
    name: name.trim() || DRY_RUN_NAME,
    ...(description && !editing ? { description } : {}),
    ...scopeToAsk,
    serviceToken: !editing && service,
    ...(apiVersion && !editing ? { defaultApiVersion: Number(apiVersion) } : {}),
    ...(dryExpiry ? { expiresAt: dryExpiry } : {}),
  };
  const formCheck = useDryRun(types.CheckTokenScopeDocument, formInput && [{ input: formInput }]);
  const formAnswer = formCheck.data?.[0]?.checkTokenScope ?? null;
  // Bad input found by the dry run is shown where Save would show it.
  const dryErrors = shownErrors(formCheck.error);
  const savedError = (field: string) => errors.find((e) => e.field?.startsWith(field))?.message ?? null;
  const dryError = (field: string) => dryErrors.find((e) => e.field?.startsWith(field))?.message ?? null;
  const fieldError = (field: string) => savedError(field) ?? dryError(field);

  // Each choice, asked of the server as a token of its own (the other choices as they stand).
  const option = (scope: ScopeInput, serviceToken: boolean): types.CreateTokenInput => ({ name: DRY_RUN_NAME, ...scope, serviceToken });
  const optionsWanted = !editing || scopeOpen;
  const baseOptions = useDryRun(
    types.ConsoleTokenScopeOptionsDocument,
    optionsWanted
      ? [
          {
            reader: option({ role: 'READER' }, !editing && service),
            writer: option({ role: 'WRITER' }, !editing && service),
            admin: option({ role: 'ADMIN' }, !editing && service),
            owner: option({ role: 'OWNER' }, !editing && service),
            service: option(scopeToAsk ?? { role: 'READER' }, true),
            askService: !editing,
          },
        ]
      : null,
  );
  const options: RoleOptions | null = baseOptions.data?.[0]
    ? { READER: baseOptions.data[0].reader, WRITER: baseOptions.data[0].writer, ADMIN: baseOptions.data[0].admin, OWNER: baseOptions.data[0].owner, SERVICE: baseOptions.data[0].service ?? undefined }
    : null;

  const customRoleList = roles.data?.roles?.edges.map((e) => e.node) ?? [];
  const roleChunks: types.ConsoleCustomRoleScopesQueryVariables[] = [];
  for (let i = 0; i < customRoleList.length; i += ROLE_SLOTS) {
    roleChunks.push(roleSlots(customRoleList.slice(i, i + ROLE_SLOTS).map((r) => option({ customRoleKeys: [r.key] }, !editing && service))));
  }
  const roleOptions = useDryRun(types.ConsoleCustomRoleScopesDocument, scopeOpen && scopeKind === 'custom' && roleChunks.length > 0 ? roleChunks : null);
  const customRoleCheck = (index: number): ScopeCheck | null => {
    const chunk = roleOptions.data?.[Math.floor(index / ROLE_SLOTS)];
    return (chunk?.[`s${index % ROLE_SLOTS}` as keyof typeof chunk] as ScopeCheck | null | undefined) ?? null;
  };

  const policyCheck: PolicyCheck = {
    statements,
    error: parsed.ok ? dryError('inlinePolicy') : parsed.error,
    exceeds: exceeding(formAnswer),
    deferred: 0,
    checking: statements !== null && formCheck.checking,
    unchecked: dryErrors.find((e) => !e.field?.startsWith('inlinePolicy'))?.message ?? null,
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (scopeKind === 'inline' && scopeOpen && !statements) return;
    if (editing) {
      const input: types.UpdateTokenInput = { id: token.id };
      if (name !== token.name) input.name = name;
      if (description !== (token.description ?? '')) input.description = description;
      if (scopeOpen) Object.assign(input, scopeInput());
      const at = expiryFor(expiry, customDate);
      if (at !== undefined) input.expiresAt = at;
      const res = await update({ input });
      if (res.data?.updateToken?.token) onSaved({ name: res.data.updateToken.token.name });
      return;
    }
    const input: types.CreateTokenInput = { name, ...scopeInput(), serviceToken: service };
    if (description) input.description = description;
    if (apiVersion) input.defaultApiVersion = Number(apiVersion);
    const at = expiryFor(expiry, customDate);
    if (at) input.expiresAt = at;
    const res = await create({ input });
    const payload = res.data?.createToken;
    if (payload?.secret) onSaved({ name: payload.token.name, secret: payload.secret });
  };

  // The current choice is never disabled, so that it can always be changed back.
  const serviceReason = options ? scopeRefusal(options.SERVICE) : 'checking your permissions…';
  const serviceDisabled = serviceReason !== null && !service;
  const scopeRefused = scopeKind !== 'inline' && formAnswer && !formAnswer.allowed ? exceeding(formAnswer) : null;
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
            <Field label="Role" hint={roleHint(options, baseOptions.checking)}>
              {(p) => (
                <select {...p} value={role} onChange={(e) => setRole(e.target.value as BaseRole)}>
                  {BASE_ROLES.map((r) => {
                    const reason = scopeRefusal(options?.[r]);
                    return (
                      <option key={r} value={r} disabled={reason !== null && r !== role}>
                        {roleLabel(r)}
                        {reason && options ? ` — not available: ${reason}` : ''}
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
              {customRoleList.map((r, i) => {
                const checked = customRoles.includes(r.key);
                const reason = scopeRefusal(customRoleCheck(i));
                const reasonId = `${scopeId}-role-${i}`;
                return (
                  <div key={r.key} className="field">
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={checked}
                        disabled={reason !== null && !checked}
                        aria-describedby={reason ? reasonId : undefined}
                        onChange={(e) => setCustomRoles(e.target.checked ? [...customRoles, r.key] : customRoles.filter((k) => k !== r.key))}
                      />{' '}
                      {r.name} <code>{r.key}</code>
                    </label>
                    {reason && (
                      <span id={reasonId} className="reason">
                        {reason}
                      </span>
                    )}
                  </div>
                );
              })}
            </fieldset>
          )}
          {scopeRefused && (
            <p className="field-error" role="status">
              Exceeds your permissions: {scopeRefused}
            </p>
          )}
          {scopeKind === 'inline' && <PolicyEditor label="Inline policy" value={policy} onChange={setPolicy} check={policyCheck} serverError={savedError('inlinePolicy')} />}
        </fieldset>
      )}

      {!editing && (
        <>
          <div className="field">
            <label className="check">
              <input type="checkbox" checked={service} disabled={serviceDisabled} aria-describedby="service-hint" onChange={(e) => setService(e.target.checked)} /> This is a service token
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
        <button type="submit" className="primary" disabled={result.fetching || (scopeKind === 'inline' && scopeOpen && !statements)}>
          Save token
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Which base roles the server says are out of your reach (with the form's other choices), and why. */
function roleHint(options: RoleOptions | null, checking: boolean): string {
  const unavailable = BASE_ROLES.map((r) => ({ r, reason: scopeRefusal(options?.[r]) })).filter((x) => options && x.reason);
  const base = 'The token gets the permissions of the role, and never more than yours.';
  if (checking) return `${base} Checking which roles are within your permissions…`;
  if (unavailable.length === 0) return base;
  return `${base} Not available to you: ${unavailable.map((x) => `${roleLabel(x.r)} (${x.reason})`).join('; ')}.`;
}
