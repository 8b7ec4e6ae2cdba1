import { and, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one, only } from './rows.ts';
import { type MemberRow } from '../db/schema/members.ts';
import { members, sessions } from '../db/tables.ts';
import { type CustomRoleRow } from '../db/schema/roles.ts';
import { customRoles, memberCustomRoles } from '../db/tables.ts';
import { type TeamRow } from '../db/schema/teams.ts';
import { teamCustomRoles, teamMembers, teams } from '../db/tables.ts';
import { prepared } from './prepared.ts';

/**
 * The form an email is stored and looked up in: NFKC (so full-width or composed look-alikes such
 * as `ｏwner@x.test` are the same address as `owner@x.test`), trimmed, lower-cased.
 */
export function normalizeEmail(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

export async function findMemberById(db: DbOrTx, accountId: string, id: string): Promise<MemberRow | undefined> {
  const query = prepared(db, 'findMemberById', (d) =>
    d
      .select()
      .from(members)
      .where(and(eq(members.accountId, sql.placeholder('accountId')), eq(members.id, sql.placeholder('id'))))
      .prepare(),
  );
  return one(await query.execute({ accountId, id }));
}

/**
 * The invited or active member with this email (emails are stored NFKC-normalised and lower-cased;
 * a removed member's row keeps its email, and the address may be invited again).
 */
export async function findMemberByEmail(db: DbOrTx, email: string): Promise<MemberRow | undefined> {
  return await db
    .select()
    .from(members)
    .where(and(eq(members.email, normalizeEmail(email)), ne(members.status, 'removed')))
    .then(one);
}

export async function insertMember(db: DbOrTx, row: typeof members.$inferInsert): Promise<MemberRow> {
  return await db.insert(members).values(row).returning().then(only);
}

export async function updateMemberRow(db: DbOrTx, id: string, patch: Partial<typeof members.$inferInsert>): Promise<MemberRow | undefined> {
  return await db.update(members).set(patch).where(eq(members.id, id)).returning().then(one);
}

export async function customRolesOfMember(db: DbOrTx, memberId: string): Promise<CustomRoleRow[]> {
  const query = prepared(db, 'customRolesOfMember', (d) =>
    d
      .select({ role: customRoles })
      .from(memberCustomRoles)
      .innerJoin(customRoles, eq(customRoles.id, memberCustomRoles.roleId))
      .where(eq(memberCustomRoles.memberId, sql.placeholder('memberId')))
      .orderBy(customRoles.key)
      .prepare(),
  );
  return (await query.execute({ memberId })).map((r) => r.role);
}

export async function teamsOfMember(db: DbOrTx, memberId: string): Promise<TeamRow[]> {
  const query = prepared(db, 'teamsOfMember', (d) =>
    d
      .select({ team: teams })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(eq(teamMembers.memberId, sql.placeholder('memberId')))
      .orderBy(teams.key)
      .prepare(),
  );
  return (await query.execute({ memberId })).map((r) => r.team);
}

/** Each of the given teams' custom roles, with the team they come through. */
export async function customRolesOfTeams(db: DbOrTx, teamIds: readonly string[]): Promise<Array<{ teamId: string; role: CustomRoleRow }>> {
  if (teamIds.length === 0) return [];
  return await db
    .select({ teamId: teamCustomRoles.teamId, role: customRoles })
    .from(teamCustomRoles)
    .innerJoin(customRoles, eq(customRoles.id, teamCustomRoles.roleId))
    .where(inArray(teamCustomRoles.teamId, [...teamIds]))
    .orderBy(customRoles.key)
    ;
}

export async function revokeSessionsOfMember(db: DbOrTx, memberId: string, at: Date): Promise<number> {
  return await db
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id })
    .then((rows) => rows.length);
}

// --- member administration (invite, roles, removal) ---

export async function findMemberByInviteCodeHash(db: DbOrTx, inviteCodeHash: string): Promise<MemberRow | undefined> {
  return await db.select().from(members).where(eq(members.inviteCodeHash, inviteCodeHash)).then(one);
}

/** Active owners of an account other than `exceptId` (the last owner cannot be removed or downgraded). */
export async function countOtherActiveOwners(db: DbOrTx, accountId: string, exceptId: string): Promise<number> {
  return await db
    .select({ n: count() })
    .from(members)
    .where(and(eq(members.accountId, accountId), eq(members.role, 'owner'), eq(members.status, 'active'), ne(members.id, exceptId)))
    .then((rows) => rows[0]?.n ?? 0);
}

/** Replaces a member's direct custom roles. */
export async function setMemberCustomRoles(db: DbOrTx, memberId: string, roleIds: readonly string[]): Promise<void> {
  await db.delete(memberCustomRoles).where(eq(memberCustomRoles.memberId, memberId));
  if (roleIds.length > 0) await db.insert(memberCustomRoles).values(roleIds.map((roleId) => ({ memberId, roleId })));
}

/** A removed member keeps no role or team: they hold nothing and block no role deletion. */
export async function dropMemberAssignments(db: DbOrTx, memberId: string): Promise<void> {
  await db.delete(memberCustomRoles).where(eq(memberCustomRoles.memberId, memberId));
  await db.delete(teamMembers).where(eq(teamMembers.memberId, memberId));
}

/** Members of an account by raw id (unknown ids and other accounts' ids are simply absent). */
export async function findMembersByIds(db: DbOrTx, accountId: string, ids: readonly string[]): Promise<MemberRow[]> {
  if (ids.length === 0) return [];
  return await db.select().from(members).where(and(eq(members.accountId, accountId), inArray(members.id, [...ids])));
}
