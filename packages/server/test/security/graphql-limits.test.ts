import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { GRAPHQL_LIMITS } from '../../src/graphql-limits.ts';
import { MAX_PAGE_SIZE } from '../../src/schema/common.ts';
import { setupServer, type GqlResponse, type TestServer } from '../helpers.ts';
import { createToken } from '../tokens-fixtures.ts';
import { auditCount, dataChecksum } from './harness.ts';

/**
 * Unrestricted resource consumption (OWASP API4) at the GraphQL layer: depth, aliases, tokens,
 * directives and cost are refused while the document is validated, before any resolver runs
 * (each probe is a mutation that would create a project or a token if it ran); batching is off,
 * page sizes are capped, suggestions are hidden and introspection can be switched off.
 */

let server: TestServer;
beforeAll(async () => {
  server = await setupServer();
});

/**
 * Sends `query` as the owner and checks it was refused as the GraphQL-over-HTTP spec asks (HTTP 400,
 * GRAPHQL_VALIDATION_FAILED, a message naming the limit and the value found, no "Syntax Error:")
 * and that nothing ran: no data, no change, no audit entry.
 */
async function expectRefusedBeforeExecution(query: string, message: RegExp): Promise<GqlResponse> {
  const before = { data: await dataChecksum(server), audit: await auditCount(server) };
  const res = await server.gql(query, {}, { auth: server.owner });
  expect(res.body.data, JSON.stringify(res.body)).toBeUndefined();
  expect(res.status).toBe(400);
  expect(res.body.errors?.map((e) => e.message)).toEqual([expect.stringMatching(message)]);
  expect(res.body.errors?.[0]?.message).not.toMatch(/Syntax Error/);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect({ data: await dataChecksum(server), audit: await auditCount(server) }).toEqual(before);
  return res;
}

const createProject = (key: string, selection = 'project { id }') => `createProject(input: { key: "${key}", name: "P" }) { ${selection} }`;

