import { randomBytes } from 'node:crypto';
import { baseRoleGrant, type BaseRole, type RoleAttributes } from '@latchkey/policy';
import type { Caller } from '../auth/caller.ts';
import { hashPassword } from '../auth/passwords.ts';
import { digestSecret } from '../auth/secrets.ts';
import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { DbOrTx } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { CustomRoleRow } from '../db/schema/roles.ts';
import { badInput, conflict, forbidden, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  countOtherActiveOwners,
  customRolesOfMember,
  dropMemberAssignments,
  findMemberByEmail,
  findMemberById,
  findMemberByInviteCodeHash,
  insertMember,
  revokeSessionsOfMember,
  setMemberCustomRoles,
  teamsOfMember,
  updateMemberRow,
} from '../store/members.ts';
import { findRolesByKeys } from '../store/roles.ts';
import { assertCanGive, callerHasBaseRole, callerIsAdmin } from './access.ts';
import { recordAudit } from './audit.ts';
import { roleGrant } from './permissions.ts';
import { openSession } from './sessions.ts';
import { requireEmail, requireName, requirePassword, requireRoleAttributes } from './validation.ts';

/** Member administration: invite, accept, change roles and attributes, remove. */

export const memberResource = (memberId: string) => `member/${memberId}`;

type AttributeInput = ReadonlyArray<{ key: string; values: readonly string[] }>;

/** Custom roles by key, each known in the account, or BAD_USER_INPUT naming the first unknown. */
export function requireCustomRoles(db: DbOrTx, accountId: string, field: string, keys: readonly string[]): CustomRoleRow[] {
  const unique = [...new Set(keys)];
  const found = new Map(findRolesByKeys(db, accountId, unique).map((r) => [r.key, r]));
  return unique.map((key) => {
    const role = found.get(key);
    if (!role) throw badInput(`${field}[${keys.indexOf(key)}]`, `unknown custom role "${key}"`);
    return role;
  });
}

/** Keys of the roles whose policy reads one of the given role attributes. */
function readsAttribute(role: CustomRoleRow, keys: ReadonlySet<string>): boolean {
  const text = JSON.stringify(role.policy);
  for (const key of keys) if (text.includes(`\${roleAttribute/${key}}`)) return true;
  return false;
}

function changedAttributeKeys(before: RoleAttributes, after: RoleAttributes): Set<string> {
  const changed = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key] ?? []) !== JSON.stringify(after[key] ?? [])) changed.add(key);
  }
  return changed;
}

/**
 * "Nobody raises anyone above their own permissions": a base role must be within the caller's
 * own permissions; only an owner makes or unmakes an owner; a custom role (or new attribute
 * values for a role that reads them) must be within the caller's permissions unless the caller
 * is an admin or owner, who may give any custom role.
 */
function assertMayGive(
  db: DbOrTx,
  caller: Caller,
  resource: string,
  change: {
    currentRole: BaseRole | null;
    role: BaseRole | null;
    currentRoleIds: ReadonlySet<string>;
    roles: readonly CustomRoleRow[] | null;
    attributes: RoleAttributes;
    changedAttributes: ReadonlySet<string>;
  },
): void {
  const { role, currentRole } = change;
  if (role !== null && role !== currentRole) {
    if ((role === 'owner' || currentRole === 'owner') && !callerHasBaseRole(db, caller, 'owner')) {
      throw forbidden('updateRole', resource, 'only an owner can make or unmake an owner');
    }
    assertCanGive(db, caller, 'updateRole', resource, `base role ${role.toUpperCase()}`, (self) => [baseRoleGrant(role, self)]);
  }
  const added = (change.roles ?? []).filter((r) => !change.currentRoleIds.has(r.id));
  const reread = change.changedAttributes.size > 0 ? (change.roles ?? []).filter((r) => readsAttribute(r, change.changedAttributes)) : [];
  if (added.length === 0 && reread.length === 0) return;
  if (callerIsAdmin(db, caller)) return;
  for (const customRole of added) {
    assertCanGive(db, caller, 'updateCustomRole', resource, `custom role "${customRole.key}"`, (self) => [
      roleGrant(customRole, change.attributes, self),
    ]);
  }
  for (const customRole of reread) {
    assertCanGive(db, caller, 'updateMemberRoleAttributes', resource, `these role attributes to custom role "${customRole.key}"`, (self) => [
      roleGrant(customRole, change.attributes, self),
    ]);
  }
}

