import type { BaseRole, RoleAttributes } from '@latchkey/policy';
import type { Caller } from '../auth/caller.ts';
import { hashPassword } from '../auth/passwords.ts';
import { digestSecret, generateSecret } from '../auth/secrets.ts';
import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { DbOrTx } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { CustomRoleRow } from '../db/schema/roles.ts';
import { badInput, conflict, notFound } from '../errors.ts';
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
import { recordAudit } from './audit.ts';
import { assertNoEscalation, callerAuthority, type Authority } from './authority.ts';
import { openSession } from './sessions.ts';
import { requireEmail, requireName, requirePassword, requireRoleAttributes } from './validation.ts';

/** Member administration: invite, accept, change roles and attributes, remove. */

export const memberResource = (memberId: string) => `member/${memberId}`;

type AttributeInput = ReadonlyArray<{ key: string; values: readonly string[] }>;

/** How many custom roles a member or team may be given at once: bounds every containment check they enter. */
export const MAX_CUSTOM_ROLES = 50;

/** Custom roles by key, each known in the account, or BAD_USER_INPUT naming the first unknown. */
export async function requireCustomRoles(db: DbOrTx, accountId: string, field: string, keys: readonly string[]): Promise<CustomRoleRow[]> {
  const unique = [...new Set(keys)];
  if (unique.length > MAX_CUSTOM_ROLES) throw badInput(field, `at most ${MAX_CUSTOM_ROLES} custom roles (found ${unique.length})`);
  const found = new Map((await findRolesByKeys(db, accountId, unique)).map((r) => [r.key, r]));
  return unique.map((key) => {
    const role = found.get(key);
    if (!role) throw badInput(`${field}[${keys.indexOf(key)}]`, `unknown custom role "${key}"`);
    return role;
  });
}

function changedAttributeKeys(before: RoleAttributes, after: RoleAttributes): Set<string> {
  const changed = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key] ?? []) !== JSON.stringify(after[key] ?? [])) changed.add(key);
  }
  return changed;
}

/**
 * Changing a member's authority (base role, custom roles, role attributes) or removing them is
 * for someone who can do at least everything that member can do now: so only an owner unmakes
 * an owner, and nobody demotes or removes someone above them.
 */
async function assertMayChange(db: DbOrTx, caller: Caller, limit: Authority, action: string, target: MemberRow): Promise<void> {
  await assertNoEscalation(db, caller, limit, {
    action,
    resource: memberResource(target.id),
    grantees: [{ kind: 'member', memberId: target.id }],
    rule: 'you can only change a member who can do no more than you',
    now: true,
  });
}

/**
 * Invite codes: the secret format (`lki_`, ≈190 random bits, a checksum, so scanners and log
 * redaction recognise a leaked one), stored only as a SHA-256 digest.
 */
function generateInviteCode(): string {
  return generateSecret('invite');
}

export interface InviteInput {
  email: string;
  name?: string | null;
  role: BaseRole;
  customRoleKeys?: readonly string[] | null;
  roleAttributes?: AttributeInput | null;
}

