import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { members, sessions, type MemberRow } from '../db/schema/members.ts';
import { customRoles, memberCustomRoles, type CustomRoleRow } from '../db/schema/roles.ts';
import { teamCustomRoles, teamMembers, teams, type TeamRow } from '../db/schema/teams.ts';

export function findMemberById(db: DbOrTx, accountId: string, id: string): MemberRow | undefined {
  return db.select().from(members).where(and(eq(members.accountId, accountId), eq(members.id, id))).get();
}

export function findMemberByEmail(db: DbOrTx, email: string): MemberRow | undefined {
  return db.select().from(members).where(eq(members.email, email.toLowerCase())).get();
}

export function insertMember(db: DbOrTx, row: typeof members.$inferInsert): MemberRow {
  return db.insert(members).values(row).returning().get();
}

export function updateMemberRow(db: DbOrTx, id: string, patch: Partial<typeof members.$inferInsert>): MemberRow | undefined {
  return db.update(members).set(patch).where(eq(members.id, id)).returning().get();
}

export function customRolesOfMember(db: DbOrTx, memberId: string): CustomRoleRow[] {
  return db
    .select({ role: customRoles })
    .from(memberCustomRoles)
    .innerJoin(customRoles, eq(customRoles.id, memberCustomRoles.roleId))
    .where(eq(memberCustomRoles.memberId, memberId))
    .orderBy(customRoles.key)
    .all()
    .map((r) => r.role);
}

export function teamsOfMember(db: DbOrTx, memberId: string): TeamRow[] {
  return db
    .select({ team: teams })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(eq(teamMembers.memberId, memberId))
    .orderBy(teams.key)
    .all()
    .map((r) => r.team);
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
