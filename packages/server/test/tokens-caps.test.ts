import { describe, expect, it } from 'vitest';
import { addCustomRole, addMember, setupServer } from './helpers.ts';
import { CLONE, UPDATE, createToken, createTokenRaw, expectError, expectOk, rawTokenId, type TokenData } from './tokens-fixtures.ts';

/** Creation caps (product.md): nobody creates a token that can do more than they can. */

const FLAG_WRITE = { effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/*:env/*:flag/*'] };
const VIEW_PROJECTS = { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] };

describe('base roles', () => {
  it('a reader creates reader tokens only', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    await createToken(server, reader.session, { role: 'READER' });
    for (const role of ['WRITER', 'ADMIN', 'OWNER']) {
      const res = await createTokenRaw(server, reader.session, { role });
      expectError(res, 'FORBIDDEN');
      expect(res.body.errors?.[0]?.message).toMatch(/readers can create reader tokens only/);
    }
  });

  it('a writer creates reader or writer tokens, not admin or owner ones', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    await createToken(server, writer.session, { role: 'READER' });
    await createToken(server, writer.session, { role: 'WRITER' });
    expectError(await createTokenRaw(server, writer.session, { role: 'ADMIN' }), 'FORBIDDEN');
    expectError(await createTokenRaw(server, writer.session, { role: 'OWNER' }), 'FORBIDDEN');
  });

  it('a refused role names an action and resource the token would exceed', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const res = await createTokenRaw(server, reader.session, { role: 'WRITER' });
    expectError(res, 'FORBIDDEN');
    const { action, resource } = res.body.errors?.[0]?.extensions ?? {};
    expect(typeof action).toBe('string');
    expect(resource).toMatch(/^proj/);
  });

  it('admins and owners create personal tokens of any base role', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    for (const role of ['NO_ACCESS', 'READER', 'WRITER', 'ADMIN', 'OWNER']) {
      expect((await createToken(server, admin.session, { role })).token.role).toBe(role);
      expect((await createToken(server, server.owner, { role })).token.role).toBe(role);
    }
  });

  it('a member without base access cannot give a token a base role', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'viewer', basePermissions: 'reader', policy: [] });
    const member = await addMember(server, { role: 'no_access', customRoleKeys: ['viewer'] });
    expectError(await createTokenRaw(server, member.session, { role: 'READER' }), 'FORBIDDEN');
    await createToken(server, member.session, { role: 'NO_ACCESS' });
  });
});

describe('custom roles', () => {
  it('a member gives a token only custom roles they hold; admins and owners any', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'mine', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }] });
    await addCustomRole(server, { key: 'other', policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/*:env/*:flag/*'] }] });
    const writer = await addMember(server, { role: 'writer', customRoleKeys: ['mine'] });
    const admin = await addMember(server, { role: 'admin' });
    await createToken(server, writer.session, { customRoleKeys: ['mine'] });
    const refused = await createTokenRaw(server, writer.session, { customRoleKeys: ['mine', 'other'] });
    expectError(refused, 'FORBIDDEN');
    expect(refused.body.errors?.[0]?.message).toMatch(/"other" is not one of yours/);
    await createToken(server, admin.session, { customRoleKeys: ['other'] });
    await createToken(server, server.owner, { customRoleKeys: ['mine', 'other'] });
  });
});

describe('inline policies', () => {
  it('are accepted when contained in the creator’s permissions', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    await createToken(server, writer.session, { inlinePolicy: [FLAG_WRITE, VIEW_PROJECTS] });
  });

  it('exceeding ones are FORBIDDEN naming the first exceeding action and resource', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const res = await createTokenRaw(server, reader.session, { inlinePolicy: [VIEW_PROJECTS, FLAG_WRITE] });
    expectError(res, 'FORBIDDEN', { action: 'updateOn', resource: 'proj/*:env/*:flag/*' });
    expect(res.body.errors?.[0]?.message).toMatch(/updateOn/);
  });

  it('an admin cannot put an owner-only action in an inline policy', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const res = await createTokenRaw(server, admin.session, { inlinePolicy: [{ effect: 'ALLOW', actions: ['*'], resources: ['*'] }] });
    expectError(res, 'FORBIDDEN', { action: 'updateServiceTokenLimit', resource: 'acct' });
    await createToken(server, server.owner, { inlinePolicy: [{ effect: 'ALLOW', actions: ['*'], resources: ['*'] }] });
  });
});

describe('service tokens never exceed their creator at creation', () => {
  it('an admin cannot mint an owner-level service token, but an admin-level one; an owner can mint an owner-level one', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const owner = await createTokenRaw(server, admin.session, { role: 'OWNER', serviceToken: true });
    expectError(owner, 'FORBIDDEN', { action: 'updateServiceTokenLimit', resource: 'acct' });
    expect(owner.body.errors?.[0]?.message).toMatch(/service token can never do more than its creator/);
    await createToken(server, admin.session, { role: 'ADMIN', serviceToken: true });
    await createToken(server, server.owner, { role: 'OWNER', serviceToken: true });
  });

  it('the same holds for custom roles and inline policies', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'limit-setter', policy: [{ effect: 'allow', actions: ['updateServiceTokenLimit'], resources: ['acct'] }] });
    const admin = await addMember(server, { role: 'admin' });
    expectError(await createTokenRaw(server, admin.session, { customRoleKeys: ['limit-setter'], serviceToken: true }), 'FORBIDDEN', { action: 'updateServiceTokenLimit' });
    expectError(
      await createTokenRaw(server, admin.session, { inlinePolicy: [{ effect: 'ALLOW', actions: ['updateServiceTokenLimit'], resources: ['acct'] }], serviceToken: true }),
      'FORBIDDEN',
      { action: 'updateServiceTokenLimit', resource: 'acct' },
    );
    await createToken(server, server.owner, { customRoleKeys: ['limit-setter'], serviceToken: true });
  });

  it('readers and writers may not create service tokens by default; a custom role can allow it, within their permissions', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    expectError(await createTokenRaw(server, writer.session, { role: 'READER', serviceToken: true }), 'FORBIDDEN', { action: 'createAccessToken' });
    await addCustomRole(server, { key: 'service-maker', policy: [{ effect: 'allow', actions: ['createAccessToken', 'viewAccessToken'], resources: ['service-token/*'] }] });
    const maker = await addMember(server, { role: 'writer', customRoleKeys: ['service-maker'] });
    await createToken(server, maker.session, { role: 'WRITER', serviceToken: true });
    expectError(await createTokenRaw(server, maker.session, { role: 'ADMIN', serviceToken: true }), 'FORBIDDEN');
  });
});

describe('restricting who may manage tokens with custom roles', () => {
  it('a custom role that denies createAccessToken stops its members creating tokens; without the deny they can', async () => {
    const server = await setupServer();
    await addCustomRole(server, {
      key: 'no-tokens',
      basePermissions: 'reader',
      policy: [{ effect: 'deny', actions: ['createAccessToken'], resources: ['member/*:token/*'] }],
    });
    await addCustomRole(server, { key: 'plain-reader', basePermissions: 'reader', policy: [] });
    const restricted = await addMember(server, { role: 'no_access', customRoleKeys: ['no-tokens'] });
    const allowed = await addMember(server, { role: 'no_access', customRoleKeys: ['plain-reader'] });
    const res = await createTokenRaw(server, restricted.session, { role: 'NO_ACCESS' });
    expectError(res, 'FORBIDDEN', { action: 'createAccessToken' });
    expect(String(res.body.errors?.[0]?.extensions?.resource)).toMatch(new RegExp(`^member/${restricted.id}:token/`));
    await createToken(server, allowed.session, { role: 'NO_ACCESS' });
  });

  it('a custom role can deny deleting tokens (FORBIDDEN, the token still visible)', async () => {
    const server = await setupServer();
    await addCustomRole(server, {
      key: 'keep-tokens',
      basePermissions: 'reader',
      policy: [{ effect: 'deny', actions: ['deleteAccessToken'], resources: ['member/*:token/*'] }],
    });
    const member = await addMember(server, { role: 'no_access', customRoleKeys: ['keep-tokens'] });
    const { token } = await createToken(server, member.session, { role: 'NO_ACCESS' });
    const res = await server.gql('mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }', { id: token.id }, { auth: member.session });
    expectError(res, 'FORBIDDEN', { action: 'deleteAccessToken', resource: `member/${member.id}:token/${rawTokenId(token.id)}` });
  });
});

describe('tokens creating tokens', () => {
  it('a reader-scoped token of an owner cannot create a writer token; the owner session can', async () => {
    const server = await setupServer();
    const { secret } = await createToken(server, server.owner, { role: 'READER' });
    expectError(await createTokenRaw(server, secret, { role: 'WRITER' }), 'FORBIDDEN');
    await createToken(server, secret, { role: 'READER' });
    await createToken(server, server.owner, { role: 'WRITER' });
  });

  it('a service token creates service tokens within its own scope, never personal tokens', async () => {
    const server = await setupServer();
    const { secret } = await createToken(server, server.owner, { role: 'ADMIN', serviceToken: true });
    await createToken(server, secret, { role: 'ADMIN', serviceToken: true });
    expectError(await createTokenRaw(server, secret, { role: 'OWNER', serviceToken: true }), 'FORBIDDEN');
    const personal = await createTokenRaw(server, secret, { role: 'READER' });
    expectError(personal, 'FORBIDDEN');
    expect(personal.body.errors?.[0]?.message).toMatch(/service token cannot create personal tokens/);
  });
});

describe('clone and update apply the same caps', () => {
  it("a reader cannot clone an admin's writer token (it would be theirs); the admin can", async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'see-all-tokens', policy: [{ effect: 'allow', actions: ['viewAccessToken'], resources: ['member/*:token/*'] }] });
    const reader = await addMember(server, { role: 'reader', customRoleKeys: ['see-all-tokens'] });
    const { token } = await createToken(server, server.owner, { role: 'WRITER' });
    expectError(await server.gql(CLONE, { input: { id: token.id } }, { auth: reader.session }), 'FORBIDDEN');
    expectOk(await server.gql(CLONE, { input: { id: token.id } }, { auth: server.owner }));
  });

  it('an admin cannot clone an owner-level service token', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const { token } = await createToken(server, server.owner, { role: 'OWNER', serviceToken: true });
    expectError(await server.gql(CLONE, { input: { id: token.id } }, { auth: admin.session }), 'FORBIDDEN', { action: 'updateServiceTokenLimit' });
  });

  it("updating a personal token's scope follows the creation caps", async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const { token } = await createToken(server, reader.session, { role: 'READER' });
    expectError(await server.gql(UPDATE, { input: { id: token.id, role: 'WRITER' } }, { auth: reader.session }), 'FORBIDDEN');
    expectError(await server.gql(UPDATE, { input: { id: token.id, inlinePolicy: [FLAG_WRITE] } }, { auth: reader.session }), 'FORBIDDEN', {
      action: 'updateOn',
      resource: 'proj/*:env/*:flag/*',
    });
    const ok = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, inlinePolicy: [VIEW_PROJECTS] } }, { auth: reader.session });
    expectOk(ok);
    expect(ok.body.data?.updateToken.token.inlinePolicy).toHaveLength(1);
  });
});
