/**
 * Verifies the audit log's hash chains of every account (or one: `--account <id>`) in the
 * database at LATCHKEY_DB, read-only, in full: every chain from its first entry, and each one
 * must still hold the entry its stored checkpoint names (an incremental verification by the
 * server trusts the chain up to there; this finds an entry rewritten below it). Prints progress
 * on stderr and the first broken link. Safe while the server runs: it reads through a connection
 * of its own (WAL: neither waits for the other) and never writes, so checkpoints are left as they are.
 *
 *   pnpm --filter @latchkey/server audit:verify
 *
 * Exit status: 0 intact, 1 a chain is broken, 2 the database cannot be read.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { loadConfig } from '../src/config.ts';
import * as schema from '../src/db/schema/index.ts';
import { openPgDatabase } from '../src/db/pg/client.ts';
import { useDialect } from '../src/db/tables.ts';
import { verifyAuditLog, type AuditDatabase } from '../src/services/audit.ts';

function accountArgument(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--account');
  return at === -1 ? undefined : argv[at + 1];
}

/** One line rewritten in place on a terminal; otherwise a line every tenth of the way. */
function progressPrinter(stream: NodeJS.WriteStream) {
  let lastTenth = -1;
  return {
    update(checked: number, total: number) {
      const percent = total === 0 ? 100 : Math.min(100, Math.floor((checked / total) * 100));
      if (stream.isTTY) {
        stream.write(`\rchecked ${checked}/${total} entries (${percent}%)`);
      } else if (Math.floor(percent / 10) > lastTenth) {
        lastTenth = Math.floor(percent / 10);
        stream.write(`checked ${checked}/${total} entries (${percent}%)\n`);
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

/** The configured database, read-only: SQLite through a read-only connection, PostgreSQL through a small pool. */
function openReadOnly(): (AuditDatabase & { close(): Promise<void> }) | string {
  const { dbPath, databaseUrl } = loadConfig();
  if (databaseUrl) return openPgDatabase(databaseUrl, { poolSize: 2 });
  if (dbPath !== ':memory:' && !existsSync(dbPath)) return `No database at ${dbPath} (set LATCHKEY_DB or LATCHKEY_DATABASE_URL).`;
  const sqlite = new Database(dbPath, { readonly: true, fileMustExist: true });
  useDialect('sqlite');
  return {
    db: drizzle(sqlite, { schema }),
    transaction: () => Promise.reject(new Error('audit:verify never writes')),
    close: async () => void sqlite.close(),
  };
}

async function main(): Promise<number> {
  const database = openReadOnly();
  if (typeof database === 'string') {
    console.error(database);
    return 2;
  }
  try {
    const progress = progressPrinter(process.stderr);
    const result = await verifyAuditLog(database, accountArgument(process.argv), { full: true, record: false, onProgress: progress.update });
    progress.done();
    if (!result.ok) {
      console.error(`Audit log BROKEN in account ${result.accountId} at entry ${result.seq} (id ${result.entryId}): ${result.reason} — ${result.detail}`);
      return 1;
    }
    console.log(`Audit log intact: ${result.entries} entries in ${result.heads.length} account(s).`);
    for (const head of result.heads) console.log(`  account ${head.accountId}: head #${head.seq} ${head.hash}`);
    return 0;
  } finally {
    await database.close();
  }
}

process.exitCode = await main();
