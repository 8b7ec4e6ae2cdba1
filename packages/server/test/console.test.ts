import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createConsoleHandler, resolveInside } from '../src/console.ts';
import { createLogger } from '../src/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';

/** The web console's static serving: cache headers, content types, traversal, SPA routes, LATCHKEY_CONSOLE=off. */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function raw(origin: string, path: string, method = 'GET', extra: Record<string, string> = {}): Promise<Raw> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...extra } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(method === 'POST' ? JSON.stringify({ query: '{ __typename }' }) : undefined);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const SECRET_OUTSIDE = 'outside the console folder: never served';
const dir = mkdtempSync(join(tmpdir(), 'latchkey-console-test-'));
const root = join(dir, 'dist');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serving the built console', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Latchkey</title><script type="module" src="/assets/index-AbC123.js"></script>');
    writeFileSync(join(root, 'assets', 'index-AbC123.js'), 'console.log("console")');
    writeFileSync(join(root, 'assets', 'index-DeF456.css'), 'body{}');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'secret.txt'), SECRET_OUTSIDE);
    server = createServer(createConsoleHandler({ enabled: true, root }));
    origin = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('index.html is revalidated on every load (no-cache), as HTML, under a CSP that allows only its own origin', async () => {
    const res = await raw(origin, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>Latchkey</title>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('hashed assets are cached for a year and immutable, with their content types', async () => {
    const js = await raw(origin, '/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("console")');
    const css = await raw(origin, '/assets/index-DeF456.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('sends text gzipped to browsers that accept it, and answers a revalidation of an unchanged file with 304', async () => {
    const plain = await raw(origin, '/assets/index-AbC123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await raw(origin, '/assets/index-AbC123.js', 'GET', { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.body).toBe('console.log("console")');
    const first = await raw(origin, '/');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw(origin, '/', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['cache-control']).toBe('no-cache');
    expect((await raw(origin, '/', 'GET', { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('an unhashed file is served with its type but revalidated (no-cache)', async () => {
    const icon = await raw(origin, '/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('client routes get index.html; a missing file is a 404, never index.html under another type', async () => {
    for (const path of ['/tokens', '/members', '/check-access?x=1']) {
      const res = await raw(origin, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>Latchkey</title>');
    }
    for (const path of ['/assets/index-gone99.js', '/logo.png']) {
      const res = await raw(origin, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('<title>Latchkey</title>');
    }
  });

  it('refuses every path that would leave the console folder', async () => {
    const attempts = ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%2e%2e%2fsecret.txt', '/index.html%00.js', '/%E0%A4%A'];
    for (const path of attempts) {
      const res = await raw(origin, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain(SECRET_OUTSIDE);
    }
    expect(resolveInside(root, '/../secret.txt')).toBeNull();
    expect(resolveInside(root, '/assets/%2e%2e/%2e%2e/secret.txt')).toBeNull();
    expect(resolveInside(root, '/assets/index-AbC123.js')).toBe(join(root, 'assets', 'index-AbC123.js'));
  });

  it('answers GET and HEAD only', async () => {
    const head = await raw(origin, '/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBeDefined();
    const post = await raw(origin, '/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('says how to build the console when it has not been built, and points to the playground', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const unbuilt = createServer(createConsoleHandler({ enabled: true, root: empty }));
    const at = await listen(unbuilt);
    const res = await raw(at, '/');
    await new Promise<void>((resolve) => unbuilt.close(() => resolve()));
    expect(res.status).toBe(503);
    expect(res.body).toContain('pnpm --filter @latchkey/console build');
    expect(res.body).toContain('href="/graphql"');
  });
});

describe('the real server routes / to the console and /graphql to the API', () => {
  async function start(env: Record<string, string>): Promise<RunningServer> {
    const db = mkdtempSync(join(dir, 'db-'));
    const config = { ...loadConfig(env), dbPath: join(db, 'latchkey.db'), scryptLogN: 4 };
    return startServer(await createApp(config, createLogger(() => {})), 0, '127.0.0.1');
  }

  it('LATCHKEY_CONSOLE=off: GET / is a small page pointing to the playground at /graphql; client routes are 404; the API still answers', async () => {
    expect(loadConfig({ LATCHKEY_CONSOLE: 'off' }).console).toBe(false);
    expect(loadConfig({}).console).toBe(true);
    const running = await start({ LATCHKEY_CONSOLE: 'off' });
    const origin = running.url.replace(/\/graphql$/, '');
    try {
      const home = await raw(origin, '/');
      expect(home.status).toBe(200);
      expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(home.body).toContain('LATCHKEY_CONSOLE=off');
      expect(home.body).toContain('href="/graphql"');
      expect(home.body).not.toContain('/assets/');
      expect((await raw(origin, '/tokens')).status).toBe(404);
      const api = await raw(origin, '/graphql', 'POST');
      expect(api.status).toBe(200);
      expect(JSON.parse(api.body)).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await running.close();
    }
  });

  it('with the console on, /graphql stays the API and / is not the API', async () => {
    const running = await start({});
    const origin = running.url.replace(/\/graphql$/, '');
    try {
      const api = await raw(origin, '/graphql', 'POST');
      expect(JSON.parse(api.body)).toEqual({ data: { __typename: 'Query' } });
      const home = await raw(origin, '/');
      expect([200, 503]).toContain(home.status);
      expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(home.headers['content-security-policy']).toContain("script-src 'self'");
      expect((await raw(origin, '/', 'POST')).status).toBe(405);
    } finally {
      await running.close();
    }
  });
});
