import { encodeGlobalID } from '@pothos/plugin-relay';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@latchkey/sdk';
import type { AuditEntryRow } from '../src/db/schema/audit.ts';
import { recordAudit, type AuditRecord, type AuditSource } from '../src/services/audit.ts';
import { Caller } from '../src/auth/caller.ts';
import type { MemberRow } from '../src/db/schema/members.ts';
import type { TokenRow } from '../src/db/schema/tokens.ts';
import { findMemberById } from '../src/store/members.ts';
import { addMember, errorCode, setupServer, type AddedMember, type TestServer } from './helpers.ts';
import { AUDIT_LOG, auditRowsOf, firstAccountId, type AuditPage } from './audit-helpers.ts';

const source = { caller: null, requestId: 'test', clientIp: 'test', userAgent: 'test' };

/** Appends an entry straight through the service (fast, and lets a test choose action/resource/title). */
async function append(server: TestServer, record: AuditRecord & { accountId: string }, from: AuditSource = source): Promise<AuditEntryRow> {
  return server.app.transaction((tx) => recordAudit(tx, from, record));
}

/** A request made with a personal token of the member (the row need not exist: the entry only names it). */
async function withPersonalToken(server: TestServer, member: MemberRow, tokenId: string): Promise<AuditSource> {
  const now = new Date();
  const token: TokenRow = {
    id: tokenId,
    accountId: member.accountId,
    kind: 'personal',
    ownerId: member.id,
    name: 'ci-deploy',
    description: null,
    role: 'writer',
    inlinePolicy: null,
    roleAttributes: null,
    defaultApiVersion: 1,
    obscuredSecret: 'lkp_…abcd',
    expiresAt: null,
    lastUsedAt: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  return { ...source, caller: await Caller.load(server.app.db, server.app.caches, member, { kind: 'personal', token }) };
}

async function page(server: TestServer, auth: string, variables: Record<string, unknown>): Promise<AuditPage> {
  const res = await server.gql<{ auditLog: AuditPage }>(AUDIT_LOG, variables, { auth });
  expect(res.body.errors).toBeUndefined();
  const data = res.body.data?.auditLog;
  if (!data) throw new Error('no page');
  return data;
}

/** Every entry the filter lets through, walking all pages. */
async function all(server: TestServer, auth: string, filter: Record<string, unknown> = {}, first = 100) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const p: AuditPage = await page(server, auth, { first, after, filter });
    ids.push(...p.edges.map((e) => e.node.id));
    if (!p.pageInfo.hasNextPage) return ids;
    after = p.pageInfo.endCursor;
  }
}

const gid = (row: AuditEntryRow) => encodeGlobalID('AuditEntry', row.id);
const newestFirst = (rows: AuditEntryRow[]) => [...rows].sort((a, b) => b.seq - a.seq).map(gid);

