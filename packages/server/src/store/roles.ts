import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one, only } from './rows.ts';
import { type MemberRow } from '../db/schema/members.ts';
import { members } from '../db/tables.ts';
import { type CustomRoleRow } from '../db/schema/roles.ts';
import { customRoles, memberCustomRoles } from '../db/tables.ts';
import { type TeamRow } from '../db/schema/teams.ts';
import { teamCustomRoles, teams } from '../db/tables.ts';
import { type TokenRow } from '../db/schema/tokens.ts';
import { tokenCustomRoles, tokens } from '../db/tables.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';

export async function findRoleByKey(db: DbOrTx, accountId: string, key: string): Promise<CustomRoleRow | undefined> {
  return await db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), eq(customRoles.key, key))).then(one);
}

export async function findRoleById(db: DbOrTx, accountId: string, id: string): Promise<CustomRoleRow | undefined> {
  return await db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), eq(customRoles.id, id))).then(one);
}

/** The account's roles among `keys` (unknown keys are simply absent). */
export async function findRolesByKeys(db: DbOrTx, accountId: string, keys: readonly string[]): Promise<CustomRoleRow[]> {
  if (keys.length === 0) return [];
  return await db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), inArray(customRoles.key, [...keys])));
}

/** An account's custom roles in creation order, keyset-paginated. */
export async function listRoles(db: DbOrTx, accountId: string, page: KeysetPage): Promise<CustomRoleRow[]> {
  const { where, orderBy } = keysetBounds(customRoles.id, page);
  return await db.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), where)).orderBy(orderBy).limit(page.limit);
}

export async function insertRole(db: DbOrTx, row: typeof customRoles.$inferInsert): Promise<CustomRoleRow> {
  return await db.insert(customRoles).values(row).returning().then(only);
}

export async function updateRoleRow(db: DbOrTx, id: string, patch: Partial<typeof customRoles.$inferInsert>): Promise<CustomRoleRow | undefined> {
  return await db.update(customRoles).set(patch).where(eq(customRoles.id, id)).returning().then(one);
}

export interface RoleUsage {
  members: MemberRow[];
  teams: TeamRow[];
  tokens: TokenRow[];
}

/** Who still uses a role: members holding it directly, teams, and tokens that are not deleted. */
export async function roleUsage(db: DbOrTx, roleId: string): Promise<RoleUsage> {
  return {
    members: await db
      .select({ member: members })
      .from(memberCustomRoles)
      .innerJoin(members, eq(members.id, memberCustomRoles.memberId))
      .where(eq(memberCustomRoles.roleId, roleId))
      .orderBy(members.id)
      .then((rows) => rows.map((r) => r.member)),
    teams: await db
      .select({ team: teams })
      .from(teamCustomRoles)
      .innerJoin(teams, eq(teams.id, teamCustomRoles.teamId))
      .where(eq(teamCustomRoles.roleId, roleId))
      .orderBy(teams.key)
      .then((rows) => rows.map((r) => r.team)),
    tokens: await db
      .select({ token: tokens })
      .from(tokenCustomRoles)
      .innerJoin(tokens, eq(tokens.id, tokenCustomRoles.tokenId))
      .where(and(eq(tokenCustomRoles.roleId, roleId), isNull(tokens.deletedAt)))
      .orderBy(tokens.id)
      .then((rows) => rows.map((r) => r.token)),
  };
}

/**
 * Deletes an unused role. Deleted tokens (tombstones) may still point at it; those links are
 * dropped first, since a deleted token never authenticates again.
 */
export async function deleteRoleRow(db: DbOrTx, roleId: string): Promise<void> {
  const deadTokens = db.select({ id: tokens.id }).from(tokens).where(isNotNull(tokens.deletedAt));
  await db.delete(tokenCustomRoles).where(and(eq(tokenCustomRoles.roleId, roleId), inArray(tokenCustomRoles.tokenId, deadTokens)));
  await db.delete(customRoles).where(eq(customRoles.id, roleId));
}
