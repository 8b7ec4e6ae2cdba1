import type { Config } from './config.ts';
import { openDb, type Db, type OpenDb } from './db/client.ts';
import { dummyHash } from './auth/passwords.ts';
import { Caches } from './services/caches.ts';
import { LastUsedRecorder } from './services/last-used.ts';
import { createLimiters, type Limiters } from './services/limits.ts';
import { createLogger, type Logger } from './logger.ts';

/** Server-wide state shared by every request: database, caches, coalescers and limiters. */
export interface App {
  config: Config;
  db: Db;
  database: OpenDb;
  caches: Caches;
  lastUsed: LastUsedRecorder;
  limiters: Limiters;
  log: Logger;
  /** Verified against when an email is unknown, so a wrong email costs what a wrong password does. */
  dummyPasswordHash: Promise<string>;
  close(): void;
}

export function createApp(config: Config, log: Logger = createLogger()): App {
  const database = openDb(config.dbPath);
  const lastUsed = new LastUsedRecorder(database.db, config.lastUsedFlushMs, (error) =>
    log.warn('could not record last-used dates; kept for the next flush', { error: error instanceof Error ? error.message : String(error) }),
  );
  return {
    config,
    db: database.db,
    database,
    caches: new Caches(),
    lastUsed,
    limiters: createLimiters(config),
    log,
    dummyPasswordHash: dummyHash(config.scryptLogN),
    close() {
      lastUsed.stop();
      database.close();
    },
  };
}
