import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recognizeSecret } from '@latchkey/sdk/secrets';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/auth/secrets.ts';
import { auditRows } from '../audit-helpers.ts';
import { addCustomRole, addMember, errorCode, OWNER_EMAIL, setupServer, type GqlResponse, type TestServer } from '../helpers.ts';
import { CLONE, RESET, UPDATE, VIEWER, createToken, createTokenRaw, expect401, expectWorks, inTheFuture, type Issued } from '../tokens-fixtures.ts';

/**
 * Issue 12's findings, one by one, each over a real HTTP socket (the way they were found): the
 * same server as the in-process tests, listening on a port, spoken to with fetch.
 */

/** The test server, but every request goes over a real socket. */
async function overHttp(server: TestServer): Promise<TestServer> {
  const http = createServer(server.yoga);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  const gql: TestServer['gql'] = async (query, variables, options = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.auth) headers.authorization = options.auth;
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { status: response.status, headers: response.headers, body: JSON.parse(await response.text()) };
  };
  return { ...server, gql };
}

async function httpServer(): Promise<TestServer> {
  return overHttp(await setupServer());
}

const ACCOUNT = `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { serviceTokenLimit } } }`;
const CREATE_ROLE = `mutation($input: CreateRoleInput!) { createRole(input: $input) { role { key } } }`;
const UPDATE_ROLE = `mutation($input: UpdateRoleInput!) { updateRole(input: $input) { role { key } } }`;
const UPDATE_MEMBER = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id role customRoles { key } } } }`;
const CREATE_TEAM = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { key } } }`;
const INVITE = `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { id email } inviteCode } }`;
const ACCEPT = `mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret member { id } } }`;
const REMOVE = `mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }`;
const OWNER_ID = `{ viewer { member { id } } }`;

function forbidden(res: GqlResponse): Record<string, unknown> {
  expect(res.body.errors?.[0]?.extensions?.code, JSON.stringify(res.body.errors)).toBe('FORBIDDEN');
  return res.body.errors?.[0]?.extensions ?? {};
}

function succeeded(res: GqlResponse): void {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
}

/** The number of successful audit entries, to prove a refusal wrote nothing. */
const successes = async (server: TestServer) => (await auditRows(server)).filter((r) => r.outcome === 'success').length;

async function ownerId(server: TestServer): Promise<string> {
  const res = await server.gql<{ viewer: { member: { id: string } } }>(OWNER_ID, {}, { auth: server.owner });
  return res.body.data?.viewer.member.id ?? '';
}

describe('1. a reset hands out authority, so it is under the same rule as a creation', () => {
  it('a READER-scoped token cannot reset the same member\'s OWNER-scoped token', async () => {
    const server = await httpServer();
    const strong = await createToken(server, server.owner, { name: 'owner-level', role: 'OWNER' });
    const weak = await createToken(server, server.owner, { name: 'reader-level', role: 'READER' });
    const before = await successes(server);
    const res = await server.gql(RESET, { input: { id: strong.token.id } }, { auth: weak.secret });
    forbidden(res);
    expect(res.body.data?.resetToken ?? null).toBeNull();
    // Nothing changed: the holder's secret still works, no success entry was written.
    await expectWorks(server, strong.secret);
    expect(await successes(server)).toBe(before);
    // The owner, through a session, may reset it.
    succeeded(await server.gql(RESET, { input: { id: strong.token.id } }, { auth: server.owner }));
  });

  it('an admin (session or ADMIN service token) cannot reset the owner\'s OWNER service token, even with a grace period', async () => {
    const server = await httpServer();
    const admin = await addMember(server, { role: 'admin' });
    const ownerService = await createToken(server, server.owner, { name: 'owner-svc', role: 'OWNER', serviceToken: true });
    const adminService = await createToken(server, server.owner, { name: 'admin-svc', role: 'ADMIN', serviceToken: true });
    const before = await successes(server);
    for (const auth of [admin.session, adminService.secret]) {
      const extensions = forbidden(await server.gql(RESET, { input: { id: ownerService.token.id, oldSecretExpiresAt: inTheFuture(86_400_000) } }, { auth }));
      expect(extensions).toMatchObject({ action: 'updateServiceTokenLimit', resource: 'acct' });
    }
    await expectWorks(server, ownerService.secret);
    expect(await successes(server)).toBe(before);
    // Within their authority, an admin resets service tokens as before.
    const readerService = await createToken(server, server.owner, { name: 'reader-svc', role: 'READER', serviceToken: true });
    succeeded(await server.gql(RESET, { input: { id: readerService.token.id } }, { auth: admin.session }));
  });
});