describe('GraphQL limits: refused before any resolver runs', () => {
  it('the probes run when under every limit (so a refusal below is the limit, not the probe)', async () => {
    const before = await auditCount(server, 'success');
    const res = await server.gql(`mutation { ${createProject('probe')} }`, {}, { auth: server.owner });
    expect(res.body.errors).toBeUndefined();
    expect(await auditCount(server, 'success')).toBe(before + 1);
  });

  it(`depth over ${GRAPHQL_LIMITS.maxDepth}`, async () => {
    const nest = (k: number): string => (k === 0 ? 'id' : `owner { tokens(first: 1) { edges { node { ${nest(k - 1)} } } } }`);
    await expectRefusedBeforeExecution(`mutation { createToken(input: { name: "deep", role: READER }) { token { ${nest(3)} } } }`, /^Query depth 15 exceeds the limit of 12$/);
  });

  it(`more than ${GRAPHQL_LIMITS.maxAliases} aliases`, async () => {
    const aliases = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: ${createProject(`alias-${i}`)}`).join(' ');
    await expectRefusedBeforeExecution(`mutation { ${aliases} }`, /^Document has 16 aliases, over the limit of 15$/);
  });

  it(`more than ${GRAPHQL_LIMITS.maxTokens} tokens`, async () => {
    const tags = Array.from({ length: GRAPHQL_LIMITS.maxTokens }, (_, i) => `"t${i}"`).join(', ');
    await expectRefusedBeforeExecution(`mutation { createProject(input: { key: "many-tokens", name: "P", tags: [${tags}] }) { project { id } } }`, /^Document has [\d,]+ tokens, over the limit of 2,000$/);
  });

  it(`more than ${GRAPHQL_LIMITS.maxDirectives} directives`, async () => {
    const fields = Array.from({ length: GRAPHQL_LIMITS.maxDirectives + 1 }, () => 'id @include(if: true)').join(' ');
    await expectRefusedBeforeExecution(`mutation { ${createProject('directives', `project { ${fields} }`)} }`, /^Document has 11 directives, over the limit of 10$/);
  });

  it(`cost over ${GRAPHQL_LIMITS.maxCost}`, async () => {
    // A page of pages of pages (100 × 100 × 100), under the depth, alias and token limits.
    const page = (inner: string) => `owner { tokens(first: 100) { nodes { ${inner} } } }`;
    await expectRefusedBeforeExecution(
      `mutation { createToken(input: { name: "costly", role: READER }) { token { ${page(page(page('id')))} } } }`,
      /^Query cost [\d,]+ exceeds the limit of 100,000$/,
    );
  });

  it('batching is off: an array of operations is refused and none of them runs', async () => {
    const before = { data: await dataChecksum(server), audit: await auditCount(server) };
    const response = await server.yoga.fetch('http://latchkey.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.owner },
      body: JSON.stringify([{ query: `mutation { ${createProject('batch-1')} }` }, { query: `mutation { ${createProject('batch-2')} }` }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Batching is not supported/);
    expect({ data: await dataChecksum(server), audit: await auditCount(server) }).toEqual(before);
  });
});

describe('suggestions are hidden', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['a field', '{ viewer { membr { id } } }', {}],
    ['a mutation', `mutation { createProjct(input: { key: "x", name: "y" }) { project { id } } }`, {}],
    ['a type', '{ viewer { member { ... on Toke { id } } } }', {}],
    ['an input field', 'mutation { createProject(input: { key: "x", nam: "y" }) { project { id } } }', {}],
    ['an enum value', 'mutation { createToken(input: { name: "x", role: READR }) { secret } }', {}],
    ['an enum value in a variable', 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }', { i: { name: 'x', role: 'READR' } }],
    ['an input field in a variable', 'mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }', { i: { key: 'x', name: 'y', nam: 'z' } }],
  ];
  for (const [label, query, variables] of cases) {
    it(`for ${label}`, async () => {
      const res = await server.gql(query, variables, { auth: server.owner });
      const messages = res.body.errors?.map((e) => e.message) ?? [];
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.join('\n')).not.toMatch(/Did you mean/i);
      expect(messages.join('\n')).not.toMatch(/"(viewer|member|createProject|Token|name|READER)"/);
      expect(res.status).toBeLessThan(500);
    });
  }
});

describe('bad variable values', () => {
  it('are BAD_USER_INPUT naming the variable and path, never a 500', async () => {
    const CREATE = 'mutation($i: CreateTokenInput!) { createToken(input: $i) { secret } }';
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [CREATE, { i: { name: 'x', role: 'READER', expiresAt: 'not a date' } }, /"i\.expiresAt"/],
      [CREATE, { i: { name: 'x', role: 'READER', defaultApiVersion: 'abc' } }, /"i\.defaultApiVersion"/],
      [CREATE, { i: { name: null, role: 'READER' } }, /"i\.name"/],
      [CREATE, { i: { name: 'x', role: 'READR' } }, /"i\.role"/],
      ['query($n: Int) { tokens(first: $n) { edges { cursor } } }', { n: 1e12 }, /\$n/],
    ];
    for (const [query, variables, path] of cases) {
      // 400 when the client accepts the spec's media type (application/json gets 200, as the spec asks).
      const res = await server.gql(query, variables, { auth: server.owner, headers: { accept: 'application/graphql-response+json' } });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toMatch(path);
    }
  });
});

describe('page sizes are capped', () => {
  /** How to reach every connection field of the schema (a new one must be added here). */
  const reach: Record<string, (args: string, tokenId: string) => string> = {
    'Query.auditLog': (a) => `{ auditLog(${a}) { edges { cursor } } }`,
    'Query.members': (a) => `{ members(${a}) { edges { cursor } } }`,
    'Query.projects': (a) => `{ projects(${a}) { edges { cursor } } }`,
    'Query.roles': (a) => `{ roles(${a}) { edges { cursor } } }`,
    'Query.teams': (a) => `{ teams(${a}) { edges { cursor } } }`,
    'Query.tokens': (a) => `{ tokens(${a}) { edges { cursor } } }`,
    'Viewer.sessions': (a) => `{ viewer { sessions(${a}) { edges { cursor } } } }`,
    'Member.tokens': (a) => `{ viewer { member { tokens(${a}) { edges { cursor } } } } }`,
    'Member.auditLog': (a) => `{ viewer { member { auditLog(${a}) { edges { cursor } } } } }`,
    'Token.auditLog': (a, id) => `{ token(id: "${id}") { auditLog(${a}) { edges { cursor } } } }`,
  };

  function connectionFields(): string[] {
    const found: string[] = [];
    // Duck-typed: vitest may load another copy of graphql than the schema's (no isObjectType across realms).
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !('getFields' in type) || !('getInterfaces' in type)) continue;
      for (const field of Object.values(type.getFields())) {
        if ('args' in field && field.args.some((arg) => arg.name === 'first')) found.push(`${type.name}.${field.name}`);
      }
    }
    return found.sort();
  }

  it('every connection field of the schema is covered here', () => {
    expect(connectionFields()).toEqual(Object.keys(reach).sort());
  });

  it(`first or last over ${MAX_PAGE_SIZE} is BAD_USER_INPUT on every connection; ${MAX_PAGE_SIZE} is fine`, async () => {
    expect(MAX_PAGE_SIZE).toBe(100);
    const { token } = await createToken(server, server.owner, { role: 'READER' });
    for (const [field, query] of Object.entries(reach)) {
      for (const args of [`first: ${MAX_PAGE_SIZE + 1}`, `last: ${MAX_PAGE_SIZE + 1}`, 'first: -1']) {
        const res = await server.gql(query(args, token.id), {}, { auth: server.owner });
        expect({ field, args, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ field, args, code: 'BAD_USER_INPUT' });
      }
      const ok = await server.gql(query(`first: ${MAX_PAGE_SIZE}`, token.id), {}, { auth: server.owner });
      expect({ field, errors: ok.body.errors }).toEqual({ field, errors: undefined });
    }
  });
});

describe('introspection', () => {
  const queries = ['{ __schema { queryType { name } } }', '{ __type(name: "Token") { name fields { name } } }'];

  it('is on by default (the playground needs it)', async () => {
    for (const query of queries) expect((await server.gql(query, {}, { auth: server.owner })).body.errors).toBeUndefined();
  });

  it('is refused when LATCHKEY_INTROSPECTION=off, for everyone, while ordinary queries (and __typename) work', async () => {
    const closed = await setupServer({ introspection: false });
    for (const query of queries) {
      for (const auth of [closed.owner, null]) {
        const res = await closed.gql(query, {}, { auth });
        expect(res.body.data ?? null).toBeNull();
        expect(res.body.errors?.[0]?.message).toMatch(/introspection/i);
      }
    }
    const ordinary = await closed.gql('{ __typename viewer { member { id } } }', {}, { auth: closed.owner });
    expect(ordinary.body.errors).toBeUndefined();
  });
});
