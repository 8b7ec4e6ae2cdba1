import { and, asc, desc, gt, lt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** One page request in a list's natural order; `after`/`before` are raw ids, never offsets. */
export interface KeysetPage {
  after?: string;
  before?: string;
  limit: number;
  /** true when paging backwards: load in reverse natural order. */
  inverted: boolean;
}

/**
 * WHERE and ORDER BY for a keyset page over a time-ordered id column.
 * `newestFirst` lists walk ids downwards.
 */
export function keysetBounds(id: SQLiteColumn, page: KeysetPage, newestFirst = false): { where: SQL | undefined; orderBy: SQL } {
  const forward = newestFirst ? lt : gt;
  const backward = newestFirst ? gt : lt;
  const where = and(page.after ? forward(id, page.after) : undefined, page.before ? backward(id, page.before) : undefined);
  const ascending = newestFirst === page.inverted;
  return { where, orderBy: ascending ? asc(id) : desc(id) };
}
