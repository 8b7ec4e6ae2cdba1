import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryRow, CredentialKind } from '../src/db/schema/audit.ts';
import { digestSecret } from '../src/auth/secrets.ts';
import { findAccount } from '../src/store/accounts.ts';
import { findMemberByEmail } from '../src/store/members.ts';
import { recordAudit } from '../src/services/audit.ts';
import { accounts } from '../src/db/tables.ts';
import { sessions, tokens } from '../src/db/tables.ts';
import { eq } from 'drizzle-orm';
import { addAccount, addMember, errorCode, MEMBER_PASSWORD, OWNER_EMAIL, OWNER_PASSWORD, setupServer, type TestServer } from './helpers.ts';
import { AUDIT_LOG, auditRows, auditRowsOf, firstAccountId, rawAuditText, sessionIdOf, type AuditPage } from './audit-helpers.ts';

/** What the one entry a mutation appends must say about who did it and with which credential. */
interface ExpectedEntry {
  accountId: string;
  actorId: string;
  credentialKind: CredentialKind;
  sessionId: string | null;
  tokenId: string | null;
  action: string;
  resource: string;
}

interface MutationCase {
  name: string;
  /** Sets the scene (its own entries are not counted), e.g. a session to log out; returns what `run` needs. */
  prepare?(server: TestServer): Promise<Record<string, string>>;
  /** Runs the mutation (asserting it succeeded) and says what its entry must hold. */
  run(server: TestServer, prepared: Record<string, string>): Promise<ExpectedEntry>;
}

// Secrets handed out during these tests: none may reach the audit table, in any column.
const issuedSecrets: string[] = [];

async function ok<T>(server: TestServer, query: string, variables: Record<string, unknown>, auth?: string): Promise<T> {
  const res = await server.gql<T>(query, variables, { auth: auth ?? null });
  expect(res.body.errors).toBeUndefined();
  const data = res.body.data;
  if (!data) throw new Error('no data');
  return data;
}

async function freshLogin(server: TestServer, email = OWNER_EMAIL, password = OWNER_PASSWORD): Promise<string> {
  const secret = await server.login(email, password);
  issuedSecrets.push(secret);
  return secret;
}

async function ownerOf(server: TestServer) {
  const owner = await findMemberByEmail(server.app.db, OWNER_EMAIL);
  if (!owner) throw new Error('no owner');
  return owner;
}

/** The entry of a mutation the first owner made with their session (`server.owner`). */
async function byOwnerSession(server: TestServer, action: string, resource: string): Promise<ExpectedEntry> {
  const owner = await ownerOf(server);
  return { accountId: owner.accountId, actorId: owner.id, credentialKind: 'session', sessionId: await sessionIdOf(server, server.owner), tokenId: null, action, resource };
}

/** Runs a mutation as the owner (or with `auth`), asserting success; collects any secret it returns. */
async function mutate<T = Record<string, unknown>>(server: TestServer, query: string, input: Record<string, unknown>, auth = server.owner): Promise<T> {
  const data = await ok<T>(server, query, { input }, auth);
  for (const match of JSON.stringify(data).matchAll(/"(?:secret|inviteCode)":"([^"]+)"/g)) if (match[1]) issuedSecrets.push(match[1]);
  return data;
}

const CREATE_TOKEN = 'mutation($input: CreateTokenInput!) { createToken(input: $input) { token { id } secret } }';
const rawOf = (globalId: string) => decodeGlobalID(globalId).id;

/** A token of the owner's for the cases below: its raw id and secret. */
async function ownerToken(server: TestServer, input: Record<string, unknown>): Promise<Record<string, string>> {
  const data = await mutate<{ createToken: { token: { id: string }; secret: string } }>(server, CREATE_TOKEN, input);
  return { tokenId: rawOf(data.createToken.token.id), globalId: data.createToken.token.id, secret: data.createToken.secret };
}

/**
 * One row per kind of mutation that exists. Add a row when a concept gains a mutation: the test
 * below checks it appends exactly one entry naming the right actor and credential. Rows run in
 * order on one server; `prepare` sets the scene without being counted.
 */
