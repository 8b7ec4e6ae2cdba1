import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { members, type MemberRow } from '../db/schema/members.ts';
import { customRoles, memberCustomRoles, type CustomRoleRow } from '../db/schema/roles.ts';
import { teamCustomRoles, teams, type TeamRow } from '../db/schema/teams.ts';
import { tokenCustomRoles, tokens, type TokenRow } from '../db/schema/tokens.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';

export function findRoleByKey(db: DbOrTx, accountId: string, key: string): CustomRoleRow | undefined {
  return db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), eq(customRoles.key, key))).get();
}

export function findRoleById(db: DbOrTx, accountId: string, id: string): CustomRoleRow | undefined {
  return db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), eq(customRoles.id, id))).get();
}

/** The account's roles among `keys` (unknown keys are simply absent). */
export function findRolesByKeys(db: DbOrTx, accountId: string, keys: readonly string[]): CustomRoleRow[] {
  if (keys.length === 0) return [];
  return db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), inArray(customRoles.key, [...keys]))).all();
}

/** An account's custom roles in creation order, keyset-paginated. */
export function listRoles(db: DbOrTx, accountId: string, page: KeysetPage): CustomRoleRow[] {
  const { where, orderBy } = keysetBounds(customRoles.id, page);
  return db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), where)).orderBy(orderBy).limit(page.limit).all();
}

export function insertRole(db: DbOrTx, row: typeof customRoles.$inferInsert): CustomRoleRow {
  return db.insert(customRoles).values(row).returning().get();
}

export function updateRoleRow(db: DbOrTx, id: string, patch: Partial<typeof customRoles.$inferInsert>): CustomRoleRow | undefined {
  return db.update(customRoles).set(patch).where(eq(customRoles.id, id)).returning().get();
}

export interface RoleUsage {
  members: MemberRow[];
  teams: TeamRow[];
  tokens: TokenRow[];
}

/** Who still uses a role: members holding it directly, teams, and tokens that are not deleted. */
export function roleUsage(db: DbOrTx, roleId: string): RoleUsage {
  return {
    members: db
      .select({ member: members })
      .from(memberCustomRoles)
      .innerJoin(members, eq(members.id, memberCustomRoles.memberId))
      .where(eq(memberCustomRoles.roleId, roleId))
      .orderBy(members.id)
      .all()
      .map((r) => r.member),
    teams: db
      .select({ team: teams })
      .from(teamCustomRoles)
      .innerJoin(teams, eq(teams.id, teamCustomRoles.teamId))
      .where(eq(teamCustomRoles.roleId, roleId))
      .orderBy(teams.key)
      .all()
      .map((r) => r.team),
    tokens: db
      .select({ token: tokens })
      .from(tokenCustomRoles)
      .innerJoin(tokens, eq(tokens.id, tokenCustomRoles.tokenId))
      .where(and(eq(tokenCustomRoles.roleId, roleId), isNull(tokens.deletedAt)))
      .orderBy(tokens.id)
      .all()
      .map((r) => r.token),
  };
}

/**
 * Deletes an unused role. Deleted tokens (tombstones) may still point at it; those links are
 * dropped first, since a deleted token never authenticates again.
 */
export function deleteRoleRow(db: DbOrTx, roleId: string): void {
  const deadTokens = db.select({ id: tokens.id }).from(tokens).where(isNotNull(tokens.deletedAt));
  db.delete(tokenCustomRoles).where(and(eq(tokenCustomRoles.roleId, roleId), inArray(tokenCustomRoles.tokenId, deadTokens))).run();
  db.delete(customRoles).where(eq(customRoles.id, roleId)).run();
}
