import { isAbsolute, resolve } from 'node:path';

/** Everything the server reads from its environment, in one place (README's configuration table). */
export interface Config {
  /** The embedded SQLite file (LATCHKEY_DB), used unless `databaseUrl` is set. */
  dbPath: string;
  /** `postgres://…` (LATCHKEY_DATABASE_URL): run on PostgreSQL; several instances may share it. */
  databaseUrl: string | undefined;
  /** Connections in each instance's PostgreSQL pool (LATCHKEY_DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  /** Where the abuse limiters keep their counters when set (LATCHKEY_REDIS_URL); else PostgreSQL, or memory on SQLite. */
  redisUrl: string | undefined;
  port: number;
  host: string;
  ownerEmail: string;
  ownerPassword: string | undefined;
  signupOpen: boolean;
  /** log2 of scrypt's N for new password hashes (stored per hash, so it can be raised later). */
  scryptLogN: number;
  sessionTtlMs: number;
  /** How often coalesced lastUsedAt values are written. */
  lastUsedFlushMs: number;
  maxBodyBytes: number;
  introspection: boolean;
  /** Requests per minute allowed per API token; 0 disables the per-token limit. */
  tokenRateLimitPerMinute: number;
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy: boolean;
  /** Serve the web console at / (LATCHKEY_CONSOLE=off: only a pointer to /graphql). */
  console: boolean;
  /** Browser origins allowed to call the API cross-origin (CORS); empty: same origin only. */
  corsOrigins: string[];
  /** Serve GraphiQL at GET /graphql (LATCHKEY_PLAYGROUND=off turns it off). */
  playground: boolean;
  /**
   * `required`: a request made with an API access token must name a persisted document (the SDK's
   * manifest) by hash; sessions and anonymous requests may still send documents. `off`: both work.
   */
  trustedDocuments: 'off' | 'required';
}

function originsFrom(value: string | undefined): string[] {
  const origins = (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`LATCHKEY_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`);
  }
  return origins;
}

function trustedDocumentsFrom(value: string | undefined): Config['trustedDocuments'] {
  if (value === undefined || value === '' || value === 'off') return 'off';
  if (value === 'required') return 'required';
  throw new Error(`LATCHKEY_TRUSTED_DOCUMENTS must be "off" or "required", got "${value}"`);
}

function databaseUrlFrom(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error('LATCHKEY_DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite database)');
  return value;
}

function intFrom(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected a non-negative integer, got "${value}"`);
  return n;
}

/**
 * Relative paths are relative to where the command was typed: `pnpm start` runs in the
 * package folder, but pnpm passes the original directory as INIT_CWD.
 */
function resolveFromInvocation(path: string, env: NodeJS.ProcessEnv): string {
  if (path === ':memory:' || isAbsolute(path)) return path;
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    dbPath: resolveFromInvocation(env.LATCHKEY_DB ?? './data/latchkey.db', env),
    databaseUrl: databaseUrlFrom(env.LATCHKEY_DATABASE_URL),
    databasePoolSize: Math.max(1, intFrom(env.LATCHKEY_DATABASE_POOL_SIZE, 10)),
    redisUrl: env.LATCHKEY_REDIS_URL || undefined,
    port: intFrom(env.PORT, 4000),
    host: env.HOST ?? '0.0.0.0',
    ownerEmail: (env.LATCHKEY_OWNER_EMAIL ?? 'owner@localhost').toLowerCase(),
    ownerPassword: env.LATCHKEY_OWNER_PASSWORD || undefined,
    signupOpen: env.LATCHKEY_SIGNUP === 'open',
    scryptLogN: intFrom(env.LATCHKEY_SCRYPT_LOG_N, 17),
    sessionTtlMs: intFrom(env.LATCHKEY_SESSION_TTL_HOURS, 24 * 14) * 3_600_000,
    lastUsedFlushMs: intFrom(env.LATCHKEY_LAST_USED_FLUSH_MS, 5_000),
    maxBodyBytes: intFrom(env.LATCHKEY_MAX_BODY_BYTES, 100_000),
    introspection: env.LATCHKEY_INTROSPECTION !== 'off',
    tokenRateLimitPerMinute: intFrom(env.LATCHKEY_TOKEN_RATE_LIMIT, 0),
    trustProxy: env.LATCHKEY_TRUST_PROXY === 'true',
    console: env.LATCHKEY_CONSOLE !== 'off',
    corsOrigins: originsFrom(env.LATCHKEY_CORS_ORIGINS),
    playground: env.LATCHKEY_PLAYGROUND !== 'off',
    trustedDocuments: trustedDocumentsFrom(env.LATCHKEY_TRUSTED_DOCUMENTS),
  };
}