describe('2. an admin cannot become owner', () => {
  it('no role with more than the admin has: `*` on `*` is refused, naming the owner-only action', async () => {
    const server = await httpServer();
    const admin = await addMember(server, { role: 'admin' });
    const everything = [{ effect: 'ALLOW', actions: ['*'], resources: ['*'] }];
    const extensions = forbidden(await server.gql(CREATE_ROLE, { input: { key: 'god', name: 'God', policy: everything } }, { auth: admin.session }));
    expect(extensions).toMatchObject({ action: 'updateServiceTokenLimit', resource: 'acct' });
    const role = await server.gql<{ role: unknown }>(`{ role(key: "god") { key } }`, {}, { auth: server.owner });
    expect(role.body.data?.role ?? null).toBeNull();
    // A role within the admin's authority is fine, and widening it to `*` later is refused too.
    const flags = [{ effect: 'ALLOW', actions: ['*'], resources: ['proj/*:env/*:flag/*'] }];
    succeeded(await server.gql(CREATE_ROLE, { input: { key: 'flags', name: 'Flags', policy: flags } }, { auth: admin.session }));
    succeeded(await server.gql(UPDATE_MEMBER, { input: { id: admin.globalId, customRoleKeys: ['flags'] } }, { auth: admin.session }));
    forbidden(await server.gql(UPDATE_ROLE, { input: { key: 'flags', policy: everything } }, { auth: admin.session }));
  });

  it('the owner-only steps all stay refused for an admin: limit, self-promotion, demoting the owner, removing the owner', async () => {
    const server = await httpServer();
    const admin = await addMember(server, { role: 'admin' });
    const owner = await ownerId(server);
    const before = await successes(server);
    forbidden(await server.gql(ACCOUNT, { input: { serviceTokenLimit: 1000 } }, { auth: admin.session }));
    forbidden(await server.gql(UPDATE_MEMBER, { input: { id: admin.globalId, role: 'OWNER' } }, { auth: admin.session }));
    forbidden(await server.gql(UPDATE_MEMBER, { input: { id: owner, role: 'READER' } }, { auth: admin.session }));
    forbidden(await server.gql(REMOVE, { input: { id: owner } }, { auth: admin.session }));
    expect(await successes(server)).toBe(before);
  });

  it('a role that already grants owner-only actions cannot be given by an admin, directly or through a team', async () => {
    const server = await httpServer();
    await addCustomRole(server, { key: 'limits', policy: [{ effect: 'allow', actions: ['updateServiceTokenLimit'], resources: ['acct'] }] });
    const admin = await addMember(server, { role: 'admin' });
    const before = await successes(server);
    forbidden(await server.gql(UPDATE_MEMBER, { input: { id: admin.globalId, customRoleKeys: ['limits'] } }, { auth: admin.session }));
    forbidden(await server.gql(CREATE_TEAM, { input: { key: 'ops', name: 'Ops', memberIds: [admin.globalId], customRoleKeys: ['limits'] } }, { auth: admin.session }));
    forbidden(await createTokenRaw(server, admin.session, { name: 'limits', customRoleKeys: ['limits'] }));
    forbidden(await createTokenRaw(server, admin.session, { name: 'limits', customRoleKeys: ['limits'], serviceToken: true }));
    expect(await successes(server)).toBe(before);
    // The owner can.
    succeeded(await server.gql(UPDATE_MEMBER, { input: { id: admin.globalId, customRoleKeys: ['limits'] } }, { auth: server.owner }));
  });
});