describe('auditLog pagination', () => {
  it('lists newest first, and entries appended while paging never shift the following pages', async () => {
    const server = await setupServer();
    const accountId = await firstAccountId(server);
    for (let i = 0; i < 23; i++) await append(server, { accountId, action: 'updateName', resource: `proj/p${i}`, title: `entry ${i}` });
    const snapshot = newestFirst(await auditRowsOf(server, accountId));

    const seen: string[] = [];
    let after: string | null = null;
    for (let n = 0; ; n++) {
      const p: AuditPage = await page(server, server.owner, { first: 5, after });
      seen.push(...p.edges.map((e) => e.node.id));
      // Meanwhile, more happens: new entries (including several in the same millisecond).
      for (let i = 0; i < 3; i++) await append(server, { accountId, action: 'updateName', resource: 'proj/new', title: `new ${n}.${i}` });
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(snapshot);

    const fresh = await page(server, server.owner, { first: 1 });
    const newest = (await auditRowsOf(server, accountId)).at(-1);
    expect(fresh.edges[0]?.node.id).toBe(newest ? gid(newest) : undefined);
  });

  it('refuses a cursor that is not from this list, and a page size over the maximum', async () => {
    const server = await setupServer();
    expect(errorCode(await server.gql(AUDIT_LOG, { after: 'bm9wZQ' }, { auth: server.owner }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.gql(AUDIT_LOG, { first: 1000 }, { auth: server.owner }))).toBe('BAD_USER_INPUT');
  });
});

describe('auditLog filters', () => {
  let server: TestServer;
  let accountId: string;
  let writer: AddedMember;
  let rows: AuditEntryRow[];

  beforeAll(async () => {
    server = await setupServer();
    accountId = await firstAccountId(server);
    writer = await addMember(server, { role: 'writer', email: 'writer@example.test' });
    const writerRow = await findMemberById(server.app.db, accountId, writer.id);
    const records: AuditRecord[] = [
      { action: 'updateName', resource: 'proj/web', title: 'Renamed project web' },
      { action: 'updateOn', resource: 'proj/web:env/production:flag/dark-mode', title: "Turned on 'dark-mode' in production" },
      { action: 'updateOn', resource: 'proj/web:env/test:flag/dark-mode', title: "Turned on 'dark-mode' in test" },
      { action: 'updateOn', resource: 'proj/api:env/production:flag/rate_limit', title: "Turned on 'rate_limit' 100% in production" },
      { action: 'deleteFlag', resource: 'proj/api:env/production:flag/old', title: "Deleted flag 'old'" },
      { action: 'updateAccessTokenName', resource: `member/${writer.id}:token/t1`, title: "Renamed token 'ci-deploy'", actor: writerRow },
      { action: 'createAccessToken', resource: 'service-token/s1', title: 'Created service token', outcome: 'refused', actor: writerRow },
    ];
    for (const record of records) await append(server, { accountId, ...record });
    if (!writerRow) throw new Error('no writer');
    await append(server, { accountId, action: 'updateOn', resource: 'proj/web:env/test:flag/beta', title: 'Turned on beta with a token' }, await withPersonalToken(server, writerRow, 'tok1'));
    await append(server, { accountId, action: 'updateOn', resource: 'proj/web:env/test:flag/beta', title: 'Turned off beta with a token' }, await withPersonalToken(server, writerRow, 'tok2'));
    rows = await auditRowsOf(server, accountId);
  });

  const expectFilter = async (filter: Record<string, unknown>, predicate: (row: AuditEntryRow) => boolean) => {
    const expected = newestFirst(rows.filter(predicate));
    expect(expected.length).toBeGreaterThan(0);
    expect(await all(server, server.owner, filter, 2)).toEqual(expected);
  };

  it('by action glob', async () => {
    await expectFilter({ action: 'update*' }, (r) => r.action.startsWith('update'));
    await expectFilter({ action: 'updateOn' }, (r) => r.action === 'updateOn');
    await expectFilter({ action: '*Token*' }, (r) => r.action.includes('Token'));
  });

  it('by resource glob', async () => {
    await expectFilter({ resource: 'proj/*:env/production:*' }, (r) => /^proj\/[^]*:env\/production:/.test(r.resource));
    await expectFilter({ resource: 'proj/web*' }, (r) => r.resource.startsWith('proj/web'));
    await expectFilter({ resource: `member/${writer.id}:token/*` }, (r) => r.resource.startsWith(`member/${writer.id}:token/`));
  });

  it('treats % and _ literally (only * is a wildcard)', async () => {
    expect(await all(server, server.owner, { resource: 'proj/%' })).toEqual([]);
    expect(await all(server, server.owner, { action: 'update_n' })).toEqual([]);
    await expectFilter({ resource: '*rate_limit' }, (r) => r.resource.endsWith('rate_limit'));
    await expectFilter({ q: '100%' }, (r) => r.title.includes('100%'));
  });

  it('by actor, outcome and free text over the title', async () => {
    await expectFilter({ actorId: writer.globalId }, (r) => r.actorId === writer.id);
    await expectFilter({ outcome: 'REFUSED' }, (r) => r.outcome === 'refused');
    await expectFilter({ q: 'DARK-mode' }, (r) => r.title.toLowerCase().includes('dark-mode'));
    await expectFilter({ q: 'dark', resource: '*:env/production:*' }, (r) => r.title.includes('dark') && r.resource.includes(':env/production:'));
  });

  it('by date range: from inclusive, to exclusive', async () => {
    const pivot = rows[Math.floor(rows.length / 2)];
    if (!pivot) throw new Error('no rows');
    const at = pivot.date.getTime();
    await expectFilter({ from: pivot.date.toISOString() }, (r) => r.date.getTime() >= at);
    await expectFilter({ to: new Date(at + 1).toISOString() }, (r) => r.date.getTime() <= at);
    await expectFilter({ from: pivot.date.toISOString(), to: new Date(at + 1).toISOString() }, (r) => r.date.getTime() === at);
    const inverted = await server.gql(AUDIT_LOG, { filter: { from: new Date(at + 1).toISOString(), to: pivot.date.toISOString() } }, { auth: server.owner });
    expect(errorCode(inverted)).toBe('BAD_USER_INPUT');
  });

  it('by token: entries made with that token only, naming its owner and the credential', async () => {
    await expectFilter({ tokenId: encodeGlobalID('Token', 'tok1') }, (r) => r.tokenId === 'tok1');
    const [entry] = (await page(server, server.owner, { filter: { tokenId: encodeGlobalID('Token', 'tok2') } })).edges;
    expect(entry?.node).toMatchObject({ credentialKind: 'PERSONAL', tokenId: encodeGlobalID('Token', 'tok2'), sessionId: null, actor: { id: writer.globalId } });
    expect(await all(server, server.owner, { tokenId: encodeGlobalID('Token', 'nope') })).toEqual([]);
    const wrongType = await server.gql(AUDIT_LOG, { filter: { tokenId: writer.globalId } }, { auth: server.owner });
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
  });

  it('Member.auditLog lists the entries that member made', async () => {
    const res = await server.gql<{ member: { auditLog: AuditPage } }>(
      'query($id: ID!) { member(id: $id) { auditLog(first: 50) { edges { node { id actor { id } } } pageInfo { hasNextPage endCursor } } } }',
      { id: writer.globalId },
      { auth: server.owner },
    );
    expect(res.body.errors).toBeUndefined();
    const ids = res.body.data?.member.auditLog.edges.map((e) => e.node.id);
    expect(ids).toEqual(newestFirst(rows.filter((r) => r.actorId === writer.id)));
  });

  it('entries expose changes as typed before/after JSON', async () => {
    const entry = await append(server, {
      accountId,
      action: 'updateName',
      resource: 'role/ops',
      title: 'Renamed role',
      changes: { name: { before: 'Ops', after: 'Operations' }, tags: { after: ['a'] } },
    });
    const res = await server.gql<{ node: { changes: Array<{ field: string; before: string | null; after: string | null }> } }>(
      'query($id: ID!) { node(id: $id) { ... on AuditEntry { changes { field before after } } } }',
      { id: gid(entry) },
      { auth: server.owner },
    );
    expect(res.body.data?.node.changes).toEqual([
      { field: 'name', before: '"Ops"', after: '"Operations"' },
      { field: 'tags', before: null, after: '["a"]' },
    ]);
  });

  it('the SDK lists, filters, pages and verifies', async () => {
    const lk = createClient({
      url: 'http://latchkey.test/graphql',
      token: server.owner,
      fetch: async (input, init) => server.yoga.fetch(new Request(input, init)),
    });
    const first = await lk.auditLog({ first: 2, filter: { action: 'updateOn' } });
    expect(first.edges.map((e) => e.node.action)).toEqual(['updateOn', 'updateOn']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await lk.auditLog({ first: 2, after: first.pageInfo.endCursor, filter: { action: 'updateOn' } });
    const updateOns = newestFirst(rows.filter((r) => r.action === 'updateOn'));
    expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual(updateOns.slice(0, 4));
    const mine = await lk.memberAuditLog({ id: writer.globalId, first: 10 });
    expect(mine?.edges.every((e) => e.node.actor?.id === writer.globalId)).toBe(true);
    const verification = await lk.verifyAuditLog();
    expect(verification).toMatchObject({ ok: true, entries: (await auditRowsOf(server, accountId)).length, firstBrokenLink: null });
    const none = await addMember(server, { role: 'no_access' });
    await expect(lk.withToken(none.session).auditLog()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('entries made with a token', () => {
  it('Token.auditLog lists them; AuditEntry.token resolves while the token exists, tokenId after', async () => {
    const server = await setupServer();
    const created = await server.gql<{ createToken: { token: { id: string }; secret: string } }>(
      'mutation { createToken(input: { name: "ci-deploy", role: WRITER }) { token { id } secret } }',
      {},
      { auth: server.owner },
    );
    const token = created.body.data?.createToken;
    if (!token) throw new Error(JSON.stringify(created.body.errors));
    const project = await server.gql('mutation { createProject(input: { key: "web", name: "Web" }) { project { id } } }', {}, { auth: token.secret });
    expect(project.body.errors).toBeUndefined();

    const TOKEN_LOG = 'query($id: ID!) { token(id: $id) { auditLog { edges { node { action credentialKind token { id name } tokenId } } } } }';
    const log = await server.gql<{ token: { auditLog: { edges: Array<{ node: Record<string, unknown> }> } } }>(TOKEN_LOG, { id: token.token.id }, { auth: server.owner });
    expect(log.body.errors).toBeUndefined();
    expect(log.body.data?.token.auditLog.edges.map((e) => e.node)).toEqual([
      { action: 'createProject', credentialKind: 'PERSONAL', token: { id: token.token.id, name: 'ci-deploy' }, tokenId: token.token.id },
    ]);

    const deleted = await server.gql('mutation($input: DeleteTokenInput!) { deleteToken(input: $input) { deletedTokenId } }', { input: { id: token.token.id } }, { auth: server.owner });
    expect(deleted.body.errors).toBeUndefined();
    const after = await page(server, server.owner, { filter: { tokenId: token.token.id } });
    expect(after.edges.map((e) => [e.node.action, e.node.tokenId])).toEqual([['createProject', token.token.id]]);
    const entry = await server.gql<{ auditLog: { edges: Array<{ node: { token: unknown } }> } }>(
      'query($filter: AuditLogFilter) { auditLog(filter: $filter) { edges { node { token { id } } } } }',
      { filter: { tokenId: token.token.id } },
      { auth: server.owner },
    );
    expect(entry.body.data?.auditLog.edges[0]?.node.token).toBeNull();
  });
});
