import type Database from 'better-sqlite3';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { expect, it } from 'vitest';
import { setupServer, type TestServer } from './helpers.ts';
import { sqliteOf } from '../src/app.ts';
import { describeSqlite } from './backend.ts';

/**
 * Per-request batching on the project/environment/flag read path: the statements a query runs
 * do not grow with the number of flags, environments or projects it reads.
 */

type Method = 'all' | 'get' | 'run' | 'iterate';

/**
 * Every statement SQLite executes while `run` runs, by its SQL, counted on better-sqlite3's
 * Statement prototype: prepared-once queries are counted as well as new ones.
 */
async function statementsDuring(server: TestServer, run: () => Promise<unknown>): Promise<string[]> {
  const sqlite = sqliteOf(server.app);
  const proto = Object.getPrototypeOf(sqlite.prepare('SELECT 1')) as Record<Method, (this: Database.Statement, ...args: unknown[]) => unknown>;
  const originals = { all: proto.all, get: proto.get, run: proto.run, iterate: proto.iterate };
  const executed: string[] = [];
  for (const method of Object.keys(originals) as Method[]) {
    const original = originals[method];
    proto[method] = function (this: Database.Statement, ...args: unknown[]) {
      executed.push(this.source);
      return original.apply(this, args);
    };
  }
  try {
    await run();
  } finally {
    Object.assign(proto, originals);
  }
  return executed;
}

async function gqlOk<T>(server: TestServer, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await server.gql<T>(query, variables, { auth: server.owner });
  expect(res.body.errors).toBeUndefined();
  if (!res.body.data) throw new Error('no data');
  return res.body.data;
}

async function createProject(server: TestServer, key: string, flagCount: number): Promise<string[]> {
  await gqlOk(server, 'mutation($key: String!) { createProject(input: { key: $key, name: $key }) { project { id } } }', { key });
  const ids: string[] = [];
  for (let i = 0; i < flagCount; i++) {
    const created = await gqlOk<{ createFlag: { flag: { id: string } } }>(
      server,
      'mutation($p: String!, $k: String!) { createFlag(input: { projectKey: $p, key: $k, name: $k }) { flag { id } } }',
      { p: key, k: `flag-${i}` },
    );
    ids.push(created.createFlag.flag.id);
    // Every other flag on in test, every third in production: states to read back.
    if (i % 2 === 0) await gqlOk(server, 'mutation($p: String!, $k: String!) { setFlagOn(input: { projectKey: $p, environmentKey: "test", flagKey: $k, on: true }) { flag { id } } }', { p: key, k: `flag-${i}` });
    if (i % 3 === 0) await gqlOk(server, 'mutation($p: String!, $k: String!) { setFlagOn(input: { projectKey: $p, environmentKey: "production", flagKey: $k, on: true }) { flag { id } } }', { p: key, k: `flag-${i}` });
  }
  return ids;
}

/** The statements of a query, measured after the same query once (so credential caches are warm). */
/**
 * The statements one request runs, with the instance's caches empty (what a first request, or one
 * after a change, costs): the query runs once first so statements are prepared, then the caches
 * are emptied (the caller's credential read again) and the query measured.
 */
async function statementsOf(server: TestServer, query: string, variables: Record<string, unknown> = {}) {
  await gqlOk(server, query, variables);
  server.app.caches.clear();
  await gqlOk(server, '{ viewer { id } }'); // the credential and its policies cached again: only the project reads are measured
  let data: unknown;
  const statements = await statementsDuring(server, async () => {
    data = await gqlOk(server, query, variables);
  });
  return { statements, data };
}

const PROJECT_FLAGS = `query($key: String!) {
  project(key: $key) { key environments { key } flags { key test: on(environmentKey: "test") production: on(environmentKey: "production") } }
}`;

interface ProjectFlags {
  project: { key: string; environments: Array<{ key: string }>; flags: Array<{ key: string; test: boolean; production: boolean }> };
}

const expectedStates = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `flag-${i}`, test: i % 2 === 0, production: i % 3 === 0 }));

