import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { type AuditEntryRow } from '../src/db/schema/audit.ts';
import { auditCheckpoints } from '../src/db/tables.ts';
import { auditEntryHash, GENESIS_HASH, recordAudit, verifyAuditChain, verifyAuditLog } from '../src/services/audit.ts';
import { sqliteOf } from '../src/app.ts';
import { addAccount, setupServer, type TestServer } from './helpers.ts';
import { auditRowsOf, firstAccountId } from './audit-helpers.ts';
import { itSqlite, testBackend } from './backend.ts';

// Every batch the verification reads, counted whether or not the query was prepared earlier:
// how far a verification has got, seen from outside.
const reads = vi.hoisted(() => ({ batches: 0 }));
vi.mock('../src/store/audit.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/store/audit.ts')>();
  return {
    ...original,
    auditChainBatch: (...args: Parameters<typeof original.auditChainBatch>) => {
      reads.batches++;
      return original.auditChainBatch(...args);
    },
  };
});

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

const VERIFY = `query($full: Boolean) {
  verifyAuditLog(full: $full) { ok entries checked trustedUpTo headSeq headHash firstBrokenLink { seq entryId reason detail } }
}`;
interface Verification {
  ok: boolean;
  entries: number;
  checked: number;
  trustedUpTo: number;
  headSeq: number | null;
  headHash: string | null;
  firstBrokenLink: { seq: number; entryId: string; reason: string; detail: string } | null;
}

async function verify(server: TestServer, full = false): Promise<Verification> {
  const res = await server.gql<{ verifyAuditLog: Verification }>(VERIFY, { full }, { auth: server.owner });
  expect(res.body.errors).toBeUndefined();
  const result = res.body.data?.verifyAuditLog;
  if (!result) throw new Error('no verification');
  return result;
}

const source = { caller: null, requestId: 'test', clientIp: 'test', userAgent: 'test' };

/** Appends entries to the account's chain through recordAudit, in one transaction. */
async function append(server: TestServer, accountId: string, count: number): Promise<void> {
  await server.app.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      await recordAudit(tx, source, { accountId, action: 'updateName', resource: 'proj/x', title: `rename ${i}`, changes: { name: { before: 'a', after: `b${i}` } } });
    }
  });
}

/** A server whose first account has exactly n entries (seq 1..n). */
async function serverWithEntries(n: number): Promise<{ server: TestServer; accountId: string }> {
  const server = await setupServer();
  const accountId = await firstAccountId(server);
  await append(server, accountId, n - (await auditRowsOf(server, accountId)).length);
  return { server, accountId };
}

async function checkpointOf(server: TestServer, accountId: string) {
  return (await server.app.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.accountId, accountId)))[0];
}

/** Raw SQL as an attacker with database access would write it: the append-only triggers dropped first. */
function tamper(server: TestServer, statement: string, ...params: unknown[]) {
  const sqlite = sqliteOf(server.app);
  sqlite.exec('DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;');
  sqlite.prepare(statement).run(...params);
}

/** Rewrites entries 1..upTo with new titles, each re-hashed and re-chained: a consistent forgery of the prefix. */
async function forgePrefix(server: TestServer, accountId: string, upTo: number) {
  let prevHash = GENESIS_HASH;
  for (const row of (await auditRowsOf(server, accountId)).slice(0, upTo)) {
    const { hash: _old, ...content }: AuditEntryRow = { ...row, title: `forged ${row.seq}`, prevHash };
    prevHash = auditEntryHash(content);
    tamper(server, 'UPDATE audit_entries SET title = ?, prev_hash = ?, hash = ? WHERE id = ?', content.title, content.prevHash, prevHash, row.id);
  }
}

/** The read-only full verification script against the test server's database. */
async function verifyScript(server: TestServer): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run('pnpm', ['--silent', '--filter', '@latchkey/server', 'audit:verify'], {
      cwd: join(here, '../../..'),
      env: { ...process.env, LATCHKEY_DB: server.app.config.dbPath },
    });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

