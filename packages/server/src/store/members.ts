import { and, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { members, sessions, type MemberRow } from '../db/schema/members.ts';
import { customRoles, memberCustomRoles, type CustomRoleRow } from '../db/schema/roles.ts';
import { teamCustomRoles, teamMembers, teams, type TeamRow } from '../db/schema/teams.ts';
import { prepared } from './prepared.ts';

/**
 * The form an email is stored and looked up in: NFKC (so full-width or composed look-alikes such
 * as `ｏwner@x.test` are the same address as `owner@x.test`), trimmed, lower-cased.
 */
export function normalizeEmail(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

export function findMemberById(db: DbOrTx, accountId: string, id: string): MemberRow | undefined {
  const query = prepared(db, 'findMemberById', (d) =>
    d
      .select()
      .from(members)
      .where(and(eq(members.accountId, sql.placeholder('accountId')), eq(members.id, sql.placeholder('id'))))
      .prepare(),
  );
  return query.get({ accountId, id });
}

/**
 * The invited or active member with this email (emails are stored NFKC-normalised and lower-cased;
 * a removed member's row keeps its email, and the address may be invited again).
 */
export function findMemberByEmail(db: DbOrTx, email: string): MemberRow | undefined {
  return db
    .select()
    .from(members)
    .where(and(eq(members.email, normalizeEmail(email)), ne(members.status, 'removed')))
    .get();
}

export function insertMember(db: DbOrTx, row: typeof members.$inferInsert): MemberRow {
  return db.insert(members).values(row).returning().get();
}

export function updateMemberRow(db: DbOrTx, id: string, patch: Partial<typeof members.$inferInsert>): MemberRow | undefined {
  return db.update(members).set(patch).where(eq(members.id, id)).returning().get();
}

export function customRolesOfMember(db: DbOrTx, memberId: string): CustomRoleRow[] {
  const query = prepared(db, 'customRolesOfMember', (d) =>
    d
      .select({ role: customRoles })
      .from(memberCustomRoles)
      .innerJoin(customRoles, eq(customRoles.id, memberCustomRoles.roleId))
      .where(eq(memberCustomRoles.memberId, sql.placeholder('memberId')))
      .orderBy(customRoles.key)
      .prepare(),
  );
  return query.all({ memberId }).map((r) => r.role);
}

export function teamsOfMember(db: DbOrTx, memberId: string): TeamRow[] {
  const query = prepared(db, 'teamsOfMember', (d) =>
    d
      .select({ team: teams })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(eq(teamMembers.memberId, sql.placeholder('memberId')))
      .orderBy(teams.key)
      .prepare(),
  );
  return query.all({ memberId }).map((r) => r.team);
}

/** Each of the given teams' custom roles, with the team they come through. */
export function customRolesOfTeams(db: DbOrTx, teamIds: readonly string[]): Array<{ teamId: string; role: CustomRoleRow }> {
  if (teamIds.length === 0) return [];
  return db
    .select({ teamId: teamCustomRoles.teamId, role: customRoles })
    .from(teamCustomRoles)
    .innerJoin(customRoles, eq(customRoles.id, teamCustomRoles.roleId))
    .where(inArray(teamCustomRoles.teamId, [...teamIds]))
    .orderBy(customRoles.key)
    .all();
}

export function revokeSessionsOfMember(db: DbOrTx, memberId: string, at: Date): number {
  return db
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt)))
    .run().changes;
}

// --- member administration (invite, roles, removal) ---

export function findMemberByInviteCodeHash(db: DbOrTx, inviteCodeHash: string): MemberRow | undefined {
  return db.select().from(members).where(eq(members.inviteCodeHash, inviteCodeHash)).get();
}

/** Active owners of an account other than `exceptId` (the last owner cannot be removed or downgraded). */
export function countOtherActiveOwners(db: DbOrTx, accountId: string, exceptId: string): number {
  return db
    .select({ n: count() })
    .from(members)
    .where(and(eq(members.accountId, accountId), eq(members.role, 'owner'), eq(members.status, 'active'), ne(members.id, exceptId)))
    .get()?.n ?? 0;
}

/** Replaces a member's direct custom roles. */
export function setMemberCustomRoles(db: DbOrTx, memberId: string, roleIds: readonly string[]): void {
  db.delete(memberCustomRoles).where(eq(memberCustomRoles.memberId, memberId)).run();
  if (roleIds.length > 0) db.insert(memberCustomRoles).values(roleIds.map((roleId) => ({ memberId, roleId }))).run();
}

/** A removed member keeps no role or team: they hold nothing and block no role deletion. */
export function dropMemberAssignments(db: DbOrTx, memberId: string): void {
  db.delete(memberCustomRoles).where(eq(memberCustomRoles.memberId, memberId)).run();
  db.delete(teamMembers).where(eq(teamMembers.memberId, memberId)).run();
}

/** Members of an account by raw id (unknown ids and other accounts' ids are simply absent). */
export function findMembersByIds(db: DbOrTx, accountId: string, ids: readonly string[]): MemberRow[] {
  if (ids.length === 0) return [];
  return db.select().from(members).where(and(eq(members.accountId, accountId), inArray(members.id, [...ids]))).all();
}
