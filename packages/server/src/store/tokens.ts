import { and, count, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one } from './rows.ts';
import { type CustomRoleRow } from '../db/schema/roles.ts';
import { customRoles } from '../db/tables.ts';
import { type TokenKind, type TokenRow } from '../db/schema/tokens.ts';
import { tokenCustomRoles, tokenSecrets, tokens } from '../db/tables.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';
import { nullable, prepared } from './prepared.ts';

/** SQL for access tokens. Deleted tokens are tombstones: every read here skips them. */

/** A function, not a constant: the table object is the opened dialect's (db/tables.ts). */
const live = () => isNull(tokens.deletedAt);

/** A live token of the account, or undefined (other accounts' ids are simply not found). */
export async function findTokenById(db: DbOrTx, accountId: string, id: string): Promise<TokenRow | undefined> {
  const query = prepared(db, 'findTokenById', (d) =>
    d.select().from(tokens).where(and(eq(tokens.accountId, sql.placeholder('accountId')), eq(tokens.id, sql.placeholder('id')), live())).prepare(),
  );
  return one(await query.execute({ accountId, id }));
}

/** Prepared (the write path of createToken): nullable encoded columns go through `nullable`, see store/prepared.ts. */
export async function insertToken(db: DbOrTx, row: typeof tokens.$inferInsert): Promise<TokenRow> {
  const query = prepared(db, 'insertToken', (d) =>
    d
      .insert(tokens)
      .values({
        id: sql.placeholder('id'),
        accountId: sql.placeholder('accountId'),
        kind: sql.placeholder('kind'),
        ownerId: sql.placeholder('ownerId'),
        name: sql.placeholder('name'),
        description: sql.placeholder('description'),
        role: sql.placeholder('role'),
        inlinePolicy: sql`${sql.placeholder('inlinePolicy')}`,
        roleAttributes: sql`${sql.placeholder('roleAttributes')}`,
        defaultApiVersion: sql.placeholder('defaultApiVersion'),
        obscuredSecret: sql.placeholder('obscuredSecret'),
        expiresAt: sql`${sql.placeholder('expiresAt')}`,
        lastUsedAt: sql`${sql.placeholder('lastUsedAt')}`,
        createdAt: sql.placeholder('createdAt'),
        updatedAt: sql.placeholder('updatedAt'),
        deletedAt: sql`${sql.placeholder('deletedAt')}`,
      })
      .returning()
      .prepare(),
  );
  const inserted = one(await query.execute({
    ...row,
    description: row.description ?? null,
    role: row.role ?? null,
    inlinePolicy: nullable(tokens.inlinePolicy, row.inlinePolicy),
    roleAttributes: nullable(tokens.roleAttributes, row.roleAttributes),
    expiresAt: nullable(tokens.expiresAt, row.expiresAt),
    lastUsedAt: nullable(tokens.lastUsedAt, row.lastUsedAt),
    deletedAt: nullable(tokens.deletedAt, row.deletedAt),
  }));
  if (!inserted) throw new Error('insert returned no row');
  return inserted;
}

/** Prepared, like insertToken. */
export async function insertTokenSecret(db: DbOrTx, row: typeof tokenSecrets.$inferInsert): Promise<void> {
  const query = prepared(db, 'insertTokenSecret', (d) =>
    d
      .insert(tokenSecrets)
      .values({
        secretHash: sql.placeholder('secretHash'),
        tokenId: sql.placeholder('tokenId'),
        createdAt: sql.placeholder('createdAt'),
        replacedAt: sql`${sql.placeholder('replacedAt')}`,
        validUntil: sql`${sql.placeholder('validUntil')}`,
      })
      .prepare(),
  );
  await query.execute({ ...row, replacedAt: nullable(tokenSecrets.replacedAt, row.replacedAt), validUntil: nullable(tokenSecrets.validUntil, row.validUntil) });
}

/** Replaces a token's custom roles with the given ones. */
export async function setTokenCustomRoles(db: DbOrTx, tokenId: string, roleIds: readonly string[]): Promise<void> {
  await db.delete(tokenCustomRoles).where(eq(tokenCustomRoles.tokenId, tokenId));
  if (roleIds.length > 0) await db.insert(tokenCustomRoles).values(roleIds.map((roleId) => ({ tokenId, roleId })));
}

/** Updates a live token; undefined when it was deleted meanwhile. */
export async function updateTokenRow(db: DbOrTx, id: string, patch: Partial<typeof tokens.$inferInsert>): Promise<TokenRow | undefined> {
  return await db.update(tokens).set(patch).where(and(eq(tokens.id, id), live())).returning().then(one);
}

/**
 * Retires every secret of a token: each keeps working until `validUntil` at the latest
 * (a secret already in its grace period is never extended).
 */
export async function retireTokenSecrets(db: DbOrTx, tokenId: string, at: Date, validUntil: Date): Promise<void> {
  await db.update(tokenSecrets)
    .set({ replacedAt: at })
    .where(and(eq(tokenSecrets.tokenId, tokenId), isNull(tokenSecrets.replacedAt)))
    ;
  await db.update(tokenSecrets)
    .set({ validUntil })
    .where(and(eq(tokenSecrets.tokenId, tokenId), or(isNull(tokenSecrets.validUntil), gt(tokenSecrets.validUntil, validUntil))))
    ;
}

/** Live service tokens of the account (what the service-token limit counts). */
export async function countServiceTokens(db: DbOrTx, accountId: string): Promise<number> {
  return await db.select({ n: count() }).from(tokens).where(and(eq(tokens.accountId, accountId), eq(tokens.kind, 'service'), live())).then((rows) => rows[0]?.n ?? 0);
}

export interface TokenListFilter {
  accountId: string;
  /** Personal tokens of this member and the service tokens they created. */
  ownerId?: string;
  /** This member's personal tokens and every service token (what a non-admin may view). */
  ownOrService?: string;
  kind?: TokenKind;
}

/** Live tokens of the account in creation order, keyset-paginated. */
export async function listTokens(db: DbOrTx, filter: TokenListFilter, page: KeysetPage): Promise<TokenRow[]> {
  const { where, orderBy } = keysetBounds(tokens.id, page);
  const conditions: Array<SQL | undefined> = [eq(tokens.accountId, filter.accountId), live(), where];
  if (filter.ownerId !== undefined) conditions.push(eq(tokens.ownerId, filter.ownerId));
  if (filter.ownOrService !== undefined) conditions.push(or(eq(tokens.ownerId, filter.ownOrService), eq(tokens.kind, 'service')));
  if (filter.kind !== undefined) conditions.push(eq(tokens.kind, filter.kind));
  return await db.select().from(tokens).where(and(...conditions)).orderBy(orderBy).limit(page.limit);
}

/** The account's custom roles with the given keys (those that exist). */
export async function findCustomRolesByKeys(db: DbOrTx, accountId: string, keys: readonly string[]): Promise<CustomRoleRow[]> {
  if (keys.length === 0) return [];
  return await db
    .select()
    .from(customRoles)
    .where(and(eq(customRoles.accountId, accountId), inArray(customRoles.key, [...keys])))
    ;
}

/** Records when a token was last used; never moves the date back (flushes from several instances may cross). */
export async function recordTokenLastUsed(db: DbOrTx, tokenId: string, at: Date): Promise<void> {
  await db
    .update(tokens)
    .set({ lastUsedAt: at })
    .where(and(eq(tokens.id, tokenId), or(isNull(tokens.lastUsedAt), lt(tokens.lastUsedAt, at))));
}
