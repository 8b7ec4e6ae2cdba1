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
import { verifyAuditLog } from '../src/services/audit.ts';

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

async function main(): Promise<number> {
  const { dbPath } = loadConfig();
  if (dbPath !== ':memory:' && !existsSync(dbPath)) {
    console.error(`No database at ${dbPath} (set LATCHKEY_DB).`);
    return 2;
  }
  const sqlite = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const db = drizzle(sqlite, { schema });
    const progress = progressPrinter(process.stderr);
    const result = await verifyAuditLog(db, accountArgument(process.argv), { full: true, record: false, onProgress: progress.update });
    progress.done();
    if (!result.ok) {
      console.error(`Audit log BROKEN in account ${result.accountId} at entry ${result.seq} (id ${result.entryId}): ${result.reason} — ${result.detail}`);
      return 1;
    }
    console.log(`Audit log intact: ${result.entries} entries in ${result.heads.length} account(s).`);
    for (const head of result.heads) console.log(`  account ${head.accountId}: head #${head.seq} ${head.hash}`);
    return 0;
  } finally {
    sqlite.close();
  }
}

process.exitCode = await main();
