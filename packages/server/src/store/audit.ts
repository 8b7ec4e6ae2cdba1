import { and, asc, count, desc, eq, getTableColumns, gt, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { DbOrTx } from '../db/client.ts';
import { auditEntries, type AuditEntryRow, type AuditOutcome } from '../db/schema/audit.ts';
import type { KeysetPage } from './keyset.ts';

/** The newest entry of an account's chain (its hash is the next entry's prevHash). */
export function lastAuditEntry(db: DbOrTx, accountId: string): Pick<AuditEntryRow, 'seq' | 'hash'> | undefined {
  return db
    .select({ seq: auditEntries.seq, hash: auditEntries.hash })
    .from(auditEntries)
    .where(eq(auditEntries.accountId, accountId))
    .orderBy(desc(auditEntries.seq))
    .limit(1)
    .get();
}

/** The only write to the audit table: an insert. */
export function insertAuditEntry(db: DbOrTx, row: AuditEntryRow): void {
  db.insert(auditEntries).values(row).run();
}

export function findAuditEntry(db: DbOrTx, accountId: string, id: string): AuditEntryRow | undefined {
  return db.select().from(auditEntries).where(and(eq(auditEntries.accountId, accountId), eq(auditEntries.id, id))).get();
}

/** What a listing may be narrowed to; every field is optional and they combine with AND. Ids are raw. */
export interface AuditFilter {
  actorId?: string;
  tokenId?: string;
  /** `*` matches any run of characters (e.g. `update*`). */
  action?: string;
  /** `*` matches any run of characters, `:` and `/` included (e.g. `proj/*:env/production:*`). */
  resource?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Case-insensitive substring of the title. */
  q?: string;
  outcome?: AuditOutcome;
}

/** `\`, `%` and `_` are literal in our globs: escape them for LIKE ... ESCAPE '\'. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Case-insensitive LIKE on both SQLite and PostgreSQL (SQLite's LIKE ignores ASCII case,
 * PostgreSQL's does not: lowering both sides gives the same answer on each).
 */
function likeLower(column: SQLiteColumn, pattern: string): SQL {
  return sql`lower(${column}) like ${pattern.toLowerCase()} escape '\\'`;
}

export function globToLike(glob: string): string {
  return escapeLike(glob).replace(/\*/g, '%');
}

function filterConditions(filter: AuditFilter): Array<SQL | undefined> {
  return [
    filter.actorId !== undefined ? eq(auditEntries.actorId, filter.actorId) : undefined,
    filter.tokenId !== undefined ? eq(auditEntries.tokenId, filter.tokenId) : undefined,
    filter.action !== undefined ? likeLower(auditEntries.action, globToLike(filter.action)) : undefined,
    filter.resource !== undefined ? likeLower(auditEntries.resource, globToLike(filter.resource)) : undefined,
    filter.from !== undefined ? gte(auditEntries.date, filter.from) : undefined,
    filter.to !== undefined ? lt(auditEntries.date, filter.to) : undefined,
    filter.q !== undefined ? likeLower(auditEntries.title, `%${escapeLike(filter.q)}%`) : undefined,
    filter.outcome !== undefined ? eq(auditEntries.outcome, filter.outcome) : undefined,
  ];
}

/** The position of a cursor entry in its account's chain; undefined when it is not one of that account's entries. */
export function auditSeqOf(db: DbOrTx, accountId: string, id: string): number | undefined {
  return db
    .select({ seq: auditEntries.seq })
    .from(auditEntries)
    .where(and(eq(auditEntries.accountId, accountId), eq(auditEntries.id, id)))
    .get()?.seq;
}

/**
 * One page of an account's entries, newest first, keyset-paginated on the chain position `seq`
 * (strictly increasing per account, unlike ids minted in the same millisecond): an entry
 * appended while a client pages never shifts the pages that follow its cursor.
 * `afterSeq`/`beforeSeq` are the cursors' positions (see `auditSeqOf`).
 */
export function listAuditEntries(
  db: DbOrTx,
  accountId: string,
  filter: AuditFilter,
  page: Pick<KeysetPage, 'limit' | 'inverted'> & { afterSeq?: number; beforeSeq?: number },
): AuditEntryRow[] {
  const where = and(
    eq(auditEntries.accountId, accountId),
    page.afterSeq !== undefined ? lt(auditEntries.seq, page.afterSeq) : undefined,
    page.beforeSeq !== undefined ? gt(auditEntries.seq, page.beforeSeq) : undefined,
    ...filterConditions(filter),
  );
  return db
    .select()
    .from(auditEntries)
    .where(where)
    .orderBy(page.inverted ? asc(auditEntries.seq) : desc(auditEntries.seq))
    .limit(page.limit)
    .all();
}

/** The accounts that have an audit chain, in a stable order (for verification of the whole server). */
export function auditAccountIds(db: DbOrTx): string[] {
  return db
    .selectDistinct({ accountId: auditEntries.accountId })
    .from(auditEntries)
    .orderBy(asc(auditEntries.accountId))
    .all()
    .map((r) => r.accountId);
}

export function countAuditEntries(db: DbOrTx, accountId?: string): number {
  return (
    db
      .select({ n: count() })
      .from(auditEntries)
      .where(accountId === undefined ? undefined : eq(auditEntries.accountId, accountId))
      .get()?.n ?? 0
  );
}

/** An entry as stored, `changes` still as its JSON text (verification must survive a row whose text is not JSON). */
export type StoredAuditEntry = Omit<AuditEntryRow, 'changes'> & { changes: string };

/** A batch of an account's chain in order, after a position (verification walks the chain in batches). */
export function auditChainBatch(db: DbOrTx, accountId: string, afterSeq: number, limit: number): StoredAuditEntry[] {
  return db
    .select({ ...getTableColumns(auditEntries), changes: sql<string>`${auditEntries.changes}` })
    .from(auditEntries)
    .where(and(eq(auditEntries.accountId, accountId), gt(auditEntries.seq, afterSeq)))
    .orderBy(asc(auditEntries.seq))
    .limit(limit)
    .all();
}
