import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { DbOrTx } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { TeamRow } from '../db/schema/teams.ts';
import { badInput, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { findMembersByIds } from '../store/members.ts';
import {
  customRolesOfTeam,
  deleteTeamRow,
  findTeamByKey,
  insertTeam,
  membersOfTeam,
  setTeamCustomRoles,
  setTeamMembers,
  updateTeamRow,
} from '../store/teams.ts';
import { recordAudit } from './audit.ts';
import { assertNoEscalation, authoritiesBefore, callerAuthority, granteesOfTeam, type Grantee } from './authority.ts';
import { requireCustomRoles } from './members.ts';
import { optionalText, requireKey, requireName, requireRoleAttributes } from './validation.ts';

/**
 * Teams: members who share custom roles. A member's permissions include every role of every
 * team they are in, with the team's role attributes (services/permissions.ts).
 */

export const teamResource = (key: string) => `team/${key}`;

type AttributeInput = ReadonlyArray<{ key: string; values: readonly string[] }>;

/** Members of the account by raw id; unknown, other accounts' and removed members are bad input. */
async function requireMembers(db: DbOrTx, accountId: string, ids: readonly string[]): Promise<MemberRow[]> {
  const unique = [...new Set(ids)];
  const found = new Map((await findMembersByIds(db, accountId, unique)).map((m) => [m.id, m]));
  return unique.map((id) => {
    const member = found.get(id);
    if (!member || member.status === 'removed') throw badInput(`memberIds[${ids.indexOf(id)}]`, 'no such member in this account');
    return member;
  });
}

const keysOf = (rows: ReadonlyArray<{ key: string }>) => rows.map((r) => r.key).sort();
const idsOf = (rows: ReadonlyArray<{ id: string }>) => rows.map((r) => r.id).sort();
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface CreateTeamInput {
  key: string;
  name: string;
  description?: string | null;
  memberIds?: readonly string[] | null;
  customRoleKeys?: readonly string[] | null;
  roleAttributes?: AttributeInput | null;
}

export async function createTeam(context: Context, input: CreateTeamInput): Promise<TeamRow> {
  const caller = callerOf(context);
  const { db } = context.app;
  const key = requireKey('key', input.key);
  const name = requireName('name', input.name);
  const description = optionalText('description', input.description);
  const attributes = requireRoleAttributes('roleAttributes', input.roleAttributes);
  const members = await requireMembers(db, caller.accountId, input.memberIds ?? []);
  const roles = await requireCustomRoles(db, caller.accountId, 'customRoleKeys', input.customRoleKeys ?? []);
  const resource = teamResource(key);
  const limit = await callerAuthority(db, caller);
  const team = await context.app.transaction(async (tx) => {
    if (await findTeamByKey(tx, caller.accountId, key)) throw conflict(`A team with key "${key}" already exists`, { field: 'key' });
    // What the members could do before joining is not handed out by the team: only its roles are.
    const before = await authoritiesBefore(tx, caller, limit, members.map((m): Grantee => ({ kind: 'member', memberId: m.id })));
    const now = new Date();
    const row = await insertTeam(tx, { id: newId(), accountId: caller.accountId, key, name, description, roleAttributes: attributes, createdAt: now, updatedAt: now });
    await setTeamMembers(tx, row.id, members.map((m) => m.id));
    await setTeamCustomRoles(tx, row.id, roles.map((r) => r.id));
    await assertNoEscalation(tx, caller, limit, { action: 'createTeam', resource, grantees: await granteesOfTeam(tx, row.id), before });
    await recordAudit(tx, context, {
      action: 'createTeam',
      resource,
      title: `${caller.member.name} created team "${key}"`,
      changes: {
        name: { after: name },
        description: { after: description },
        members: { after: members.map((m) => m.email).sort() },
        customRoles: { after: keysOf(roles) },
        roleAttributes: { after: attributes },
      },
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'roles' });
  return team;
}

export interface UpdateTeamInput {
  key: string;
  name?: string | null;
  description?: string | null;
  memberIds?: readonly string[] | null;
  customRoleKeys?: readonly string[] | null;
  roleAttributes?: AttributeInput | null;
}

/**
 * Changes the given fields; lists replace. New members get the team's roles, and new roles or
 * attribute values change what every member gets: those members (and the team's roles as the
 * caller would hold them) fall under the no-escalation rule, as the change leaves them.
 */
export async function updateTeam(context: Context, input: UpdateTeamInput): Promise<TeamRow> {
  const caller = callerOf(context);
  const { db } = context.app;
  const name = input.name === null || input.name === undefined ? undefined : requireName('name', input.name);
  const description = input.description === undefined ? undefined : optionalText('description', input.description);
  const attributes = input.roleAttributes ? requireRoleAttributes('roleAttributes', input.roleAttributes) : undefined;
  const members = input.memberIds ? await requireMembers(db, caller.accountId, input.memberIds) : undefined;
  const roles = input.customRoleKeys ? await requireCustomRoles(db, caller.accountId, 'customRoleKeys', input.customRoleKeys) : undefined;
  const current = await findTeamByKey(db, caller.accountId, input.key);
  if (!current) throw notFound('Team');
  const resource = teamResource(current.key);

  const currentMembers = await membersOfTeam(db, current.id);
  const currentRoles = await customRolesOfTeam(db, current.id);
  const currentMemberIds = new Set(currentMembers.map((m) => m.id));
  const attributesChange = attributes !== undefined && !same(attributes, current.roleAttributes);
  const limit = await callerAuthority(db, caller);

  const updated = await context.app.transaction(async (tx) => {
    const before = await authoritiesBefore(tx, caller, limit, [
      ...(await granteesOfTeam(tx, current.id)),
      ...(members ?? []).map((m): Grantee => ({ kind: 'member', memberId: m.id })),
    ]);
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const patch: Partial<TeamRow> = {};
    if (name !== undefined && name !== current.name) {
      patch.name = name;
      changes.name = { before: current.name, after: name };
    }
    if (description !== undefined && description !== current.description) {
      patch.description = description;
      changes.description = { before: current.description, after: description };
    }
    if (attributes !== undefined && attributesChange) {
      patch.roleAttributes = attributes;
      changes.roleAttributes = { before: current.roleAttributes, after: attributes };
    }
    if (members && !same(idsOf(members), idsOf(currentMembers))) {
      await setTeamMembers(tx, current.id, members.map((m) => m.id));
      changes.members = { before: currentMembers.map((m) => m.email).sort(), after: members.map((m) => m.email).sort() };
    }
    if (roles && !same(keysOf(roles), keysOf(currentRoles))) {
      await setTeamCustomRoles(tx, current.id, roles.map((r) => r.id));
      changes.customRoles = { before: keysOf(currentRoles), after: keysOf(roles) };
    }
    if (Object.keys(changes).length === 0) return current;
    const row = await updateTeamRow(tx, current.id, { ...patch, updatedAt: new Date() });
    if (!row) throw notFound('Team');
    const action = changes.members ? 'updateTeamMembers' : changes.customRoles || changes.roleAttributes ? 'updateTeamCustomRoles' : undefined;
    if (action) {
      // New roles or attribute values reach every member; new members get what the team gives.
      const grantees: Grantee[] =
        changes.customRoles || changes.roleAttributes
          ? await granteesOfTeam(tx, current.id)
          : [{ kind: 'team', teamId: current.id }, ...(members ?? []).filter((m) => !currentMemberIds.has(m.id)).map((m): Grantee => ({ kind: 'member', memberId: m.id }))];
      await assertNoEscalation(tx, caller, limit, { action, resource, grantees, before });
    }
    await recordAudit(tx, context, {
      action: changes.members
        ? 'updateTeamMembers'
        : changes.customRoles || changes.roleAttributes
          ? 'updateTeamCustomRoles'
          : changes.name
            ? 'updateTeamName'
            : 'updateTeamDescription',
      resource,
      title: `${caller.member.name} updated team "${current.key}": ${Object.keys(changes).join(', ')}`,
      changes,
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'roles' });
  return updated;
}

/** Deletes a team; its members lose the roles they had through it at once. */
export async function deleteTeam(context: Context, key: string): Promise<TeamRow> {
  const caller = callerOf(context);
  const deleted = await context.app.transaction(async (tx) => {
    const team = await findTeamByKey(tx, caller.accountId, key);
    if (!team) throw notFound('Team');
    const members = await membersOfTeam(tx, team.id);
    const roles = await customRolesOfTeam(tx, team.id);
    await deleteTeamRow(tx, team.id);
    await recordAudit(tx, context, {
      action: 'deleteTeam',
      resource: teamResource(key),
      title: `${caller.member.name} deleted team "${key}"`,
      changes: {
        name: { before: team.name },
        members: { before: members.map((m) => m.email).sort() },
        customRoles: { before: keysOf(roles) },
        roleAttributes: { before: team.roleAttributes },
      },
    });
    return team;
  });
  context.app.caches.invalidate({ kind: 'roles' });
  return deleted;
}
