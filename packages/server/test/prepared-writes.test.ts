import { expect, it, vi } from 'vitest';
import { setupServer, type TestServer } from './helpers.ts';
import { CREATE, rawTokenId } from './tokens-fixtures.ts';
import { sqliteOf } from '../src/app.ts';
import { describeSqlite } from './backend.ts';

// How often each prepared query's SQL is built: once per database session, not per transaction.
const builds = vi.hoisted(() => new Map<string, number>());
vi.mock('../src/store/prepared.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/store/prepared.ts')>();
  return {
    ...original,
    prepared: <T>(...[db, key, build]: Parameters<typeof original.prepared<T>>) =>
      original.prepared(db, key, (d) => {
        builds.set(key, (builds.get(key) ?? 0) + 1);
        return build(d);
      }),
  };
});

async function createToken(server: TestServer, input: Record<string, unknown>): Promise<string> {
  const res = await server.gql<{ createToken: { token: { id: string } } }>(CREATE, { input }, { auth: server.owner });
  expect(res.body.errors).toBeUndefined();
  return rawTokenId(res.body.data?.createToken.token.id ?? '');
}

function rawRow(server: TestServer, table: string, column: string, id: string): Record<string, unknown> | undefined {
  return sqliteOf(server.app).prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).get(id) as Record<string, unknown> | undefined;
}

// SQLite only: reads raw SQLite column encodings
describeSqlite("createToken's writes are prepared", () => {
  it("the token, secret and audit inserts and lastAuditEntry are built once, not once per transaction", async () => {
    const server = await setupServer();
    await createToken(server, { name: 'first', role: 'READER' });
    await createToken(server, { name: 'second', role: 'READER' });
    await createToken(server, { name: 'third', inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }] });
    for (const key of ['insertToken', 'insertTokenSecret', 'lastAuditEntry', 'insertAuditEntry']) expect([key, builds.get(key)]).toEqual([key, 1]);
  });

  it('empty columns are stored as NULL and set ones in the columns\' own encoding', async () => {
    const server = await setupServer();
    const plain = await createToken(server, { name: 'plain', role: 'READER' });
    expect(rawRow(server, 'tokens', 'id', plain)).toMatchObject({ role: 'reader', inline_policy: null, role_attributes: null, expires_at: null, last_used_at: null, deleted_at: null, description: null });
    expect(rawRow(server, 'token_secrets', 'token_id', plain)).toMatchObject({ replaced_at: null, valid_until: null });

    const expiresAt = new Date(Date.now() + 86_400_000);
    const policy = [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }];
    const full = await createToken(server, {
      name: 'full',
      description: 'with everything',
      inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }],
      expiresAt: expiresAt.toISOString(),
    });
    const row = rawRow(server, 'tokens', 'id', full);
    expect(row).toMatchObject({ role: null, description: 'with everything', expires_at: expiresAt.getTime() });
    expect(JSON.parse(String(row?.inline_policy))).toMatchObject(policy);
  });
});
