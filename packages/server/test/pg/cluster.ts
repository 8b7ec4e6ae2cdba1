import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Several real Latchkey servers (`node --import tsx src/main.ts`, one process each) on ONE
 * database, for the multi-instance tests (issue 15) and `BENCH_ONLY=cluster`. Nothing here uses
 * vitest, so the benchmarks import it too. The database is PostgreSQL (LATCHKEY_DATABASE_URL) or,
 * for comparison, one SQLite file shared by the processes (LATCHKEY_DB): there each process keeps
 * its own caches, which is what the PostgreSQL cache bus exists to fix.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const MAIN = join(ROOT, 'packages', 'server', 'src', 'main.ts');

export const CLUSTER_OWNER_EMAIL = 'owner@cluster.test';
export const CLUSTER_OWNER_PASSWORD = 'cluster-owner-password';

export type ClusterDatabase = { kind: 'postgres'; url: string; poolSize?: number } | { kind: 'sqlite'; path: string };

export interface Instance {
  name: string;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** The environment every instance gets: the database, the first owner, cheap scrypt, a trusted proxy. */
function instanceEnv(database: ClusterDatabase, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Whatever the test runner was started with must not pick the database.
  for (const name of ['LATCHKEY_DB', 'LATCHKEY_DATABASE_URL', 'LATCHKEY_DATABASE_POOL_SIZE', 'LATCHKEY_REDIS_URL', 'PORT', 'HOST']) delete env[name];
  Object.assign(env, {
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LATCHKEY_OWNER_EMAIL: CLUSTER_OWNER_EMAIL,
    LATCHKEY_OWNER_PASSWORD: CLUSTER_OWNER_PASSWORD,
    LATCHKEY_SCRYPT_LOG_N: '4',
    LATCHKEY_CONSOLE: 'off',
    // The tests send X-Forwarded-For to stand for many clients (per-address limits stay apart).
    LATCHKEY_TRUST_PROXY: 'true',
    LATCHKEY_LAST_USED_FLUSH_MS: '1000',
    // Tests sign up an account each, so one test's load never contends with another's rows.
    LATCHKEY_SIGNUP: 'open',
  });
  if (database.kind === 'postgres') {
    env.LATCHKEY_DATABASE_URL = database.url;
    env.LATCHKEY_DATABASE_POOL_SIZE = String(database.poolSize ?? 5);
  } else {
    env.LATCHKEY_DB = database.path;
  }
  return { ...env, ...extra };
}

/** Starts one server process and waits for "Latchkey listening on <url>" (PORT=0: the kernel picks). */
export async function startInstance(name: string, database: ClusterDatabase, extraEnv: Record<string, string> = {}, timeoutMs = 30_000): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: ROOT, env: instanceEnv(database, extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance ${name} did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /Latchkey listening on (http:\/\/\S+\/graphql)/.exec(output);
      if (listening?.[1]) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    name,
    url,
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface Cluster {
  instances: Instance[];
  stop(): Promise<void>;
}

/**
 * `size` instances on one database. By default the first starts alone (it migrates an empty
 * database and creates the first owner) and the others then start together; `together` starts
 * all of them at once on the empty database, as a deployment rolling out several would.
 */
export async function startCluster(database: ClusterDatabase, size = 3, extraEnv: Record<string, string> = {}, options: { together?: boolean } = {}): Promise<Cluster> {
  const names = Array.from({ length: size }, (_, i) => String.fromCharCode(65 + i)); // A, B, C…
  const started: Instance[] = [];
  const start = async (name: string) => {
    const instance = await startInstance(name, database, extraEnv);
    started.push(instance);
    return instance;
  };
  try {
    const first = options.together ? [] : [await start(names[0] as string)];
    const rest = await Promise.all(names.slice(first.length).map(start));
    const instances = [...first, ...rest];
    return { instances, stop: async () => void (await Promise.all(instances.map((i) => i.stop()))) };
  } catch (error) {
    await Promise.all(started.map((i) => i.stop()));
    throw error;
  }
}

export interface GqlResult<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface GqlOptions {
  auth?: string;
  /** Sent as X-Forwarded-For: the client address the instance sees (LATCHKEY_TRUST_PROXY). */
  address?: string;
  /** Give up waiting for the answer after this long (the request then throws a TimeoutError). */
  timeoutMs?: number;
}

/** One GraphQL request over HTTP (fetch: keep-alive connections). Network failures throw. */
export async function gql<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, options: GqlOptions = {}): Promise<GqlResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth) headers.authorization = options.auth;
  if (options.address) headers['x-forwarded-for'] = options.address;
  const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal });
  const text = await response.text();
  let body: { data?: T | null; errors?: GqlResult<T>['errors'] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, ...body };
}