describe('only what a change adds must be within the caller', () => {
  it('an admin may give a team with the owner in it a role within the admin\'s authority, and edit a role the owner holds', async () => {
    const server = await httpServer();
    const admin = await addMember(server, { role: 'admin' });
    const owner = await ownerId(server);
    const flags = [{ effect: 'ALLOW', actions: ['*'], resources: ['proj/*:env/*:flag/*'] }];
    succeeded(await server.gql(CREATE_ROLE, { input: { key: 'flags', name: 'Flags', policy: flags } }, { auth: server.owner }));
    succeeded(await server.gql(UPDATE_MEMBER, { input: { id: owner, customRoleKeys: ['flags'] } }, { auth: server.owner }));
    // The owner can do more than the admin, but the team and the edit hand the owner nothing new beyond the admin.
    succeeded(await server.gql(CREATE_TEAM, { input: { key: 'ops', name: 'Ops', memberIds: [owner], customRoleKeys: ['flags'] } }, { auth: admin.session }));
    const viewOnly = [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }];
    succeeded(await server.gql(UPDATE_ROLE, { input: { key: 'flags', policy: viewOnly } }, { auth: admin.session }));
    // What the admin lacks stays refused, however strong the holders already are.
    const extensions = forbidden(await server.gql(UPDATE_ROLE, { input: { key: 'flags', policy: [{ effect: 'ALLOW', actions: ['updateServiceTokenLimit'], resources: ['acct'] }] } }, { auth: admin.session }));
    expect(extensions).toMatchObject({ action: 'updateServiceTokenLimit', resource: 'acct' });
  });
});

describe('4. role attribute names are ordinary names', () => {
  it('constructor, toString and hasOwnProperty are accepted as keys (not "given twice")', async () => {
    const server = await httpServer();
    const member = await addMember(server, { role: 'reader' });
    const roleAttributes = ['constructor', 'toString', 'hasOwnProperty'].map((key) => ({ key, values: ['x'] }));
    const res = await server.gql(UPDATE_MEMBER, { input: { id: member.globalId, roleAttributes } }, { auth: server.owner });
    succeeded(res);
    const twice = await server.gql(UPDATE_MEMBER, { input: { id: member.globalId, roleAttributes: [...roleAttributes, { key: 'toString', values: ['y'] }] } }, { auth: server.owner });
    expect(errorCode(twice)).toBe('BAD_USER_INPUT');
    expect(twice.body.errors?.[0]?.message).toMatch(/"toString" given twice/);
  });
});

describe('3. bounded work: custom roles per member and team', () => {
  it('at most 50 custom roles are given at once', async () => {
    const server = await httpServer();
    const member = await addMember(server, { role: 'reader' });
    const keys = Array.from({ length: 51 }, (_, i) => `r${i}`);
    for (const key of keys) await addCustomRole(server, { key, policy: [{ effect: 'allow', actions: ['viewProject'], resources: [`proj/${key}`] }] });
    const over = await server.gql(UPDATE_MEMBER, { input: { id: member.globalId, customRoleKeys: keys } }, { auth: server.owner });
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(over.body.errors?.[0]?.message).toMatch(/at most 50 custom roles \(found 51\)/);
    expect(errorCode(await server.gql(CREATE_TEAM, { input: { key: 'big', name: 'Big', customRoleKeys: keys } }, { auth: server.owner }))).toBe('BAD_USER_INPUT');
    succeeded(await server.gql(UPDATE_MEMBER, { input: { id: member.globalId, customRoleKeys: keys.slice(0, 50) } }, { auth: server.owner }));
  });
});

