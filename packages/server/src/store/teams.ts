import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { members, type MemberRow } from '../db/schema/members.ts';
import { customRoles, type CustomRoleRow } from '../db/schema/roles.ts';
import { teamCustomRoles, teamMembers, teams, type TeamRow } from '../db/schema/teams.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';

export function findTeamByKey(db: DbOrTx, accountId: string, key: string): TeamRow | undefined {
  return db.select().from(teams).where(and(eq(teams.accountId, accountId), eq(teams.key, key))).get();
}

export function findTeamById(db: DbOrTx, accountId: string, id: string): TeamRow | undefined {
  return db.select().from(teams).where(and(eq(teams.accountId, accountId), eq(teams.id, id))).get();
}

/** An account's teams in creation order, keyset-paginated. */
export function listTeams(db: DbOrTx, accountId: string, page: KeysetPage): TeamRow[] {
  const { where, orderBy } = keysetBounds(teams.id, page);
  return db.select().from(teams).where(and(eq(teams.accountId, accountId), where)).orderBy(orderBy).limit(page.limit).all();
}

export function insertTeam(db: DbOrTx, row: typeof teams.$inferInsert): TeamRow {
  return db.insert(teams).values(row).returning().get();
}

export function updateTeamRow(db: DbOrTx, id: string, patch: Partial<typeof teams.$inferInsert>): TeamRow | undefined {
  return db.update(teams).set(patch).where(eq(teams.id, id)).returning().get();
}

export function deleteTeamRow(db: DbOrTx, id: string): void {
  db.delete(teamMembers).where(eq(teamMembers.teamId, id)).run();
  db.delete(teamCustomRoles).where(eq(teamCustomRoles.teamId, id)).run();
  db.delete(teams).where(eq(teams.id, id)).run();
}

export function membersOfTeam(db: DbOrTx, teamId: string): MemberRow[] {
  return db
    .select({ member: members })
    .from(teamMembers)
    .innerJoin(members, eq(members.id, teamMembers.memberId))
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(members.id)
    .all()
    .map((r) => r.member);
}

export function customRolesOfTeam(db: DbOrTx, teamId: string): CustomRoleRow[] {
  return db
    .select({ role: customRoles })
    .from(teamCustomRoles)
    .innerJoin(customRoles, eq(customRoles.id, teamCustomRoles.roleId))
    .where(eq(teamCustomRoles.teamId, teamId))
    .orderBy(customRoles.key)
    .all()
    .map((r) => r.role);
}

/** Replaces a team's members. */
export function setTeamMembers(db: DbOrTx, teamId: string, memberIds: readonly string[]): void {
  db.delete(teamMembers).where(eq(teamMembers.teamId, teamId)).run();
  if (memberIds.length > 0) db.insert(teamMembers).values(memberIds.map((memberId) => ({ teamId, memberId }))).run();
}

/** Replaces a team's custom roles. */
export function setTeamCustomRoles(db: DbOrTx, teamId: string, roleIds: readonly string[]): void {
  db.delete(teamCustomRoles).where(eq(teamCustomRoles.teamId, teamId)).run();
  if (roleIds.length > 0) db.insert(teamCustomRoles).values(roleIds.map((roleId) => ({ teamId, roleId }))).run();
}
