import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { auditEntryHash, recordAudit, verifyAuditChain } from '../src/services/audit.ts';
import { sqliteOf } from '../src/app.ts';
import { addAccount, setupServer, type TestServer } from './helpers.ts';
import { auditRowsOf, firstAccountId } from './audit-helpers.ts';
import { itSqlite, databaseEnv } from './backend.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');
const run = promisify(execFile);

const VERIFY = '{ verifyAuditLog { ok entries headSeq headHash firstBrokenLink { seq entryId reason detail } } }';
interface Verification {
  ok: boolean;
  entries: number;
  headSeq: number | null;
  headHash: string | null;
  firstBrokenLink: { seq: number; entryId: string; reason: string; detail: string } | null;
}

async function verifyViaGraphql(server: TestServer, auth = server.owner): Promise<Verification> {
  const res = await server.gql<{ verifyAuditLog: Verification }>(VERIFY, {}, { auth });
  expect(res.body.errors).toBeUndefined();
  const result = res.body.data?.verifyAuditLog;
  if (!result) throw new Error('no verification');
  return result;
}

/** `pnpm --filter @latchkey/server audit:verify` against the test server's database. */
async function verifyViaCli(server: TestServer, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('pnpm', ['--silent', '--filter', '@latchkey/server', 'audit:verify', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...databaseEnv(server.app.config) },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A server whose first account has a few more entries (seq 1..n). */
async function serverWithEntries(n = 6): Promise<{ server: TestServer; accountId: string }> {
  const server = await setupServer();
  const accountId = await firstAccountId(server);
  const source = { caller: null, requestId: 'test', clientIp: 'test', userAgent: 'test' };
  while ((await auditRowsOf(server, accountId)).length < n) {
    await server.app.transaction((tx) => recordAudit(tx, source, { accountId, action: 'updateName', resource: 'proj/x', title: 'x', changes: { name: { before: 'a', after: 'b' } } }));
  }
  return { server, accountId };
}

/** Raw SQL as an attacker with database access would write it: the append-only triggers dropped first. */
function tamper(server: TestServer, statement: string, ...params: unknown[]) {
  const sqlite = sqliteOf(server.app);
  sqlite.exec('DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;');
  sqlite.prepare(statement).run(...params);
}

describe('append-only', () => {
  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('the database refuses UPDATE and DELETE of audit entries', async () => {
    const { server, accountId } = await serverWithEntries(2);
    const sqlite = sqliteOf(server.app);
    expect(() => sqlite.prepare("UPDATE audit_entries SET title = 'x' WHERE account_id = ?").run(accountId)).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM audit_entries WHERE account_id = ?').run(accountId)).toThrow(/append-only/);
    expect(await auditRowsOf(server, accountId)).toHaveLength(2);
  });

  it('no code path in the server updates or deletes audit entries', () => {
    const src = join(here, '../src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          const drizzleWrite = /\.(update|delete)\(\s*auditEntries\b/.test(text);
          const rawWrite = /\b(update|delete\s+from|replace\s+into|insert\s+or\s+replace\s+into)\s+[`"']?audit_entries\b/i.test(text);
          if (drizzleWrite || rawWrite) offenders.push(relative(src, path));
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
  });
});

describe('tamper evidence', () => {
  it('an intact log verifies, by query and by the CLI (with its progress and head hashes)', async () => {
    const { server, accountId } = await serverWithEntries(5);
    await addAccount(server);
    const rows = await auditRowsOf(server, accountId);
    const result = await verifyViaGraphql(server);
    expect(result).toEqual({ ok: true, entries: 5, headSeq: 5, headHash: rows.at(-1)?.hash, firstBrokenLink: null });

    const cli = await verifyViaCli(server);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/intact: \d+ entries in 2 account/);
    expect(cli.stdout).toContain(`account ${accountId}: head #5 ${rows.at(-1)?.hash}`);
    expect(cli.stderr).toMatch(/checked \d+\/\d+ entries \(100%\)/);
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('an edited entry is the first broken link (hash mismatch), by query and by the CLI', async () => {
    const { server, accountId } = await serverWithEntries();
    const target = (await auditRowsOf(server, accountId))[2];
    if (!target) throw new Error('no entry');
    tamper(server, "UPDATE audit_entries SET title = 'nothing happened' WHERE id = ?", target.id);

    const result = await verifyViaGraphql(server);
    expect(result.ok).toBe(false);
    expect(result.firstBrokenLink).toMatchObject({ seq: 3, entryId: encodeGlobalID('AuditEntry', target.id), reason: 'HASH_MISMATCH' });

    const cli = await verifyViaCli(server);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`account ${accountId} at entry 3 (id ${target.id}): hash-mismatch`);
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('an entry rewritten with a recomputed hash breaks the next link (prevHash mismatch)', async () => {
    const { server, accountId } = await serverWithEntries();
    const target = (await auditRowsOf(server, accountId))[2];
    if (!target) throw new Error('no entry');
    const forged = { ...target, actorId: null, title: 'nothing happened' };
    const { hash: _old, ...content } = forged;
    tamper(server, 'UPDATE audit_entries SET actor_id = NULL, title = ?, hash = ? WHERE id = ?', forged.title, auditEntryHash(content), target.id);
    const next = (await auditRowsOf(server, accountId))[3];
    expect((await verifyViaGraphql(server)).firstBrokenLink).toMatchObject({ seq: 4, entryId: encodeGlobalID('AuditEntry', next?.id ?? ''), reason: 'PREV_HASH_MISMATCH' });
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('a removed entry is a gap in the sequence', async () => {
    const { server, accountId } = await serverWithEntries();
    const rows = await auditRowsOf(server, accountId);
    tamper(server, 'DELETE FROM audit_entries WHERE id = ?', rows[1]?.id);
    expect((await verifyViaGraphql(server)).firstBrokenLink).toMatchObject({ seq: 3, reason: 'SEQ_GAP' });
    // Removing the first entry is caught too.
    const { server: other, accountId: otherAccount } = await serverWithEntries(3);
    tamper(other, 'DELETE FROM audit_entries WHERE id = ?', (await auditRowsOf(other, otherAccount))[0]?.id);
    expect((await verifyViaGraphql(other)).firstBrokenLink).toMatchObject({ seq: 2, reason: 'SEQ_GAP' });
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite('a row whose changes are no longer JSON is reported, not a crash', async () => {
    const { server, accountId } = await serverWithEntries(4);
    tamper(server, "UPDATE audit_entries SET changes = '{not json' WHERE account_id = ? AND seq = 4", accountId);
    expect((await verifyViaGraphql(server)).firstBrokenLink).toMatchObject({ seq: 4, reason: 'HASH_MISMATCH' });
  });

  // SQLite only: tampers with the rows through the SQLite writer
  itSqlite("the query checks only the caller's account; the CLI checks every account", async () => {
    const { server, accountId } = await serverWithEntries(3);
    const other = await addAccount(server);
    tamper(server, "UPDATE audit_entries SET title = 'x' WHERE account_id = ? AND seq = 1", other.accountId);
    expect((await verifyViaGraphql(server)).ok).toBe(true);
    expect((await verifyViaGraphql(server, other.owner.session)).firstBrokenLink).toMatchObject({ seq: 1, reason: 'HASH_MISMATCH' });
    const broken = await verifyAuditChain(server.app);
    expect(broken).toMatchObject({ ok: false, accountId: other.accountId, seq: 1 });
    expect(await verifyAuditChain(server.app, accountId)).toMatchObject({ ok: true, entries: 3 });
    const cli = await verifyViaCli(server);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`account ${other.accountId} at entry 1`);
    expect((await verifyViaCli(server, '--account', accountId)).code).toBe(0);
  });

  it('verification walks long chains in batches and reports progress', async () => {
    const { server, accountId } = await serverWithEntries(25);
    const progress: Array<[number, number]> = [];
    const result = await verifyAuditChain(server.app, accountId, { batchSize: 10, onProgress: (checked, total) => progress.push([checked, total]) });
    expect(result).toMatchObject({ ok: true, entries: 25 });
    expect(progress).toEqual([[10, 25], [20, 25], [25, 25]]);
  });
});
