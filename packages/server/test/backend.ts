import { join } from 'node:path';
import { describe, it } from 'vitest';
import type { Config } from '../src/config.ts';
import { createTestDatabase } from './pg/pg-helpers.ts';

/**
 * Which database the GraphQL suite runs on. `pnpm test` runs it on SQLite; with
 * LATCHKEY_TEST_BACKEND=postgres (.ci/pg.sh, which also sets LATCHKEY_TEST_DATABASE_URL) the
 * same test files run on PostgreSQL, each server on a database of its own, dropped afterwards.
 * Tests that read or fault the SQLite file itself (sqliteOf, pragmas, file copies, SQLITE_* errors)
 * are declared with `describeSqlite` / `itSqlite`, with a one-line reason: skipped on PostgreSQL.
 */
export const testBackend: 'sqlite' | 'postgres' = process.env.LATCHKEY_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

/** The database settings of one test server, and how to remove its database. */
export async function testDatabaseConfig(dir: string): Promise<{ config: Pick<Config, 'dbPath' | 'databaseUrl'>; drop(): Promise<void> }> {
  const dbPath = join(dir, 'latchkey.db');
  if (testBackend === 'sqlite') return { config: { dbPath, databaseUrl: undefined }, drop: async () => undefined };
  const database = await createTestDatabase();
  return { config: { dbPath, databaseUrl: database.url }, drop: () => database.drop() };
}

/** A describe block that only runs on SQLite (it reads or faults the SQLite file itself). */
export const describeSqlite = describe.skipIf(testBackend !== 'sqlite');
/** A test that only runs on SQLite (it reads or faults the SQLite file itself). */
export const itSqlite = it.skipIf(testBackend !== 'sqlite');
