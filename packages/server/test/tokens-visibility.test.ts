import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, setupServer } from './helpers.ts';
import {
  CLONE,
  DELETE,
  RESET,
  TOKEN,
  TOKENS,
  UPDATE,
  createToken,
  expect401,
  expectError,
  expectOk,
  expectWorks,
  rawTokenId,
  type TokenData,
} from './tokens-fixtures.ts';

/** Who sees which tokens: "only you can see the tokens you create"; admins list and delete them, never their secrets. */

type TokenList = { tokens: { edges: Array<{ cursor: string; node: TokenData }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

const ids = (res: { body: { data?: TokenList | null } }) => res.body.data?.tokens.edges.map((e) => e.node.id) ?? [];

describe('listing', () => {
  it('a member sees their own tokens only; another member cannot see or reach them', async () => {
    const server = await setupServer();
    const alice = await addMember(server, { role: 'writer' });
    const bob = await addMember(server, { role: 'writer' });
    const mine = await createToken(server, alice.session, { name: 'alice-1', role: 'READER' });
    const theirs = await createToken(server, bob.session, { name: 'bob-1', role: 'READER' });
    expect(ids(await server.gql<TokenList>(TOKENS, {}, { auth: alice.session }))).toEqual([mine.token.id]);
    // showAll does not widen what a writer may view.
    expect(ids(await server.gql<TokenList>(TOKENS, { showAll: true }, { auth: alice.session }))).toEqual([mine.token.id]);
    expectError(await server.gql(TOKEN, { id: theirs.token.id }, { auth: alice.session }), 'NOT_FOUND');
    const node = await server.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: theirs.token.id }, { auth: alice.session });
    expect(node.body.data?.node).toBeNull();
    for (const [doc, input] of [
      [DELETE, { id: theirs.token.id }],
      [RESET, { id: theirs.token.id }],
      [UPDATE, { id: theirs.token.id, name: 'mine now' }],
      [CLONE, { id: theirs.token.id }],
    ] as const) {
      expectError(await server.gql(doc, { input }, { auth: alice.session }), 'NOT_FOUND');
    }
    await expectWorks(server, theirs.secret);
  });

  it('admins and owners list every token with showAll (without it, their own) and never see a secret', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const writer = await addMember(server, { role: 'writer' });
    const personal = await createToken(server, writer.session, { role: 'WRITER' });
    const service = await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    const own = await createToken(server, admin.session, { role: 'READER' });
    for (const auth of [admin.session, server.owner]) {
      const all = await server.gql<TokenList>(TOKENS, { showAll: true }, { auth });
      expectOk(all);
      expect(ids(all).sort()).toEqual([personal.token.id, service.token.id, own.token.id].sort());
      for (const secret of [personal.secret, service.secret, own.secret]) expect(JSON.stringify(all.body)).not.toContain(secret);
      const one = await server.gql<{ token: TokenData }>(TOKEN, { id: personal.token.id }, { auth });
      expect(one.body.data?.token.obscuredSecret).toBe(`lkp_…${personal.secret.slice(-4)}`);
    }
    expect(ids(await server.gql<TokenList>(TOKENS, {}, { auth: admin.session }))).toEqual([own.token.id]);
    expect(ids(await server.gql<TokenList>(TOKENS, {}, { auth: server.owner }))).toEqual([service.token.id]);
    const services = await server.gql<TokenList>(TOKENS, { showAll: true, kind: 'SERVICE' }, { auth: admin.session });
    expect(ids(services)).toEqual([service.token.id]);
  });

  it('admins can delete a member’s token but cannot view its value', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const writer = await addMember(server, { role: 'writer' });
    const { secret, token } = await createToken(server, writer.session, { role: 'READER' });
    const seen = await server.gql<{ token: TokenData }>(TOKEN, { id: token.id }, { auth: admin.session });
    expect(JSON.stringify(seen.body)).not.toContain(secret);
    expectOk(await server.gql(DELETE, { input: { id: token.id } }, { auth: admin.session }));
    await expect401(server, secret, /deleted/);
  });

  it('a custom role granting viewAccessToken lets a non-admin list every token; without it they see their own', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'token-auditor', policy: [{ effect: 'allow', actions: ['viewAccessToken'], resources: ['member/*:token/*', 'service-token/*'] }] });
    const auditor = await addMember(server, { role: 'reader', customRoleKeys: ['token-auditor'] });
    const reader = await addMember(server, { role: 'reader' });
    const other = await createToken(server, server.owner, { role: 'READER' });
    const readerToken = await createToken(server, reader.session, { role: 'READER' });
    expect(ids(await server.gql<TokenList>(TOKENS, { showAll: true }, { auth: auditor.session })).sort()).toEqual([other.token.id, readerToken.token.id].sort());
    expect(ids(await server.gql<TokenList>(TOKENS, { showAll: true }, { auth: reader.session }))).toEqual([readerToken.token.id]);
    // Viewing is not deleting.
    expectError(await server.gql(DELETE, { input: { id: other.token.id } }, { auth: auditor.session }), 'FORBIDDEN', { action: 'deleteAccessToken' });
  });

  it('Member.tokens lists that member’s tokens the caller may view', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    const other = await addMember(server, { role: 'writer' });
    const a = await createToken(server, writer.session, { role: 'READER' });
    const b = await createToken(server, writer.session, { role: 'WRITER' });
    const q = `query($id: ID!) { member(id: $id) { tokens(first: 10) { edges { node { id } } } } }`;
    const byOwner = await server.gql<{ member: { tokens: { edges: Array<{ node: { id: string } }> } } }>(q, { id: writer.globalId }, { auth: server.owner });
    expect(byOwner.body.data?.member.tokens.edges.map((e) => e.node.id)).toEqual([a.token.id, b.token.id]);
    const byOther = await server.gql<{ member: { tokens: { edges: unknown[] } } }>(q, { id: writer.globalId }, { auth: other.session });
    expect(byOther.body.data?.member.tokens.edges).toEqual([]);
  });

  it('pages by cursor, skipping tokens the caller may not view', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await createToken(server, writer.session, { name: `w${i}`, role: 'READER' })).token.id);
      await createToken(server, server.owner, { name: `o${i}`, role: 'READER' });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: { body: { data?: TokenList | null } } = await server.gql<TokenList>(TOKENS, { first: 2, after, showAll: true }, { auth: writer.session });
      seen.push(...ids(res));
      after = res.body.data?.tokens.pageInfo.endCursor ?? null;
      if (!res.body.data?.tokens.pageInfo.hasNextPage) break;
    }
    expect(seen).toEqual(created);
  });

  it('Viewer.token is the token making the request', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'nothing', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/x'] }] });
    const { secret, token } = await createToken(server, server.owner, { name: 'me', customRoleKeys: ['nothing'], serviceToken: true });
    const res = await server.gql<{ viewer: { token: { id: string; name: string } } }>(`{ viewer { token { id name } } }`, {}, { auth: secret });
    expectOk(res);
    expect(res.body.data?.viewer.token).toEqual({ id: token.id, name: 'me' });
    const session = await server.gql<{ viewer: { token: null } }>(`{ viewer { token { id } } }`, {}, { auth: server.owner });
    expect(session.body.data?.viewer.token).toBeNull();
  });
});

