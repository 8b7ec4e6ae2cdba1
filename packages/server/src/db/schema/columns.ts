import { integer, text } from 'drizzle-orm/sqlite-core';

/** Millisecond timestamps: portable to PostgreSQL `timestamptz` through Drizzle's mode. */
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** JSON stored as text; the type is declared at the column. */
export const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();
