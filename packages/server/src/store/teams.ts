import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one, only } from './rows.ts';
import { type MemberRow } from '../db/schema/members.ts';
import { members } from '../db/tables.ts';
import { type CustomRoleRow } from '../db/schema/roles.ts';
import { customRoles } from '../db/tables.ts';
import { type TeamRow } from '../db/schema/teams.ts';
import { teamCustomRoles, teamMembers, teams } from '../db/tables.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';

export async function findTeamByKey(db: DbOrTx, accountId: string, key: string): Promise<TeamRow | undefined> {
  return await db.select().from(teams).where(and(eq(teams.accountId, accountId), eq(teams.key, key))).then(one);
}

export async function findTeamById(db: DbOrTx, accountId: string, id: string): Promise<TeamRow | undefined> {
  return await db.select().from(teams).where(and(eq(teams.accountId, accountId), eq(teams.id, id))).then(one);
}

/** An account's teams in creation order, keyset-paginated. */
export async function listTeams(db: DbOrTx, accountId: string, page: KeysetPage): Promise<TeamRow[]> {
  const { where, orderBy } = keysetBounds(teams.id, page);
  return await db.select().from(teams).where(and(eq(teams.accountId, accountId), where)).orderBy(orderBy).limit(page.limit);
}

export async function insertTeam(db: DbOrTx, row: typeof teams.$inferInsert): Promise<TeamRow> {
  return await db.insert(teams).values(row).returning().then(only);
}

export async function updateTeamRow(db: DbOrTx, id: string, patch: Partial<typeof teams.$inferInsert>): Promise<TeamRow | undefined> {
  return await db.update(teams).set(patch).where(eq(teams.id, id)).returning().then(one);
}

export async function deleteTeamRow(db: DbOrTx, id: string): Promise<void> {
  await db.delete(teamMembers).where(eq(teamMembers.teamId, id));
  await db.delete(teamCustomRoles).where(eq(teamCustomRoles.teamId, id));
  await db.delete(teams).where(eq(teams.id, id));
}

export async function membersOfTeam(db: DbOrTx, teamId: string): Promise<MemberRow[]> {
  return await db
    .select({ member: members })
    .from(teamMembers)
    .innerJoin(members, eq(members.id, teamMembers.memberId))
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(members.id)
    .then((rows) => rows.map((r) => r.member));
}

export async function customRolesOfTeam(db: DbOrTx, teamId: string): Promise<CustomRoleRow[]> {
  return await db
    .select({ role: customRoles })
    .from(teamCustomRoles)
    .innerJoin(customRoles, eq(customRoles.id, teamCustomRoles.roleId))
    .where(eq(teamCustomRoles.teamId, teamId))
    .orderBy(customRoles.key)
    .then((rows) => rows.map((r) => r.role));
}

/** Replaces a team's members. */
export async function setTeamMembers(db: DbOrTx, teamId: string, memberIds: readonly string[]): Promise<void> {
  await db.delete(teamMembers).where(eq(teamMembers.teamId, teamId));
  if (memberIds.length > 0) await db.insert(teamMembers).values(memberIds.map((memberId) => ({ teamId, memberId })));
}

/** Replaces a team's custom roles. */
export async function setTeamCustomRoles(db: DbOrTx, teamId: string, roleIds: readonly string[]): Promise<void> {
  await db.delete(teamCustomRoles).where(eq(teamCustomRoles.teamId, teamId));
  if (roleIds.length > 0) await db.insert(teamCustomRoles).values(roleIds.map((roleId) => ({ teamId, roleId })));
}
