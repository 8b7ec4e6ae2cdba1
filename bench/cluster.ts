/**
 * `BENCH_ONLY=cluster` (issue 15): Latchkey on PostgreSQL, on fresh databases of the PostgreSQL
 * at BENCH_PG_URL (bench/lib/pg-database.ts), dropped at the end. Every server is the real `node src/main.ts` in its own process
 * (packages/server/test/pg/cluster.ts, the harness of the multi-instance tests).
 *   1. authenticated req/s (the http part's GUARDED_QUERY and personal token, autocannon) and
 *      createToken latency, on PostgreSQL and on SQLite in the same run, one instance each;
 *   2. one instance vs three behind bench/lib/round-robin.ts (in its own process), same load;
 *   3. cross-instance revocation: from the revoking instance's acknowledgement to the first 401
 *      on each of the two others, p50/p99 over BENCH_CLUSTER_REVOCATIONS (default 120).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  CLUSTER_OWNER_EMAIL,
  CLUSTER_OWNER_PASSWORD,
  addressFor,
  createToken,
  gqlOk,
  login,
  measureRevocations,
  percentile,
  refusalLatencies,
  startCluster,
  startInstance,
  type ClusterDatabase,
  type Instance,
} from '../packages/server/test/pg/cluster.ts';
import { GUARDED_QUERY, type LoadResult } from './http.ts';
import { REALISTIC_ROLE_POLICY } from './lib/graphql.ts';
import { BENCH_PG_URL, createBenchDatabase, type BenchDatabase } from './lib/pg-database.ts';

const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CLUSTER_CONNECTIONS ?? 20);
const REVOCATIONS = Number(process.env.BENCH_CLUSTER_REVOCATIONS ?? 120);
const CREATES = 200;

export const TWO_CORE_CAVEAT =
  'on this 2-core machine the three instances, the proxy, PostgreSQL and the load generator share the same two cores: three instances cannot add CPU, so the ratio shows the cost of running several, not how they scale on separate hosts';

export interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

export interface BackendFigures {
  authenticated: LoadResult;
  createToken: Latency;
}

export interface ClusterResult {
  postgres: BackendFigures;
  sqlite: BackendFigures;
  scaling: { oneDirect: LoadResult; oneBehindProxy: LoadResult; threeBehindProxy: LoadResult; threeToOne: number; caveat: string };
  revocation: Latency & { revocations: number; observations: number; maxMs: number; servedAfterAck: number; neverRefused: number; servedAgain: number };
  /** The machine's 1-minute load average before and after (other engineers' work shares the cores). */
  load: { before: number; after: number };
}

/** A fresh database; BENCH_ONLY=cluster was asked for, so no PostgreSQL is an error, not a skip. */
async function freshDatabase(): Promise<BenchDatabase> {
  const database = await createBenchDatabase();
  if (!database) throw new Error(`BENCH_ONLY=cluster needs a PostgreSQL at ${BENCH_PG_URL} (BENCH_PG_URL)`);
  return database;
}

/** What bench/http.ts sets up: a 10-statement custom role, a project with a flag, a personal token in that role. */
async function prepareLoad(url: string, owner: string): Promise<string> {
  const me = await gqlOk<{ viewer: { member: { id: string } } }>(url, '{ viewer { member { id } } }', {}, { auth: owner });
  await gqlOk(url, 'mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } } }', { i: { id: me.viewer.member.id, roleAttributes: [{ key: 'projects', values: ['web', 'api'] }] } }, { auth: owner });
  await gqlOk(url, 'mutation($i: CreateRoleInput!) { createRole(input: $i) { role { key } } }', { i: { key: 'ci', name: 'CI', policy: REALISTIC_ROLE_POLICY } }, { auth: owner });
  await gqlOk(url, 'mutation { createProject(input: { key: "web", name: "Web", tags: ["frontend"] }) { project { key } } }', {}, { auth: owner });
  await gqlOk(url, 'mutation { createFlag(input: { projectKey: "web", key: "new-checkout", name: "New checkout" }) { flag { key } } }', {}, { auth: owner });
  const token = await createToken(url, owner, { name: 'bench', customRoleKeys: ['ci'] });
  await gqlOk(url, GUARDED_QUERY, {}, { auth: token.secret }); // the query works before it is measured
  return token.secret;
}

async function load(url: string, auth: string, seconds = SECONDS): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({ query: GUARDED_QUERY }),
  });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function createTokenLatency(url: string, owner: string): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < CREATES; i++) {
    const started = performance.now();
    await createToken(url, owner, { name: `latency ${i}`, role: 'READER' });
    samples.push(performance.now() - started);
  }
  return { samples: samples.length, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}

