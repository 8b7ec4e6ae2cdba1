import { jsonb, timestamp as pgTimestamp } from 'drizzle-orm/pg-core';

/** `timestamptz` read and written as a Date, like the SQLite schema's millisecond integers. */
export const timestamp = (name: string) => pgTimestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/** JSON as `jsonb`; the type is declared at the column. */
export const json = <T>(name: string) => jsonb(name).$type<T>();
