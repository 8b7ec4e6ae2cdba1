/**
 * Operator commands, run on the server host against the database at LATCHKEY_DB.
 *
 *   pnpm --filter @latchkey/server admin reset-password --email owner@example.com
 *       a generated password, printed once
 *   printf '%s' "$NEW" | pnpm --filter @latchkey/server admin reset-password --email … --password-stdin
 *   LATCHKEY_NEW_PASSWORD=… pnpm --filter @latchkey/server admin reset-password --email …
 *
 * The member's sessions all end and the reset is recorded in the audit log. A running server keeps
 * the sessions it has already checked in memory: restart it after a reset (or run this while it is
 * stopped). Exit status: 0 done, 1 refused (unknown email, bad password), 2 usage.
 */
import { existsSync } from 'node:fs';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { LatchkeyError } from '../src/errors.ts';
import { silentLogger } from '../src/logger.ts';
import { resetPassword } from '../src/services/accounts.ts';

const USAGE = 'usage: admin reset-password --email <email> [--password-stdin]   (or LATCHKEY_NEW_PASSWORD=…)';

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // A trailing newline from `echo` is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  const email = option(argv, '--email');
  if (command !== 'reset-password' || !email) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  if (!config.databaseUrl && config.dbPath !== ':memory:' && !existsSync(config.dbPath)) {
    console.error(`No database at ${config.dbPath} (set LATCHKEY_DB).`);
    return 2;
  }
  const password = argv.includes('--password-stdin') ? await readStdin() : process.env.LATCHKEY_NEW_PASSWORD || undefined;
  const app = await createApp(config, silentLogger);
  try {
    const result = await resetPassword(app, email, password);
    // On PostgreSQL the running instances hear the invalidation (LISTEN/NOTIFY); a SQLite server is another process that cannot.
    const restart = config.databaseUrl ? '' : ' Restart a running server so it forgets them.';
    console.log(`Password reset for ${result.member.email}; ${result.sessionsEnded} session(s) ended.${restart}`);
    if (result.generatedPassword) console.log(`New password (shown once): ${result.generatedPassword}`);
    return 0;
  } catch (error) {
    if (error instanceof LatchkeyError) {
      console.error(`Refused: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('admin failed:', error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
