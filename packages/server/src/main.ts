import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { bootstrapOwner } from './services/accounts.ts';
import { startServer } from './server.ts';

/**
 * `pnpm start`: open the database, create the first owner on an empty one, serve, stop cleanly.
 * `pnpm start` runs this file bundled (dist/main.js, scripts/build.mjs) with plain node; `pnpm dev`
 * runs it with `node --watch --import tsx`, not the tsx command: tsx's wrapper exits 130 after
 * relaying Ctrl-C, which pnpm reports as a failure (ELIFECYCLE) although the server shut down as asked.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const created = await bootstrapOwner(app);
  if (created) {
    console.log(`Created the first account and its owner: ${created.email}`);
    if (created.generatedPassword) {
      // Printed once, on first start only; set LATCHKEY_OWNER_PASSWORD to choose it instead.
      console.log(`Owner password (shown once): ${created.generatedPassword}`);
    }
  }
  const running = await startServer(app);
  console.log(`Latchkey listening on ${running.url} (database ${config.databaseUrl ? redactUrl(config.databaseUrl) : config.dbPath})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing requests and closing the database`);
    void running.close().then(() => {
      console.log('Latchkey stopped cleanly.');
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The database URL without its password, for the start line. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

main().catch((error: unknown) => {
  console.error('Latchkey failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