/** Invite codes: recognisable (`lki_`), ≈190 random bits, stored only as a SHA-256 digest. */
function generateInviteCode(): string {
  return `lki_${randomBytes(24).toString('base64url')}`;
}

export interface InviteInput {
  email: string;
  name?: string | null;
  role: BaseRole;
  customRoleKeys?: readonly string[] | null;
  roleAttributes?: AttributeInput | null;
}

/** A new member in status `invited`, who cannot act until they accept; the code is returned once. */
export function inviteMember(context: Context, input: InviteInput): { member: MemberRow; inviteCode: string } {
  const caller = callerOf(context);
  const { db } = context.app;
  const email = requireEmail('email', input.email);
  const name = input.name === null || input.name === undefined ? (email.split('@')[0] ?? email) : requireName('name', input.name);
  const attributes = requireRoleAttributes('roleAttributes', input.roleAttributes);
  const roles = requireCustomRoles(db, caller.accountId, 'customRoleKeys', input.customRoleKeys ?? []);
  const id = newId();
  const resource = memberResource(id);
  assertMayGive(db, caller, resource, {
    currentRole: null,
    role: input.role,
    currentRoleIds: new Set(),
    roles,
    attributes,
    changedAttributes: new Set(Object.keys(attributes)),
  });
  const inviteCode = generateInviteCode();
  const member = db.transaction((tx) => {
    if (findMemberByEmail(tx, email)) throw conflict('A member with this email already exists', { field: 'email' });
    const now = new Date();
    const row = insertMember(tx, {
      id,
      accountId: caller.accountId,
      email,
      name,
      role: input.role,
      status: 'invited',
      roleAttributes: attributes,
      passwordHash: null,
      inviteCodeHash: digestSecret(inviteCode),
      createdAt: now,
      updatedAt: now,
    });
    setMemberCustomRoles(tx, id, roles.map((r) => r.id));
    recordAudit(tx, context, {
      action: 'createMember',
      resource,
      title: `${caller.member.name} invited ${email} as ${input.role}`,
      changes: {
        email: { after: email },
        role: { after: input.role },
        customRoles: { after: roles.map((r) => r.key) },
        roleAttributes: { after: attributes },
      },
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'member', memberId: member.id });
  return { member, inviteCode };
}

/** An invited member chooses a name and password; they become active and get a session. */
export async function acceptInvite(
  context: Context,
  input: { inviteCode: string; name: string; password: string },
): Promise<{ secret: string; member: MemberRow }> {
  const { app } = context;
  const name = requireName('name', input.name);
  requirePassword('password', input.password);
  const codeHash = digestSecret(input.inviteCode);
  const invited = findMemberByInviteCodeHash(app.db, codeHash);
  if (!invited || invited.status !== 'invited') throw notFound('Invite');
  const passwordHash = await hashPassword(input.password, app.config.scryptLogN);
  const result = app.db.transaction((tx) => {
    // Read again inside the transaction: the code is single-use even under concurrent accepts.
    const current = findMemberByInviteCodeHash(tx, codeHash);
    if (!current || current.status !== 'invited') throw notFound('Invite');
    const member = updateMemberRow(tx, current.id, { name, passwordHash, status: 'active', inviteCodeHash: null, updatedAt: new Date() });
    if (!member) throw notFound('Invite');
    const opened = openSession(app, context, tx, member);
    recordAudit(tx, context, {
      accountId: member.accountId,
      actor: member,
      sessionId: opened.session.id,
      action: 'acceptInvite',
      resource: memberResource(member.id),
      title: `${member.name} accepted the invitation`,
      changes: { status: { before: 'invited', after: 'active' }, name: { before: current.name, after: name } },
    });
    return { secret: opened.secret, member };
  });
  app.caches.invalidate({ kind: 'member', memberId: result.member.id });
  return result;
}

export interface UpdateMemberInput {
  role?: BaseRole | null;
  customRoleKeys?: readonly string[] | null;
  roleAttributes?: AttributeInput | null;
}

/** Changes only the given fields (lists replace); the caps and owner rules above apply. */
export function updateMember(context: Context, memberId: string, input: UpdateMemberInput): MemberRow {
  const caller = callerOf(context);
  const { db } = context.app;
  const target = findMemberById(db, caller.accountId, memberId);
  if (!target) throw notFound('Member');
  const resource = memberResource(target.id);
  const attributes = input.roleAttributes ? requireRoleAttributes('roleAttributes', input.roleAttributes) : null;
  const roles = input.customRoleKeys ? requireCustomRoles(db, caller.accountId, 'customRoleKeys', input.customRoleKeys) : null;
  if (target.status === 'removed') throw conflict('This member was removed', { field: 'id' });

  const currentRoles = customRolesOfMember(db, target.id);
  const nextAttributes = attributes ?? target.roleAttributes;
  const changedAttributes = changedAttributeKeys(target.roleAttributes, nextAttributes);
  assertMayGive(db, caller, resource, {
    currentRole: target.role,
    role: input.role ?? null,
    currentRoleIds: new Set(currentRoles.map((r) => r.id)),
    // With new attribute values every role the member keeps is re-read with them.
    roles: roles ?? (changedAttributes.size > 0 ? currentRoles : null),
    attributes: nextAttributes,
    changedAttributes,
  });

  const updated = db.transaction((tx) => {
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const patch: { role?: BaseRole; roleAttributes?: RoleAttributes } = {};
    if (input.role && input.role !== target.role) {
      if (target.role === 'owner' && countOtherActiveOwners(tx, target.accountId, target.id) === 0) {
        throw conflict('The last owner of the account cannot be downgraded; make another member owner first');
      }
      patch.role = input.role;
      changes.role = { before: target.role, after: input.role };
    }
    if (attributes && changedAttributes.size > 0) {
      patch.roleAttributes = attributes;
      changes.roleAttributes = { before: target.roleAttributes, after: attributes };
    }
    if (roles) {
      const before = currentRoles.map((r) => r.key).sort();
      const after = roles.map((r) => r.key).sort();
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        setMemberCustomRoles(tx, target.id, roles.map((r) => r.id));
        changes.customRoles = { before, after };
      }
    }
    if (Object.keys(changes).length === 0) return target;
    const row = updateMemberRow(tx, target.id, { ...patch, updatedAt: new Date() });
    if (!row) throw notFound('Member');
    recordAudit(tx, context, {
      action: changes.role ? 'updateRole' : changes.customRoles ? 'updateCustomRole' : 'updateMemberRoleAttributes',
      resource,
      title: `${caller.member.name} updated ${target.email}: ${Object.keys(changes).join(', ')}`,
      changes,
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'member', memberId: target.id });
  return updated;
}

/**
 * Removes a member: status `removed`, every session ended, personal tokens inactive at once
 * (credentials refuse tokens of a removed owner), roles and teams dropped. Their service tokens
 * keep working. Only an owner removes an owner, and never the last one.
 */
export function removeMember(context: Context, memberId: string): MemberRow {
  const caller = callerOf(context);
  const { db } = context.app;
  const target = findMemberById(db, caller.accountId, memberId);
  if (!target) throw notFound('Member');
  const resource = memberResource(target.id);
  if (target.status === 'removed') throw conflict('This member was already removed', { field: 'id' });
  if (target.role === 'owner' && !callerHasBaseRole(db, caller, 'owner')) {
    throw forbidden('deleteMember', resource, 'only an owner can remove an owner');
  }
  const removed = db.transaction((tx) => {
    if (target.role === 'owner' && target.status === 'active' && countOtherActiveOwners(tx, target.accountId, target.id) === 0) {
      throw conflict('The last owner of the account cannot be removed');
    }
    const roles = customRolesOfMember(tx, target.id).map((r) => r.key);
    const teams = teamsOfMember(tx, target.id).map((t) => t.key);
    const now = new Date();
    const row = updateMemberRow(tx, target.id, { status: 'removed', inviteCodeHash: null, updatedAt: now });
    if (!row) throw notFound('Member');
    const sessions = revokeSessionsOfMember(tx, target.id, now);
    dropMemberAssignments(tx, target.id);
    recordAudit(tx, context, {
      action: 'deleteMember',
      resource,
      title: `${caller.member.name} removed ${target.email}`,
      changes: {
        status: { before: target.status, after: 'removed' },
        customRoles: { before: roles, after: [] },
        teams: { before: teams, after: [] },
        sessionsRevoked: { after: sessions },
      },
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'member', memberId: target.id });
  return removed;
}