describe('5. a token never outlives the credential that made it', () => {
  async function shortLived(server: TestServer): Promise<Issued & { expiresAt: string }> {
    const expiresAt = inTheFuture(3_600_000);
    const issued = await createToken(server, server.owner, { name: 'short', role: 'READER', expiresAt });
    return { ...issued, expiresAt: issued.token.expiresAt ?? expiresAt };
  }

  it('through itself it can neither clear nor extend its expiry, only shorten it', async () => {
    const server = await httpServer();
    const token = await shortLived(server);
    forbidden(await server.gql(UPDATE, { input: { id: token.token.id, expiresAt: null } }, { auth: token.secret }));
    forbidden(await server.gql(UPDATE, { input: { id: token.token.id, expiresAt: inTheFuture(9_999 * 86_400_000) } }, { auth: token.secret }));
    const sooner = inTheFuture(1_800_000);
    const shortened = await server.gql<{ updateToken: { token: { expiresAt: string } } }>(UPDATE, { input: { id: token.token.id, expiresAt: sooner } }, { auth: token.secret });
    succeeded(shortened);
    expect(shortened.body.data?.updateToken.token.expiresAt).toBe(sooner);
    // A person (session) may clear it.
    const cleared = await server.gql<{ updateToken: { token: { expiresAt: string | null } } }>(UPDATE, { input: { id: token.token.id, expiresAt: null } }, { auth: server.owner });
    expect(cleared.body.data?.updateToken.token.expiresAt).toBeNull();
  });

  it('a clone or a new token made through it expires no later than it', async () => {
    const server = await httpServer();
    const token = await shortLived(server);
    const clone = await server.gql<{ cloneToken: Issued }>(CLONE, { input: { id: token.token.id } }, { auth: token.secret });
    succeeded(clone);
    expect(clone.body.data?.cloneToken.token.expiresAt).toBe(token.expiresAt);
    const created = await createToken(server, token.secret, { name: 'child', role: 'READER' });
    expect(created.token.expiresAt).toBe(token.expiresAt);
    forbidden(await createTokenRaw(server, token.secret, { name: 'later', role: 'READER', expiresAt: inTheFuture(7_200_000) }));
  });

  it('a reset through it keeps the grace period within its life, and cannot renew a longer-lived token', async () => {
    const server = await httpServer();
    const token = await shortLived(server);
    const forever = await createToken(server, server.owner, { name: 'forever', role: 'READER' });
    forbidden(await server.gql(RESET, { input: { id: token.token.id, oldSecretExpiresAt: inTheFuture(9_999 * 86_400_000) } }, { auth: token.secret }));
    forbidden(await server.gql(RESET, { input: { id: forever.token.id } }, { auth: token.secret }));
    await expectWorks(server, forever.secret);
    const reset = await server.gql<{ resetToken: Issued }>(RESET, { input: { id: token.token.id, oldSecretExpiresAt: inTheFuture(600_000) } }, { auth: token.secret });
    succeeded(reset);
    await expectWorks(server, reset.body.data?.resetToken.secret ?? '');
  });
});

