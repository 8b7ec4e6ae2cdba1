import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { isRetryableConflict } from '../../errors.ts';
import type { Database, Db, Tx } from '../client.ts';
import { useDialect } from '../tables.ts';
import * as schema from './schema/index.ts';
import { serverPath } from '../../paths.ts';

export type PgDb = NodePgDatabase<typeof schema>;

export interface OpenPgDb {
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface PgOptions {
  /** Connections in the pool (LATCHKEY_DATABASE_POOL_SIZE); pg's own default is 10. */
  poolSize?: number;
}

export const pgMigrationsFolder = serverPath('src', 'db', 'pg', 'migrations');

/** The advisory-lock key meaning "Latchkey is migrating this database": the ASCII of "latchkey". */
export const MIGRATION_LOCK_KEY = 0x6c_61_74_63_68_6b_65_79n;

export interface PgDatabase extends Database {
  readonly dialect: 'postgres';
  readonly pool: pg.Pool;
}

/**
 * The server's database on PostgreSQL: reads on the pool, each transaction on a connection of its
 * own (READ COMMITTED; what must not race takes the account lock, see store/locks.ts). The query builder
 * is typed as the SQLite one (db/client.ts): the stores use only what both dialects share.
 * The caller applies migrations first with `migratePg`.
 */
export function openPgDatabase(url: string, options: PgOptions = {}): PgDatabase {
  useDialect('postgres');
  const { db, pool, close } = openPgDb(url, options);
  const handle = db as unknown as Db;
  return {
    dialect: 'postgres',
    db: handle,
    pool,
    transaction: <T>(run: (tx: Tx) => Promise<T>) => withRetry(() => db.transaction((tx) => run(tx as unknown as Tx))),
    close,
  };
}

const ATTEMPTS = 3;

/**
 * Runs a transaction again when PostgreSQL aborted it for losing a race (deadlock, serialization
 * failure): nothing of it was committed, and services compute ids and secrets before they begin.
 */
async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()));
    }
  }
}

/** A connection pool over PostgreSQL; the caller applies migrations first with `migratePg`. */
export function openPgDb(url: string, options: PgOptions = {}): OpenPgDb {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle client that loses its connection emits on the pool; without a listener it would crash the process.
  pool.on('error', (error) => console.error('latchkey: idle PostgreSQL connection failed:', error.message));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}

/**
 * Applies pending migrations, once, however many instances start at the same time: each takes a
 * session-level advisory lock on its own connection, so the others wait and then find nothing to
 * do (drizzle's journal `drizzle.__drizzle_migrations` already lists every migration). The lock
 * goes with the connection, so a process killed mid-migration does not leave it held.
 */
export async function migratePg(url: string, migrationsFolder: string = pgMigrationsFolder): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await client.end();
  }
}
