import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { rateLimited } from '../errors.ts';

/**
 * Abuse limits (rate-limiter-flexible). In-memory for one instance; a shared store
 * (RateLimiterPostgres / Redis) has the same interface, so swapping it changes only this file.
 */
export interface Limiters {
  /** Before verifying a password: refuse if this account or address failed too often. */
  assertLoginAllowed(email: string, address: string): Promise<void>;
  recordLoginFailure(email: string, address: string): Promise<void>;
  recordLoginSuccess(email: string): Promise<void>;
  /** A bad credential from this address; throws RATE_LIMITED once over the limit. */
  recordBadCredential(address: string): Promise<void>;
  /** The optional per-token request rate. */
  consumeTokenRequest(tokenId: string): Promise<void>;
}

export interface LimitSettings {
  loginFailuresPerAccount: number; // per 15 minutes (NIST: well under 100 consecutive)
  loginFailuresPerAddress: number; // per 15 minutes
  badCredentialsPerAddress: number; // per minute
}

export const DEFAULT_LIMITS: LimitSettings = {
  loginFailuresPerAccount: 10,
  loginFailuresPerAddress: 50,
  badCredentialsPerAddress: 120,
};

function retryAfter(res: unknown): number {
  return res instanceof RateLimiterRes ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 60;
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (res instanceof RateLimiterRes) throw rateLimited(retryAfter(res));
    throw res;
  }
}

async function assertUnder(limiter: RateLimiterAbstract, key: string): Promise<void> {
  const res = await limiter.get(key);
  if (res && res.remainingPoints <= 0) throw rateLimited(retryAfter(res));
}

export function createLimiters(config: Pick<Config, 'tokenRateLimitPerMinute'>, settings: LimitSettings = DEFAULT_LIMITS): Limiters {
  const loginAccount = new RateLimiterMemory({ points: settings.loginFailuresPerAccount, duration: 15 * 60 });
  const loginAddress = new RateLimiterMemory({ points: settings.loginFailuresPerAddress, duration: 15 * 60 });
  const badCredential = new RateLimiterMemory({ points: settings.badCredentialsPerAddress, duration: 60 });
  const perToken =
    config.tokenRateLimitPerMinute > 0 ? new RateLimiterMemory({ points: config.tokenRateLimitPerMinute, duration: 60 }) : null;
  return {
    async assertLoginAllowed(email, address) {
      await assertUnder(loginAccount, email.toLowerCase());
      await assertUnder(loginAddress, address);
    },
    async recordLoginFailure(email, address) {
      await Promise.allSettled([loginAccount.consume(email.toLowerCase()), loginAddress.consume(address)]);
    },
    async recordLoginSuccess(email) {
      await loginAccount.delete(email.toLowerCase());
    },
    recordBadCredential: (address) => consume(badCredential, address),
    async consumeTokenRequest(tokenId) {
      if (perToken) await consume(perToken, tokenId);
    },
  };
}
