import { and, asc, desc, eq, getTableColumns, gt, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { DbOrTx } from '../db/client.ts';
import { one } from './rows.ts';
import { type AuditCheckpointRow, type AuditEntryRow, type AuditOutcome } from '../db/schema/audit.ts';
import { auditCheckpoints, auditEntries } from '../db/tables.ts';
import type { KeysetPage } from './keyset.ts';
import { prepared } from './prepared.ts';

/** The newest entry of an account's chain (its hash is the next entry's prevHash). */
export async function lastAuditEntry(db: DbOrTx, accountId: string): Promise<Pick<AuditEntryRow, 'seq' | 'hash'> | undefined> {
  const query = prepared(db, 'lastAuditEntry', (d) =>
    d
      .select({ seq: auditEntries.seq, hash: auditEntries.hash })
      .from(auditEntries)
      .where(eq(auditEntries.accountId, sql.placeholder('accountId')))
      .orderBy(desc(auditEntries.seq))
      .limit(1)
      .prepare(),
  );
  return one(await query.execute({ accountId }));
}

/** The only write to the audit table: an insert, prepared (its nullable columns are text, bound as NULL as they are). */
export async function insertAuditEntry(db: DbOrTx, row: AuditEntryRow): Promise<void> {
  const query = prepared(db, 'insertAuditEntry', (d) =>
    d
      .insert(auditEntries)
      .values({
        id: sql.placeholder('id'),
        accountId: sql.placeholder('accountId'),
        seq: sql.placeholder('seq'),
        date: sql.placeholder('date'),
        actorId: sql.placeholder('actorId'),
        credentialKind: sql.placeholder('credentialKind'),
        tokenId: sql.placeholder('tokenId'),
        sessionId: sql.placeholder('sessionId'),
        action: sql.placeholder('action'),
        resource: sql.placeholder('resource'),
        title: sql.placeholder('title'),
        outcome: sql.placeholder('outcome'),
        changes: sql.placeholder('changes'),
        requestId: sql.placeholder('requestId'),
        ip: sql.placeholder('ip'),
        userAgent: sql.placeholder('userAgent'),
        prevHash: sql.placeholder('prevHash'),
        hash: sql.placeholder('hash'),
      })
      .prepare(),
  );
  (await query.execute(row));
}

export async function findAuditEntry(db: DbOrTx, accountId: string, id: string): Promise<AuditEntryRow | undefined> {
  return await db.select().from(auditEntries).where(and(eq(auditEntries.accountId, accountId), eq(auditEntries.id, id))).then(one);
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
export async function auditSeqOf(db: DbOrTx, accountId: string, id: string): Promise<number | undefined> {
  return await db
    .select({ seq: auditEntries.seq })
    .from(auditEntries)
    .where(and(eq(auditEntries.accountId, accountId), eq(auditEntries.id, id)))
    .then((rows) => rows[0]?.seq);
}

/**
 * One page of an account's entries, newest first, keyset-paginated on the chain position `seq`
 * (strictly increasing per account, unlike ids minted in the same millisecond): an entry
 * appended while a client pages never shifts the pages that follow its cursor.
 * `afterSeq`/`beforeSeq` are the cursors' positions (see `auditSeqOf`).
 */
export async function listAuditEntries(
  db: DbOrTx,
  accountId: string,
  filter: AuditFilter,
  page: Pick<KeysetPage, 'limit' | 'inverted'> & { afterSeq?: number; beforeSeq?: number },
): Promise<AuditEntryRow[]> {
  const where = and(
    eq(auditEntries.accountId, accountId),
    page.afterSeq !== undefined ? lt(auditEntries.seq, page.afterSeq) : undefined,
    page.beforeSeq !== undefined ? gt(auditEntries.seq, page.beforeSeq) : undefined,
    ...filterConditions(filter),
  );
  return await db
    .select()
    .from(auditEntries)
    .where(where)
    .orderBy(page.inverted ? asc(auditEntries.seq) : desc(auditEntries.seq))
    .limit(page.limit)
    ;
}

/** The accounts that have an audit chain, in a stable order (for verification of the whole server). */
export async function auditAccountIds(db: DbOrTx): Promise<string[]> {
  return await db
    .selectDistinct({ accountId: auditEntries.accountId })
    .from(auditEntries)
    .orderBy(asc(auditEntries.accountId))
    .then((rows) => rows.map((r) => r.accountId));
}

/** An entry as stored, `changes` still as its JSON text (verification must survive a row whose text is not JSON). */
export type StoredAuditEntry = Omit<AuditEntryRow, 'changes'> & { changes: string };

/** A function, not a constant: the table object is the opened dialect's (db/tables.ts). */
const storedColumns = () => ({ ...getTableColumns(auditEntries), changes: sql<string>`${auditEntries.changes}` });

/** A batch of an account's chain in order, after a position (verification walks the chain in batches). */
export async function auditChainBatch(db: DbOrTx, accountId: string, afterSeq: number, limit: number): Promise<StoredAuditEntry[]> {
  const query = prepared(db, 'auditChainBatch', (d) =>
    d
      .select(storedColumns())
      .from(auditEntries)
      .where(and(eq(auditEntries.accountId, sql.placeholder('accountId')), gt(auditEntries.seq, sql.placeholder('afterSeq'))))
      .orderBy(asc(auditEntries.seq))
      .limit(sql.placeholder('limit'))
      .prepare(),
  );
  return (await query.execute({ accountId, afterSeq, limit }));
}

/** The entry at one position of an account's chain, as stored. */
export async function auditEntryAt(db: DbOrTx, accountId: string, seq: number): Promise<StoredAuditEntry | undefined> {
  const query = prepared(db, 'auditEntryAt', (d) =>
    d
      .select(storedColumns())
      .from(auditEntries)
      .where(and(eq(auditEntries.accountId, sql.placeholder('accountId')), eq(auditEntries.seq, sql.placeholder('seq'))))
      .prepare(),
  );
  return one(await query.execute({ accountId, seq }));
}

export async function findAuditCheckpoint(db: DbOrTx, accountId: string): Promise<AuditCheckpointRow | undefined> {
  return await db.select().from(auditCheckpoints).where(eq(auditCheckpoints.accountId, accountId)).then(one);
}

/** Moves the account's checkpoint forward to `row`; never back (a verification that started earlier may end later). */
export async function advanceAuditCheckpoint(db: DbOrTx, row: AuditCheckpointRow): Promise<void> {
  await db.insert(auditCheckpoints)
    .values(row)
    .onConflictDoUpdate({
      target: auditCheckpoints.accountId,
      set: { seq: row.seq, entryId: row.entryId, hash: row.hash, verifiedAt: row.verifiedAt },
      setWhere: lt(auditCheckpoints.seq, row.seq),
    })
    ;
}

/** Moves the account's checkpoint back to `row` (a full verification found a break below it), or removes it. */
export async function resetAuditCheckpoint(db: DbOrTx, accountId: string, row: AuditCheckpointRow | undefined): Promise<void> {
  if (!row) {
    await db.delete(auditCheckpoints).where(eq(auditCheckpoints.accountId, accountId));
    return;
  }
  await db.insert(auditCheckpoints)
    .values(row)
    .onConflictDoUpdate({ target: auditCheckpoints.accountId, set: { seq: row.seq, entryId: row.entryId, hash: row.hash, verifiedAt: row.verifiedAt } })
    ;
}
