import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migratePg } from '../../src/db/pg/client.ts';
import { LatchkeyError } from '../../src/errors.ts';
import type { LimitSettings, Limiters } from '../../src/services/limits.ts';
import { createSharedLimiters, type SharedLimiters, type SharedStore } from '../../src/services/limits-shared.ts';
import { createTestDatabase, describePg, describeRedis, testRedisUrl, type TestDatabase } from './pg-helpers.ts';

const SETTINGS: LimitSettings = { loginFailuresPerAccount: 5, loginFailuresPerAddress: 1_000, badCredentialsPerAddress: 7 };
const config = { tokenRateLimitPerMinute: 0 };

/** 'ok' or the error code of one call. */
async function outcome(call: Promise<void>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code;
    throw error;
  }
}

const unique = () => randomBytes(6).toString('hex');

/** The same cases for each store: two instances (own connections each) against one instance. */
function sharedLimiterCases(open: () => SharedLimiters) {
  let one: SharedLimiters, two: SharedLimiters, alone: SharedLimiters;
  beforeAll(() => {
    [one, two, alone] = [open(), open(), open()];
  });
  afterAll(async () => {
    await Promise.all([one, two, alone].map((limiters) => limiters?.close()));
  });

  /** N login attempts for one email, alternating over `instances`, each from a different address. */
  async function logins(instances: Limiters[], email: string, n: number): Promise<string[]> {
    const results: string[] = [];
    for (let i = 0; i < n; i++) {
      const limiters = instances[i % instances.length] as Limiters;
      results.push(await outcome(limiters.beginLogin(email, `10.0.${i}.1`)));
    }
    return results;
  }

  it('bad logins spread over two instances lock the account out at the same threshold as on one', async () => {
    const spread = await logins([one, two], `${unique()}@example.test`, 8);
    const single = await logins([alone], `${unique()}@example.test`, 8);
    expect(single).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(spread).toEqual(single);
  });

  it('counts exactly under concurrent attempts on both instances', async () => {
    const email = `${unique()}@example.test`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => outcome((i % 2 ? one : two).beginLogin(email, `10.1.${i}.1`))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(SETTINGS.loginFailuresPerAccount);
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(20 - SETTINGS.loginFailuresPerAccount);
  });

  it('a success on one instance clears the account for the other', async () => {
    const email = `${unique()}@example.test`;
    expect(await logins([one, two], email, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    await one.loginSucceeded(email, '10.2.0.1');
    expect(await outcome(two.beginLogin(email, '10.2.0.2'))).toBe('ok');
  });

  it('bad credentials from one address are counted across instances', async () => {
    const address = `10.3.0.1/${unique()}`;
    const results: string[] = [];
    for (let i = 0; i < 9; i++) results.push(await outcome((i % 2 ? one : two).recordBadCredential(address)));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
}

describePg('shared limiters over PostgreSQL (RateLimiterPostgres)', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    await migratePg(database.url);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });
  sharedLimiterCases(() => {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pools.push(pool);
    const store: SharedStore = { kind: 'postgres', pool };
    return createSharedLimiters(store, config, SETTINGS);
  });

  it('keeps its counters in the rate_limits table the migrations created', async () => {
    const { rows } = await (pools[0] as pg.Pool).query<{ key: string }>(`SELECT key FROM rate_limits WHERE key LIKE 'latchkey:login_account:%'`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
});

describeRedis('shared limiters over Redis (RateLimiterRedis)', () => {
  const prefix = `latchkey_test_${unique()}`;
  afterAll(async () => {
    const redis = new Redis(testRedisUrl as string);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  sharedLimiterCases(() => createSharedLimiters({ kind: 'redis', url: testRedisUrl as string, prefix }, config, SETTINGS));
});
