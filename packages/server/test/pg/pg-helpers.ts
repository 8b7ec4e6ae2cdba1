import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

/**
 * PostgreSQL tests run only when LATCHKEY_TEST_DATABASE_URL is set (.ci/pg.sh sets it), so plain
 * `pnpm test` stays SQLite-only. Once set, a PostgreSQL that cannot be reached FAILS the tests:
 * `createTestDatabase` throws; nothing here skips on a connection error.
 */
export const testDatabaseUrl = process.env.LATCHKEY_TEST_DATABASE_URL;
export const describePg = describe.skipIf(!testDatabaseUrl);

/** Redis for the shared-limiter tests (.ci/pg.sh sets LATCHKEY_TEST_REDIS_URL as well). */
export const testRedisUrl = process.env.LATCHKEY_TEST_REDIS_URL;
export const describeRedis = describe.skipIf(!testRedisUrl);

function requireUrl(): string {
  if (!testDatabaseUrl) throw new Error('LATCHKEY_TEST_DATABASE_URL is not set');
  return testDatabaseUrl;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: requireUrl(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database (latchkey_test_<random>) on the test server; `drop` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `latchkey_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(requireUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropDatabase(name),
  };
}

/**
 * pg's `Pool.end()` resolves once its clients have been asked to close, not once they have: a
 * DROP … WITH (FORCE) at once would kill them mid-close (an unhandled 57P01 in the test). So wait
 * for them to go (55006: still in use), and only then force whatever the test left open.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      await adminQuery(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Ends a server process's connection from outside, as a failover or an administrator would. */
export async function terminateBackend(pid: number): Promise<void> {
  await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
}

/** A statement run on the test server's own database (`postgres`), not on a test database. */
export async function adminQuery(text: string, values: unknown[] = []): Promise<void> {
  await admin((client) => client.query(text, values));
}
