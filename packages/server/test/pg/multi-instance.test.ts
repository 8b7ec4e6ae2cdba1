import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/services/limits.ts';
import {
  CLUSTER_OWNER_EMAIL,
  CLUSTER_OWNER_PASSWORD,
  addMember,
  addressFor,
  createToken,
  errorCode,
  gql,
  gqlOk,
  login,
  measureRevocations,
  percentile,
  refusalLatencies,
  signUp,
  startCluster,
  type Cluster,
  type ClusterDatabase,
  type Instance,
} from './cluster.ts';
import { createTestDatabase, describePg, testDatabaseUrl, testRedisUrl, type TestDatabase } from './pg-helpers.ts';

/**
 * Issue 15: three server processes on one PostgreSQL database behave as one server. Everything
 * goes through raw GraphQL over HTTP, each instance a real `node src/main.ts`. Each test after the
 * first signs up an account of its own (LATCHKEY_SIGNUP=open), so a test's rows and locks, and
 * whatever load it leaves behind when it fails, do not touch the next one's.
 *
 * LATCHKEY_TEST_CLUSTER_SQLITE=1 runs the same file over one SQLite file shared by the three
 * processes instead: caches and limits are then per process, and the revocation and lockout tests
 * fail there, which is what shows they can fail.
 */

const sqliteMode = process.env.LATCHKEY_TEST_CLUSTER_SQLITE === '1';
const describeCluster = sqliteMode ? describe : describePg;

const TIMEOUT = 180_000;

const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { secret } }';
// Each login attempt from its own address, so only the per-account limit applies; a random start,
// since a shared Redis keeps the per-address counters of earlier runs.
let nextAddress = 1_000_000 + randomInt(14_000_000);

/**
 * Test (d): N wrong passwords lock an account however they are spread. One at a time through A
 * only, then round-robin over the instances: the lockout comes at the same attempt, the
 * threshold of limits.ts; the right password is then refused everywhere; and 3 × threshold at
 * once over the instances: exactly `threshold` are checked, the rest refused RATE_LIMITED.
 * `tag` keeps the emails of runs apart (a shared Redis keeps counters between runs).
 */
async function expectOneLockoutThreshold(instances: Instance[], owner: string, tag: string): Promise<void> {
  const threshold = DEFAULT_LIMITS.loginFailuresPerAccount;
  const [first] = instances as [Instance];
  const attempt = (instance: Instance, email: string, password: string, n = nextAddress++) => gql(instance.url, LOGIN, { i: { email, password } }, { address: addressFor(n) });
  /** Wrong passwords, one at a time, through `through(n)`, until one is refused RATE_LIMITED; returns how many failed before. */
  const failuresBeforeLockout = async (email: string, through: (n: number) => Instance): Promise<number> => {
    for (let n = 0; n < threshold * 4; n++) {
      const res = await attempt(through(n), email, 'wrong-password');
      const code = errorCode(res);
      if (code === 'RATE_LIMITED') {
        expect(res.errors?.[0]?.extensions?.lockedUntil).toEqual(expect.any(String));
        return n;
      }
      expect(code).toBe('UNAUTHENTICATED');
    }
    return Number.POSITIVE_INFINITY;
  };
  const run = randomBytes(3).toString('hex');
  const single = await addMember(first.url, owner, `lockout-single-${tag}-${run}@cluster.test`);
  const spread = await addMember(first.url, owner, `lockout-spread-${tag}-${run}@cluster.test`);
  const burst = await addMember(first.url, owner, `lockout-burst-${tag}-${run}@cluster.test`);

  expect(await failuresBeforeLockout(single.email, () => first)).toBe(threshold);
  expect(await failuresBeforeLockout(spread.email, (n) => instances[n % instances.length] as Instance)).toBe(threshold);
  for (const instance of instances) expect(errorCode(await attempt(instance, spread.email, spread.password))).toBe('RATE_LIMITED');

  const base = nextAddress;
  nextAddress += threshold * 3;
  const results = await Promise.all(Array.from({ length: threshold * 3 }, (_, n) => attempt(instances[n % instances.length] as Instance, burst.email, 'wrong-password', base + n)));
  const codes = results.map(errorCode);
  expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(threshold);
  expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(threshold * 2);
}