// SQLite only: counts the statements better-sqlite3 executes
describeSqlite('flags of a project', () => {
  it('Flag.on over N flags in two environments runs as many statements for 3 flags as for 30, with the right states', async () => {
    const server = await setupServer();
    await createProject(server, 'few', 3);
    await createProject(server, 'many', 30);
    const few = await statementsOf(server, PROJECT_FLAGS, { key: 'few' });
    const many = await statementsOf(server, PROJECT_FLAGS, { key: 'many' });
    expect((few.data as ProjectFlags).project.flags).toEqual(expectedStates(3));
    expect((many.data as ProjectFlags).project.flags).toEqual(expectedStates(30));
    expect(many.statements).toHaveLength(few.statements.length);
    // project, its environments (shared by environments and every Flag.on), its flags, their states.
    expect(many.statements.length).toBeLessThanOrEqual(6);
  });

  it('Project.flag(key) and Project.environment(key) answer from what the request already read', async () => {
    const server = await setupServer();
    await createProject(server, 'web', 4);
    const query = `{ project(key: "web") {
      flags { key }
      a: flag(key: "flag-0") { key on(environmentKey: "test") } b: flag(key: "flag-1") { key on(environmentKey: "test") }
      c: flag(key: "flag-2") { key on(environmentKey: "production") } missing: flag(key: "nope") { key }
      environments { key } environment(key: "test") { key } none: environment(key: "qa") { key }
    } }`;
    const { statements, data } = await statementsOf(server, query);
    expect(data).toMatchObject({
      project: { a: { key: 'flag-0', on: true }, b: { key: 'flag-1', on: false }, c: { key: 'flag-2', on: false }, missing: null, environment: { key: 'test' }, none: null },
    });
    expect(statements.filter((s) => /from "flags"/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /from "environments"/i.test(s))).toHaveLength(1);
    // One state lookup per environment key asked for, covering every flag read.
    expect(statements.filter((s) => /from "flag_states"/i.test(s))).toHaveLength(2);
  });

  it('once read, the project, its environments, flags and states come from the instance cache until they change', async () => {
    const server = await setupServer();
    await createProject(server, 'web', 4);
    const query = '{ project(key: "web") { key environments { key } flags { key on(environmentKey: "test") } } }';
    await gqlOk(server, query);
    const cached = await statementsDuring(server, async () => {
      await gqlOk(server, query);
    });
    expect(cached.filter((s) => /from "(projects|environments|flags|flag_states)"/i.test(s))).toEqual([]);
    // A change is seen at once: setFlagOn invalidates the project's cached rows.
    await gqlOk(server, 'mutation { setFlagOn(input: { projectKey: "web", environmentKey: "test", flagKey: "flag-1", on: true }) { flag { key } } }');
    const after = (await gqlOk(server, query)) as { project: { flags: Array<{ key: string; on: boolean }> } };
    expect(after.project.flags.find((f) => f.key === 'flag-1')?.on).toBe(true);
  });

  it('an unknown environment is still NOT_FOUND, at the flag that asks for it', async () => {
    const server = await setupServer();
    await createProject(server, 'web', 2);
    const res = await server.gql('{ project(key: "web") { flags { key on(environmentKey: "qa") } } }', {}, { auth: server.owner });
    expect(res.body.errors?.[0]).toMatchObject({ path: ['project', 'flags', 0, 'on'], extensions: { code: 'NOT_FOUND' } });
  });
});

// SQLite only: counts the statements better-sqlite3 executes
describeSqlite('across projects and nodes', () => {
  const PROJECTS = '{ projects(first: 50) { edges { node { key environments { key } flags { key on(environmentKey: "test") } } } } }';

  it('projects with their environments, flags and states: as many statements for 2 projects as for 6', async () => {
    const small = await setupServer();
    for (const key of ['p0', 'p1']) await createProject(small, key, 2);
    const large = await setupServer();
    for (const key of ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']) await createProject(large, key, 2);
    const two = await statementsOf(small, PROJECTS);
    const six = await statementsOf(large, PROJECTS);
    const edges = (six.data as { projects: { edges: Array<{ node: { key: string; environments: unknown[]; flags: Array<{ on: boolean }> } }> } }).projects.edges;
    expect(edges.map((e) => e.node.key)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    for (const edge of edges) {
      expect(edge.node.environments).toEqual([{ key: 'production' }, { key: 'test' }]);
      expect(edge.node.flags.map((f) => f.on)).toEqual([true, false]);
    }
    expect(six.statements).toHaveLength(two.statements.length);
  });

  it('node(id) lookups of flags, environments and projects are batched per type', async () => {
    const server = await setupServer();
    const ids = await createProject(server, 'web', 8);
    const envs = await gqlOk<{ project: { id: string; environments: Array<{ id: string }> } }>(server, '{ project(key: "web") { id environments { id } } }');
    const nodeQuery = (flagIds: string[]) => `{
      ${flagIds.map((id, i) => `f${i}: node(id: "${id}") { ... on Flag { key on(environmentKey: "test") } }`).join('\n')}
      ${envs.project.environments.map((e, i) => `e${i}: node(id: "${e.id}") { ... on Environment { key } }`).join('\n')}
      p: node(id: "${envs.project.id}") { ... on Project { key } }
      missing: node(id: "${encodeGlobalID('Flag', 'no-such-flag')}") { id }
    }`;
    const few = await statementsOf(server, nodeQuery(ids.slice(0, 2)));
    const all = await statementsOf(server, nodeQuery(ids));
    const data = all.data as Record<string, { key: string; on?: boolean } | null>;
    expect(ids.map((_, i) => data[`f${i}`])).toEqual(expectedStates(8).map(({ key, test }) => ({ key, on: test })));
    expect([data.e0, data.e1, data.p, data.missing]).toEqual([{ key: 'production' }, { key: 'test' }, { key: 'web' }, null]);
    expect(all.statements).toHaveLength(few.statements.length);
  });
});

// SQLite only: counts the statements better-sqlite3 executes
describeSqlite('writes in the same request', () => {
  it('a field read after a mutation in the same request sees the change', async () => {
    const server = await setupServer();
    await createProject(server, 'web', 1);
    const data = await gqlOk<{ a: { flag: { on: boolean } }; b: { flag: { on: boolean } }; c: { flag: { on: boolean } } }>(
      server,
      `mutation {
        a: setFlagOn(input: { projectKey: "web", environmentKey: "test", flagKey: "flag-0", on: false }) { flag { on(environmentKey: "test") } }
        b: setFlagOn(input: { projectKey: "web", environmentKey: "test", flagKey: "flag-0", on: true }) { flag { on(environmentKey: "test") } }
        c: setFlagOn(input: { projectKey: "web", environmentKey: "test", flagKey: "flag-0", on: false }) { flag { on(environmentKey: "test") } }
      }`,
    );
    expect([data.a.flag.on, data.b.flag.on, data.c.flag.on]).toEqual([false, true, false]);
  });
});
