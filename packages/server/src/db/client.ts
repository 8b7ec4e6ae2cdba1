import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import pLimit from 'p-limit';
import * as schema from './schema/index.ts';
import { serverPath } from '../paths.ts';
import { useDialect, type Dialect } from './tables.ts';

/**
 * The query builder the store modules are written against. Its static type is Drizzle's SQLite
 * database; on PostgreSQL the same calls run on Drizzle's node-postgres database (db/pg/client.ts).
 * Stores only use what both have: `await` on a query (never better-sqlite3's synchronous
 * `.get()/.all()/.run()`), `.returning()`, and prepared queries through store/prepared.ts.
 */
export type Db = BetterSQLite3Database<typeof schema>;
/** A handle inside a transaction: the same query builder, bound to the transaction's connection. */
export type Tx = Db;
export type DbOrTx = Db | Tx;

/** One database, whichever the dialect: what the rest of the server holds. */
export interface Database {
  readonly dialect: Dialect;
  /** Reads outside a transaction (committed data only). */
  readonly db: Db;
  /**
   * Runs `run` in one transaction: committed when it resolves, rolled back when it throws. The
   * callback may await; statements of two transactions never interleave and no other request sees
   * its writes before it commits. Never call `transaction` inside `run` (pass `tx` down instead).
   */
  transaction<T>(run: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqliteDatabase extends Database {
  readonly dialect: 'sqlite';
  /** The writer connection (tests inspect and fault it; application code goes through `db`/`transaction`). */
  readonly sqlite: BetterSqlite3.Database;
}

const migrationsFolder = serverPath('src', 'db', 'migrations');

/**
 * Opens (creating if needed) the SQLite database and applies pending migrations.
 *
 * Two connections: one writer, used only by `transaction` behind an async lock (one transaction
 * at a time, so the statements of two never interleave although their callbacks await), and one
 * read-only reader for everything outside a transaction. WAL gives the reader the last committed
 * state while a transaction is open on the writer, so no request sees another's uncommitted
 * writes. `:memory:` becomes a private temporary file (two connections cannot share a plain
 * in-memory database), removed on close.
 *
 * WAL + synchronous=FULL: an acknowledged write survives a crash or power loss. busy_timeout lets a
 * second process (the admin CLI) wait instead of failing with SQLITE_BUSY. Transactions begin
 * IMMEDIATE (they take the write lock first): a deferred one that read and then wrote while another
 * process held the lock would fail at once with SQLITE_BUSY, since SQLite does not wait to upgrade.
 */
export function openDb(path: string): SqliteDatabase {
  useDialect('sqlite');
  let temporary: string | undefined;
  let file = path;
  if (path === ':memory:') {
    temporary = mkdtempSync(join(tmpdir(), 'latchkey-memory-'));
    file = join(temporary, 'latchkey.db');
  } else if (!path.startsWith('file:')) {
    mkdirSync(dirname(path), { recursive: true });
  }
  const writer = connect(file, false);
  const writerDb = drizzle(writer, { schema });
  migrate(writerDb, { migrationsFolder });
  const reader = connect(file, true);
  const readerDb = drizzle(reader, { schema });
  const lock = pLimit(1);
  return {
    dialect: 'sqlite',
    db: readerDb,
    sqlite: writer,
    transaction: <T>(run: (tx: Tx) => Promise<T>) =>
      lock(async () => {
        writer.exec('BEGIN IMMEDIATE');
        try {
          const result = await run(writerDb);
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      }),
    async close() {
      await lock(async () => undefined);
      reader.close();
      writer.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}

function connect(file: string, readonly: boolean): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file, { readonly });
  if (!readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  reusePreparedStatements(sqlite);
  return sqlite;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Drizzle's better-sqlite3 driver prepares every query anew; preparing costs ~100× running a
 * keyed lookup (≈350 µs against ≈3 µs here). The queries are built with placeholders, so the same
 * SQL text comes back again and again: keep the prepared statements (bounded LRU) and hand them
 * out again, reset to object rows (drizzle switches a statement to raw rows when it wants them).
 * Safe because better-sqlite3 is synchronous and drizzle never leaves a statement iterating.
 */
function reusePreparedStatements(sqlite: BetterSqlite3.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, BetterSqlite3.Statement>();
  const cached = (source: string): BetterSqlite3.Statement => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
      cache.set(source, statement);
      if (statement.reader) statement.raw(false);
      return statement;
    }
    statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return statement;
  };
  sqlite.prepare = cached as BetterSqlite3.Database['prepare'];
}
