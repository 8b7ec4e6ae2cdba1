import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CreateProject as ApolloCreateProject, Viewer as ApolloViewer, latchkeyApollo } from '../../../../docs/examples/apollo.ts';
import { CreateProject as UrqlCreateProject, Viewer as UrqlViewer, latchkeyUrql } from '../../../../docs/examples/urql.ts';
import { startHttpServer, type HttpServer } from './http.ts';

/**
 * Issue 13's proof: the README's urql and Apollo Client snippets (docs/examples/*.ts, copied into
 * the README verbatim: checked here) run as written, with each client's defaults, against a real
 * server: urql's GET queries, Apollo's POSTs and its persisted-query link.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface ViewerData {
  viewer: { id: string; member: { id: string; email: string; role: string } };
}
interface CreateProjectData {
  createProject: { project: { id: string; key: string; name: string } };
}

let server: HttpServer;
let token: string;
beforeAll(async () => {
  server = await startHttpServer();
  const res = await server.post<{ createToken: { secret: string } }>('mutation { createToken(input: { name: "app", role: WRITER }) { secret } }', {}, server.owner);
  token = res.body.data?.createToken.secret ?? '';
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Records the method and body of every request the client sends (and lets it through). */
function recordRequests() {
  const sent: Array<{ method: string; body: string }> = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    sent.push({ method: init?.method ?? (input instanceof Request ? input.method : 'GET'), body: typeof init?.body === 'string' ? init.body : '' });
    return realFetch(input, init);
  });
  return sent;
}

describe('the README copies the example files verbatim', () => {
  for (const file of ['urql.ts', 'apollo.ts']) {
    it(file, () => {
      const source = readFileSync(join(ROOT, 'docs', 'examples', file), 'utf8').trim();
      expect(README).toContain(source);
    });
  }
});

describe("the README's urql snippet", () => {
  it('runs a query (as GET, urql’s default) and a mutation (POST) with an access token', async () => {
    const sent = recordRequests();
    const client = latchkeyUrql(server.url, token);
    const viewer = await client.query(UrqlViewer, {}).toPromise();
    expect(viewer.error).toBeUndefined();
    expect(viewer.data.viewer.member.email).toBe('owner@example.test');
    const created = await client.mutation(UrqlCreateProject, { input: { key: 'from-urql', name: 'From urql' } }).toPromise();
    expect(created.error).toBeUndefined();
    expect(created.data.createProject.project.key).toBe('from-urql');
    expect(sent.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('reports a refusal as an error with its code', async () => {
    const client = latchkeyUrql(server.url, 'lkp_not-a-real-token');
    const result = await client.query(UrqlViewer, {}).toPromise();
    expect(result.error).toBeDefined();
  });
});

describe("the README's Apollo Client 4 snippet", () => {
  it('runs a query and a mutation through the persisted-query link, with no cache warning for the viewer', async () => {
    const sent = recordRequests();
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const client = latchkeyApollo(server.url, token);
    const viewer = await client.query<ViewerData>({ query: ApolloViewer });
    expect(viewer.data?.viewer.member.email).toBe('owner@example.test');
    const again = await client.query<ViewerData>({ query: ApolloViewer, fetchPolicy: 'network-only' });
    expect(again.data?.viewer.id).toBe(viewer.data?.viewer.id);
    const created = await client.mutate<CreateProjectData>({ mutation: ApolloCreateProject, variables: { input: { key: 'from-apollo', name: 'From Apollo' } } });
    expect(created.data?.createProject.project.key).toBe('from-apollo');
    // The link sent the hash first; the server did not know it, so the link sent the document.
    expect(sent[0]?.body).toMatch(/"sha256Hash"/);
    expect(sent[0]?.body).not.toMatch(/"query"/);
    expect(sent[1]?.body).toMatch(/"query"/);
    expect([...warn.mock.calls, ...error.mock.calls].map(String).join('\n')).not.toMatch(/Cache data may be lost|Must provide query string/);
  });
});