describe('incremental verification from a checkpoint', () => {
  it('the first verification checks every entry and stores the head as the checkpoint', async () => {
    const { server, accountId } = await serverWithEntries(8);
    const head = (await auditRowsOf(server, accountId)).at(-1);
    expect(await verify(server)).toEqual({ ok: true, entries: 8, checked: 8, trustedUpTo: 0, headSeq: 8, headHash: head?.hash, firstBrokenLink: null });
    expect(await checkpointOf(server, accountId)).toMatchObject({ seq: 8, entryId: head?.id, hash: head?.hash });
  });

  it('the next one checks only the entries after the checkpoint, then advances it', async () => {
    const { server, accountId } = await serverWithEntries(8);
    await verify(server);
    await append(server, accountId, 5);
    const head = (await auditRowsOf(server, accountId)).at(-1);
    expect(await verify(server)).toEqual({ ok: true, entries: 13, checked: 5, trustedUpTo: 8, headSeq: 13, headHash: head?.hash, firstBrokenLink: null });
    expect(await checkpointOf(server, accountId)).toMatchObject({ seq: 13, hash: head?.hash });
    // Nothing new: nothing read again.
    expect(await verify(server)).toMatchObject({ ok: true, entries: 13, checked: 0, trustedUpTo: 13 });
  });

  it('a full verification reads every entry again and trusts no checkpoint', async () => {
    const { server } = await serverWithEntries(8);
    await verify(server);
    expect(await verify(server, true)).toMatchObject({ ok: true, entries: 8, checked: 8, trustedUpTo: 0, headSeq: 8 });
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('a break after the checkpoint is found; the checkpoint advances only to the entry before it', async () => {
    const { server, accountId } = await serverWithEntries(4);
    await verify(server);
    await append(server, accountId, 6);
    const target = (await auditRowsOf(server, accountId))[6]; // seq 7
    tamper(server, "UPDATE audit_entries SET title = 'nothing happened' WHERE id = ?", target?.id);
    const result = await verify(server);
    expect(result).toMatchObject({ ok: false, entries: 0, checked: 2, firstBrokenLink: { seq: 7, entryId: encodeGlobalID('AuditEntry', target?.id ?? ''), reason: 'HASH_MISMATCH' } });
    expect((await checkpointOf(server, accountId))?.seq).toBe(6);
    // The break stays reported: the checkpoint never passes it.
    expect((await verify(server)).firstBrokenLink).toMatchObject({ seq: 7, reason: 'HASH_MISMATCH' });
    expect((await checkpointOf(server, accountId))?.seq).toBe(6);
  });
});

describe('tampering below the checkpoint', () => {
  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('an entry edited below the checkpoint: incremental trusts the checkpoint, full finds it, then incremental reports it too', async () => {
    const { server, accountId } = await serverWithEntries(8);
    await verify(server);
    const target = (await auditRowsOf(server, accountId))[2]; // seq 3
    tamper(server, "UPDATE audit_entries SET title = 'nothing happened' WHERE id = ?", target?.id);

    // The documented limit of incremental mode: entries up to the checkpoint are not read again.
    expect(await verify(server)).toMatchObject({ ok: true, trustedUpTo: 8, checked: 0 });

    const full = await verify(server, true);
    expect(full).toMatchObject({ ok: false, firstBrokenLink: { seq: 3, entryId: encodeGlobalID('AuditEntry', target?.id ?? ''), reason: 'HASH_MISMATCH' } });
    // The full run moved the checkpoint back to the last entry it proved…
    expect((await checkpointOf(server, accountId))?.seq).toBe(2);
    // …so incremental runs find the break from now on.
    expect((await verify(server)).firstBrokenLink).toMatchObject({ seq: 3, reason: 'HASH_MISMATCH' });
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('a prefix rewritten consistently (re-hashed, re-chained) no longer reaches the checkpoint: full reports CHECKPOINT_MISMATCH', async () => {
    const { server, accountId } = await serverWithEntries(8);
    await verify(server);
    await append(server, accountId, 2);
    await forgePrefix(server, accountId, 10); // the whole chain, so every link holds
    const atCheckpoint = (await auditRowsOf(server, accountId))[7];
    expect(await verifyAuditChain(server.app, accountId, { full: true })).toMatchObject({ ok: false, seq: 8, reason: 'checkpoint-mismatch' });
    expect((await verify(server, true)).firstBrokenLink).toMatchObject({ seq: 8, entryId: encodeGlobalID('AuditEntry', atCheckpoint?.id ?? ''), reason: 'CHECKPOINT_MISMATCH' });
    // The checkpoint is the evidence: it is left as it was, and incremental runs see the mismatch too.
    expect((await checkpointOf(server, accountId))?.seq).toBe(8);
    expect((await verify(server)).firstBrokenLink).toMatchObject({ seq: 8, reason: 'CHECKPOINT_MISMATCH' });
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('the read-only script verifies in full and finds a rewrite below the checkpoint', async () => {
    const { server, accountId } = await serverWithEntries(6);
    await verify(server);
    await forgePrefix(server, accountId, 6);
    const script = await verifyScript(server);
    expect(script.code).toBe(1);
    expect(script.stderr).toContain(`account ${accountId} at entry 6`);
    expect(script.stderr).toContain('checkpoint-mismatch');
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('entries removed from the end, the checkpoint entry included, are reported by both modes', async () => {
    const { server, accountId } = await serverWithEntries(8);
    await verify(server);
    const recorded = await checkpointOf(server, accountId);
    tamper(server, 'DELETE FROM audit_entries WHERE account_id = ? AND seq > 5', accountId);
    const expected = { seq: 8, entryId: encodeGlobalID('AuditEntry', recorded?.entryId ?? ''), reason: 'CHECKPOINT_MISMATCH' };
    expect((await verify(server)).firstBrokenLink).toMatchObject(expected);
    expect((await verify(server, true)).firstBrokenLink).toMatchObject(expected);
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('the checkpoint entry itself edited in place is a hash mismatch for incremental runs', async () => {
    const { server, accountId } = await serverWithEntries(5);
    await verify(server);
    tamper(server, "UPDATE audit_entries SET title = 'x' WHERE account_id = ? AND seq = 5", accountId);
    expect((await verify(server)).firstBrokenLink).toMatchObject({ seq: 5, reason: 'HASH_MISMATCH' });
    expect((await checkpointOf(server, accountId))?.seq).toBe(5);
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite("checkpoints are per account: one account's verification neither reads nor moves another's", async () => {
    const { server, accountId } = await serverWithEntries(5);
    await verify(server);
    const other = await addAccount(server);
    tamper(server, "UPDATE audit_entries SET title = 'x' WHERE account_id = ? AND seq = 1", accountId);
    const theirs = await server.gql<{ verifyAuditLog: Verification }>(VERIFY, {}, { auth: other.owner.session });
    expect(theirs.body.data?.verifyAuditLog).toMatchObject({ ok: true, trustedUpTo: 0 });
    expect((await checkpointOf(server, other.accountId))?.seq).toBe((await auditRowsOf(server, other.accountId)).length);
    expect((await checkpointOf(server, accountId))?.seq).toBe(5);
  });
});

describe('a long verification does not hold up other requests', () => {
  const ENTRIES = 20_000;
  const BATCH = 100; // the default batch size
  const VIEWER = '{ viewer { member { id email } } }';

  it('a request sent once a full verification has started completes while the verification is still reading', async () => {
    const { server } = await serverWithEntries(ENTRIES);
    const batches = Math.ceil(ENTRIES / BATCH);
    reads.batches = 0;
    let verified = false;
    const verification = verify(server, true).then((result) => {
      verified = true;
      return result;
    });
    // Wait (turn by turn of the event loop) until the verification has read its first batch.
    for (let turn = 0; reads.batches === 0 && turn < 10_000; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(reads.batches).toBeGreaterThan(0);

    const other = await server.gql<{ viewer: { member: { email: string } } }>(VIEWER, {}, { auth: server.owner });
    const readWhenServed = reads.batches;
    expect(other.body.data?.viewer.member.email).toBeDefined();
    expect(verified).toBe(false);
    expect(readWhenServed).toBeLessThan(batches);

    expect(await verification).toMatchObject({ ok: true, entries: ENTRIES, checked: ENTRIES });
    expect(reads.batches).toBe(batches);
  });

  it('the sliced verification yields between slices; the one-go verification does not', async () => {
    const { server, accountId } = await serverWithEntries(2_000);
    let turns = 0;
    let counting = true;
    const countTurns = () => {
      turns++;
      if (counting) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const progress: number[] = [];
    const result = await verifyAuditLog(server.app, accountId, { full: true, batchSize: 100, sliceMs: 0, onProgress: (checked) => progress.push(checked) });
    const turnsDuringSliced = turns;
    expect(result).toMatchObject({ ok: true, checked: 2_000 });
    expect(progress).toHaveLength(20);
    // With no time budget it yields after every batch: the counter ran alongside, turn for turn.
    expect(turnsDuringSliced).toBeGreaterThanOrEqual(19);

    turns = 0;
    await verifyAuditChain(server.app, accountId, { batchSize: 100 });
    // On SQLite every read is synchronous, so only slicing yields; on PostgreSQL every read is I/O and yields anyway.
    if (testBackend === 'sqlite') expect(turns).toBe(0);
    counting = false;
  });

  it('concurrent requests for the same verification share one run', async () => {
    const { server } = await serverWithEntries(3_000);
    reads.batches = 0;
    const results = await Promise.all([verify(server, true), verify(server, true), verify(server, true)]);
    for (const result of results) expect(result).toMatchObject({ ok: true, checked: 3_000 });
    expect(reads.batches).toBe(Math.ceil(3_000 / BATCH));
  });
});
