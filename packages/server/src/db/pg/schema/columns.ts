import { customType, jsonb, timestamp as pgTimestamp } from 'drizzle-orm/pg-core';

/** `timestamptz` read and written as a Date, like the SQLite schema's millisecond integers. */
export const timestamp = (name: string) => pgTimestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/** JSON as `jsonb`; the type is declared at the column. */
export const json = <T>(name: string) => jsonb(name).$type<T>();

/**
 * JSON kept as the exact text it was written as (PostgreSQL `text`), where the stored bytes matter:
 * the audit chain hashes an entry's `changes` as serialised, and `jsonb` would reorder its keys.
 */
export const jsonText = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);
