import { and, count, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { customRoles, type CustomRoleRow } from '../db/schema/roles.ts';
import { tokenCustomRoles, tokenSecrets, tokens, type TokenKind, type TokenRow } from '../db/schema/tokens.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';
import { nullable, prepared } from './prepared.ts';

/** SQL for access tokens. Deleted tokens are tombstones: every read here skips them. */

const live = isNull(tokens.deletedAt);

/** A live token of the account, or undefined (other accounts' ids are simply not found). */
export function findTokenById(db: DbOrTx, accountId: string, id: string): TokenRow | undefined {
  const query = prepared(db, 'findTokenById', (d) =>
    d.select().from(tokens).where(and(eq(tokens.accountId, sql.placeholder('accountId')), eq(tokens.id, sql.placeholder('id')), live)).prepare(),
  );
  return query.get({ accountId, id });
}

/** Prepared (the write path of createToken): nullable encoded columns go through `nullable`, see store/prepared.ts. */
export function insertToken(db: DbOrTx, row: typeof tokens.$inferInsert): TokenRow {
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
  const inserted = query.get({
    ...row,
    description: row.description ?? null,
    role: row.role ?? null,
    inlinePolicy: nullable(tokens.inlinePolicy, row.inlinePolicy),
    roleAttributes: nullable(tokens.roleAttributes, row.roleAttributes),
    expiresAt: nullable(tokens.expiresAt, row.expiresAt),
    lastUsedAt: nullable(tokens.lastUsedAt, row.lastUsedAt),
    deletedAt: nullable(tokens.deletedAt, row.deletedAt),
  });
  if (!inserted) throw new Error('insert returned no row');
  return inserted;
}

/** Prepared, like insertToken. */
export function insertTokenSecret(db: DbOrTx, row: typeof tokenSecrets.$inferInsert): void {
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
  query.run({ ...row, replacedAt: nullable(tokenSecrets.replacedAt, row.replacedAt), validUntil: nullable(tokenSecrets.validUntil, row.validUntil) });
}

/** Replaces a token's custom roles with the given ones. */
export function setTokenCustomRoles(db: DbOrTx, tokenId: string, roleIds: readonly string[]): void {
  db.delete(tokenCustomRoles).where(eq(tokenCustomRoles.tokenId, tokenId)).run();
  if (roleIds.length > 0) db.insert(tokenCustomRoles).values(roleIds.map((roleId) => ({ tokenId, roleId }))).run();
}

/** Updates a live token; undefined when it was deleted meanwhile. */
export function updateTokenRow(db: DbOrTx, id: string, patch: Partial<typeof tokens.$inferInsert>): TokenRow | undefined {
  return db.update(tokens).set(patch).where(and(eq(tokens.id, id), live)).returning().get();
}

/**
 * Retires every secret of a token: each keeps working until `validUntil` at the latest
 * (a secret already in its grace period is never extended).
 */
export function retireTokenSecrets(db: DbOrTx, tokenId: string, at: Date, validUntil: Date): void {
  db.update(tokenSecrets)
    .set({ replacedAt: at })
    .where(and(eq(tokenSecrets.tokenId, tokenId), isNull(tokenSecrets.replacedAt)))
    .run();
  db.update(tokenSecrets)
    .set({ validUntil })
    .where(and(eq(tokenSecrets.tokenId, tokenId), or(isNull(tokenSecrets.validUntil), gt(tokenSecrets.validUntil, validUntil))))
    .run();
}

/** Live service tokens of the account (what the service-token limit counts). */
export function countServiceTokens(db: DbOrTx, accountId: string): number {
  return db.select({ n: count() }).from(tokens).where(and(eq(tokens.accountId, accountId), eq(tokens.kind, 'service'), live)).get()?.n ?? 0;
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
export function listTokens(db: DbOrTx, filter: TokenListFilter, page: KeysetPage): TokenRow[] {
  const { where, orderBy } = keysetBounds(tokens.id, page);
  const conditions: Array<SQL | undefined> = [eq(tokens.accountId, filter.accountId), live, where];
  if (filter.ownerId !== undefined) conditions.push(eq(tokens.ownerId, filter.ownerId));
  if (filter.ownOrService !== undefined) conditions.push(or(eq(tokens.ownerId, filter.ownOrService), eq(tokens.kind, 'service')));
  if (filter.kind !== undefined) conditions.push(eq(tokens.kind, filter.kind));
  return db.select().from(tokens).where(and(...conditions)).orderBy(orderBy).limit(page.limit).all();
}

/** The account's custom roles with the given keys (those that exist). */
export function findCustomRolesByKeys(db: DbOrTx, accountId: string, keys: readonly string[]): CustomRoleRow[] {
  if (keys.length === 0) return [];
  return db
    .select()
    .from(customRoles)
    .where(and(eq(customRoles.accountId, accountId), inArray(customRoles.key, [...keys])))
    .all();
}
