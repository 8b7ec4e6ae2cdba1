import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createLatchkeyYoga, type Yoga } from '../src/server.ts';
import { bootstrapOwner } from '../src/services/accounts.ts';

export const OWNER_EMAIL = 'owner@example.test';
export const OWNER_PASSWORD = 'correct horse battery';

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> };
}

export interface TestServer {
  app: App;
  yoga: Yoga;
  /** Every line the server logged (to check that no secret ever reaches a log). */
  logs: string[];
  /** POST a GraphQL operation in-process through Yoga (real headers and statuses, no port). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: { auth?: string | null; headers?: Record<string, string> }): Promise<GqlResponse<T>>;
  /** The first owner's session secret. */
  owner: string;
  login(email: string, password: string): Promise<string>;
}

/**
 * A server on a fresh temporary database with its first owner created; cheap scrypt so tests
 * stay fast (production default is 2^17). Removed after the test file.
 */
export async function setupServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const config: Config = {
    ...loadConfig({}),
    dbPath: join(dir, 'latchkey.db'),
    ownerEmail: OWNER_EMAIL,
    ownerPassword: OWNER_PASSWORD,
    scryptLogN: 4,
    lastUsedFlushMs: 0,
    ...overrides,
  };
  const logs: string[] = [];
  const app = createApp(config, createLogger((line) => logs.push(line)));
  await bootstrapOwner(app);
  const yoga = createLatchkeyYoga(app);
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const gql: TestServer['gql'] = async (query, variables, options = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.auth) headers.authorization = options.auth;
    const response = await yoga.fetch('http://latchkey.test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  };

  const login = async (email: string, password: string) => {
    const res = await gql<{ login: { secret: string } }>(
      'mutation($input: LoginInput!) { login(input: $input) { secret } }',
      { input: { email, password } },
    );
    const secret = res.body.data?.login.secret;
    if (!secret) throw new Error(`login failed: ${JSON.stringify(res.body.errors)}`);
    return secret;
  };

  return { app, yoga, logs, gql, login, owner: await login(OWNER_EMAIL, OWNER_PASSWORD) };
}

/** The error code of the first error, for one-line assertions. */
export function errorCode(res: GqlResponse): unknown {
  return res.body.errors?.[0]?.extensions?.code;
}
