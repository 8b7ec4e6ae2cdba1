/**
 * A Latchkey server in its own process, for load generated from the benchmark process.
 * Env: BENCH_DB (database file), BENCH_DATABASE_URL (PostgreSQL instead), BENCH_WITHOUT_AUTH=1 (baseline: auth and authorization off),
 * LATCHKEY_TOKEN_RATE_LIMIT (optional per-token limiter). Reports its URL over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Caller } from '../../packages/server/src/auth/caller.ts';
import { createApp } from '../../packages/server/src/app.ts';
import { loadConfig } from '../../packages/server/src/config.ts';
import { silentLogger } from '../../packages/server/src/logger.ts';
import { startServer } from '../../packages/server/src/server.ts';
import { bootstrapOwner } from '../../packages/server/src/services/accounts.ts';
import { findMemberByEmail } from '../../packages/server/src/store/members.ts';
import { reportCpuOverIpc } from './cpu-report.ts';

const dbPath = process.env.BENCH_DB;
if (!dbPath) throw new Error('BENCH_DB is required');
// BENCH_DATABASE_URL: the same server on PostgreSQL (BENCH_DB is then unused).
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
const config = { ...loadConfig(), dbPath, databaseUrl, scryptLogN: 4, lastUsedFlushMs: 1000, ownerPassword: 'benchmark-owner' };
const app = await createApp(config, silentLogger);
await bootstrapOwner(app);
let withoutAuthAs: Caller | undefined;
if (process.env.BENCH_WITHOUT_AUTH === '1') {
  const owner = await findMemberByEmail(app.db, config.ownerEmail);
  if (!owner) throw new Error('no owner');
  withoutAuthAs = await Caller.load(app.db, app.caches, owner, { kind: 'session', sessionId: 'benchmark' });
}
const running = await startServer(app, 0, '127.0.0.1', { withoutAuthAs });
reportCpuOverIpc();

// How long the event loop was held up (ms), over a window the benchmark opens and closes.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
process.on('message', (message: unknown) => {
  if (message === 'loop:start') {
    loopDelay.reset();
    loopDelay.enable();
    process.send?.({ loopStarted: true });
  } else if (message === 'loop:stop') {
    loopDelay.disable();
    process.send?.({ loopDelay: { p50Ms: loopDelay.percentile(50) / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 } });
  } else if (message === 'stats') {
    void app.lastUsed.flush().then(() => process.send?.({ lastUsedWrites: app.lastUsed.writes }));
  } else if (message === 'stop') {
    void running.close().then(() => process.exit(0));
  }
});
process.send?.({ url: running.url, ownerEmail: config.ownerEmail, ownerPassword: config.ownerPassword });
