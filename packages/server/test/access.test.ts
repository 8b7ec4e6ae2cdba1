import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, setupServer } from './helpers.ts';
import { CHECK_ACCESS, createProject, createToken, fails, ok, UPDATE_MEMBER } from './scenarios-helpers.ts';

interface Decision {
  allowed: boolean;
  reason: string;
  refusedBy: 'TOKEN' | 'OWNER' | null;
  statements: Array<{ source: string; index: number; effect: string; statement: { effect: string; actions: string[] | null; resources: string[] | null } }>;
}

async function check(server: Awaited<ReturnType<typeof setupServer>>, auth: string, action: string, resource: string, tokenId?: string): Promise<Decision> {
  const data = await ok<{ checkAccess: Decision }>(server, auth, CHECK_ACCESS, { action, resource, tokenId });
  return data.checkAccess;
}

describe('checkAccess explains decisions for your own credential', () => {
  it('names the allowing statement of a base role', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    const decision = await check(server, writer.session, 'updateOn', 'proj/web:env/production:flag/f');
    expect(decision.allowed).toBe(true);
    expect(decision.refusedBy).toBeNull();
    expect(decision.statements).toEqual([
      expect.objectContaining({ source: 'base:writer', effect: 'ALLOW', statement: expect.objectContaining({ resources: ['proj/*', 'proj/*:env/*', 'proj/*:env/*:flag/*'] }) }),
    ]);
    expect(decision.reason).toMatch(/allowed by base:writer/);
  });

  it('names the denying statement and its index inside a custom role', async () => {
    const server = await setupServer();
    await addCustomRole(server, {
      key: 'no-prod',
      policy: [
        { effect: 'allow', actions: ['updateOn'], resources: ['proj/*:env/*:flag/*'] },
        { effect: 'deny', actions: ['updateOn'], resources: ['proj/*:env/production:flag/*'] },
      ],
    });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['no-prod'] });
    const denied = await check(server, m.session, 'updateOn', 'proj/web:env/production:flag/f');
    expect(denied).toMatchObject({ allowed: false, refusedBy: null, statements: [{ source: 'role:no-prod', index: 1, effect: 'DENY' }] });
    expect(denied.reason).toMatch(/denied by role:no-prod statement 1/);
    const allowed = await check(server, m.session, 'updateOn', 'proj/web:env/test:flag/f');
    expect(allowed).toMatchObject({ allowed: true, statements: [{ source: 'role:no-prod', index: 0, effect: 'ALLOW' }] });
  });

  it('no matching statement: refused with an empty list and a reason', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const decision = await check(server, reader.session, 'deleteMember', 'member/someone');
    expect(decision).toMatchObject({ allowed: false, statements: [] });
    expect(decision.reason).toMatch(/no statement allows deleteMember/);
  });

  it('uses the real tags of projects and environments', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'ios', ['mobile']);
    await createProject(server, server.owner, 'site', ['web']);
    await addCustomRole(server, { key: 'mobile', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*;mobile'] }] });
    const m = await addMember(server, { role: 'no_access', customRoleKeys: ['mobile'] });
    expect((await check(server, m.session, 'viewProject', 'proj/ios')).allowed).toBe(true);
    expect((await check(server, m.session, 'viewProject', 'proj/site')).allowed).toBe(false);
    expect((await check(server, m.session, 'viewProject', 'proj/not-yet')).allowed).toBe(false);
  });

  it('for a personal token, says whether the token or its owner refused', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'writer' });
    const token = await createToken(server, m.session, { name: 'reader token', role: 'READER' });
    const byToken = await check(server, token.secret, 'updateOn', 'proj/web:env/test:flag/f');
    expect(byToken).toMatchObject({ allowed: false, refusedBy: 'TOKEN' });
    expect(byToken.reason).toMatch(/^token scope/);
    // Downgrade the owner: now the owner's permissions are the limit for what the token still could do.
    const writerToken = await createToken(server, m.session, { name: 'writer token', role: 'WRITER' });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, role: 'READER' } });
    const byOwner = await check(server, writerToken.secret, 'updateOn', 'proj/web:env/test:flag/f');
    expect(byOwner).toMatchObject({ allowed: false, refusedBy: 'OWNER' });
    expect(byOwner.reason).toMatch(/^owner's permissions/);
    const both = await check(server, writerToken.secret, 'viewProject', 'proj/web');
    expect(both.allowed).toBe(true);
    expect(both.statements.map((s) => s.source)).toEqual(['token:writer', 'base:reader']);
  });

  it('a bad resource name is BAD_USER_INPUT; an unknown action is simply refused', async () => {
    const server = await setupServer();
    for (const resource of ['proj/*;mobile', 'proj/a*', 'nope/x', 'proj/', '', 'acct/x', 'proj/${roleAttribute/p}']) {
      const error = await fails(server, server.owner, 'BAD_USER_INPUT', CHECK_ACCESS, { action: 'viewProject', resource });
      expect(error.extensions.field).toBe('resource');
    }
    expect((await check(server, server.owner, 'createMember', 'member/*')).allowed).toBe(true);
    const decision = await check(server, server.owner, 'flyToTheMoon', 'proj/web');
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/not an action on proj/);
  });

  it('needs a credential', async () => {
    const server = await setupServer();
    const res = await server.gql(CHECK_ACCESS, { action: 'viewProject', resource: 'proj/web' });
    expect(res.status).toBe(401);
  });
});

