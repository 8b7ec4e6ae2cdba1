/**
 * Scale: a database with many tokens (1,000,000 by default; BENCH_TOKENS to change).
 * Measures authentication latency (cold: first lookup of a secret; cached), the `tokens` first
 * page and a page deep in by cursor, createToken latency, and the database size on disk.
 * Runs in-process (yoga.fetch) so it measures Latchkey, not the network.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE62, SECRET_PREFIXES, secretChecksum } from '../packages/sdk/src/secrets.ts';
import { createApp, sqliteOf } from '../packages/server/src/app.ts';
import { authenticate } from '../packages/server/src/auth/credentials.ts';
import { loadConfig } from '../packages/server/src/config.ts';
import { silentLogger } from '../packages/server/src/logger.ts';
import { createLatchkeyYoga } from '../packages/server/src/server.ts';
import { bootstrapOwner } from '../packages/server/src/services/accounts.ts';
import { findMemberByEmail } from '../packages/server/src/store/members.ts';
import { mean, percentile, timeEach } from './lib/stats.ts';

export interface ScaleResult {
  tokens: number;
  insertSeconds: number;
  authColdMeanMs: number;
  authColdP99Ms: number;
  authCachedMeanMs: number;
  authCachedP99Ms: number;
  firstPageMs: number;
  deepPageMs: number;
  deepToFirstRatio: number;
  createTokenMeanMs: number;
  createTokenP99Ms: number;
  databaseBytes: number;
}

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** A valid personal-token secret for index i (unique, with a correct checksum). */
function secretFor(i: number, salt: string): string {
  const prefix = SECRET_PREFIXES.personal;
  const body = base62(i, 8) + salt;
  return prefix + body + secretChecksum(prefix + body);
}

export async function benchScale(count = Number(process.env.BENCH_TOKENS ?? 1_000_000)): Promise<ScaleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-scale-'));
  const dbPath = join(dir, 'scale.db');
  const app = await createApp({ ...loadConfig({}), dbPath, scryptLogN: 4, lastUsedFlushMs: 0, ownerPassword: 'benchmark-owner' }, silentLogger);
  try {
    await bootstrapOwner(app);
    const owner = await findMemberByEmail(app.db, app.config.ownerEmail);
    if (!owner) throw new Error('no owner');
    const salt = 'S'.repeat(24);

    // Bulk load with prepared statements: this measures Latchkey on a big table, not the loader.
    const sqlite = sqliteOf(app);
    const insertToken = sqlite.prepare(
      `INSERT INTO tokens (id, account_id, kind, owner_id, name, role, default_api_version, obscured_secret, created_at, updated_at)
       VALUES (?, ?, 'personal', ?, ?, 'reader', 20240415, ?, ?, ?)`,
    );
    const insertSecret = sqlite.prepare('INSERT INTO token_secrets (secret_hash, token_id, created_at) VALUES (?, ?, ?)');
    const idPrefix = Date.now().toString(36).padStart(9, '0');
    const idFor = (i: number) => idPrefix + i.toString(36).padStart(16, '0');
    const started = performance.now();
    const batch = sqlite.transaction((from: number, to: number) => {
      const now = Date.now();
      for (let i = from; i < to; i++) {
        const secret = secretFor(i, salt);
        const id = idFor(i);
        insertToken.run(id, owner.accountId, owner.id, `token ${i}`, `${secret.slice(0, 4)}…${secret.slice(-4)}`, now, now);
        insertSecret.run(createHash('sha256').update(secret).digest('base64url'), id, now);
      }
    });
    for (let from = 0; from < count; from += 50_000) batch(from, Math.min(count, from + 50_000));
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.exec('ANALYZE');
    const insertSeconds = (performance.now() - started) / 1000;

    // Authentication: cold = a secret never seen by this process; cached = the same again.
    const sample = Array.from({ length: 2000 }, (_, k) => Math.floor((k * 7919 * 104729) % count));
    const cold = await timeEach(sample.length, (k) => authenticate(app, secretFor(sample[k] ?? 0, salt)));
    const cached = await timeEach(sample.length, (k) => authenticate(app, secretFor(sample[k] ?? 0, salt)));

    // Pages through GraphQL, as the owner (who may list every token).
    const yoga = createLatchkeyYoga(app);
    const post = async (query: string, variables: Record<string, unknown>, auth?: string) => {
      const res = await yoga.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data ?? {};
    };
    const login = (await post('mutation($i: LoginInput!) { login(input: $i) { secret } }', {
      i: { email: app.config.ownerEmail, password: 'benchmark-owner' },
    })) as { login: { secret: string } };
    const session = login.login.secret;
    const page = 'query($after: String) { tokens(first: 50, showAll: true, after: $after) { edges { node { id name obscuredSecret } } pageInfo { hasNextPage endCursor } } }';
    const deepCursor = Buffer.from(`tokens:${idFor(Math.floor(count * 0.9))}`).toString('base64url'); // a cursor names its list (schema/common.ts)
    await post(page, {}, session);
    const first = await timeEach(50, () => post(page, {}, session));
    const deep = await timeEach(50, () => post(page, { after: deepCursor }, session));

    const create = await timeEach(200, (i) =>
      post('mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { name: `new ${i}`, role: 'READER' } }, session),
    );

    const size = [dbPath, `${dbPath}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
    return {
      tokens: count,
      insertSeconds,
      authColdMeanMs: mean(cold),
      authColdP99Ms: percentile(cold, 99),
      authCachedMeanMs: mean(cached),
      authCachedP99Ms: percentile(cached, 99),
      firstPageMs: percentile(first, 50),
      deepPageMs: percentile(deep, 50),
      deepToFirstRatio: percentile(deep, 50) / percentile(first, 50),
      createTokenMeanMs: mean(create),
      createTokenP99Ms: percentile(create, 99),
      databaseBytes: size,
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchScale());
}
