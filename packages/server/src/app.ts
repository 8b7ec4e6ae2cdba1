import type { Config } from './config.ts';
import { openDb, type Database, type Db, type SqliteDatabase, type Tx } from './db/client.ts';
import { migratePg, openPgDatabase, type PgDatabase } from './db/pg/client.ts';
import { dummyHash } from './auth/passwords.ts';
import { PgCacheBus, type CacheBus } from './services/cache-bus.ts';
import { Caches } from './services/caches.ts';
import { LastUsedRecorder } from './services/last-used.ts';
import { createLimiters, type Limiters } from './services/limits.ts';
import { createSharedLimiters } from './services/limits-shared.ts';
import { createLogger, type Logger } from './logger.ts';

export type AppDatabase = SqliteDatabase | PgDatabase;

/** Server-wide state shared by every request: database, caches, coalescers and limiters. */
export interface App {
  config: Config;
  /** Reads outside a transaction. */
  db: Db;
  database: AppDatabase;
  /** The one way to write: see Database.transaction. */
  transaction<T>(run: (tx: Tx) => Promise<T>): Promise<T>;
  caches: Caches;
  lastUsed: LastUsedRecorder;
  limiters: Limiters;
  log: Logger;
  /** Verified against when an email is unknown, so a wrong email costs what a wrong password does. */
  dummyPasswordHash: Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens the configured database and builds the server's state. On SQLite (the default) caches
 * and limiters live in this process. On PostgreSQL several instances may share the database:
 * migrations run once under an advisory lock, cache invalidations travel over LISTEN/NOTIFY, and
 * the limiters count in the database (or in Redis when LATCHKEY_REDIS_URL is set).
 */
export async function createApp(config: Config, log: Logger = createLogger()): Promise<App> {
  let database: AppDatabase;
  let bus: CacheBus | undefined;
  let limiters: Limiters;
  let closeShared = async (): Promise<void> => undefined;
  if (config.databaseUrl) {
    await migratePg(config.databaseUrl);
    const pg = openPgDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
    database = pg;
    bus = new PgCacheBus(config.databaseUrl, pg.pool);
    // Until the listener is up nothing is cached (fail closed); give it a moment so the first requests are not all cache misses.
    await Promise.race([bus.whenHealthy(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    const shared = createSharedLimiters(config.redisUrl ? { kind: 'redis', url: config.redisUrl } : { kind: 'postgres', pool: pg.pool }, config);
    limiters = shared;
    closeShared = () => shared.close();
  } else {
    database = openDb(config.dbPath);
    limiters = createLimiters(config);
  }
  const lastUsed = new LastUsedRecorder(database, config.lastUsedFlushMs, (error) =>
    log.warn('could not record last-used dates; kept for the next flush', { error: error instanceof Error ? error.message : String(error) }),
  );
  const caches = new Caches(bus, (error) =>
    log.warn('could not publish a cache invalidation to the other instances', { error: error instanceof Error ? error.message : String(error) }),
  );
  return {
    config,
    db: database.db,
    database,
    transaction: (run) => database.transaction(run),
    caches,
    lastUsed,
    limiters,
    log,
    dummyPasswordHash: dummyHash(config.scryptLogN),
    async close() {
      await lastUsed.stop();
      await caches.published();
      caches.close();
      await bus?.close();
      await closeShared();
      await database.close();
    },
  };
}

/** The SQLite writer connection, for tests and tools that inspect the file directly. */
export function sqliteOf(app: Pick<App, 'database'>): SqliteDatabase['sqlite'] {
  if (app.database.dialect !== 'sqlite') throw new Error('this needs the SQLite backend');
  return app.database.sqlite;
}

export type { Database };
