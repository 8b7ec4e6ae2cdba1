import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { bootstrapOwner } from '../../src/services/accounts.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { httpGql, startServerProcess, type ServerProcess } from './server-process.ts';
import { describeSqlite } from '../backend.ts';

/**
 * Durability: SQLite in WAL mode with synchronous=FULL, so a change acknowledged to a client has
 * reached the disk. The real server is SIGKILLed in the middle of a createToken/deleteToken loop
 * and the server is started again on the same file (in this process, as main.ts starts it, to keep
 * the test short): the database is intact, every acknowledged token exists, authenticates and has
 * its audit entry, and every acknowledged deletion stays deleted.
 */

const OWNER = { email: 'owner@durable.test', password: 'durable owner password' };
const CREATE = 'mutation($name: String!) { createToken(input: { name: $name, role: READER }) { secret token { id } } }';
const DELETE = 'mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }';
const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { secret } }';
const VIEWER = '{ viewer { token { id } } }';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
let crashed: ServerProcess | undefined;
let restarted: RunningServer | undefined;
afterAll(async () => {
  if (crashed && crashed.child.exitCode === null && crashed.child.signalCode === null) {
    crashed.child.kill('SIGKILL');
    await crashed.exited;
  }
  await restarted?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Acknowledged {
  id: string;
  secret: string;
}

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1] ?? '';

// SQLite only: kills the server and checks the SQLite file it left
describeSqlite('crash recovery', () => {
  it('after SIGKILL mid-loop and a restart: integrity ok, every acknowledged token and deletion holds, with its audit entry', async () => {
    const env = {
      LATCHKEY_DB: join(dir, 'latchkey.db'),
      LATCHKEY_SCRYPT_LOG_N: '4',
      LATCHKEY_OWNER_EMAIL: OWNER.email,
      LATCHKEY_OWNER_PASSWORD: OWNER.password,
      LATCHKEY_LAST_USED_FLUSH_MS: '50',
    };
    const first = await startServerProcess(env);
    crashed = first;
    const session = (await httpGql<{ login: { secret: string } }>(first.url, LOGIN, { input: OWNER })).data?.login.secret;
    expect(session).toMatch(/^lku_/);

    const created: Acknowledged[] = [];
    const deleted: Acknowledged[] = [];
    let stop = false;
    let counter = 0;
    // Four clients in parallel, so requests are in flight when the process dies.
    const worker = async () => {
      while (!stop) {
        const n = counter++;
        try {
          const res = await httpGql<{ createToken: { secret: string; token: { id: string } } }>(first.url, CREATE, { name: `t${n}` }, session);
          const issued = res.data?.createToken;
          if (issued) created.push({ id: issued.token.id, secret: issued.secret });
          const victim = n % 3 === 2 ? created.shift() : undefined;
          if (victim) {
            const gone = await httpGql<{ deleteToken: { deletedTokenId: string } }>(first.url, DELETE, { id: victim.id }, session);
            if (gone.data?.deleteToken.deletedTokenId === victim.id) deleted.push(victim);
            else created.push(victim);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    const started = Date.now();
    while (created.length + deleted.length < 40 && Date.now() - started < 6_000) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    stop = true;
    await first.exited;
    await Promise.all(workers);
    expect(created.length).toBeGreaterThan(10);
    expect(deleted.length).toBeGreaterThan(3);

    // The file as the crash left it (WAL recovered on open).
    const check = new Database(env.LATCHKEY_DB);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();

    const app = await createApp(loadConfig(env), silentLogger);
    await bootstrapOwner(app);
    const second = await startServer(app, 0, '127.0.0.1');
    restarted = second;
    for (const token of created) {
      const res = await httpGql<{ viewer: { token: { id: string } | null } }>(second.url, VIEWER, {}, token.secret);
      expect({ id: token.id, status: res.status, token: res.data?.viewer.token?.id }).toEqual({ id: token.id, status: 200, token: token.id });
    }
    for (const token of deleted) {
      const res = await httpGql(second.url, VIEWER, {}, token.secret);
      expect({ id: token.id, status: res.status, message: res.errors?.[0]?.message }).toEqual({
        id: token.id,
        status: 401,
        message: 'Access token has been deleted',
      });
    }
    const db = new Database(env.LATCHKEY_DB, { readonly: true });
    try {
      const entries = db.prepare('SELECT action, resource, outcome FROM audit_entries').all() as Array<{ action: string; resource: string; outcome: string }>;
      const has = (action: string, id: string) => entries.some((e) => e.action === action && e.outcome === 'success' && e.resource.endsWith(`:token/${rawId(id)}`));
      for (const token of [...created, ...deleted]) expect({ id: token.id, created: has('createAccessToken', token.id) }).toEqual({ id: token.id, created: true });
      for (const token of deleted) expect({ id: token.id, deleted: has('deleteAccessToken', token.id) }).toEqual({ id: token.id, deleted: true });
      const alive = db.prepare('SELECT count(*) AS n FROM tokens WHERE deleted_at IS NULL AND id IN (SELECT value FROM json_each(?))').get(
        JSON.stringify(deleted.map((t) => rawId(t.id))),
      ) as { n: number };
      expect(alive.n).toBe(0);
    } finally {
      db.close();
    }
    // The audit hash chain survived the crash too.
    const newSession = (await httpGql<{ login: { secret: string } }>(second.url, LOGIN, { input: OWNER })).data?.login.secret;
    const verified = await httpGql<{ verifyAuditLog: { ok: boolean } }>(second.url, '{ verifyAuditLog { ok } }', {}, newSession);
    expect(verified.data?.verifyAuditLog.ok).toBe(true);

  }, 30_000);
});
