import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { rateLimited } from '../errors.ts';

/**
 * Abuse limits (rate-limiter-flexible). In-memory for one instance; over a shared store
 * (RateLimiterPostgres / Redis, services/limits-shared.ts) for several, composed by `limitersOver`.
 */
export interface Limiters {
  /**
   * Before verifying a password: counts this attempt against the account and the address, and
   * throws RATE_LIMITED past either limit. The attempt is counted up front, not once it failed, so
   * concurrent guesses cannot all get past the check while their slow hashes are being verified.
   */
  beginLogin(email: string, address: string): Promise<void>;
  /** The password was right: the attempt is given back (the account starts afresh). */
  loginSucceeded(email: string, address: string): Promise<void>;
  /**
   * Before a sign-up does anything (even checking the email): counts it against the address and
   * throws RATE_LIMITED past the limit, so signUp's CONFLICT cannot be used to test many emails.
   */
  beginSignUp(address: string): Promise<void>;
  /** A bad credential from this address; throws RATE_LIMITED once over the limit. */
  recordBadCredential(address: string): Promise<void>;
  /** The optional per-token request rate. */
  consumeTokenRequest(tokenId: string): Promise<void>;
}

export interface LimitSettings {
  loginFailuresPerAccount: number; // per 15 minutes (NIST: well under 100 consecutive); a success resets it
  loginFailuresPerAddress: number; // per 15 minutes; a success gives its attempt back
  badCredentialsPerAddress: number; // per minute
  signUpsPerAddress?: number; // per hour, successful or not (default 10)
}

const DEFAULT_SIGN_UPS_PER_ADDRESS = 10;

export const DEFAULT_LIMITS: LimitSettings = {
  loginFailuresPerAccount: 10,
  loginFailuresPerAddress: 50,
  badCredentialsPerAddress: 120,
  signUpsPerAddress: DEFAULT_SIGN_UPS_PER_ADDRESS,
};

function retryAfter(res: unknown): number {
  return res instanceof RateLimiterRes ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 60;
}

async function consume(limiter: RateLimiterAbstract, key: string, refusal = (seconds: number) => rateLimited(seconds)): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (res instanceof RateLimiterRes) throw refusal(retryAfter(res));
    throw res;
  }
}

/**
 * The account (not the caller's address) is locked: say so, and when it ends. The message names the
 * time left (the same for a known and an unknown email, so it tells nothing); `lockedUntil` the end.
 */
function accountLocked(seconds: number) {
  const error = rateLimited(
    seconds,
    `Too many failed logins for this account: it is locked for ${Math.ceil(seconds / 60)} more minute(s) (retry in ${seconds}s); other accounts are not affected`,
  );
  error.extensions.lockedUntil = new Date(Date.now() + seconds * 1000).toISOString();
  return error;
}
const addressLimited = (what: string) => (seconds: number) => rateLimited(seconds, `Too many ${what} from your address; retry in ${seconds}s`);

/** The limits by name; a store keeps each one's keys apart. */
export type LimitName = 'login_account' | 'login_address' | 'bad_credential' | 'sign_up' | 'token';

/** Builds the limiter for one limit: `points` per `duration` seconds, in some store. */
export type LimiterFactory = (name: LimitName, points: number, duration: number) => RateLimiterAbstract;

/**
 * The limits, composed the same way whatever the store: in memory for one instance
 * (`createLimiters`), or shared by every instance (services/limits-shared.ts). A store that fails
 * makes the limited call fail: limits are never switched off silently.
 */
export function limitersOver(make: LimiterFactory, config: Pick<Config, 'tokenRateLimitPerMinute'>, settings: LimitSettings = DEFAULT_LIMITS): Limiters {
  const loginAccount = make('login_account', settings.loginFailuresPerAccount, 15 * 60);
  const loginAddress = make('login_address', settings.loginFailuresPerAddress, 15 * 60);
  const badCredential = make('bad_credential', settings.badCredentialsPerAddress, 60);
  const signUpAddress = make('sign_up', settings.signUpsPerAddress ?? DEFAULT_SIGN_UPS_PER_ADDRESS, 60 * 60);
  const perToken = config.tokenRateLimitPerMinute > 0 ? make('token', config.tokenRateLimitPerMinute, 60) : null;
  return {
    async beginLogin(email, address) {
      const account = email.toLowerCase();
      await consume(loginAccount, account, accountLocked);
      try {
        await consume(loginAddress, address, addressLimited('login attempts'));
      } catch (error) {
        // Refused for the address: this attempt does not count against the account.
        await loginAccount.reward(account, 1);
        throw error;
      }
    },
    async loginSucceeded(email, address) {
      await Promise.all([loginAccount.delete(email.toLowerCase()), loginAddress.reward(address, 1)]);
    },
    beginSignUp: (address) => consume(signUpAddress, address, addressLimited('sign-ups')),
    recordBadCredential: (address) => consume(badCredential, address),
    async consumeTokenRequest(tokenId) {
      if (perToken) await consume(perToken, tokenId);
    },
  };
}

/** The limits in this process's memory (one instance). */
export function createLimiters(config: Pick<Config, 'tokenRateLimitPerMinute'>, settings: LimitSettings = DEFAULT_LIMITS): Limiters {
  return limitersOver((_name, points, duration) => new RateLimiterMemory({ points, duration }), config, settings);
}