/** The data of a request that must succeed; anything else throws with the response. */
export async function gqlOk<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, options: GqlOptions = {}): Promise<T> {
  const result = await gql<T>(url, query, variables, options);
  if (result.status !== 200 || result.errors || !result.data) throw new Error(`${url}: ${result.status} ${JSON.stringify(result.errors ?? result.data)}`);
  return result.data;
}

export const errorCode = (result: GqlResult<unknown>): unknown => result.errors?.[0]?.extensions?.code;

export async function login(url: string, email: string, password: string, address?: string): Promise<string> {
  const data = await gqlOk<{ login: { secret: string } }>(url, 'mutation($i: LoginInput!) { login(input: $i) { secret } }', { i: { email, password } }, { address });
  return data.login.secret;
}

/** A new account through `url` (LATCHKEY_SIGNUP=open): its owner's session. */
export async function signUp(url: string, accountName: string, address: string): Promise<string> {
  const email = `owner@${accountName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.test`;
  const data = await gqlOk<{ signUp: { secret: string } }>(
    url,
    'mutation($i: SignUpInput!) { signUp(input: $i) { secret } }',
    { i: { accountName, email, name: `${accountName} owner`, password: 'account-owner-password' } },
    { address },
  );
  return data.signUp.secret;
}

/** A distinct made-up client address for the n-th use (10.x.y.z), so per-address limits never mix uses. */
export function addressFor(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

const CREATE_TOKEN = 'mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id } secret } }';
const PROBE = '{ viewer { member { id } } }';

export interface IssuedToken {
  id: string;
  secret: string;
}

export async function createToken(url: string, auth: string, input: Record<string, unknown>): Promise<IssuedToken> {
  const data = await gqlOk<{ createToken: { token: { id: string }; secret: string } }>(url, CREATE_TOKEN, { i: input }, { auth });
  return { id: data.createToken.token.id, secret: data.createToken.secret };
}

/** A new member (invited and accepted through `url`): its id and a session. */
export async function addMember(url: string, owner: string, email: string, role = 'READER', password = 'member-password-1'): Promise<{ id: string; session: string; email: string; password: string }> {
  const invited = await gqlOk<{ inviteMember: { member: { id: string }; inviteCode: string } }>(
    url,
    'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { member { id } inviteCode } }',
    { i: { email, role } },
    { auth: owner },
  );
  const accepted = await gqlOk<{ acceptInvite: { secret: string } }>(url, 'mutation($i: AcceptInviteInput!) { acceptInvite(input: $i) { secret } }', {
    i: { inviteCode: invited.inviteMember.inviteCode, name: email.split('@')[0], password },
  });
  return { id: invited.inviteMember.member.id, session: accepted.acceptInvite.secret, email, password };
}

/** How one observer saw a revoked credential after the revoking instance acknowledged. */
export interface Observation {
  instance: string;
  /** ms from the acknowledgement to the first 401 response; null if still served at the bound. */
  refusedAfterMs: number | null;
  /** Requests sent after the acknowledgement that were still served (200). */
  servedAfterAck: number;
  /** A request after the first refusal that was served again (must never happen). */
  servedAgain: boolean;
  /** The status of the first non-200 response, when it was not 401 (e.g. 429). */
  unexpectedStatus: number | null;
}

export interface Revocation {
  kind: 'deleteToken' | 'resetToken' | 'removeMember';
  through: string;
  observations: Observation[];
}

/**
 * Polls `secrets` on `observer` back to back from `ackAt` until each is refused (401), or until
 * `boundMs` has passed; then checks a further request is refused as well. Every request carries
 * `address`, so the bad-credential limit (per address, shared by the instances) stays out of it.
 */
async function watch(observer: Instance, secrets: string[], ackAt: number, boundMs: number, address: string): Promise<Observation> {
  const seen: Observation = { instance: observer.name, refusedAfterMs: null, servedAfterAck: 0, servedAgain: false, unexpectedStatus: null };
  let refusedAt = 0;
  for (const secret of secrets) {
    for (;;) {
      const result = await gql(observer.url, PROBE, {}, { auth: secret, address });
      const now = performance.now();
      if (result.status === 200 && result.data) {
        seen.servedAfterAck++;
        if (now - ackAt > boundMs) return seen;
        continue;
      }
      if (result.status !== 401) seen.unexpectedStatus = result.status;
      refusedAt = Math.max(refusedAt, now);
      break;
    }
    const again = await gql(observer.url, PROBE, {}, { auth: secret, address });
    if (again.status === 200) seen.servedAgain = true;
  }
  seen.refusedAfterMs = refusedAt - ackAt;
  return seen;
}

export interface RevocationOptions {
  /** Revocations in all (default 120): deleteToken and resetToken alternate, every 6th a removeMember. */
  count?: number;
  /** How long a revoked secret may still be served before it counts as never refused (default 2 s). */
  boundMs?: number;
  /** Numbers the made-up client addresses from here (so two runs on one database stay apart). */
  addressBase?: number;
  /** Stop early once this many revocations had an observer still serving at the bound (default: never). */
  maxFailures?: number;
}

/**
 * Revokes credentials through one instance after the others have cached them, then watches the
 * others refuse them: `count` revocations, the revoking instance rotating over the cluster.
 * `owner` is a session of the account's owner.
 */
export async function measureRevocations(instances: Instance[], owner: string, options: RevocationOptions = {}): Promise<Revocation[]> {
  const { count = 120, boundMs = 2_000, addressBase = 1, maxFailures = Number.POSITIVE_INFINITY } = options;
  const out: Revocation[] = [];
  let failures = 0;
  for (let i = 0; i < count && failures < maxFailures; i++) {
    const through = instances[i % instances.length] as Instance;
    const observers = instances.filter((x) => x !== through);
    const address = addressFor(addressBase + i);
    const kind: Revocation['kind'] = i % 6 === 5 ? 'removeMember' : i % 2 === 0 ? 'deleteToken' : 'resetToken';
    let secrets: string[];
    let revoke: () => Promise<unknown>;
    if (kind === 'removeMember') {
      const member = await addMember(through.url, owner, `revoked-${addressBase}-${i}@cluster.test`);
      const token = await createToken(through.url, member.session, { name: `member token ${i}`, role: 'READER' });
      secrets = [token.secret, member.session];
      revoke = () => gqlOk(through.url, 'mutation($id: ID!) { removeMember(input: { id: $id }) { removedMemberId } }', { id: member.id }, { auth: owner });
    } else {
      const token = await createToken(through.url, owner, { name: `${kind} ${i}`, role: 'READER' });
      secrets = [token.secret];
      revoke =
        kind === 'deleteToken'
          ? () => gqlOk(through.url, 'mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }', { id: token.id }, { auth: owner })
          : () => gqlOk(through.url, 'mutation($id: ID!) { resetToken(input: { id: $id }) { secret } }', { id: token.id }, { auth: owner });
    }
    // Each observer serves the secrets once, so they sit in its credential cache.
    for (const observer of observers) {
      for (const secret of secrets) await gqlOk(observer.url, PROBE, {}, { auth: secret, address });
    }
    await revoke();
    const ackAt = performance.now();
    const observations = await Promise.all(observers.map((observer) => watch(observer, secrets, ackAt, boundMs, address)));
    out.push({ kind, through: through.name, observations });
    if (observations.some((o) => o.refusedAfterMs === null)) failures++;
  }
  return out;
}

/** The refusal latencies (ms) of every observation that was refused. */
export function refusalLatencies(revocations: Revocation[]): number[] {
  return revocations.flatMap((r) => r.observations.map((o) => o.refusedAfterMs).filter((ms): ms is number => ms !== null));
}

/** The p-th percentile (nearest rank) of a sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
