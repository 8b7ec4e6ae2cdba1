/**
 * Server CPU per request (issue 17): the robust figure on a shared machine, read from the server
 * process's own `process.cpuUsage()` before and after a fixed number of requests (the load comes
 * from this process, so its CPU is never counted). Three interleaved rounds, medians. Against two
 * floors measured in the same run: plain node:http doing the same token check (checksum +
 * SHA-256 + Map), and bare graphql-yoga answering `{ viewer { id } }` from memory.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { GUARDED_QUERY } from './http.ts';
import { REALISTIC_ROLE_POLICY, graphql, loginAs } from './lib/graphql.ts';
import { BENCH_PG_URL, createBenchDatabase } from './lib/pg-database.ts';
import { startServerProcess } from './lib/server-process.ts';

const REQUESTS = Number(process.env.BENCH_CPU_REQUESTS ?? 4000);
const ROUNDS = 3;

export interface CpuRow {
  name: string;
  cpuMicrosPerRequest: number;
  requestsPerSecond: number;
  /** cpuMicrosPerRequest ÷ bare Yoga's. */
  ratioToYoga: number;
}

export interface CpuResult {
  requests: number;
  rounds: number;
  rows: CpuRow[];
  /** The benchmark's server process (tsx loader) after setup. */
  latchkeyIdleRssMiB: number;
  /** What `pnpm start` runs (packages/server/dist/main.js, NODE_ENV=production) after one request. */
  compiledIdleRssMiB: number;
  /** Why the PostgreSQL rows are missing, when they are. */
  postgres?: string;
}

interface Target {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'cpuMicros' in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    child.send(message);
  });
}

function forkFloor(file: string, env: Record<string, string>): Promise<Target> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], { env: { ...process.env, NODE_ENV: 'production', ...env }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited (${code})`)));
    child.once('message', (m) => {
      child.removeAllListeners('exit');
      resolve({ child, url: (m as { url: string }).url, stop: () => new Promise((res) => (child.once('exit', () => res()), child.send('stop'))) });
    });
  });
}

async function measure(target: Target, query: string, auth: string | undefined): Promise<{ cpu: number; rps: number }> {
  const body = JSON.stringify({ query });
  const headers = { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) };
  await autocannon({ url: target.url, method: 'POST', connections: 10, amount: 2000, headers, body });
  const before = await ask<{ cpuMicros: number }>(target.child, 'cpu');
  const result = await autocannon({ url: target.url, method: 'POST', connections: 10, amount: REQUESTS, headers, body });
  const after = await ask<{ cpuMicros: number }>(target.child, 'cpu');
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx / ${result.errors} errors measuring ${query}`);
  return { cpu: (after.cpuMicros - before.cpuMicros) / REQUESTS, rps: result.requests.average };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** One-time setup: a personal token with a realistic custom role, a project and a flag; returns the token. */
async function seed(env: Record<string, string>): Promise<string> {
  const setup = await startServerProcess(env);
  try {
    const owner = await loginAs(setup.url, setup.ownerEmail, setup.ownerPassword);
    const me = await graphql<{ viewer: { member: { id: string } } }>(setup.url, '{ viewer { member { id } } }', {}, owner);
    await graphql(setup.url, 'mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } } }', { i: { id: me.viewer.member.id, roleAttributes: [{ key: 'projects', values: ['web', 'api'] }] } }, owner);
    await graphql(setup.url, 'mutation($i: CreateRoleInput!) { createRole(input: $i) { role { key } } }', { i: { key: 'ci', name: 'CI', policy: REALISTIC_ROLE_POLICY } }, owner);
    await graphql(setup.url, 'mutation { createProject(input: { key: "web", name: "Web", tags: ["frontend"] }) { project { key } } }', {}, owner);
    await graphql(setup.url, 'mutation { createFlag(input: { projectKey: "web", key: "new-checkout", name: "New checkout" }) { flag { key } } }', {}, owner);
    const { createToken } = await graphql<{ createToken: { secret: string } }>(setup.url, 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { name: 'cpu', customRoleKeys: ['ci'] } }, owner);
    return createToken.secret;
  } finally {
    await setup.stop();
  }
}

const CHECK_ACCESS = '{ checkAccess(action: "updateOn", resource: "proj/web:env/test:flag/new-checkout") { allowed } }';