/** A new member in status `invited`, who cannot act until they accept; the code is returned once. */
export async function inviteMember(context: Context, input: InviteInput): Promise<{ member: MemberRow; inviteCode: string }> {
  const caller = callerOf(context);
  const { db } = context.app;
  const email = requireEmail('email', input.email);
  const name = input.name === null || input.name === undefined ? (email.split('@')[0] ?? email) : requireName('name', input.name);
  const attributes = requireRoleAttributes('roleAttributes', input.roleAttributes);
  const roles = await requireCustomRoles(db, caller.accountId, 'customRoleKeys', input.customRoleKeys ?? []);
  const id = newId();
  const resource = memberResource(id);
  const limit = await callerAuthority(db, caller);
  const inviteCode = generateInviteCode();
  const member = await context.app.transaction(async (tx) => {
    if (await findMemberByEmail(tx, email)) throw conflict('A member with this email already exists', { field: 'email' });
    const now = new Date();
    const row = await insertMember(tx, {
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
    await setMemberCustomRoles(tx, id, roles.map((r) => r.id));
    // What the invitation gives takes effect when it is accepted: no more than the inviter has.
    await assertNoEscalation(tx, caller, limit, { action: 'createMember', resource, grantees: [{ kind: 'member', memberId: id }] });
    await recordAudit(tx, context, {
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
  const invited = await findMemberByInviteCodeHash(app.db, codeHash);
  if (!invited || invited.status !== 'invited') throw notFound('Invite');
  const passwordHash = await hashPassword(input.password, app.config.scryptLogN);
  const result = await app.transaction(async (tx) => {
    // Read again inside the transaction: the code is single-use even under concurrent accepts.
    const current = await findMemberByInviteCodeHash(tx, codeHash);
    if (!current || current.status !== 'invited') throw notFound('Invite');
    const member = await updateMemberRow(tx, current.id, { name, passwordHash, status: 'active', inviteCodeHash: null, updatedAt: new Date() });
    if (!member) throw notFound('Invite');
    const opened = await openSession(app, context, tx, member);
    await recordAudit(tx, context, {
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

/**
 * Changes only the given fields (lists replace). The caller must be able to do everything the
 * member can do before the change and everything they can do after it (no escalation).
 */
export async function updateMember(context: Context, memberId: string, input: UpdateMemberInput): Promise<MemberRow> {
  const caller = callerOf(context);
  const { db } = context.app;
  const target = await findMemberById(db, caller.accountId, memberId);
  if (!target) throw notFound('Member');
  const resource = memberResource(target.id);
  const attributes = input.roleAttributes ? requireRoleAttributes('roleAttributes', input.roleAttributes) : null;
  const roles = input.customRoleKeys ? await requireCustomRoles(db, caller.accountId, 'customRoleKeys', input.customRoleKeys) : null;
  if (target.status === 'removed') throw conflict('This member was removed', { field: 'id' });

  const currentRoles = await customRolesOfMember(db, target.id);
  const nextAttributes = attributes ?? target.roleAttributes;
  const changedAttributes = changedAttributeKeys(target.roleAttributes, nextAttributes);
  const limit = await callerAuthority(db, caller);

  const updated = await context.app.transaction(async (tx) => {
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const patch: { role?: BaseRole; roleAttributes?: RoleAttributes } = {};
    if (input.role && input.role !== target.role) {
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
      if (JSON.stringify(before) !== JSON.stringify(after)) changes.customRoles = { before, after };
    }
    if (Object.keys(changes).length === 0) return target;
    const action = changes.role ? 'updateRole' : changes.customRoles ? 'updateCustomRole' : 'updateMemberRoleAttributes';
    await assertMayChange(tx, caller, limit, action, target);
    if (changes.role && target.role === 'owner' && await countOtherActiveOwners(tx, target.accountId, target.id) === 0) {
      throw conflict('The last owner of the account cannot be downgraded; make another member owner first');
    }
    if (roles && changes.customRoles) await setMemberCustomRoles(tx, target.id, roles.map((r) => r.id));
    const row = await updateMemberRow(tx, target.id, { ...patch, updatedAt: new Date() });
    if (!row) throw notFound('Member');
    await assertNoEscalation(tx, caller, limit, { action, resource, grantees: [{ kind: 'member', memberId: target.id }] });
    await recordAudit(tx, context, {
      action,
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
 * keep working. Only someone who can do everything the member can (so for an owner, an owner)
 * removes them, and never the last owner.
 */
export async function removeMember(context: Context, memberId: string): Promise<MemberRow> {
  const caller = callerOf(context);
  const { db } = context.app;
  const target = await findMemberById(db, caller.accountId, memberId);
  if (!target) throw notFound('Member');
  const resource = memberResource(target.id);
  if (target.status === 'removed') throw conflict('This member was already removed', { field: 'id' });
  const limit = await callerAuthority(db, caller);
  const removed = await context.app.transaction(async (tx) => {
    await assertMayChange(tx, caller, limit, 'deleteMember', target);
    if (target.role === 'owner' && target.status === 'active' && await countOtherActiveOwners(tx, target.accountId, target.id) === 0) {
      throw conflict('The last owner of the account cannot be removed');
    }
    const roles = (await customRolesOfMember(tx, target.id)).map((r) => r.key);
    const teams = (await teamsOfMember(tx, target.id)).map((t) => t.key);
    const now = new Date();
    const row = await updateMemberRow(tx, target.id, { status: 'removed', inviteCodeHash: null, updatedAt: now });
    if (!row) throw notFound('Member');
    const sessions = await revokeSessionsOfMember(tx, target.id, now);
    await dropMemberAssignments(tx, target.id);
    await recordAudit(tx, context, {
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

