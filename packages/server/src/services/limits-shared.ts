import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { rateLimited } from '../errors.ts';
import { DEFAULT_LIMITS, type LimitSettings, type Limiters } from './limits.ts';

/**
 * The abuse limits of limits.ts over a store shared by every instance (issue 15), so that N bad
 * logins spread over several instances lock an account out exactly as N on one would:
 * rate-limiter-flexible's PostgreSQL store (an atomic INSERT … ON CONFLICT per attempt) or, where
 * configured, Redis. `limitersOver` composes the four limits whatever the store; limits.ts will
 * call it with RateLimiterMemory once it is wired in (it keeps its own copy until then).
 */

export type LimitName = 'login_account' | 'login_address' | 'bad_credential' | 'token';

/** Builds the limiter for one limit: `points` per `duration` seconds, keys kept apart by name. */
export type LimiterFactory = (name: LimitName, points: number, duration: number) => RateLimiterAbstract;

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (res instanceof RateLimiterRes) throw rateLimited(retryAfter(res));
    throw res; // the store failed: an error, never a silent pass
  }
}

export function limitersOver(
  make: LimiterFactory,
  config: Pick<Config, 'tokenRateLimitPerMinute'>,
  settings: LimitSettings = DEFAULT_LIMITS,
): Limiters {
  const loginAccount = make('login_account', settings.loginFailuresPerAccount, 15 * 60);
  const loginAddress = make('login_address', settings.loginFailuresPerAddress, 15 * 60);
  const badCredential = make('bad_credential', settings.badCredentialsPerAddress, 60);
  const perToken = config.tokenRateLimitPerMinute > 0 ? make('token', config.tokenRateLimitPerMinute, 60) : null;
  return {
    async beginLogin(email, address) {
      const account = email.toLowerCase();
      await consume(loginAccount, account);
      try {
        await consume(loginAddress, address);
      } catch (error) {
        // Refused for the address: this attempt does not count against the account.
        await loginAccount.reward(account, 1);
        throw error;
      }
    },
    async loginSucceeded(email, address) {
      await Promise.all([loginAccount.delete(email.toLowerCase()), loginAddress.reward(address, 1)]);
    },
    recordBadCredential: (address) => consume(badCredential, address),
    async consumeTokenRequest(tokenId) {
      if (perToken) await consume(perToken, tokenId);
    },
  };
}

/** The table rate-limiter-flexible keeps its counters in; created by the PostgreSQL migrations. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** Where the counters live. `prefix` (default "latchkey") keeps the keys of deployments sharing a Redis apart. */
export type SharedStore = ({ kind: 'postgres'; pool: pg.Pool } | { kind: 'redis'; url: string }) & { prefix?: string };

export interface SharedLimiters extends Limiters {
  /** Closes what this module opened (the Redis connection); a PostgreSQL pool stays the caller's. */
  close(): Promise<void>;
}

/**
 * Limiters over a shared store. PostgreSQL: the migrations create the table (so no instance
 * races another to create it at start). Redis: one ioredis connection; a Redis that is down makes
 * the limited operations fail (an error), it does not switch the limits off.
 */
export function createSharedLimiters(
  store: SharedStore,
  config: Pick<Config, 'tokenRateLimitPerMinute'>,
  settings: LimitSettings = DEFAULT_LIMITS,
): SharedLimiters {
  const prefix = store.prefix ?? 'latchkey';
  if (store.kind === 'postgres') {
    const make: LimiterFactory = (name, points, duration) =>
      new RateLimiterPostgres({
        storeClient: store.pool,
        storeType: 'pool',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
        keyPrefix: `${prefix}:${name}`,
        points,
        duration,
      });
    return { ...limitersOver(make, config, settings), close: async () => undefined };
  }
  const redis = new Redis(store.url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', (error) => console.error('latchkey: Redis (limits) error:', error.message));
  const make: LimiterFactory = (name, points, duration) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points, duration });
  return {
    ...limitersOver(make, config, settings),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
