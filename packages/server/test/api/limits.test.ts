import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS, MAX_PAGE_SIZE } from '../../src/graphql-limits.ts';
import { schema } from '../../src/schema/index.ts';
import { startHttpServer, type HttpServer } from './http.ts';

/**
 * Issue 13, points 1 and 2, over real HTTP: the cost multiplies by page sizes, so one full page of
 * any list with its nested objects passes and a page of pages of pages does not; every limit
 * refusal is HTTP 400 GRAPHQL_VALIDATION_FAILED naming the limit and the value found.
 */

let server: HttpServer;
beforeAll(async () => {
  server = await startHttpServer();
});

interface FieldLike {
  name: string;
  type: unknown;
  args: ReadonlyArray<{ name: string; type: unknown }>;
}
interface TypeLike {
  name: string;
  getFields?: () => Record<string, FieldLike>;
}

/** The named type under NonNull/List wrappers (duck-typed: vitest may load a second graphql). */
function named(type: unknown): TypeLike {
  let t = type as { ofType?: unknown };
  while (t.ofType) t = t.ofType as { ofType?: unknown };
  return t as unknown as TypeLike;
}
const requiredArgs = (field: FieldLike) => field.args.some((a) => String(a.type).endsWith('!'));
const isConnection = (field: FieldLike) => field.args.some((a) => a.name === 'first');

/** Every field of a type that needs no argument, objects expanded `levels` deep; connections left out. */
function selectAll(type: TypeLike, levels: number): string {
  const fields = Object.values(type.getFields?.() ?? {}).filter((f) => !requiredArgs(f) && !isConnection(f));
  return fields
    .map((f) => {
      const inner = named(f.type);
      if (!inner.getFields) return f.name;
      if (levels === 0) return Object.keys(inner.getFields()).includes('id') ? `${f.name} { id }` : '';
      const sub = selectAll(inner, levels - 1);
      return sub ? `${f.name} { ${sub} }` : '';
    })
    .filter(Boolean)
    .join(' ');
}

function rootConnections(): Array<{ name: string; query: string }> {
  const query = schema.getQueryType() as unknown as TypeLike;
  return Object.values(query.getFields?.() ?? {})
    .filter(isConnection)
    .map((field) => {
      const connection = named(field.type);
      const edges = connection.getFields?.().nodes;
      const node = edges ? named(edges.type) : connection;
      const extra = field.name === 'tokens' ? ', showAll: true' : '';
      return { name: field.name, query: `{ ${field.name}(first: ${MAX_PAGE_SIZE}${extra}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${selectAll(node, 2)} } } }` };
    });
}

describe('the cost of a query multiplies by its page sizes', () => {
  it("one full page of the audit log with who did it passes (the issue's query)", async () => {
    const res = await server.post(
      '{ auditLog(first: 100) { edges { node { id date action resource title actor { id } token { id } } } } }',
      {},
      server.owner,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it("one full page of every token with owners and custom roles passes (the issue's query)", async () => {
    const res = await server.post(
      '{ tokens(first: 100, showAll: true) { edges { node { id name owner { id email role } customRoles { key name } } } } }',
      {},
      server.owner,
    );
    expect(res.body.errors).toBeUndefined();
  });

  it('one full page of every root list, with every field and its nested objects two levels deep, passes', async () => {
    const lists = rootConnections();
    expect(lists.map((l) => l.name)).toEqual(expect.arrayContaining(['auditLog', 'members', 'projects', 'roles', 'teams', 'tokens']));
    for (const { name, query } of lists) {
      const res = await server.post(query, {}, server.owner);
      const limitErrors = (res.body.errors ?? []).filter((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');
      expect({ name, status: res.status, limitErrors: limitErrors.map((e) => e.message) }).toEqual({ name, status: 200, limitErrors: [] });
    }
  });

  it('a page of pages of pages (100 × 100 × 100) is refused: 400, GRAPHQL_VALIDATION_FAILED, naming the cost and the limit', async () => {
    const page = (inner: string) => `owner { tokens(first: 100) { nodes { ${inner} } } }`;
    const res = await server.post(`{ tokens(first: 100) { nodes { ${page(page('id'))} } } }`, {}, server.owner);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    const [error] = res.body.errors ?? [];
    expect(error?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error?.message).toMatch(/^Query cost [\d,]+ exceeds the limit of 100,000$/);
    expect(Number(error?.extensions?.found)).toBeGreaterThan(100 * 100 * 100);
    expect(error?.extensions?.max).toBe(GRAPHQL_LIMITS.maxCost);
  });

  it('the page size from a variable counts too', async () => {
    const query = 'query($n: Int) { tokens(first: $n) { nodes { owner { tokens(first: $n) { nodes { owner { tokens(first: $n) { nodes { id } } } } } } } } }';
    const small = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.owner },
      body: JSON.stringify({ query, variables: { n: 5 } }),
    });
    expect(small.status).toBe(200);
    const large = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.owner },
      body: JSON.stringify({ query, variables: { n: 100 } }),
    });
    expect(large.status).toBe(400);
    expect(((await large.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toMatch(/^Query cost/);
  });
});

describe('limit refusals follow the GraphQL-over-HTTP spec', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['depth', `{ viewer { member { tokens(first: 1) { nodes { ${'owner { tokens(first: 1) { nodes { '.repeat(4)}id${' } } }'.repeat(4)} } } } } }`, /^Query depth \d+ exceeds the limit of 12$/],
    ['aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: apiVersions`).join(' ')} }`, /^Document has 16 aliases, over the limit of 15$/],
    ['directives', `{ ${Array.from({ length: 11 }, () => 'apiVersions @include(if: true)').join(' ')} }`, /^Document has 11 directives, over the limit of 10$/],
    ['tokens', `{ ${Array.from({ length: 2100 }, () => 'apiVersions').join(' ')} }`, /^Document has [\d,]+ tokens, over the limit of 2,000$/],
  ];
  for (const [limit, query, message] of cases) {
    it(`${limit}: HTTP 400, GRAPHQL_VALIDATION_FAILED, no data, no "Syntax Error:"`, async () => {
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const response = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, authorization: server.owner },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { data?: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> };
        expect(response.status).toBe(400);
        expect(body.data).toBeUndefined();
        expect(body.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(body.errors[0]?.extensions.limit).toBe(limit);
        expect(body.errors[0]?.message).toMatch(message);
        expect(body.errors[0]?.message).not.toMatch(/Syntax Error/);
      }
    });
  }

  it(`first: 500 is BAD_USER_INPUT naming the largest page (${MAX_PAGE_SIZE}), before the cost is weighed`, async () => {
    const res = await server.post('{ auditLog(first: 500) { nodes { id actor { id } } } }', {}, server.owner);
    const [error] = res.body.errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toMatch(/largest page is 100/);
    expect(error?.extensions?.max).toBe(MAX_PAGE_SIZE);
    expect(res.body.data ?? null).toBeNull();
  });
});
