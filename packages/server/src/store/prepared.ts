import { sql, type Placeholder } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';

/**
 * Drizzle builds a query's SQL text anew on every call, and for a join that costs far more than
 * running it (≈250 µs against ≈3 µs for a keyed lookup). Queries on the request path are built
 * once per database session with `sql.placeholder(...)` and `.prepare()` (portable: PostgreSQL
 * drivers prepare the same way) and kept here.
 *
 * Kept per session, not per handle: a transaction handle is a new object on every transaction
 * but shares its database's session on better-sqlite3 (one connection), so the write path's
 * queries, which run inside transactions, are built once too. Drivers whose transactions hold a
 * connection of their own (node-postgres) give each transaction its own session.
 */
const bySession = new WeakMap<object, Map<string, unknown>>();

/** Drizzle's session behind a handle (an internal field); the handle itself if there is none. */
function sessionOf(db: DbOrTx): object {
  return 'session' in db && typeof db.session === 'object' && db.session !== null ? db.session : db;
}

export function prepared<T>(db: DbOrTx, key: string, build: (db: DbOrTx) => T): T {
  const session = sessionOf(db);
  let queries = bySession.get(session);
  if (!queries) {
    queries = new Map();
    bySession.set(session, queries);
  }
  let query = queries.get(key) as T | undefined;
  if (query === undefined) {
    query = build(db);
    queries.set(key, query);
  }
  return query;
}

/**
 * The driver value of a nullable column's value, for a placeholder written as
 * sql`${sql.placeholder(name)}`: Drizzle encodes a plain placeholder's value with the column's
 * mapping but without its null check (a null timestamp would throw, a null JSON become 'null').
 */
export function nullable<T>(column: { mapToDriverValue(value: T): unknown }, value: T | null | undefined): unknown {
  return value === null || value === undefined ? null : column.mapToDriverValue(value);
}

/*
 * IN lists, prepared: a batch of keys is padded (repeating its last key) up to the next of a few
 * sizes, so each batch query is built at most once per size instead of on every call; building
 * an IN list's SQL text costs more than running it.
 */
export const MAX_IN_LIST = 512;
const IN_LIST_SIZES = Array.from({ length: Math.log2(MAX_IN_LIST) + 1 }, (_, i) => 2 ** i);

/** The padded size for `count` keys (1 ≤ count ≤ MAX_IN_LIST). */
export function inListSize(count: number): number {
  const size = IN_LIST_SIZES.find((s) => s >= count);
  if (size === undefined) throw new Error(`an IN list of ${count} keys: batches hold at most ${MAX_IN_LIST}`);
  return size;
}

/** `size` placeholders named `<name>0…`, for `inArray` in a prepared query. */
export function inListPlaceholders(name: string, size: number): Placeholder[] {
  return Array.from({ length: size }, (_, i) => sql.placeholder(`${name}${i}`));
}

/** The values of those placeholders: `keys`, padded with the last key. */
export function inListValues(name: string, keys: readonly unknown[], size: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) values[`${name}${i}`] = keys[Math.min(i, keys.length - 1)];
  return values;
}