describeCluster('three instances on one database', () => {
  let database: TestDatabase | undefined;
  let sqliteDir: string | undefined;
  let cluster: Cluster;
  let a: Instance, b: Instance, c: Instance;
  let firstOwner: string; // the owner of the account the first instance created

  beforeAll(async () => {
    let target: ClusterDatabase;
    if (sqliteMode) {
      sqliteDir = mkdtempSync(join(tmpdir(), 'latchkey-cluster-'));
      target = { kind: 'sqlite', path: join(sqliteDir, 'latchkey.db') };
    } else {
      database = await createTestDatabase();
      target = { kind: 'postgres', url: database.url, poolSize: 5 };
    }
    // On PostgreSQL all three at once on the empty database: one migrates, one creates the first owner.
    cluster = await startCluster(target, 3, {}, { together: !sqliteMode });
    [a, b, c] = cluster.instances as [Instance, Instance, Instance];
    firstOwner = await login(a.url, CLUSTER_OWNER_EMAIL, CLUSTER_OWNER_PASSWORD, addressFor(0));
  }, 120_000);
  // Each instance's output, when a test failed (what the server logged is the diagnosis).
  afterEach((context) => {
    if (context.task.result?.state === 'fail') for (const instance of cluster.instances) console.log(`--- instance ${instance.name} output ---\n${instance.output().slice(-4_000)}`);
  });

  afterAll(async () => {
    await cluster?.stop();
    await database?.drop();
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  }, 60_000);

  it('serves one account: the three, started together, created one owner, who logs in on every instance', async () => {
    if (database) {
      // The instances really are on the test database (not on a SQLite file of their own), and
      // starting together on it they created exactly one account with one owner.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const accounts = await client.query<{ n: string }>('SELECT count(*) AS n FROM accounts');
        const members = await client.query<{ email: string; role: string }>('SELECT email, role FROM members');
        expect(Number(accounts.rows[0]?.n)).toBe(1);
        expect(members.rows).toEqual([{ email: CLUSTER_OWNER_EMAIL, role: 'owner' }]);
      } finally {
        await client.end();
      }
    }
    for (const instance of [a, b, c]) {
      const session = await login(instance.url, CLUSTER_OWNER_EMAIL, CLUSTER_OWNER_PASSWORD, addressFor(0));
      const data = await gqlOk<{ viewer: { member: { email: string; role: string } } }>(instance.url, '{ viewer { member { email role } } }', {}, { auth: session });
      expect(data.viewer.member).toEqual({ email: CLUSTER_OWNER_EMAIL, role: 'OWNER' });
    }
  });

  it(
    'a credential revoked through one instance is refused by the two others on their next requests',
    async () => {
      // deleteToken / resetToken (no grace) / removeMember through A, B or C in turn, each secret
      // cached by the two others first; both poll from the acknowledgement until they answer 401.
      const revocations = await measureRevocations([a, b, c], firstOwner, { count: 120, boundMs: 2_000, addressBase: 1_000, maxFailures: 3 });
      const observations = revocations.flatMap((r) => r.observations.map((o) => ({ ...o, kind: r.kind, through: r.through })));
      const latencies = refusalLatencies(revocations);
      const servedAfterAck = observations.reduce((n, o) => n + o.servedAfterAck, 0);
      console.log(
        `cross-instance revocation: ${revocations.length} revocations, ${observations.length} observations; ` +
          `refused after p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.length ? Math.max(...latencies).toFixed(1) : '–'} ms; ` +
          `${servedAfterAck} requests served after the acknowledgement (before the notification arrived)`,
      );
      // Correctness, not speed: every observer refused each revoked secret within the generous
      // bound, with 401 (not another status), and never served it again once it had refused it.
      expect(observations.filter((o) => o.refusedAfterMs === null)).toEqual([]);
      expect(observations.filter((o) => o.unexpectedStatus !== null)).toEqual([]);
      expect(observations.filter((o) => o.servedAgain)).toEqual([]);
      expect(new Set(revocations.map((r) => r.kind))).toEqual(new Set(['deleteToken', 'resetToken', 'removeMember']));
    },
    TIMEOUT,
  );

  it(
    '300 concurrent service-token creations over three instances with a limit of 5 create exactly 5',
    async () => {
      const owner = await signUp(a.url, 'Service limit', addressFor(2));
      await gqlOk(a.url, 'mutation { updateAccount(input: { serviceTokenLimit: 5 }) { account { serviceTokenLimit } } }', {}, { auth: owner });
      // Every instance reads the new limit (account settings are not cached across a change).
      for (const instance of [a, b, c]) {
        const data = await gqlOk<{ account: { serviceTokenLimit: number } }>(instance.url, '{ account { serviceTokenLimit } }', {}, { auth: owner });
        expect(data.account.serviceTokenLimit).toBe(5);
      }
      const instances = [a, b, c];
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          gql<{ createToken: { token: { id: string } } }>(
            (instances[i % 3] as Instance).url,
            'mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id kind } } }',
            { i: { name: `service ${i}`, role: 'READER', serviceToken: true } },
            { auth: owner, timeoutMs: 100_000 },
          ).catch((error: unknown) => ({ status: 0, data: null, errors: [{ message: `no answer: ${String(error)}` }] })),
        ),
      );
      // Every answer by outcome: created, LIMIT_EXCEEDED, or anything else by code (or "no answer").
      const outcomes: Record<string, number> = {};
      for (const r of results) {
        const outcome = r.status === 200 && r.data?.createToken ? 'created' : String(errorCode(r) ?? r.errors?.[0]?.message ?? r.status);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      expect(outcomes).toEqual({ created: 5, LIMIT_EXCEEDED: 295 });
      for (const instance of instances) {
        const listed = await gqlOk<{ tokens: { totalCount: number; nodes: Array<{ kind: string }> } }>(
          instance.url,
          '{ tokens(first: 100, showAll: true, kind: SERVICE) { totalCount nodes { kind } } }',
          {},
          { auth: owner },
        );
        expect(listed.tokens.totalCount).toBe(5);
        expect(listed.tokens.nodes).toHaveLength(5);
      }
    },
    TIMEOUT,
  );

  it(
    'the audit chain verifies after concurrent writes through all three instances',
    async () => {
      const owner = await signUp(b.url, 'Audit chain', addressFor(3));
      await gqlOk(a.url, 'mutation { createProject(input: { key: "audited", name: "Audited" }) { project { key } } }', {}, { auth: owner });
      const instances = [a, b, c];
      const writes = await Promise.all([
        ...Array.from({ length: 60 }, (_, i) =>
          gql((instances[i % 3] as Instance).url, 'mutation($k: String!) { createFlag(input: { projectKey: "audited", key: $k, name: $k }) { flag { key } } }', { k: `flag-${i}` }, { auth: owner }),
        ),
        ...Array.from({ length: 30 }, (_, i) =>
          gql((instances[i % 3] as Instance).url, 'mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id } } }', { i: { name: `audited ${i}`, role: 'READER' } }, { auth: owner }),
        ),
      ]);
      expect(writes.filter((w) => w.status !== 200 || w.errors).map((w) => w.errors)).toEqual([]);

      const heads = new Set<string>();
      for (const instance of instances) {
        const data = await gqlOk<{
          verifyAuditLog: { ok: boolean; entries: number; headSeq: number | null; headHash: string | null; firstBrokenLink: unknown };
          auditLog: { totalCount: number };
        }>(instance.url, '{ verifyAuditLog(full: true) { ok entries headSeq headHash firstBrokenLink { seq reason detail } } auditLog(first: 1) { totalCount } }', {}, { auth: owner });
        expect(data.verifyAuditLog.firstBrokenLink).toBeNull();
        expect(data.verifyAuditLog.ok).toBe(true);
        // Every entry is in the chain, the 90 writes' among them.
        expect(data.verifyAuditLog.entries).toBe(data.auditLog.totalCount);
        expect(data.verifyAuditLog.entries).toBeGreaterThanOrEqual(90);
        heads.add(`${data.verifyAuditLog.headSeq}:${data.verifyAuditLog.headHash}`);
      }
      expect(heads.size).toBe(1); // all three see the same chain
    },
    TIMEOUT,
  );

  it(
    'bad logins lock an account out at the same threshold on one instance, round-robin over three, and concurrently over three',
    async () => {
      const owner = await signUp(c.url, 'Lockout', addressFor(4));
      await expectOneLockoutThreshold([a, b, c], owner, 'pg');
    },
    TIMEOUT,
  );

  it(
    'SIGKILL of an instance mid-stream: every acknowledged write is visible through another, the two others keep serving',
    async () => {
      const owner = await signUp(a.url, 'Crash', addressFor(5));
      await gqlOk(a.url, 'mutation { createProject(input: { key: "crash", name: "Crash" }) { project { key } } }', {}, { auth: owner });
      const FLAGS = '{ project(key: "crash") { flags { key } } }';
      // Tokens the stream will delete, each served once by A and B first (in their credential
      // caches), and the project's flags read by A and B (in their caches of read-mostly rows):
      // what they serve afterwards depends on C having told them before it died.
      const doomed = await Promise.all(Array.from({ length: 30 }, (_, i) => createToken(a.url, owner, { name: `doomed ${i}`, role: 'READER' })));
      for (const survivor of [a, b]) {
        for (const token of doomed) await gqlOk(survivor.url, '{ viewer { member { id } } }', {}, { auth: token.secret, address: addressFor(95_000) });
        await gqlOk(survivor.url, FLAGS, {}, { auth: owner });
      }
      const acknowledged: string[] = [];
      const deleted: string[] = []; // secrets of the tokens whose deletion C acknowledged
      let sent = 0;
      let killed = false;
      // Four writers stream writes through C (every third a deleteToken, the others createFlag);
      // once 40 are acknowledged C is killed, and each writer stops at its first failed request
      // (connection reset or refused).
      const writer = async () => {
        for (;;) {
          const n = sent++;
          const token = n % 3 === 2 ? doomed[(n - 2) / 3] : undefined;
          const key = `crash-${n}`;
          let ok: boolean;
          try {
            if (token) {
              const res = await gql<{ deleteToken: { deletedTokenId: string } }>(c.url, 'mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }', { id: token.id }, { auth: owner });
              ok = res.status === 200 && res.data?.deleteToken.deletedTokenId === token.id;
              if (ok) deleted.push(token.secret);
            } else {
              const res = await gql<{ createFlag: { flag: { key: string } } }>(c.url, 'mutation($k: String!) { createFlag(input: { projectKey: "crash", key: $k, name: $k }) { flag { key } } }', { k: key }, { auth: owner });
              ok = res.status === 200 && res.data?.createFlag.flag.key === key;
              if (ok) acknowledged.push(key);
            }
          } catch {
            return;
          }
          if (!ok && !killed) throw new Error(`write ${n} through C failed before the kill`);
          if (acknowledged.length + deleted.length >= 40 && !killed) {
            killed = true;
            c.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all([writer(), writer(), writer(), writer()]);
      expect(await c.exited).toBeNull(); // killed by the signal, not exited
      expect(acknowledged.length + deleted.length).toBeGreaterThanOrEqual(40);
      expect(deleted.length).toBeGreaterThan(0);

      for (const survivor of [a, b]) {
        const data = await gqlOk<{ project: { flags: Array<{ key: string }> } }>(survivor.url, FLAGS, {}, { auth: owner });
        const visible = new Set(data.project.flags.map((f) => f.key));
        expect({ instance: survivor.name, missing: acknowledged.filter((key) => !visible.has(key)) }).toEqual({ instance: survivor.name, missing: [] });
        // Every deletion C acknowledged is refused by A and B (their cached copies were dropped).
        const served = [];
        for (const secret of deleted) {
          const res = await gql(survivor.url, '{ viewer { member { id } } }', {}, { auth: secret, address: addressFor(96_000) });
          if (res.status !== 401) served.push(res.status);
        }
        expect({ instance: survivor.name, served }).toEqual({ instance: survivor.name, served: [] });
      }
      // The two others keep serving: writes, reads, a revocation between them, the audit chain.
      for (const [i, survivor] of [a, b].entries()) {
        await gqlOk(survivor.url, 'mutation($k: String!) { createFlag(input: { projectKey: "crash", key: $k, name: $k }) { flag { key } } }', { k: `after-${i}` }, { auth: owner });
      }
      const revocations = await measureRevocations([a, b], owner, { count: 6, addressBase: 90_000, maxFailures: 1 });
      expect(revocations.flatMap((r) => r.observations).filter((o) => o.refusedAfterMs === null || o.servedAgain)).toEqual([]);
      const verified = await gqlOk<{ verifyAuditLog: { ok: boolean } }>(b.url, '{ verifyAuditLog(full: true) { ok entries firstBrokenLink { seq reason detail } } }', {}, { auth: owner });
      expect(verified.verifyAuditLog).toMatchObject({ ok: true, firstBrokenLink: null });
    },
    TIMEOUT,
  );
});

/** The same lockout with the limiters in Redis (LATCHKEY_REDIS_URL), as .ci/pg.sh runs it. */
describe.skipIf(!testDatabaseUrl || !testRedisUrl)('three instances with their limits in Redis', () => {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    cluster = await startCluster({ kind: 'postgres', url: database.url, poolSize: 3 }, 3, { LATCHKEY_REDIS_URL: testRedisUrl as string });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await database?.drop();
  }, 60_000);

  it(
    'bad logins lock an account out at the same threshold however they are spread',
    async () => {
      const instances = (cluster as Cluster).instances;
      const owner = await signUp((instances[0] as Instance).url, `Redis lockout ${randomBytes(3).toString('hex')}`, addressFor(randomBytes(2).readUInt16BE() + 200_000));
      await expectOneLockoutThreshold(instances, owner, 'redis');
    },
    TIMEOUT,
  );
});
