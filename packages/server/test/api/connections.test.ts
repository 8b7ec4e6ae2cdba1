import { beforeAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/app.ts';
import { itSqlite } from '../backend.ts';
import { startHttpServer, type HttpServer } from './http.ts';

/**
 * Issue 13 point 5 and issue 12 point 11, over real HTTP: connections have `nodes` and
 * `totalCount`; Viewer has a stable id; root fields fail alone; a cursor belongs to its list;
 * a malformed global id is simply nothing.
 */

let server: HttpServer;
let reader: string;
/** A token that may view project p1 only (and nothing else). */
let limited: string;
beforeAll(async () => {
  server = await startHttpServer();
  for (const key of ['p1', 'p2', 'p3']) {
    await server.post(`mutation { createProject(input: { key: "${key}", name: "${key}" }) { project { id } } }`, {}, server.owner);
  }
  const created = await server.post<{ createToken: { secret: string } }>('mutation { createToken(input: { name: "r", role: READER }) { secret } }', {}, server.owner);
  reader = created.body.data?.createToken.secret ?? '';
  const narrow = await server.post<{ createToken: { secret: string } }>(
    'mutation { createToken(input: { name: "p1 only", inlinePolicy: [{ effect: ALLOW, actions: ["viewProject"], resources: ["proj/p1"] }] }) { secret } }',
    {},
    server.owner,
  );
  limited = narrow.body.data?.createToken.secret ?? '';
  if (!reader || !limited) throw new Error('tokens not created');
});

describe('connections', () => {
  it('have nodes (the edges’ nodes) and totalCount (all pages), page by page', async () => {
    const first = await server.post<{ projects: { totalCount: number; nodes: Array<{ key: string }>; edges: Array<{ node: { key: string } }>; pageInfo: { endCursor: string } } }>(
      '{ projects(first: 2) { totalCount nodes { key } edges { node { key } } pageInfo { hasNextPage endCursor } } }',
      {},
      server.owner,
    );
    const page = first.body.data?.projects;
    expect(page?.totalCount).toBe(3);
    expect(page?.nodes.map((n) => n.key)).toEqual(['p1', 'p2']);
    expect(page?.edges.map((e) => e.node.key)).toEqual(page?.nodes.map((n) => n.key));
    const next = await server.post<{ projects: { totalCount: number; nodes: Array<{ key: string }> } }>(
      'query($after: String) { projects(first: 2, after: $after) { totalCount nodes { key } } }',
      { after: page?.pageInfo.endCursor },
      server.owner,
    );
    expect(next.body.data?.projects).toEqual({ totalCount: 3, nodes: [{ key: 'p3' }] });
  });

  // SQLite only: counts the statements the reader connection prepares.
  itSqlite('totalCount is computed only when selected (no counting queries otherwise)', async () => {
    const sqlite = (server.app.db as unknown as { $client: ReturnType<typeof sqliteOf> }).$client;
    const prepare = sqlite.prepare.bind(sqlite);
    const statements: string[] = [];
    sqlite.prepare = ((source: string) => {
      statements.push(source);
      return prepare(source);
    }) as typeof sqlite.prepare;
    try {
      const countWith = async (query: string) => {
        statements.length = 0;
        await server.post(query, {}, server.owner);
        return statements.filter((s) => /from "projects"/i.test(s)).length;
      };
      const without = await countWith('{ projects(first: 1) { nodes { key } } }');
      const withCount = await countWith('{ projects(first: 1) { totalCount nodes { key } } }');
      expect(withCount).toBeGreaterThan(without);
    } finally {
      sqlite.prepare = prepare;
    }
  });

  it('totalCount counts only what the caller may see', async () => {
    const query = '{ projects { totalCount nodes { key } } }';
    const all = await server.post<{ projects: { totalCount: number } }>(query, {}, server.owner);
    const some = await server.post<{ projects: { totalCount: number } }>(query, {}, limited);
    expect(all.body.data?.projects.totalCount).toBe(3);
    expect(some.body.data?.projects).toEqual({ totalCount: 1, nodes: [{ key: 'p1' }] });
  });

  it("a cursor from another list is BAD_USER_INPUT, so is a malformed one", async () => {
    const members = await server.post<{ members: { pageInfo: { endCursor: string } } }>('{ members(first: 1) { pageInfo { endCursor } } }', {}, server.owner);
    const cursor = members.body.data?.members.pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    for (const after of [cursor, 'not-a-cursor', Buffer.from('projects:').toString('base64url'), '']) {
      const res = await server.post('query($after: String) { projects(after: $after) { nodes { key } } }', { after }, server.owner);
      expect({ after, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ after, code: 'BAD_USER_INPUT' });
    }
  });
});

describe('Viewer', () => {
  it('has a stable id: the same for the same credential, another for another credential', async () => {
    const query = '{ viewer { id member { id } } }';
    const a = await server.post<{ viewer: { id: string } }>(query, {}, server.owner);
    const b = await server.post<{ viewer: { id: string } }>(query, {}, server.owner);
    const c = await server.post<{ viewer: { id: string } }>(query, {}, reader);
    expect(a.body.data?.viewer.id).toEqual(expect.any(String));
    expect(b.body.data?.viewer.id).toBe(a.body.data?.viewer.id);
    expect(c.body.data?.viewer.id).not.toBe(a.body.data?.viewer.id);
  });
});

describe('root fields fail on their own', () => {
  it('a refused root field is null with its error; the other fields of the query still answer', async () => {
    const res = await server.post<{ viewer: { credentialKind: string } | null; auditLog: unknown; apiVersions: number[] }>(
      '{ viewer { credentialKind } auditLog(first: 1) { totalCount } apiVersions }',
      {},
      limited,
    );
    expect(res.body.data?.viewer).toEqual({ credentialKind: 'PERSONAL' });
    expect(res.body.data?.apiVersions).toEqual(expect.any(Array));
    expect(res.body.data?.auditLog).toBeNull();
    expect(res.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['auditLog'], 'FORBIDDEN']]);
  });
});

describe('node(id:)', () => {
  it('a malformed global id ("nope", base64 of "Foo:1", of "Token:") is null, no error, no error-level log', async () => {
    const logLines = server.logs.length;
    for (const id of ['nope', Buffer.from('Foo:1').toString('base64'), Buffer.from('Token:').toString('base64'), '', '%%%']) {
      const res = await server.post('query($id: ID!) { node(id: $id) { id } }', { id }, server.owner);
      expect({ id, data: res.body.data, errors: res.body.errors }).toEqual({ id, data: { node: null }, errors: undefined });
    }
    expect(server.logs.slice(logLines).filter((line) => JSON.parse(line).level === 'error')).toEqual([]);
  });

  it('a well-formed id still resolves', async () => {
    const project = await server.post<{ project: { id: string } }>('{ project(key: "p1") { id } }', {}, server.owner);
    const id = project.body.data?.project.id;
    const res = await server.post<{ node: { id: string } }>('query($id: ID!) { node(id: $id) { id ... on Project { key } } }', { id }, server.owner);
    expect(res.body.data?.node).toEqual({ id, key: 'p1' });
  });
});
