/**
 * Auth overhead over HTTP: the same query and Yoga configuration against a server with
 * authentication + authorization on (a personal token with a ~10-statement custom role) and off
 * (code-only baseline), load from this process by autocannon, the server in a child process.
 * Also: the optional per-token rate limiter's cost, and lastUsedAt write amplification.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { REALISTIC_ROLE_POLICY, graphql, loginAs } from './lib/graphql.ts';
import { startServerProcess, type ServerProcess } from './lib/server-process.ts';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface HttpResult {
  authenticated: LoadResult;
  unauthenticated: LoadResult;
  ratio: number;
  withTokenLimiter: LoadResult;
  limiterRatio: number;
  lastUsed: { requests: number; tokens: number; writes: number; flushes: number };
}

/** Several guarded fields: the viewer, the token used, the account, a project with its environments and a flag state. */
export const GUARDED_QUERY =
  '{ viewer { member { id email role } token { name kind } } account { name serviceTokenLimit } project(key: "web") { key name environments { key } flags { key on(environmentKey: "test") } } }';

const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? 6);

async function load(url: string, auth: string | undefined): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 10,
    pipelining: 1,
    duration: DURATION,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify({ query: GUARDED_QUERY }),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function warm(url: string, auth: string | undefined): Promise<void> {
  await autocannon({ url, method: 'POST', connections: 10, duration: 2, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify({ query: GUARDED_QUERY }) });
}

/** Creates the role, project and personal token the load uses; returns the token secret. */
async function setup(server: ServerProcess): Promise<string> {
  const owner = await loginAs(server.url, server.ownerEmail, server.ownerPassword);
  await graphql(server.url, 'mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } } }', {
    i: { id: (await graphql<{ viewer: { member: { id: string } } }>(server.url, '{ viewer { member { id } } }', {}, owner)).viewer.member.id, roleAttributes: [{ key: 'projects', values: ['web', 'api'] }] },
  }, owner);
  await graphql(server.url, 'mutation($i: CreateRoleInput!) { createRole(input: $i) { role { key } } }', {
    i: { key: 'ci', name: 'CI', policy: REALISTIC_ROLE_POLICY },
  }, owner);
  await graphql(server.url, 'mutation { createProject(input: { key: "web", name: "Web", tags: ["frontend"] }) { project { key } } }', {}, owner);
  await graphql(server.url, 'mutation { createFlag(input: { projectKey: "web", key: "new-checkout", name: "New checkout" }) { flag { key } } }', {}, owner);
  const created = await graphql<{ createToken: { secret: string } }>(server.url, 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', {
    i: { name: 'bench', customRoleKeys: ['ci'] },
  }, owner);
  return created.createToken.secret;
}

export async function benchHttp(): Promise<HttpResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-http-'));
  const db = join(dir, 'http.db');
  try {
    let server = await startServerProcess({ BENCH_DB: db });
    const token = await setup(server);
    // Check the query succeeds with the token before measuring it.
    await graphql(server.url, GUARDED_QUERY, {}, token);
    await server.stop();

    const runs: { on: LoadResult[]; off: LoadResult[]; limiter: LoadResult[] } = { on: [], off: [], limiter: [] };
    // Alternate the three configurations three times so drift on a shared machine affects each alike;
    // keep the best run of each. "limiter": auth on plus the per-token limiter (set high enough
    // never to refuse), to measure what the limiter itself costs on the authenticated path.
    const configurations: Array<[keyof typeof runs, Record<string, string>, string | undefined]> = [
      ['on', {}, token],
      ['off', { BENCH_WITHOUT_AUTH: '1' }, undefined],
      ['limiter', { LATCHKEY_TOKEN_RATE_LIMIT: '100000000' }, token],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [name, env, auth] of configurations) {
        server = await startServerProcess({ BENCH_DB: db, ...env });
        await warm(server.url, auth);
        runs[name].push(await load(server.url, auth));
        await server.stop();
      }
    }
    const best = (list: LoadResult[]) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const authenticated = best(runs.on);
    const unauthenticated = best(runs.off);
    const withTokenLimiter = best(runs.limiter);

    // lastUsedAt write amplification: 10,000 requests with one token, flushed once a second.
    server = await startServerProcess({ BENCH_DB: db });
    const before = await server.lastUsedWrites();
    const started = Date.now();
    await autocannon({ url: server.url, method: 'POST', connections: 10, amount: 10_000, headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify({ query: '{ viewer { member { id } } }' }) });
    const seconds = (Date.now() - started) / 1000;
    const writes = (await server.lastUsedWrites()) - before;
    await server.stop();

    return {
      authenticated,
      unauthenticated,
      ratio: authenticated.requestsPerSecond / unauthenticated.requestsPerSecond,
      withTokenLimiter,
      limiterRatio: withTokenLimiter.requestsPerSecond / authenticated.requestsPerSecond,
      lastUsed: { requests: 10_000, tokens: 1, writes, flushes: Math.ceil(seconds) + 1 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchHttp(), null, 2));
}
