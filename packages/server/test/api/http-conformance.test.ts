import { serverAudits } from 'graphql-http';
import { beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from './http.ts';

/**
 * Issue 13's proof: graphql-http's server audits (the GraphQL-over-HTTP spec's own suite) against
 * the real server on a port, for a client without credentials and for one with a valid token:
 * every audit passes, with no error and no warning.
 */

let server: HttpServer;
let tokenSecret: string;
beforeAll(async () => {
  server = await startHttpServer();
  const response = await server.post<{ createToken: { secret: string } }>(
    'mutation { createToken(input: { name: "audits", role: READER }) { secret } }',
    {},
    server.owner,
  );
  const secret = response.body.data?.createToken.secret;
  if (!secret) throw new Error(JSON.stringify(response.body));
  tokenSecret = secret;
});

async function runAudits(fetchFn: typeof fetch) {
  const results = [];
  for (const audit of serverAudits({ url: server.url, fetchFn })) {
    const result = await audit.fn();
    results.push({ name: audit.name, status: result.status, reason: result.status === 'ok' ? '' : result.reason });
  }
  return results;
}

describe('graphql-http server audits', () => {
  it('a client without credentials: 0 errors, 0 warnings', async () => {
    const results = await runAudits(fetch);
    expect(results.length).toBeGreaterThan(30);
    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('a client with a valid token: 0 errors, 0 warnings', async () => {
    const withToken: typeof fetch = (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', tokenSecret);
      return fetch(input, { ...init, headers });
    };
    const results = await runAudits(withToken);
    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
  });
});
