import { join } from 'node:path';
import { afterAll, describe, it, onTestFinished } from 'vitest';
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
export async function testDatabaseConfig(dir: string): Promise<{ config: Pick<Config, 'dbPath' | 'databaseUrl' | 'databasePoolSize'>; drop(): Promise<void> }> {
  const dbPath = join(dir, 'latchkey.db');
  if (testBackend === 'sqlite') return { config: { dbPath, databaseUrl: undefined, databasePoolSize: 10 }, drop: async () => undefined };
  const database = await createTestDatabase();
  // A small pool: test files run in parallel and some start several servers; PostgreSQL allows 100 connections.
  return { config: { dbPath, databaseUrl: database.url, databasePoolSize: 3 }, drop: () => database.drop() };
}

/** A describe block that only runs on SQLite (it reads or faults the SQLite file itself). */
export const describeSqlite = describe.skipIf(testBackend !== 'sqlite');
/** A test that only runs on SQLite (it reads or faults the SQLite file itself). */
export const itSqlite = it.skipIf(testBackend !== 'sqlite');

/**
 * Runs `close` when the current test ends if called inside a test (a server made for one test
 * does not hold its connections until the whole file is done: on PostgreSQL that adds up), or
 * after the file when called at file or describe level.
 */
export function closeWhenDone(close: () => Promise<void>): void {
  try {
    onTestFinished(close);
  } catch {
    afterAll(close);
  }
}

/** The environment that points a command-line tool (admin, audit:verify) at a test server's database. */
export function databaseEnv(config: Pick<Config, 'dbPath' | 'databaseUrl'>): Record<string, string> {
  return { LATCHKEY_DB: config.dbPath, LATCHKEY_DATABASE_URL: config.databaseUrl ?? '' };
}
