import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { setupServer, type GqlResponse, type TestServer } from '../helpers.ts';
import { createToken } from '../tokens-fixtures.ts';
import { sqliteOf } from '../../src/app.ts';
import { describeSqlite } from '../backend.ts';

/**
 * Storage faults: a read-only database or a full disk refuses changes with a clear
 * SERVICE_UNAVAILABLE (HTTP 503, Retry-After) instead of a masked internal error, reads go on,
 * and the background "last used" writer survives the fault and catches up afterwards.
 */

const READS = '{ viewer { member { id } } tokens(first: 5) { edges { node { id name } } } projects(first: 5) { edges { node { key } } } }';
const createProject = (key: string) => `mutation { createProject(input: { key: "${key}", name: "P" }) { project { key } } }`;

function expectUnavailable(res: GqlResponse, message: RegExp): void {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  const error = res.body.errors?.[0];
  expect(error?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expect(error?.message).toMatch(message);
  expect(error?.message).not.toMatch(/SQLITE|INSERT|UPDATE|attempt to write/);
  expect(typeof error?.extensions?.requestId).toBe('string');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

async function expectReadsWork(server: TestServer, secrets: string[]): Promise<void> {
  for (const auth of secrets) {
    const res = await server.gql(READS, {}, { auth });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  }
}

// SQLite only: faults the SQLite file (pragmas, locks, a full disk)
describeSqlite('durability settings', () => {
  it('the database runs in WAL mode with synchronous=FULL, foreign keys on and a busy timeout', async () => {
    const server = await setupServer();
    const sqlite = sqliteOf(server.app);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(sqlite.pragma('busy_timeout', { simple: true }))).toBeGreaterThanOrEqual(5000);
  });

  it('another process holding the write lock makes a change wait (busy_timeout), not fail with SQLITE_BUSY', async () => {
    const server = await setupServer();
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // A separate thread stands for another process (the CLI, a backup) holding the write lock for 400 ms.
    const holder = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require(workerData.driver);
       const db = new Database(workerData.path);
       db.exec('BEGIN IMMEDIATE');
       parentPort.postMessage('locked');
       setTimeout(() => { db.exec('COMMIT'); db.close(); parentPort.postMessage('released'); }, 400);`,
      { eval: true, workerData: { driver, path: server.app.config.dbPath } },
    );
    const messages: string[] = [];
    const released = new Promise<void>((resolve) => holder.on('message', (m: string) => (messages.push(m), m === 'released' && resolve())));
    await new Promise<void>((resolve) => holder.once('message', () => resolve()));
    const started = performance.now();
    const res = await server.gql(createProject('waited'), {}, { auth: server.owner });
    const waited = performance.now() - started;
    await released;
    await holder.terminate();
    expect(res.body.errors, JSON.stringify(res.body)).toBeUndefined();
    expect(waited).toBeGreaterThan(200);
    expect(messages).toEqual(['locked', 'released']);
  });
});

// SQLite only: faults the SQLite file (pragmas, locks, a full disk)
describeSqlite('storage faults', () => {
  it('a read-only database refuses every change with SERVICE_UNAVAILABLE while reads go on, and recovers', async () => {
    const server = await setupServer();
    const { secret } = await createToken(server, server.owner, { role: 'WRITER' });
    sqliteOf(server.app).pragma('query_only = ON');
    try {
      expectUnavailable(await server.gql(createProject('refused'), {}, { auth: server.owner }), /read-only/);
      expectUnavailable(await server.gql(createProject('refused'), {}, { auth: secret }), /read-only/);
      const create = await server.gql('mutation { createToken(input: { name: "t", role: READER }) { secret } }', {}, { auth: server.owner });
      expectUnavailable(create, /read-only/);
      expect(JSON.stringify(create.body)).not.toMatch(/lk[psu]_/);
      await expectReadsWork(server, [server.owner, secret]);
      // The operator sees the fault (with the request id) in the log.
      const warning = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.message === 'storage unavailable');
      expect(warning).toMatchObject({ level: 'warn', code: expect.stringMatching(/^SQLITE_READONLY/) });
    } finally {
      sqliteOf(server.app).pragma('query_only = OFF');
    }
    const res = await server.gql(createProject('after'), {}, { auth: server.owner });
    expect(res.body.errors).toBeUndefined();
  });

  it('a full disk refuses changes with SERVICE_UNAVAILABLE while reads go on', async () => {
    const server = await setupServer();
    const sqlite = sqliteOf(server.app);
    const { secret } = await createToken(server, server.owner, { role: 'WRITER' });
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    sqlite.pragma(`max_page_count = ${pages}`);
    try {
      let refused: GqlResponse | undefined;
      for (let i = 0; i < 200 && !refused; i++) {
        const res = await server.gql(createProject(`fill-${i}`), {}, { auth: server.owner });
        if (res.body.errors) refused = res;
      }
      expect(refused).toBeDefined();
      if (refused) expectUnavailable(refused, /disk is full/);
      await expectReadsWork(server, [server.owner, secret]);
    } finally {
      sqlite.pragma('max_page_count = 1073741823');
    }
    expect((await server.gql(createProject('after-full'), {}, { auth: server.owner })).body.errors).toBeUndefined();
  });

  it('the coalesced "last used" writer survives a read-only database and writes once it is writable again', async () => {
    const server = await setupServer({ lastUsedFlushMs: 20 });
    const sqlite = sqliteOf(server.app);
    const { secret, token } = await createToken(server, server.owner, { role: 'READER' });
    const id = Buffer.from(token.id, 'base64').toString().split(':')[1];
    const lastUsed = () => (sqlite.prepare('SELECT last_used_at AS at FROM tokens WHERE id = ?').get(id) as { at: number | null }).at;
    sqlite.pragma('query_only = ON');
    try {
      expect((await server.gql('{ viewer { member { id } } }', {}, { auth: secret })).status).toBe(200);
      // Several flush intervals go by with the database refusing writes: nothing may crash.
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(lastUsed()).toBeNull();
    } finally {
      sqlite.pragma('query_only = OFF');
    }
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(lastUsed()).not.toBeNull();
  });
});