describe('accounts are isolated', () => {
  it('a token of account A can neither see nor touch account B’s tokens: the same NOT_FOUND as a nonexistent id', async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    const theirs = await createToken(server, other.owner.session, { name: 'b-token', role: 'READER' });
    const theirService = await createToken(server, other.owner.session, { role: 'READER', serviceToken: true });
    const mine = await createToken(server, server.owner, { role: 'OWNER' });
    const missing = encodeGlobalID('Token', '0000000000000000000000000');
    for (const auth of [mine.secret, server.owner]) {
      const list = await server.gql<TokenList>(TOKENS, { showAll: true }, { auth });
      expect(ids(list)).not.toContain(theirs.token.id);
      expect(ids(list)).not.toContain(theirService.token.id);
      for (const id of [theirs.token.id, theirService.token.id]) {
        const res = await server.gql(TOKEN, { id }, { auth });
        const none = await server.gql(TOKEN, { id: missing }, { auth });
        expectError(res, 'NOT_FOUND');
        expect(res.body.errors?.[0]?.message).toBe(none.body.errors?.[0]?.message);
        for (const [doc, input] of [
          [DELETE, { id }],
          [RESET, { id }],
          [UPDATE, { id, name: 'pwned' }],
          [CLONE, { id }],
        ] as const) {
          const touched = await server.gql(doc, { input }, { auth });
          const touchedNone = await server.gql(doc, { input: { ...input, id: missing } }, { auth });
          expectError(touched, 'NOT_FOUND');
          expect(touched.body.errors?.[0]?.message).toBe(touchedNone.body.errors?.[0]?.message);
        }
      }
    }
    await expectWorks(server, theirs.secret);
    const still = await server.gql<{ token: TokenData }>(TOKEN, { id: theirs.token.id }, { auth: other.owner.session });
    expect(still.body.data?.token.name).toBe('b-token');
  });

  it('a token id of another type is not found', async () => {
    const server = await setupServer();
    const member = await addMember(server, { role: 'reader' });
    expectError(await server.gql(TOKEN, { id: member.globalId }, { auth: server.owner }), 'NOT_FOUND');
    expectError(await server.gql(TOKEN, { id: 'garbage' }, { auth: server.owner }), 'NOT_FOUND');
    expect(rawTokenId(encodeGlobalID('Token', 'abc'))).toBe('abc');
  });
});