/** One instance on `database`: req/s of the guarded query after a 2 s warm-up, then createToken latency. */
async function oneBackend(database: ClusterDatabase): Promise<BackendFigures> {
  const instance = await startInstance('bench', database);
  try {
    const owner = await login(instance.url, CLUSTER_OWNER_EMAIL, CLUSTER_OWNER_PASSWORD, addressFor(1));
    const token = await prepareLoad(instance.url, owner);
    await load(instance.url, token, 2);
    const authenticated = await load(instance.url, token);
    return { authenticated, createToken: await createTokenLatency(instance.url, owner) };
  } finally {
    await instance.stop();
  }
}

/** The proxy in its own process, in front of `instances`. */
async function proxyFor(instances: Instance[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./lib/round-robin.ts', import.meta.url));
  const child: ChildProcess = fork(script, instances.map((i) => new URL(i.url).origin), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const origin = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { origin: string }).origin));
    child.once('exit', (code) => reject(new Error(`round-robin proxy exited (${code})`)));
  });
  child.removeAllListeners('exit');
  return {
    url: `${origin}/graphql`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const best = (runs: LoadResult[]): LoadResult => runs.reduce((x, y) => (y.requestsPerSecond > x.requestsPerSecond ? y : x));

export async function benchCluster(): Promise<ClusterResult> {
  const loadBefore = loadavg()[0] ?? 0;
  const database = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cluster-bench-'));
  try {
    // 1. PostgreSQL vs SQLite, one instance each (the SQLite run on its own file).
    const postgres = await oneBackend({ kind: 'postgres', url: database.url, poolSize: 10 });
    const sqlite = await oneBackend({ kind: 'sqlite', path: join(dir, 'latchkey.db') });

    // 2 and 3 on a second, fresh PostgreSQL database shared by three instances.
    const shared = await freshDatabase();
    try {
      const cluster = await startCluster({ kind: 'postgres', url: shared.url, poolSize: 10 }, 3);
      try {
        const [first] = cluster.instances as [Instance];
        const owner = await login(first.url, CLUSTER_OWNER_EMAIL, CLUSTER_OWNER_PASSWORD, addressFor(1));
        const token = await prepareLoad(first.url, owner);
        const runs = { oneDirect: [] as LoadResult[], oneBehindProxy: [] as LoadResult[], threeBehindProxy: [] as LoadResult[] };
        // Alternated twice so drift on a shared machine affects each alike; the best of each kept.
        for (let round = 0; round < 2; round++) {
          await load(first.url, token, 2);
          runs.oneDirect.push(await load(first.url, token));
          for (const [name, behind] of [['oneBehindProxy', [first]], ['threeBehindProxy', cluster.instances]] as const) {
            const proxy = await proxyFor([...behind]);
            try {
              await load(proxy.url, token, 2);
              runs[name].push(await load(proxy.url, token));
            } finally {
              await proxy.stop();
            }
          }
        }
        const oneBehindProxy = best(runs.oneBehindProxy);
        const threeBehindProxy = best(runs.threeBehindProxy);

        const revocations = await measureRevocations(cluster.instances, owner, { count: REVOCATIONS, addressBase: 10_000 });
        const observations = revocations.flatMap((r) => r.observations);
        const latencies = refusalLatencies(revocations);
        return {
          postgres,
          sqlite,
          scaling: { oneDirect: best(runs.oneDirect), oneBehindProxy, threeBehindProxy, threeToOne: threeBehindProxy.requestsPerSecond / oneBehindProxy.requestsPerSecond, caveat: TWO_CORE_CAVEAT },
          revocation: {
            revocations: revocations.length,
            observations: observations.length,
            samples: latencies.length,
            p50Ms: percentile(latencies, 50),
            p99Ms: percentile(latencies, 99),
            maxMs: latencies.length ? Math.max(...latencies) : Number.NaN,
            servedAfterAck: observations.reduce((n, o) => n + o.servedAfterAck, 0),
            neverRefused: observations.filter((o) => o.refusedAfterMs === null).length,
            servedAgain: observations.filter((o) => o.servedAgain).length,
          },
          load: { before: loadBefore, after: loadavg()[0] ?? 0 },
        };
      } finally {
        await cluster.stop();
      }
    } finally {
      await shared.drop();
    }
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchCluster(), null, 2));
}
