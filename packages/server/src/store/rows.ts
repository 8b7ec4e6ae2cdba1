/** The first row of a result, or undefined (what better-sqlite3's `.get()` gave, on both dialects). */
export function one<T>(rows: readonly T[]): T | undefined {
  return rows[0];
}

/** The one row an INSERT … RETURNING or a keyed UPDATE … RETURNING must give. */
export function only<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('the statement returned no row');
  return row;
}