describe('checkAccess for a token (tokenId)', () => {
  it("explains another token's decision when the caller may view it", async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'writer' });
    const token = await createToken(server, m.session, {
      name: 'ci',
      inlinePolicy: [{ effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/*:env/test:flag/*'] }],
    });
    // The owner asks about their own token...
    const own = await check(server, m.session, 'updateOn', 'proj/web:env/production:flag/f', token.id);
    expect(own).toMatchObject({ allowed: false, refusedBy: 'TOKEN' });
    const allowed = await check(server, m.session, 'updateOn', 'proj/web:env/test:flag/f', token.id);
    expect(allowed).toMatchObject({ allowed: true, statements: [{ source: 'inline', index: 0 }, { source: 'base:writer' }] });
    // ... and an admin (viewAccessToken on every token) may too.
    const admin = await addMember(server, { role: 'admin' });
    expect((await check(server, admin.session, 'updateOn', 'proj/web:env/test:flag/f', token.id)).allowed).toBe(true);
  });

  it("someone else's personal token is NOT_FOUND for those who may not view it, like a missing one", async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'writer' });
    const token = await createToken(server, m.session, { name: 'private', role: 'READER' });
    const peer = await addMember(server, { role: 'writer' });
    const hidden = await fails(server, peer.session, 'NOT_FOUND', CHECK_ACCESS, { action: 'viewProject', resource: 'proj/x', tokenId: token.id });
    const missing = await fails(server, peer.session, 'NOT_FOUND', CHECK_ACCESS, { action: 'viewProject', resource: 'proj/x', tokenId: token.id.slice(0, -3) + 'AAA' });
    expect(hidden.message).toBe(missing.message);
  });

  it("another account's token is NOT_FOUND, even for an owner", async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    const token = await createToken(server, other.owner.session, { name: 'theirs', role: 'READER' });
    await fails(server, server.owner, 'NOT_FOUND', CHECK_ACCESS, { action: 'viewProject', resource: 'proj/x', tokenId: token.id });
    expect((await check(server, other.owner.session, 'viewProject', 'proj/x', token.id)).allowed).toBe(true);
  });

  it('a service token is judged by its own scope only', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const token = await createToken(server, admin.session, { name: 'svc', role: 'WRITER', serviceToken: true });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: admin.globalId, role: 'READER' } });
    const decision = await check(server, server.owner, 'updateOn', 'proj/web:env/test:flag/f', token.id);
    expect(decision).toMatchObject({ allowed: true, refusedBy: null });
    const refused = await check(server, server.owner, 'deleteMember', 'member/x', token.id);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'TOKEN' });
  });
});