describe('8. secrets where guards did not look', () => {
  it('a secret inside a policy resource is refused, for roles and inline policies alike', async () => {
    const server = await httpServer();
    const leaked = generateSecret('service');
    const policy = [{ effect: 'ALLOW', actions: ['viewProject'], resources: [`proj/${leaked}`] }];
    const role = await server.gql(CREATE_ROLE, { input: { key: 'leaky', name: 'Leaky', policy } }, { auth: server.owner });
    expect(errorCode(role)).toBe('BAD_USER_INPUT');
    expect(role.body.errors?.[0]?.extensions?.field).toBe('policy[0].resources[0]');
    const token = await createTokenRaw(server, server.owner, { name: 'leaky', inlinePolicy: policy });
    expect(errorCode(token)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify([role.body, token.body])).not.toContain(leaked);
  });

  it('a secret glued to a word is still a secret: refused in names, obscured in User-Agent and x-request-id', async () => {
    const server = await httpServer();
    const secret = generateSecret('service');
    const named = await createTokenRaw(server, server.owner, { name: `x_${secret}`, role: 'READER' });
    expect(errorCode(named)).toBe('BAD_USER_INPUT');
    const invite = generateSecret('invite');
    await server.gql(VIEWER, {}, { auth: server.owner });
    const res = await server.gql(INVITE, { input: { email: 'ua@example.test', role: 'READER' } }, {
      auth: server.owner,
      headers: { 'user-agent': `curl/8 x_${secret}`, 'x-request-id': `req-${invite}` },
    });
    succeeded(res);
    expect(res.headers.get('x-request-id')).not.toContain(invite);
    const stored = JSON.stringify(await auditRows(server));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(invite);
    expect(server.logs.join('\n')).not.toContain(secret);
  });

  it('invite codes carry a checksum: recognised offline like every other secret', async () => {
    const server = await httpServer();
    const res = await server.gql<{ inviteMember: { inviteCode: string } }>(INVITE, { input: { email: 'code@example.test', role: 'READER' } }, { auth: server.owner });
    const code = res.body.data?.inviteMember.inviteCode ?? '';
    expect(recognizeSecret(code)).toBe('invite');
    expect(recognizeSecret(`${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    // It is no credential: refused before any lookup.
    await expect401(server, code, /invite code is not a credential/);
  });
});

describe('10. input hygiene', () => {
  it('NUL and zero-width characters are refused in names and emails', async () => {
    const server = await httpServer();
    for (const name of ['ci\u0000reader', 'ci\u200Breader', '\uFEFFci']) {
      expect(errorCode(await createTokenRaw(server, server.owner, { name, role: 'READER' }))).toBe('BAD_USER_INPUT');
    }
    const zeroWidth = await server.gql(INVITE, { input: { email: 'zero\u200Bwidth@example.test', role: 'READER' } }, { auth: server.owner });
    expect(errorCode(zeroWidth)).toBe('BAD_USER_INPUT');
  });

  it('emails are NFKC-normalised before uniqueness: a full-width look-alike is the same address', async () => {
    const server = await httpServer();
    const lookAlike = OWNER_EMAIL.replace('o', '\uFF4F');
    expect(lookAlike).not.toBe(OWNER_EMAIL);
    const res = await server.gql(INVITE, { input: { email: lookAlike, role: 'READER' } }, { auth: server.owner });
    expect(errorCode(res)).toBe('CONFLICT');
  });

  it('an impossible date is bad input, not silently another day', async () => {
    const server = await httpServer();
    const res = await createTokenRaw(server, server.owner, { name: 'feb', role: 'READER', expiresAt: '2030-02-31T00:00:00Z' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const leap = await createToken(server, server.owner, { name: 'leap', role: 'READER', expiresAt: '2032-02-29T12:00:00Z' });
    expect(leap.token.expiresAt).toBe('2032-02-29T12:00:00.000Z');
  });
});

describe('12. a removed member\'s email can be invited again', () => {
  it('as a new member, without reviving the old member\'s tokens or sessions', async () => {
    const server = await httpServer();
    const first = await server.gql<{ inviteMember: { member: { id: string }; inviteCode: string } }>(INVITE, { input: { email: 'again@example.test', role: 'WRITER' } }, { auth: server.owner });
    const accepted = await server.gql<{ acceptInvite: { secret: string } }>(ACCEPT, {
      input: { inviteCode: first.body.data?.inviteMember.inviteCode, name: 'Again', password: 'a long password 1' },
    });
    const oldSession = accepted.body.data?.acceptInvite.secret ?? '';
    const oldToken = await createToken(server, oldSession, { name: 'old', role: 'READER' });
    succeeded(await server.gql(REMOVE, { input: { id: first.body.data?.inviteMember.member.id } }, { auth: server.owner }));

    const again = await server.gql<{ inviteMember: { member: { id: string }; inviteCode: string } }>(INVITE, { input: { email: 'again@example.test', role: 'READER' } }, { auth: server.owner });
    succeeded(again);
    expect(again.body.data?.inviteMember.member.id).not.toBe(first.body.data?.inviteMember.member.id);
    const rejoined = await server.gql<{ acceptInvite: { secret: string } }>(ACCEPT, {
      input: { inviteCode: again.body.data?.inviteMember.inviteCode, name: 'Again', password: 'a long password 2' },
    });
    succeeded(rejoined);
    await expect401(server, oldToken.secret, /removed|inactive/i);
    await expect401(server, oldSession, /removed|revoked/i);
    // The new member has only what the new invitation gave, and none of the old tokens.
    const viewer = await server.gql<{ viewer: { member: { role: string; tokens: { edges: unknown[] } } } }>(
      `{ viewer { member { role tokens { edges { node { id } } } } } }`,
      {},
      { auth: rejoined.body.data?.acceptInvite.secret ?? '' },
    );
    expect(viewer.body.data?.viewer.member.role).toBe('READER');
    expect(viewer.body.data?.viewer.member.tokens.edges).toHaveLength(0);
    // And an address in use is still a conflict.
    expect(errorCode(await server.gql(INVITE, { input: { email: 'again@example.test', role: 'READER' } }, { auth: server.owner }))).toBe('CONFLICT');
  });
});
