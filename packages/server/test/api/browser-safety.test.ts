import { beforeAll, describe, expect, it } from 'vitest';
import { PLAYGROUND_CSP } from '../../src/plugins.ts';
import { rawRequest, startHttpServer, type HttpServer } from './http.ts';

/**
 * Issue 13 point 3 (CSRF without a custom header), issue 12 points 7 (one Authorization header) and
 * 9 (CORS from configuration, the playground's CSP, framing and storage), over real HTTP.
 */

let server: HttpServer;
beforeAll(async () => {
  server = await startHttpServer();
});

const PROJECT_COUNT = '{ projects(first: 100) { totalCount } }';
async function projectCount(): Promise<number> {
  const res = await server.post<{ projects: { totalCount: number } }>(PROJECT_COUNT, {}, server.owner);
  return res.body.data?.projects.totalCount ?? -1;
}

describe('CSRF: real clients pay nothing, cross-site requests never run a mutation', () => {
  it('a GET query with only the Authorization header works (urql and Apollo send queries so)', async () => {
    const url = `${server.url}?query=${encodeURIComponent('{ viewer { member { email } } }')}`;
    const response = await fetch(url, { headers: { authorization: server.owner } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data?: { viewer: { member: { email: string } } } };
    expect(body.data?.viewer.member.email).toBe('owner@example.test');
  });

  it('a mutation over GET is refused (405) and does not run', async () => {
    const before = await projectCount();
    const url = `${server.url}?query=${encodeURIComponent('mutation { createProject(input: { key: "via-get", name: "G" }) { project { id } } }')}`;
    const response = await fetch(url, { headers: { authorization: server.owner } });
    expect(response.status).toBe(405);
    expect(await projectCount()).toBe(before);
  });

  it('bodies a browser sends cross-site without a preflight (form, multipart, text/plain) are refused (415) and do not run', async () => {
    const before = await projectCount();
    const mutation = 'mutation { createProject(input: { key: "cross-site", name: "X" }) { project { id } } }';
    const form = new FormData();
    form.set('query', mutation);
    const attempts: Array<{ body: BodyInit; type?: string }> = [
      { body: new URLSearchParams({ query: mutation }).toString(), type: 'application/x-www-form-urlencoded' },
      { body: form },
      { body: JSON.stringify({ query: mutation }), type: 'text/plain' },
      { body: JSON.stringify({ query: mutation }), type: 'text/plain;charset=UTF-8' },
    ];
    for (const attempt of attempts) {
      const headers: Record<string, string> = { authorization: server.owner };
      if (attempt.type) headers['content-type'] = attempt.type;
      const response = await fetch(server.url, { method: 'POST', headers, body: attempt.body });
      expect({ type: attempt.type ?? 'multipart/form-data', status: response.status }).toEqual({ type: attempt.type ?? 'multipart/form-data', status: 415 });
    }
    expect(await projectCount()).toBe(before);
  });

  it('a JSON POST (which needs a preflight cross-site) runs the mutation', async () => {
    const before = await projectCount();
    const res = await server.post('mutation { createProject(input: { key: "json-post", name: "J" }) { project { id } } }', {}, server.owner);
    expect(res.body.errors).toBeUndefined();
    expect(await projectCount()).toBe(before + 1);
  });
});

describe('one credential per request', () => {
  it('two Authorization headers on a real socket are refused with 401, even when both are valid', async () => {
    const body = JSON.stringify({ query: '{ viewer { member { email } } }' });
    const twice = await rawRequest(server.url, 'POST', [
      ['content-type', 'application/json'],
      ['authorization', server.owner],
      ['authorization', server.owner],
    ], body);
    expect(twice.status, twice.body).toBe(401);
    expect(JSON.parse(twice.body).errors[0]).toMatchObject({ message: expect.stringMatching(/More than one Authorization header/), extensions: { code: 'UNAUTHENTICATED' } });
    const once = await rawRequest(server.url, 'POST', [
      ['content-type', 'application/json'],
      ['authorization', server.owner],
    ], body);
    expect(once.status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it('by default (same origin only) no other origin is granted anything, and credentials never are', async () => {
    for (const origin of ['https://evil.example', 'null', server.origin]) {
      const response = await fetch(server.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ apiVersions }' }) });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      const options = await preflight(server.url, origin);
      expect(options.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('LATCHKEY_CORS_ORIGINS lists the origins allowed: each is echoed, others get nothing, never Allow-Credentials', async () => {
    const allowed = await startHttpServer({ corsOrigins: ['https://app.example', 'http://localhost:5173'] });
    for (const origin of ['https://app.example', 'http://localhost:5173']) {
      const options = await preflight(allowed.url, origin);
      expect(options.status).toBe(204);
      expect(options.headers.get('access-control-allow-origin')).toBe(origin);
      expect(options.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(options.headers.get('access-control-allow-credentials')).toBeNull();
      const response = await fetch(allowed.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ apiVersions }' }) });
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const other = await preflight(allowed.url, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the playground (GraphiQL)', () => {
  const page = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

  it('is served with a CSP (connect-src self, no framing), X-Frame-Options DENY, and does not persist headers', async () => {
    const response = await page(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(PLAYGROUND_CSP);
    expect(PLAYGROUND_CSP).toMatch(/connect-src 'self'/);
    expect(PLAYGROUND_CSP).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    expect(html).toMatch(/"shouldPersistHeaders":false/);
  });

  it("opens on the login mutation, with its variables and a headers template (issue 13 point 7)", async () => {
    const html = await (await page(server.url)).text();
    expect(html).toMatch(/mutation Login\(\$input: LoginInput!\)/);
    expect(html).toMatch(/owner@localhost/);
    expect(html).toMatch(/Authorization/);
  });

  it('LATCHKEY_PLAYGROUND=off: no page; the API still answers', async () => {
    const off = await startHttpServer({ playground: false });
    const response = await page(off.url);
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect((await off.post('{ apiVersions }')).body.data).toEqual({ apiVersions: expect.any(Array) });
  });
});
