import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer } from '../../src/server.ts';
import { bootstrapOwner } from '../../src/services/accounts.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from '../helpers.ts';

/** A real Latchkey server on a port (a fresh database, cheap scrypt), stopped after the file. */
export interface HttpServer {
  app: App;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  logs: string[];
  /** The first owner's session secret. */
  owner: string;
  /** POST a GraphQL operation as JSON over the socket. */
  post<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, auth?: string | null): Promise<HttpResult<T>>;
}

export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> };
}

export async function startHttpServer(overrides: Partial<Config> = {}): Promise<HttpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-http-'));
  const logs: string[] = [];
  const app = createApp(
    { ...loadConfig({}), dbPath: join(dir, 'latchkey.db'), ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4, lastUsedFlushMs: 0, ...overrides },
    createLogger((line) => logs.push(line)),
  );
  await bootstrapOwner(app);
  const running = await startServer(app, 0, '127.0.0.1');
  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = running.url;
  const post: HttpServer['post'] = async (query, variables = {}, auth = null) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as HttpResult<never>['body'] };
  };
  const login = await post<{ login: { secret: string } }>('mutation($i: LoginInput!) { login(input: $i) { secret } }', {
    i: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
  });
  const owner = login.body.data?.login.secret;
  if (!owner) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { app, url, origin: new URL(url).origin, logs, owner, post };
}

/**
 * A request with headers exactly as given, repeated names included (fetch would join them):
 * node:http's `request` sends an array of [name, value] pairs as separate header lines.
 */
export function rawRequest(url: string, method: string, headers: Array<[string, string]>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: headers.flat() }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
