import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.ts';

export type Db = BetterSQLite3Database<typeof schema>;
/** A transaction handle; store functions take `Db | Tx` so they compose inside one transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface OpenDb {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the SQLite database and applies pending migrations.
 * WAL + synchronous=FULL: an acknowledged write survives a crash or power loss;
 * busy_timeout lets a second process wait instead of failing with SQLITE_BUSY. Transactions begin
 * IMMEDIATE (they take the write lock first): a deferred one that read and then wrote while another
 * connection held the lock failed at once with SQLITE_BUSY, since SQLite does not wait to upgrade a
 * read transaction. Within the process writes are serialised anyway (one synchronous connection).
 */
export function openDb(path: string): OpenDb {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  const transaction = db.transaction.bind(db);
  db.transaction = ((run, config) => transaction(run, { behavior: 'immediate', ...config })) as Db['transaction'];
  migrate(db, { migrationsFolder });
  return { db, sqlite, close: () => sqlite.close() };
}
