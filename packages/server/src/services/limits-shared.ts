import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { DEFAULT_LIMITS, limitersOver, type LimiterFactory, type LimitSettings, type Limiters } from './limits.ts';

/**
 * The abuse limits of limits.ts over a store shared by every instance (issue 15), so that N bad
 * logins spread over several instances lock an account out exactly as N on one would:
 * rate-limiter-flexible's PostgreSQL store (an atomic INSERT … ON CONFLICT per attempt) or, where
 * configured, Redis. The limits themselves are composed by limits.ts's `limitersOver`.
 */

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
