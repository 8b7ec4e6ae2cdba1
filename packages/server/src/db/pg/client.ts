import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
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
