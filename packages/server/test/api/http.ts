import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer } from '../../src/server.ts';
import { bootstrapOwner } from '../../src/services/accounts.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from '../helpers.ts';
import { closeWhenDone, testDatabaseConfig } from '../backend.ts';

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
  const database = await testDatabaseConfig(dir);
  const app = await createApp(
    { ...loadConfig({}), ...database.config, ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4, lastUsedFlushMs: 0, ...overrides },
    createLogger((line) => logs.push(line)),
  );
  await bootstrapOwner(app);
  const running = await startServer(app, 0, '127.0.0.1');
  closeWhenDone(async () => {
    await running.close();
    await database.drop();
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
 * A request written byte for byte on a socket, headers exactly as given (repeated names included:
 * fetch would join them). HTTP/1.1 with Connection: close; returns the status and the body.
 */
export function rawRequest(url: string, method: string, headers: Array<[string, string]>, body = ''): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(url);
  const lines = [`${method} ${pathname} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close', `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed socket may be closed by the server before a slower (PostgreSQL) answer; `connection: close` ends it.
    const socket = connect(Number(port), hostname, () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
  });
}