const MUTATIONS: MutationCase[] = [
  // --- sessions and the account ---
  {
    name: 'login',
    async run(server) {
      const owner = await ownerOf(server);
      const data = await ok<{ login: { secret: string } }>(server, 'mutation($input: LoginInput!) { login(input: $input) { secret } }', {
        input: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
      });
      issuedSecrets.push(data.login.secret);
      return {
        accountId: owner.accountId,
        actorId: owner.id,
        credentialKind: 'session',
        sessionId: await sessionIdOf(server, data.login.secret),
        tokenId: null,
        action: 'login',
        resource: `member/${owner.id}`,
      };
    },
  },
  {
    name: 'logout',
    prepare: async (server) => ({ secret: await freshLogin(server) }),
    async run(server, { secret = '' }) {
      const owner = await ownerOf(server);
      const sessionId = await sessionIdOf(server, secret);
      await ok(server, 'mutation { logout }', {}, secret);
      return { accountId: owner.accountId, actorId: owner.id, credentialKind: 'session', sessionId, tokenId: null, action: 'revokeSessions', resource: `member/${owner.id}` };
    },
  },
  {
    name: 'revokeSession',
    prepare: async (server) => ({ other: await freshLogin(server) }),
    async run(server, { other = '' }) {
      const owner = await ownerOf(server);
      await ok(server, 'mutation($id: ID!) { revokeSession(id: $id) }', { id: encodeGlobalID('Session', await sessionIdOf(server, other)) }, server.owner);
      return await byOwnerSession(server, 'revokeSessions', `member/${owner.id}`);
    },
  },
  {
    name: 'signUp',
    async run(server) {
      const email = `founder-${Date.now()}@signup.test`;
      await mutate(server, 'mutation($input: SignUpInput!) { signUp(input: $input) { secret } }', { accountName: 'Founded', email, name: 'Founder', password: MEMBER_PASSWORD }, '');
      const founder = await findMemberByEmail(server.app.db, email);
      if (!founder) throw new Error('no founder');
      // The founder's first session opens in the same transaction, and the entry names it.
      const [session] = await server.app.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.memberId, founder.id));
      if (!session) throw new Error('no session for the founder');
      return { accountId: founder.accountId, actorId: founder.id, credentialKind: 'session', sessionId: session.id, tokenId: null, action: 'createAccount', resource: 'acct' };
    },
  },
  {
    name: 'updateAccount',
    async run(server) {
      const owner = await ownerOf(server);
      const limit = ((await findAccount(server.app.db, owner.accountId))?.serviceTokenLimit ?? 0) + 1;
      await mutate(server, 'mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }', { serviceTokenLimit: limit });
      return await byOwnerSession(server, 'updateServiceTokenLimit', 'acct');
    },
  },
  // --- tokens ---
  {
    name: 'createToken',
    async run(server) {
      const { tokenId = '' } = await ownerToken(server, { name: 'audit-created', role: 'READER' });
      return await byOwnerSession(server, 'createAccessToken', `member/${(await ownerOf(server)).id}:token/${tokenId}`);
    },
  },
  {
    name: 'updateToken',
    prepare: (server) => ownerToken(server, { name: 'audit-update', role: 'READER' }),
    async run(server, { tokenId = '', globalId }) {
      await mutate(server, 'mutation($input: UpdateTokenInput!) { updateToken(input: $input) { token { id } } }', { id: globalId, name: 'audit-updated' });
      return await byOwnerSession(server, 'updateAccessTokenName', `member/${(await ownerOf(server)).id}:token/${tokenId}`);
    },
  },
  {
    name: 'cloneToken (with the token itself: a personal-token credential)',
    prepare: (server) => ownerToken(server, { name: 'audit-clone', role: 'WRITER' }),
    async run(server, { tokenId = '', globalId, secret = '' }) {
      const data = await mutate<{ cloneToken: { token: { id: string } } }>(
        server,
        'mutation($input: CloneTokenInput!) { cloneToken(input: $input) { token { id } secret } }',
        { id: globalId, name: 'audit-cloned' },
        secret,
      );
      const owner = await ownerOf(server);
      return {
        accountId: owner.accountId,
        actorId: owner.id,
        credentialKind: 'personal',
        sessionId: null,
        tokenId,
        action: 'createAccessToken',
        resource: `member/${owner.id}:token/${rawOf(data.cloneToken.token.id)}`,
      };
    },
  },
  {
    name: 'resetToken',
    prepare: (server) => ownerToken(server, { name: 'audit-reset', role: 'READER' }),
    async run(server, { tokenId = '', globalId }) {
      await mutate(server, 'mutation($input: ResetTokenInput!) { resetToken(input: $input) { token { id } secret } }', { id: globalId });
      return await byOwnerSession(server, 'resetAccessToken', `member/${(await ownerOf(server)).id}:token/${tokenId}`);
    },
  },
  {
    name: 'deleteToken',
    prepare: (server) => ownerToken(server, { name: 'audit-delete', role: 'READER' }),
    async run(server, { tokenId = '', globalId }) {
      await mutate(server, 'mutation($input: DeleteTokenInput!) { deleteToken(input: $input) { deletedTokenId } }', { id: globalId });
      return await byOwnerSession(server, 'deleteAccessToken', `member/${(await ownerOf(server)).id}:token/${tokenId}`);
    },
  },
  // --- custom roles ---
  {
    name: 'createRole',
    async run(server) {
      const policy = [{ effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/*:env/test:flag/*'] }];
      await mutate(server, 'mutation($input: CreateRoleInput!) { createRole(input: $input) { role { id } } }', { key: 'audit-role', name: 'Audit role', policy });
      return await byOwnerSession(server, 'createRole', 'role/audit-role');
    },
  },
  {
    name: 'updateRole',
    async run(server) {
      await mutate(server, 'mutation($input: UpdateRoleInput!) { updateRole(input: $input) { role { id } } }', { key: 'audit-role', name: 'Audit role 2' });
      return await byOwnerSession(server, 'updateName', 'role/audit-role');
    },
  },
  // --- teams ---
  {
    name: 'createTeam',
    async run(server) {
      await mutate(server, 'mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }', { key: 'audit-team', name: 'Audit team', customRoleKeys: ['audit-role'] });
      return await byOwnerSession(server, 'createTeam', 'team/audit-team');
    },
  },
  {
    name: 'updateTeam',
    async run(server) {
      await mutate(server, 'mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }', { key: 'audit-team', name: 'Audit team 2' });
      return await byOwnerSession(server, 'updateTeamName', 'team/audit-team');
    },
  },
  {
    name: 'deleteTeam',
    async run(server) {
      await mutate(server, 'mutation($input: DeleteTeamInput!) { deleteTeam(input: $input) { deletedTeamKey } }', { key: 'audit-team' });
      return await byOwnerSession(server, 'deleteTeam', 'team/audit-team');
    },
  },
  {
    name: 'deleteRole',
    async run(server) {
      await mutate(server, 'mutation($input: DeleteRoleInput!) { deleteRole(input: $input) { deletedRoleKey } }', { key: 'audit-role' });
      return await byOwnerSession(server, 'deleteRole', 'role/audit-role');
    },
  },
  // --- members ---
  {
    name: 'inviteMember',
    async run(server) {
      const data = await mutate<{ inviteMember: { member: { id: string } } }>(
        server,
        'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { member { id } inviteCode } }',
        { email: 'invited@example.test', role: 'READER' },
      );
      return await byOwnerSession(server, 'createMember', `member/${rawOf(data.inviteMember.member.id)}`);
    },
  },
  {
    name: 'acceptInvite (no credential yet: the session it opens)',
    prepare: async (server) => {
      const data = await mutate<{ inviteMember: { inviteCode: string } }>(
        server,
        'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { inviteCode } }',
        { email: 'accepting@example.test', role: 'WRITER' },
      );
      return { code: data.inviteMember.inviteCode };
    },
    async run(server, { code }) {
      const data = await mutate<{ acceptInvite: { secret: string } }>(
        server,
        'mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret } }',
        { inviteCode: code, name: 'Accepting', password: MEMBER_PASSWORD },
        '',
      );
      const member = await findMemberByEmail(server.app.db, 'accepting@example.test');
      if (!member) throw new Error('no member');
      return {
        accountId: member.accountId,
        actorId: member.id,
        credentialKind: 'session',
        sessionId: await sessionIdOf(server, data.acceptInvite.secret),
        tokenId: null,
        action: 'acceptInvite',
        resource: `member/${member.id}`,
      };
    },
  },
  {
    name: 'updateMember',
    async run(server) {
      const member = await findMemberByEmail(server.app.db, 'accepting@example.test');
      if (!member) throw new Error('no member');
      await mutate(server, 'mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id } } }', { id: encodeGlobalID('Member', member.id), role: 'READER' });
      return await byOwnerSession(server, 'updateRole', `member/${member.id}`);
    },
  },
  {
    name: 'removeMember',
    async run(server) {
      const member = await findMemberByEmail(server.app.db, 'accepting@example.test');
      if (!member) throw new Error('no member');
      await mutate(server, 'mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }', { id: encodeGlobalID('Member', member.id) });
      return await byOwnerSession(server, 'deleteMember', `member/${member.id}`);
    },
  },
  // --- projects, environments, flags ---
  {
    name: 'createProject (with a personal token)',
    prepare: (server) => ownerToken(server, { name: 'audit-projects', role: 'WRITER' }),
    async run(server, { tokenId = '', secret = '' }) {
      await mutate(server, 'mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } } }', { key: 'web', name: 'Web' }, secret);
      const owner = await ownerOf(server);
      return { accountId: owner.accountId, actorId: owner.id, credentialKind: 'personal', sessionId: null, tokenId, action: 'createProject', resource: 'proj/web' };
    },
  },
  {
    name: 'createEnvironment',
    async run(server) {
      await mutate(server, 'mutation($input: CreateEnvironmentInput!) { createEnvironment(input: $input) { environment { id } } }', { projectKey: 'web', key: 'staging', name: 'Staging' });
      return await byOwnerSession(server, 'createEnvironment', 'proj/web:env/staging');
    },
  },
  {
    name: 'createFlag',
    async run(server) {
      await mutate(server, 'mutation($input: CreateFlagInput!) { createFlag(input: $input) { flag { id } } }', { projectKey: 'web', key: 'dark-mode', name: 'Dark mode' });
      return await byOwnerSession(server, 'createFlag', 'proj/web:env/*:flag/dark-mode');
    },
  },
  {
    name: 'setFlagOn (with a service token: the creator is the actor)',
    prepare: (server) => ownerToken(server, { name: 'audit-service', role: 'WRITER', serviceToken: true }),
    async run(server, { tokenId = '', secret = '' }) {
      await mutate(server, 'mutation($input: SetFlagOnInput!) { setFlagOn(input: $input) { flag { id } } }', { projectKey: 'web', environmentKey: 'production', flagKey: 'dark-mode', on: true }, secret);
      const owner = await ownerOf(server);
      return { accountId: owner.accountId, actorId: owner.id, credentialKind: 'service', sessionId: null, tokenId, action: 'updateOn', resource: 'proj/web:env/production:flag/dark-mode' };
    },
  },
  {
    name: 'updateFlag',
    async run(server) {
      await mutate(server, 'mutation($input: UpdateFlagInput!) { updateFlag(input: $input) { flag { id } } }', { projectKey: 'web', flagKey: 'dark-mode', name: 'Dark' });
      return await byOwnerSession(server, 'updateName', 'proj/web:env/*:flag/dark-mode');
    },
  },
  {
    name: 'deleteFlag',
    async run(server) {
      await mutate(server, 'mutation($input: DeleteFlagInput!) { deleteFlag(input: $input) { deletedFlagKey } }', { projectKey: 'web', flagKey: 'dark-mode' });
      return await byOwnerSession(server, 'deleteFlag', 'proj/web:env/*:flag/dark-mode');
    },
  },
];

function newRows(before: AuditEntryRow[], after: AuditEntryRow[]): AuditEntryRow[] {
  const seen = new Set(before.map((r) => r.id));
  return after.filter((r) => !seen.has(r.id));
}

describe('every mutation appends exactly one entry', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await setupServer({ signupOpen: true });
    issuedSecrets.push(server.owner);
  });

  it.each(MUTATIONS.map((c) => [c.name, c] as const))('%s names the actor and the credential used', async (_name, mutation) => {
    const prepared = (await mutation.prepare?.(server)) ?? {};
    const before = await auditRows(server);
    const expected = await mutation.run(server, prepared);
    const added = newRows(before, await auditRows(server));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ ...expected, outcome: 'success' });
    expect(added[0]?.title.length).toBeGreaterThan(0);
    expect(added[0]?.requestId).toBeTruthy();
  });

  it('the entry carries the request id, client address and user agent', async () => {
    const before = await auditRows(server);
    const res = await server.gql('mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }', { input: { serviceTokenLimit: 7 } }, {
      auth: server.owner,
      headers: { 'user-agent': 'audit-test/1.0', 'x-request-id': 'req-audit-1' },
    });
    expect(res.body.errors).toBeUndefined();
    const [entry] = newRows(before, await auditRows(server));
    expect(entry).toMatchObject({ requestId: 'req-audit-1', userAgent: 'audit-test/1.0' });
    expect(entry?.ip).toBeTruthy();
    expect(entry?.changes).toEqual({ serviceTokenLimit: { before: expect.any(Number), after: 7 } });
  });

  it('a failed login is recorded as refused, naming the member, and creates no session', async () => {
    const before = await auditRows(server);
    const res = await server.gql('mutation($input: LoginInput!) { login(input: $input) { secret } }', { input: { email: OWNER_EMAIL, password: 'wrong password' } });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    const added = newRows(before, await auditRows(server));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: 'login', outcome: 'refused', actorId: (await ownerOf(server)).id, sessionId: null, credentialKind: 'none' });
  });
});

describe('refused and failed mutations', () => {
  it('a refused mutation records one refused entry and no success entry, and changes nothing', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const accountId = await firstAccountId(server);
    const limitBefore = (await findAccount(server.app.db, accountId))?.serviceTokenLimit;
    const before = await auditRows(server);
    const res = await server.gql('mutation { updateAccount(input: { serviceTokenLimit: 5 }) { account { id } } }', {}, { auth: reader.session });
    expect(errorCode(res)).toBe('FORBIDDEN');
    const added = newRows(before, await auditRows(server));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      accountId,
      actorId: reader.id,
      credentialKind: 'session',
      sessionId: await sessionIdOf(server, reader.session),
      action: 'updateServiceTokenLimit',
      resource: 'acct',
      outcome: 'refused',
    });
    expect(added[0]?.title).toMatch(/refused updateServiceTokenLimit/);
    expect((await findAccount(server.app.db, accountId))?.serviceTokenLimit).toBe(limitBefore);
  });

  it('refusals decided by a service (creation caps, owner-only rules) are recorded once, with nothing created', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const admin = await addMember(server, { role: 'admin' });
    const owner = await ownerOf(server);
    const tokensBefore = (await server.app.db.select().from(tokens)).length;

    const before = await auditRows(server);
    const caps = await server.gql(CREATE_TOKEN, { input: { name: 'too-strong', role: 'ADMIN' } }, { auth: reader.session });
    expect(errorCode(caps)).toBe('FORBIDDEN');
    const afterCaps = newRows(before, await auditRows(server));
    expect(afterCaps).toHaveLength(1);
    // The entry names what the refusal named (for caps: the first permission the token would exceed) and the mutation.
    const capsError = caps.body.errors?.[0]?.extensions ?? {};
    expect(afterCaps[0]).toMatchObject({ actorId: reader.id, credentialKind: 'session', action: capsError.action, resource: capsError.resource, outcome: 'refused' });
    expect(afterCaps[0]?.title).toMatch(/\(createToken\)/);
    expect(await server.app.db.select().from(tokens)).toHaveLength(tokensBefore);

    const mid = await auditRows(server);
    const removeOwner = await server.gql('mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }', {
      input: { id: encodeGlobalID('Member', owner.id) },
    }, { auth: admin.session });
    expect(errorCode(removeOwner)).toBe('FORBIDDEN');
    const afterRemove = newRows(mid, await auditRows(server));
    expect(afterRemove).toHaveLength(1);
    // Only someone who can do all an owner can may remove one: the entry names what the admin lacks.
    expect(afterRemove[0]).toMatchObject({ actorId: admin.id, action: 'updateServiceTokenLimit', resource: 'acct', outcome: 'refused' });
    expect(afterRemove[0]?.title).toMatch(/\(removeMember\)/);
    expect((await findMemberByEmail(server.app.db, OWNER_EMAIL))?.status).toBe('active');
  });

  it('a refused query is not an audit event (only attempted changes are)', async () => {
    const server = await setupServer();
    const none = await addMember(server, { role: 'no_access' });
    const before = await auditRows(server);
    const res = await server.gql('{ auditLog { edges { node { id } } } }', {}, { auth: none.session });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(newRows(before, await auditRows(server))).toHaveLength(0);
  });

  it('bad input leaves no entry and no change', async () => {
    const server = await setupServer();
    const accountId = await firstAccountId(server);
    const before = await auditRows(server);
    const res = await server.gql('mutation { updateAccount(input: { serviceTokenLimit: -1 }) { account { id } } }', {}, { auth: server.owner });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(await auditRows(server)).toEqual(before);
    expect((await findAccount(server.app.db, accountId))?.serviceTokenLimit).toBe(200);
  });

  it('a mutation that fails inside its transaction leaves neither its change nor an entry', async () => {
    const server = await setupServer({ signupOpen: true });
    const accountsBefore = (await server.app.db.select().from(accounts)).length;
    const before = await auditRows(server);
    // The email is taken: the conflict is found inside the transaction, after nothing else.
    const res = await server.gql('mutation($input: SignUpInput!) { signUp(input: $input) { secret } }', {
      input: { accountName: 'Dup', email: OWNER_EMAIL, name: 'Dup', password: MEMBER_PASSWORD },
    });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(await auditRows(server)).toEqual(before);
    expect(await server.app.db.select().from(accounts)).toHaveLength(accountsBefore);
  });

  it('an entry rolls back with its change, and a failed append rolls the change back', async () => {
    const server = await setupServer();
    const accountId = await firstAccountId(server);
    const source = { caller: null, requestId: 'test', clientIp: 'test', userAgent: 'test' };
    const before = await auditRows(server);
    await expect(
      server.app.transaction(async (tx) => {
        await tx.update(accounts).set({ name: 'Renamed' }).where(eq(accounts.id, accountId));
        await recordAudit(tx, source, { accountId, action: 'updateName', resource: 'acct', title: 'renamed' });
        throw new Error('the change fails after its entry was appended');
      }),
    ).rejects.toThrow('the change fails after its entry was appended');
    await expect(
      server.app.transaction(async (tx) => {
        await tx.update(accounts).set({ name: 'Renamed' }).where(eq(accounts.id, accountId));
        // No account to record into: the append throws, so the change must not commit.
        await recordAudit(tx, source, { action: 'updateName', resource: 'acct', title: 'renamed' });
      }),
    ).rejects.toThrow(/without an account/);
    expect(await auditRows(server)).toEqual(before);
    expect((await findAccount(server.app.db, accountId))?.name).not.toBe('Renamed');
  });
});

describe('no secret reaches the audit log', () => {
  it('no secret issued in these tests appears in any column, nor its digest', async () => {
    const server = await setupServer({ signupOpen: true });
    issuedSecrets.push(server.owner);
    // Issue a few more secrets through every path that issues one.
    await freshLogin(server);
    const signUp = await server.gql<{ signUp: { secret: string } }>('mutation($input: SignUpInput!) { signUp(input: $input) { secret } }', {
      input: { accountName: 'S', email: 'secret-scan@signup.test', name: 'S', password: MEMBER_PASSWORD },
    });
    const signUpSecret = signUp.body.data?.signUp.secret;
    if (signUpSecret) issuedSecrets.push(signUpSecret);
    const member = await addMember(server, { role: 'writer' });
    issuedSecrets.push(member.session);
    // A secret sent where a client might leak one: the user agent and the request id.
    await server.gql('mutation { updateAccount(input: { serviceTokenLimit: 9 }) { account { id } } }', {}, {
      auth: server.owner,
      headers: { 'user-agent': `curl ${server.owner}`, 'x-request-id': member.session.slice(0, 42) },
    });

    const text = await rawAuditText(server);
    expect(issuedSecrets.length).toBeGreaterThan(3);
    for (const secret of issuedSecrets) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(digestSecret(secret));
      // Not even the random body without its prefix.
      expect(text).not.toContain(secret.slice(4, 36));
    }
    for (const password of [OWNER_PASSWORD, MEMBER_PASSWORD]) expect(text).not.toContain(password);
  });

  it('recordAudit drops secret-named fields and obscures secret-shaped values in changes', async () => {
    const server = await setupServer();
    const accountId = await firstAccountId(server);
    const source = { caller: null, requestId: 'test', clientIp: 'test', userAgent: 'test' };
    const entry = await server.app.transaction((tx) =>
      recordAudit(tx, source, {
        accountId,
        action: 'resetAccessToken',
        resource: 'acct',
        title: `reset with ${server.owner}`,
        changes: {
          secretHash: { before: 'abc', after: 'def' },
          secret: { after: 'plain' },
          note: { after: { nested: server.owner, passwordHash: 'x', inviteCode: 'y' } },
          obscuredSecret: { before: 'lkp_…abcd', after: 'lkp_…wxyz' },
          oldSecretValidUntil: { after: '2030-01-01T00:00:00.000Z' },
        },
      }),
    );
    expect(JSON.stringify(entry)).not.toContain(server.owner);
    expect(entry.changes.secretHash).toEqual({ before: '[redacted]', after: '[redacted]' });
    expect(entry.changes.secret).toEqual({ after: '[redacted]' });
    // The obscured form is meant to be shown; dates about secrets are not secrets.
    expect(entry.changes.obscuredSecret).toEqual({ before: 'lkp_…abcd', after: 'lkp_…wxyz' });
    expect(entry.changes.oldSecretValidUntil).toEqual({ after: '2030-01-01T00:00:00.000Z' });
    expect(entry.changes.note?.after).toEqual({ nested: expect.stringContaining('…'), passwordHash: '[redacted]', inviteCode: '[redacted]' });
  });
});

describe('who may read the audit log', () => {
  it('a no_access member is refused auditLog, Member.auditLog and verifyAuditLog (FORBIDDEN); a reader may read', async () => {
    const server = await setupServer();
    const none = await addMember(server, { role: 'no_access' });
    const reader = await addMember(server, { role: 'reader' });
    for (const query of [
      '{ auditLog { edges { node { id } } } }',
      '{ verifyAuditLog { ok } }',
    ]) {
      const res = await server.gql(query, {}, { auth: none.session });
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ action: 'viewAuditLog', resource: 'acct' });
    }
    const viaMember = await server.gql('query($id: ID!) { member(id: $id) { auditLog { edges { node { id } } } } }', { id: none.globalId }, { auth: none.session });
    expect(errorCode(viaMember)).toBe('FORBIDDEN');
    const read = await server.gql<{ auditLog: AuditPage }>(AUDIT_LOG, {}, { auth: reader.session });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.auditLog.edges.length).toBeGreaterThan(0);

    // node(id) does not hand an entry to someone who may not read the log.
    const id = read.body.data?.auditLog.edges[0]?.node.id;
    const asNone = await server.gql<{ node: unknown }>('query($id: ID!) { node(id: $id) { id } }', { id }, { auth: none.session });
    expect(asNone.body.data?.node).toBeNull();
    const asReader = await server.gql<{ node: { id: string; action: string } }>('query($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }', { id }, { auth: reader.session });
    expect(asReader.body.data?.node.id).toBe(id);
  });

  it("another account's entries are never visible: not listed, not by filter, not by node, not by cursor", async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    // Some activity in the other account.
    await server.gql('mutation { updateAccount(input: { serviceTokenLimit: 3 }) { account { id } } }', {}, { auth: other.owner.session });
    const theirs = await auditRowsOf(server, other.accountId);
    expect(theirs.length).toBeGreaterThanOrEqual(3);
    const theirIds = new Set(theirs.map((r) => encodeGlobalID('AuditEntry', r.id)));

    const mine = await server.gql<{ auditLog: AuditPage }>(AUDIT_LOG, { first: 100 }, { auth: server.owner });
    const listed = mine.body.data?.auditLog.edges.map((e) => e.node.id) ?? [];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((id) => theirIds.has(id))).toEqual([]);

    const byActor = await server.gql<{ auditLog: AuditPage }>(AUDIT_LOG, { filter: { actorId: other.owner.globalId } }, { auth: server.owner });
    expect(byActor.body.data?.auditLog.edges).toEqual([]);

    const [theirFirst] = theirIds;
    const node = await server.gql<{ node: unknown }>('query($id: ID!) { node(id: $id) { id } }', { id: theirFirst }, { auth: server.owner });
    expect(node.body.data?.node).toBeNull();

    const theirPage = await server.gql<{ auditLog: AuditPage }>(AUDIT_LOG, { first: 1 }, { auth: other.owner.session });
    const theirCursor = theirPage.body.data?.auditLog.pageInfo.endCursor;
    const withTheirCursor = await server.gql(AUDIT_LOG, { after: theirCursor }, { auth: server.owner });
    expect(errorCode(withTheirCursor)).toBe('BAD_USER_INPUT');

    const verify = await server.gql<{ verifyAuditLog: { ok: boolean; entries: number } }>('{ verifyAuditLog { ok entries } }', {}, { auth: server.owner });
    expect(verify.body.data?.verifyAuditLog.entries).toBe((await auditRowsOf(server, await firstAccountId(server))).length);

    const member = await server.gql('query($id: ID!) { member(id: $id) { auditLog { edges { node { id } } } } }', { id: other.owner.globalId }, { auth: server.owner });
    expect(errorCode(member)).toBe('NOT_FOUND');
  });
});