/** The idle RSS of the server `pnpm start` runs, built as `pnpm start` builds it, after one request. */
async function compiledIdleRss(dbPath: string): Promise<number> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [join(root, 'packages/server/scripts/build.mjs'), '--if-stale'], { stdio: 'ignore' });
  const child = spawn(process.execPath, [join(root, 'packages/server/dist/main.js')], {
    env: { ...process.env, NODE_ENV: 'production', LATCHKEY_DB: dbPath, PORT: '0', HOST: '127.0.0.1', LATCHKEY_OWNER_PASSWORD: 'benchmark-owner' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /listening on (\S+)/.exec(out);
        if (found?.[1]) resolve(found[1]);
      });
      child.once('exit', (code) => reject(new Error(`dist/main.js exited (${code})`)));
    });
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    await new Promise((r) => setTimeout(r, 1000));
    const rssKiB = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(child.pid)]).toString().trim());
    return rssKiB * 1024;
  } finally {
    child.kill('SIGTERM');
  }
}

export async function benchCpu(): Promise<CpuResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cpu-'));
  const db = join(dir, 'cpu.db');
  const pgDatabase = await createBenchDatabase();
  try {
    const token = await seed({ BENCH_DB: db });
    const pgToken = pgDatabase ? await seed({ BENCH_DB: db, BENCH_DATABASE_URL: pgDatabase.url }) : undefined;

    const latchkeyOn = (env: Record<string, string>) => async (): Promise<Target> => {
      const s = await startServerProcess({ BENCH_DB: db, NODE_ENV: 'production', ...env });
      return { child: s.child, url: s.url, stop: () => s.stop() };
    };
    const latchkey = latchkeyOn({});
    const configurations: Array<{ name: string; start: () => Promise<Target>; query: string; auth?: string }> = [
      { name: 'plain node:http token check (floor)', start: () => forkFloor('./lib/floor-node.ts', { BENCH_SECRET: token }), query: '{ viewer { member { id } } }', auth: token },
      { name: 'bare graphql-yoga { viewer { id } } (floor)', start: () => forkFloor('./lib/floor-yoga.ts', {}), query: '{ viewer { id } }' },
      { name: 'Latchkey { viewer { member { id } } }, token', start: latchkey, query: '{ viewer { member { id } } }', auth: token },
      { name: 'Latchkey checkAccess, token', start: latchkey, query: CHECK_ACCESS, auth: token },
      { name: 'Latchkey GUARDED_QUERY, token', start: latchkey, query: GUARDED_QUERY, auth: token },
    ];
    if (pgDatabase && pgToken) {
      const onPg = latchkeyOn({ BENCH_DATABASE_URL: pgDatabase.url });
      configurations.push(
        { name: 'PostgreSQL: Latchkey { viewer { member { id } } }, token', start: onPg, query: '{ viewer { member { id } } }', auth: pgToken },
        { name: 'PostgreSQL: Latchkey checkAccess, token', start: onPg, query: CHECK_ACCESS, auth: pgToken },
        { name: 'PostgreSQL: Latchkey GUARDED_QUERY, token', start: onPg, query: GUARDED_QUERY, auth: pgToken },
      );
    }
    const samples = new Map<string, { cpu: number[]; rps: number[] }>(configurations.map((c) => [c.name, { cpu: [], rps: [] }]));
    let idleRss = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const configuration of configurations) {
        const target = await configuration.start();
        if (configuration.start === latchkey && round === 0 && idleRss === 0) {
          await new Promise((r) => setTimeout(r, 500));
          idleRss = (await ask<{ rssBytes: number }>(target.child, 'cpu')).rssBytes;
        }
        const { cpu, rps } = await measure(target, configuration.query, configuration.auth);
        samples.get(configuration.name)?.cpu.push(cpu);
        samples.get(configuration.name)?.rps.push(rps);
        await target.stop();
      }
    }
    const yoga = median(samples.get(configurations[1]?.name ?? '')?.cpu ?? [1]);
    const rows = configurations.map(({ name }) => {
      const s = samples.get(name) ?? { cpu: [], rps: [] };
      const cpu = median(s.cpu);
      return { name, cpuMicrosPerRequest: Math.round(cpu), requestsPerSecond: Math.round(median(s.rps)), ratioToYoga: Math.round((cpu / yoga) * 100) / 100 };
    });
    const compiledRss = await compiledIdleRss(join(dir, 'compiled.db'));
    return {
      requests: REQUESTS,
      rounds: ROUNDS,
      rows,
      latchkeyIdleRssMiB: Math.round(idleRss / 2 ** 20),
      compiledIdleRssMiB: Math.round(compiledRss / 2 ** 20),
      ...(pgDatabase ? {} : { postgres: `no PostgreSQL at ${BENCH_PG_URL}: rows skipped` }),
    };
  } finally {
    await pgDatabase?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchCpu(), null, 2));
}
