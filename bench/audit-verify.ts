/**
 * Verification while serving: an account with 1,000,000 audit entries (BENCH_AUDIT_ENTRIES), a
 * full verification of its hash chain over HTTP, and meanwhile other requests from a few
 * clients. Reports their p50/p99 during the verification (goal p99 < 50 ms), the same without a
 * verification running, the full verification's duration and an incremental one's after it.
 * The server runs in a child process (bench/lib/server-main.ts), load comes from this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, sqliteOf } from '../packages/server/src/app.ts';
import type { AuditEntryRow } from '../packages/server/src/db/schema/audit.ts';
import { loadConfig } from '../packages/server/src/config.ts';
import { silentLogger } from '../packages/server/src/logger.ts';
import { auditEntryHash, GENESIS_HASH } from '../packages/server/src/services/audit.ts';
import { lastAuditEntry } from '../packages/server/src/store/audit.ts';
import { findMemberByEmail } from '../packages/server/src/store/members.ts';
import { graphql, loginAs } from './lib/graphql.ts';
import { startServerProcess } from './lib/server-process.ts';
import { percentile } from './lib/stats.ts';

export interface AuditVerifyResult {
  entries: number;
  seedSeconds: number;
  fullVerificationSeconds: number;
  incrementalVerificationMs: number;
  /** Other requests served while the full verification ran. */
  during: { requests: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** The same load with no verification running, for comparison. */
  idle: { requests: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** The server's event-loop delay during the verification and with the same load alone: how long any request could be held up. */
  loopDelay: { during: { p50Ms: number; p99Ms: number; maxMs: number }; idle: { p50Ms: number; p99Ms: number; maxMs: number } };
}

const OTHER_QUERY = '{ viewer { member { id email role } } account { name } }';
/** Other clients, each sending a request, waiting for its answer, then PAUSE_MS: a moderate load, not saturation. */
const CLIENTS = 4;
const PAUSE_MS = 10;

/** Appends `count` entries to the account's chain, hashed as recordAudit hashes them, in large transactions. */
async function seedChain(dbPath: string, count: number): Promise<{ accountId: string; seconds: number }> {
  const app = await createApp({ ...loadConfig({}), dbPath, scryptLogN: 4, lastUsedFlushMs: 0, ownerPassword: 'benchmark-owner' }, silentLogger);
  try {
    const started = performance.now();
    const owner = await findMemberByEmail(app.db, app.config.ownerEmail);
    if (!owner) throw new Error('no owner');
    const sqlite = sqliteOf(app);
    const insert = sqlite.prepare(
      `INSERT INTO audit_entries (id, account_id, seq, date, actor_id, credential_kind, token_id, session_id, action, resource, title,
         outcome, changes, request_id, ip, user_agent, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const head = await lastAuditEntry(app.db, owner.accountId);
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    const idPrefix = Date.now().toString(36).padStart(9, '0');
    const batch = sqlite.transaction((n: number) => {
      for (let i = 0; i < n; i++) {
        seq++;
        const on = seq % 2 === 0;
        const row: Omit<AuditEntryRow, 'hash'> = {
          id: `${idPrefix}${seq.toString(36).padStart(16, '0')}`,
          accountId: owner.accountId,
          seq,
          date: new Date(),
          actorId: owner.id,
          credentialKind: 'session',
          tokenId: null,
          sessionId: 'benchmark-session',
          action: 'updateOn',
          resource: `proj/web:env/test:flag/flag-${seq % 100}`,
          title: `${owner.name} turned flag "flag-${seq % 100}" ${on ? 'on' : 'off'} in web/test`,
          outcome: 'success',
          changes: { on: { before: !on, after: on } },
          requestId: `req-${seq}`,
          ip: '127.0.0.1',
          userAgent: 'bench',
          prevHash,
        };
        const hash = auditEntryHash(row);
        insert.run(row.id, row.accountId, row.seq, row.date.getTime(), row.actorId, row.credentialKind, row.tokenId, row.sessionId, row.action,
          row.resource, row.title, row.outcome, JSON.stringify(row.changes), row.requestId, row.ip, row.userAgent, row.prevHash, hash);
        prevHash = hash;
      }
    });
    for (let done = 0; done < count; done += 50_000) batch(Math.min(50_000, count - done));
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    return { accountId: owner.accountId, seconds: (performance.now() - started) / 1000 };
  } finally {
    await app.close();
  }
}

/** CLIENTS loops of OTHER_QUERY until `stop.done`; each request's latency in ms. */
async function otherRequests(url: string, auth: string, stop: { done: boolean }): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  const client = async () => {
    while (!stop.done) {
      const started = performance.now();
      try {
        await graphql(url, OTHER_QUERY, {}, auth);
        latencies.push(performance.now() - started);
      } catch {
        failed++; // e.g. ECONNRESET: a keep-alive connection the stalled server dropped
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { latencies, failed };
}

const summary = ({ latencies, failed }: { latencies: number[]; failed: number }) => ({
  requests: latencies.length,
  failed,
  p50Ms: percentile(latencies, 50),
  p99Ms: percentile(latencies, 99),
  maxMs: Math.max(...latencies),
});

export async function benchAuditVerify(entries = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000)): Promise<AuditVerifyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audit-'));
  const dbPath = join(dir, 'audit.db');
  try {
    // The server process creates the database and its owner; the seeding happens with it stopped.
    let server = await startServerProcess({ BENCH_DB: dbPath });
    await server.stop();
    const seeded = await seedChain(dbPath, entries);
    server = await startServerProcess({ BENCH_DB: dbPath });
    try {
      const session = await loginAs(server.url, server.ownerEmail, server.ownerPassword);
      // Warm up, then the same load with nothing else running.
      for (let i = 0; i < 200; i++) await graphql(server.url, OTHER_QUERY, {}, session);
      const idleStop = { done: false };
      setTimeout(() => (idleStop.done = true), 5000);
      const idleLoop = await server.measureLoopDelay();
      const idle = await otherRequests(server.url, session, idleStop);
      const idleLoopDelay = await idleLoop();

      const stop = { done: false };
      const duringLoop = await server.measureLoopDelay();
      const started = performance.now();
      const verification = graphql<{ verifyAuditLog: { ok: boolean; entries: number } }>(server.url, '{ verifyAuditLog(full: true) { ok entries } }', {}, session).finally(() => {
        stop.done = true;
      });
      const during = await otherRequests(server.url, session, stop);
      const verified = await verification;
      const fullVerificationSeconds = (performance.now() - started) / 1000;
      const duringLoopDelay = await duringLoop();
      if (!verified.verifyAuditLog.ok) throw new Error('the seeded chain did not verify');

      const incrementalStarted = performance.now();
      await graphql(server.url, '{ verifyAuditLog { ok } }', {}, session);
      const incrementalVerificationMs = performance.now() - incrementalStarted;
      return {
        entries: verified.verifyAuditLog.entries,
        seedSeconds: seeded.seconds,
        fullVerificationSeconds,
        incrementalVerificationMs,
        during: summary(during),
        idle: summary(idle),
        loopDelay: { during: duringLoopDelay, idle: idleLoopDelay },
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchAuditVerify(), null, 2));
}
