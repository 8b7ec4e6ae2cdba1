import { encodeGlobalID } from '@pothos/plugin-relay';
import type { BaseRole, Statement } from '@latchkey/policy';
import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { CustomRoleRow } from '../db/schema/roles.ts';
import { badInput, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { deleteRoleRow, findRoleByKey, insertRole, roleUsage, updateRoleRow } from '../store/roles.ts';
import { recordAudit } from './audit.ts';
import { assertNoEscalation, authoritiesBefore, callerAuthority, holdersOfRole, type Grantee } from './authority.ts';
import { optionalText, refuseSecretsInPolicy, requireKey, requireName } from './validation.ts';

/** Custom roles: a key unique in the account, a name, and a policy validated by the engine. */

export const roleResource = (key: string) => `role/${key}`;

type BasePermissions = 'reader' | 'no_access';

/** `basePermissions` takes READER or NO_ACCESS only (what a custom role starts from). */
function requireBasePermissions(value: BaseRole | null | undefined): BasePermissions | null {
  if (value === null || value === undefined) return null;
  if (value === 'reader' || value === 'no_access') return value;
  throw badInput('basePermissions', 'must be READER or NO_ACCESS');
}

export interface CreateRoleInput {
  key: string;
  name: string;
  description?: string | null;
  basePermissions?: BaseRole | null;
  /** Already validated by the policy engine (toPolicyStatements). */
  policy: Statement[];
}

/**
 * A new role. Nobody holds it yet, but whoever is given it later gets its policy: as in
 * Kubernetes RBAC, the caller may only create a role whose permissions they hold (read with the
 * caller's own role attributes; giving it to someone else is checked again then).
 */
export async function createRole(context: Context, input: CreateRoleInput): Promise<CustomRoleRow> {
  const caller = callerOf(context);
  const key = requireKey('key', input.key);
  const name = requireName('name', input.name);
  const description = optionalText('description', input.description);
  const basePermissions = requireBasePermissions(input.basePermissions);
  refuseSecretsInPolicy('policy', input.policy);
  const limit = await callerAuthority(context.app.db, caller);
  const role = await context.app.transaction(async (tx) => {
    if (await findRoleByKey(tx, caller.accountId, key)) throw conflict(`A custom role with key "${key}" already exists`, { field: 'key' });
    const now = new Date();
    const row = await insertRole(tx, {
      id: newId(),
      accountId: caller.accountId,
      key,
      name,
      description,
      basePermissions,
      policy: input.policy,
      createdAt: now,
      updatedAt: now,
    });
    await assertNoEscalation(tx, caller, limit, { action: 'createRole', resource: roleResource(key), grantees: [{ kind: 'role', roleId: row.id }] });
    await recordAudit(tx, context, {
      action: 'createRole',
      resource: roleResource(key),
      title: `${caller.member.name} created custom role "${key}"`,
      changes: {
        name: { after: name },
        description: { after: description },
        basePermissions: { after: basePermissions },
        policy: { after: input.policy },
      },
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'roles' });
  return role;
}

export interface UpdateRoleInput {
  key: string;
  name?: string | null;
  description?: string | null;
  basePermissions?: BaseRole | null;
  policy?: Statement[] | null;
}

/**
 * Changes the given fields. Everyone holding the role (members directly or through teams, tokens
 * scoped by it) changes with it, so a new policy or base permissions fall under the no-escalation
 * rule for the role itself and for every holder, as the change leaves them.
 */
export async function updateRole(context: Context, input: UpdateRoleInput): Promise<CustomRoleRow> {
  const caller = callerOf(context);
  const { db } = context.app;
  const name = input.name === null || input.name === undefined ? undefined : requireName('name', input.name);
  const description = input.description === undefined ? undefined : optionalText('description', input.description);
  const basePermissions = input.basePermissions === undefined ? undefined : requireBasePermissions(input.basePermissions);
  const policy = input.policy ?? undefined;
  if (policy) refuseSecretsInPolicy('policy', policy);
  const current = await findRoleByKey(db, caller.accountId, input.key);
  if (!current) throw notFound('Custom role');
  const resource = roleResource(current.key);

  const limit = await callerAuthority(db, caller);
  const updated = await context.app.transaction(async (tx) => {
    // Everyone the role reaches, and what they could do before the edit (only what is new counts).
    const grantees: Grantee[] = [{ kind: 'role', roleId: current.id }, ...(await holdersOfRole(tx, current.id))];
    const before = await authoritiesBefore(tx, caller, limit, grantees);
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const patch: Partial<CustomRoleRow> = {};
    if (name !== undefined && name !== current.name) {
      patch.name = name;
      changes.name = { before: current.name, after: name };
    }
    if (description !== undefined && description !== current.description) {
      patch.description = description;
      changes.description = { before: current.description, after: description };
    }
    if (basePermissions !== undefined && basePermissions !== current.basePermissions) {
      patch.basePermissions = basePermissions;
      changes.basePermissions = { before: current.basePermissions, after: basePermissions };
    }
    if (policy !== undefined && JSON.stringify(policy) !== JSON.stringify(current.policy)) {
      patch.policy = policy;
      changes.policy = { before: current.policy, after: policy };
    }
    if (Object.keys(changes).length === 0) return current;
    const row = await updateRoleRow(tx, current.id, { ...patch, updatedAt: new Date() });
    if (!row) throw notFound('Custom role');
    if (changes.policy || changes.basePermissions) {
      await assertNoEscalation(tx, caller, limit, { action: changes.policy ? 'updatePolicy' : 'updateBasePermissions', resource, grantees, before });
    }
    await recordAudit(tx, context, {
      action: changes.policy ? 'updatePolicy' : changes.basePermissions ? 'updateBasePermissions' : changes.name ? 'updateName' : 'updateDescription',
      resource,
      title: `${caller.member.name} updated custom role "${current.key}": ${Object.keys(changes).join(', ')}`,
      changes,
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'roles' });
  return updated;
}

/** Deletes a role nobody uses; otherwise CONFLICT listing the members, teams and tokens that do. */
export async function deleteRole(context: Context, key: string): Promise<CustomRoleRow> {
  const caller = callerOf(context);
  const deleted = await context.app.transaction(async (tx) => {
    const role = await findRoleByKey(tx, caller.accountId, key);
    if (!role) throw notFound('Custom role');
    const usage = await roleUsage(tx, role.id);
    if (usage.members.length + usage.teams.length + usage.tokens.length > 0) {
      const users = [
        ...usage.members.map((m) => `member ${m.email}`),
        ...usage.teams.map((t) => `team "${t.key}"`),
        ...usage.tokens.map((t) => `token "${t.name}"`),
      ];
      throw conflict(`Custom role "${key}" is still used by ${users.join(', ')}`, {
        members: usage.members.map((m) => encodeGlobalID('Member', m.id)),
        teams: usage.teams.map((t) => t.key),
        tokens: usage.tokens.map((t) => encodeGlobalID('Token', t.id)),
      });
    }
    await deleteRoleRow(tx, role.id);
    await recordAudit(tx, context, {
      action: 'deleteRole',
      resource: roleResource(key),
      title: `${caller.member.name} deleted custom role "${key}"`,
      changes: { name: { before: role.name }, basePermissions: { before: role.basePermissions }, policy: { before: role.policy } },
    });
    return role;
  });
  context.app.caches.invalidate({ kind: 'roles' });
  return deleted;
}
