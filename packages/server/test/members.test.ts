import { recognizeSecret } from '@latchkey/sdk/secrets';
import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, errorCode, OWNER_EMAIL, setupServer, type TestServer } from './helpers.ts';
import {
  ACCEPT,
  auditCount,
  createToken,
  fails,
  GET_MEMBER,
  INVITE,
  ok,
  REMOVE_MEMBER,
  rowCount,
  UPDATE_MEMBER,
} from './scenarios-helpers.ts';
import { sqliteOf } from '../src/app.ts';
import { auditEntries, members } from '../src/db/tables.ts';
import { itSqlite } from './backend.ts';

interface MemberData {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  roleAttributes: Array<{ key: string; values: string[] }>;
  customRoles: Array<{ key: string }>;
  teams: Array<{ key: string }>;
}

const VIEWER = '{ viewer { member { id email role status } } }';

async function invite(server: TestServer, auth: string, input: Record<string, unknown>) {
  return ok<{ inviteMember: { inviteCode: string; member: MemberData } }>(server, auth, INVITE, { input }).then((d) => d.inviteMember);
}

async function ownerId(server: TestServer): Promise<string> {
  const data = await ok<{ viewer: { member: { id: string } } }>(server, server.owner, VIEWER);
  return data.viewer.member.id;
}

describe('inviting and accepting', () => {
  it('an owner invites a member, who accepts with the code and gets a session', async () => {
    const server = await setupServer();
    const invited = await invite(server, server.owner, { email: 'New.Person@Example.test', role: 'WRITER' });
    // The secret format, so scanners and log redaction recognise a leaked invite code offline.
    expect(invited.inviteCode).toMatch(/^lki_[0-9A-Za-z]{38}$/);
    expect(recognizeSecret(invited.inviteCode)).toBe('invite');
    expect(invited.member).toMatchObject({ email: 'new.person@example.test', role: 'WRITER', status: 'INVITED' });

    const accepted = await server.gql<{ acceptInvite: { secret: string; member: MemberData } }>(ACCEPT, {
      input: { inviteCode: invited.inviteCode, name: 'New Person', password: 'a long password' },
    });
    expect(accepted.body.errors).toBeUndefined();
    const payload = accepted.body.data?.acceptInvite;
    expect(payload?.member).toMatchObject({ id: invited.member.id, name: 'New Person', status: 'ACTIVE', role: 'WRITER' });
    const me = await ok<{ viewer: { member: { email: string; status: string } } }>(server, payload?.secret ?? '', VIEWER);
    expect(me.viewer.member).toMatchObject({ email: 'new.person@example.test', status: 'ACTIVE' });
    // The new member can log in with the password they chose.
    await server.login('new.person@example.test', 'a long password');
  });

  it('the invite code works once, and an unknown code is NOT_FOUND', async () => {
    const server = await setupServer();
    const { inviteCode } = await invite(server, server.owner, { email: 'once@example.test', role: 'READER' });
    const input = { inviteCode, name: 'Once', password: 'a long password' };
    await ok(server, '', ACCEPT, { input });
    await fails(server, null, 'NOT_FOUND', ACCEPT, { input });
    await fails(server, null, 'NOT_FOUND', ACCEPT, { input: { ...input, inviteCode: 'lki_not-a-real-code-at-all-000000000' } });
  });

  it('an invited member cannot act: no login before accepting', async () => {
    const server = await setupServer();
    const { member } = await invite(server, server.owner, { email: 'waiting@example.test', role: 'ADMIN' });
    expect(member.status).toBe('INVITED');
    const login = await server.gql('mutation($input: LoginInput!) { login(input: $input) { secret } }', {
      input: { email: 'waiting@example.test', password: '' },
    });
    expect(errorCode(login)).toBe('UNAUTHENTICATED');
  });

  it('the invite code is never stored or recorded: only its digest', async () => {
    const server = await setupServer();
    const { inviteCode } = await invite(server, server.owner, { email: 'secret@example.test', role: 'READER' });
    const dump = JSON.stringify(await server.app.db.select().from(members)) + JSON.stringify(await server.app.db.select().from(auditEntries));
    expect(dump).not.toContain(inviteCode);
    expect(server.logs.join('\n')).not.toContain(inviteCode);
  });

  it('accepting checks the name and password first (BAD_USER_INPUT) and leaves the invite usable', async () => {
    const server = await setupServer();
    const { inviteCode } = await invite(server, server.owner, { email: 'short@example.test', role: 'READER' });
    const bad = await fails(server, null, 'BAD_USER_INPUT', ACCEPT, { input: { inviteCode, name: 'Short', password: 'short' } });
    expect(bad.extensions.field).toBe('password');
    await ok(server, '', ACCEPT, { input: { inviteCode, name: 'Short', password: 'long enough now' } });
  });

  it('emails are unique on the whole server: CONFLICT, also across accounts', async () => {
    const server = await setupServer();
    await fails(server, server.owner, 'CONFLICT', INVITE, { input: { email: OWNER_EMAIL, role: 'READER' } });
    const other = await addAccount(server);
    await fails(server, server.owner, 'CONFLICT', INVITE, { input: { email: other.owner.email, role: 'READER' } });
  });

  it('invites with custom roles and role attributes', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'flagger', policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/${roleAttribute/projectKey}:env/*:flag/*'] }] });
    const { member } = await invite(server, server.owner, {
      email: 'attrs@example.test',
      role: 'NO_ACCESS',
      customRoleKeys: ['flagger'],
      roleAttributes: [{ key: 'projectKey', values: ['projectA'] }],
    });
    expect(member.customRoles).toEqual([{ key: 'flagger' }]);
    expect(member.roleAttributes).toEqual([{ key: 'projectKey', values: ['projectA'] }]);
  });

  it('an unknown custom role is BAD_USER_INPUT naming it, and nothing is written', async () => {
    const server = await setupServer();
    const before = await rowCount(server, 'members');
    const error = await fails(server, server.owner, 'BAD_USER_INPUT', INVITE, {
      input: { email: 'x@example.test', role: 'READER', customRoleKeys: ['nope'] },
    });
    expect(error.extensions.field).toBe('customRoleKeys[0]');
    expect(await rowCount(server, 'members')).toBe(before);
  });
});

describe('who may manage members', () => {
  it('admins invite; writers and readers get FORBIDDEN createMember', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    await invite(server, admin.session, { email: 'by-admin@example.test', role: 'WRITER' });
    for (const role of ['writer', 'reader'] as const) {
      const m = await addMember(server, { role });
      const error = await fails(server, m.session, 'FORBIDDEN', INVITE, { input: { email: `by-${role}@example.test`, role: 'READER' } });
      expect(error.extensions.action).toBe('createMember');
    }
  });

  it('a custom role granting member actions lets a writer manage members, within their own permissions', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'hr', policy: [{ effect: 'allow', actions: ['createMember', 'updateRole'], resources: ['member/*'] }] });
    const hr = await addMember(server, { role: 'writer', customRoleKeys: ['hr'] });
    const { member } = await invite(server, hr.session, { email: 'hired@example.test', role: 'WRITER' });
    // ... but not above their own base role,
    const above = await fails(server, hr.session, 'FORBIDDEN', INVITE, { input: { email: 'boss@example.test', role: 'ADMIN' } });
    // The refusal names the first thing the new member could do that the inviter cannot.
    expect(above.message).toMatch(/no escalation: .*boss@example\.test could do/);
    expect(above.extensions.action).not.toBe('createMember');
    await fails(server, hr.session, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: member.id, role: 'ADMIN' } });
    // ... and not actions their role does not grant.
    const removal = await fails(server, hr.session, 'FORBIDDEN', REMOVE_MEMBER, { input: { id: member.id } });
    expect(removal.extensions.action).toBe('deleteMember');
  });

  it('a deny on one member protects that member only', async () => {
    const server = await setupServer();
    const vip = await addMember(server, { role: 'reader' });
    const other = await addMember(server, { role: 'reader' });
    await addCustomRole(server, {
      key: 'no-vip',
      policy: [
        { effect: 'allow', actions: ['updateRole'], resources: ['member/*'] },
        { effect: 'deny', actions: ['updateRole'], resources: [`member/${vip.id}`] },
      ],
    });
    const manager = await addMember(server, { role: 'writer', customRoleKeys: ['no-vip'] });
    await ok(server, manager.session, UPDATE_MEMBER, { input: { id: other.globalId, role: 'WRITER' } });
    const error = await fails(server, manager.session, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: vip.globalId, role: 'WRITER' } });
    expect(error.extensions.resource).toBe(`member/${vip.id}`);
  });
});

describe('nobody raises anyone above their own permissions', () => {
  it('an admin may make admins but not owners; an owner may make owners', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const target = await addMember(server, { role: 'reader' });
    await ok(server, admin.session, UPDATE_MEMBER, { input: { id: target.globalId, role: 'ADMIN' } });
    const error = await fails(server, admin.session, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: target.globalId, role: 'OWNER' } });
    // Making an owner would give the owner-only action, which an admin does not have.
    expect(error.extensions).toMatchObject({ action: 'updateServiceTokenLimit', resource: 'acct' });
    await fails(server, admin.session, 'FORBIDDEN', INVITE, { input: { email: 'owner2@example.test', role: 'OWNER' } });
    const made = await ok<{ updateMember: { member: MemberData } }>(server, server.owner, UPDATE_MEMBER, { input: { id: target.globalId, role: 'OWNER' } });
    expect(made.updateMember.member.role).toBe('OWNER');
  });

  it('only an owner unmakes or removes an owner', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const secondOwner = await addMember(server, { role: 'owner' });
    await fails(server, admin.session, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: secondOwner.globalId, role: 'READER' } });
    await fails(server, admin.session, 'FORBIDDEN', REMOVE_MEMBER, { input: { id: secondOwner.globalId } });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: secondOwner.globalId, role: 'ADMIN' } });
  });

  it("a non-admin gives only custom roles within their own permissions; an admin gives any", async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'toggler', policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/*:env/test:flag/*'] }] });
    await addCustomRole(server, { key: 'deleter', policy: [{ effect: 'allow', actions: ['deleteFlag'], resources: ['proj/*:env/*:flag/*'] }] });
    await addCustomRole(server, { key: 'roles-admin', policy: [{ effect: 'allow', actions: ['updateCustomRole'], resources: ['member/*'] }] });
    await addCustomRole(server, { key: 'memberships', policy: [{ effect: 'allow', actions: ['updateMemberRoleAttributes'], resources: ['member/*'] }] });
    const manager = await addMember(server, { role: 'reader', customRoleKeys: ['roles-admin', 'toggler'] });
    const target = await addMember(server, { role: 'reader' });
    // Holds toggler: may give it.
    await ok(server, manager.session, UPDATE_MEMBER, { input: { id: target.globalId, customRoleKeys: ['toggler'] } });
    // Does not hold deleter (and it is not within a reader's permissions): refused.
    const error = await fails(server, manager.session, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: target.globalId, customRoleKeys: ['toggler', 'deleter'] } });
    expect(error.extensions.action).toBe('deleteFlag');
    expect(error.message).toMatch(/deleteFlag/);
    const admin = await addMember(server, { role: 'admin' });
    const given = await ok<{ updateMember: { member: MemberData } }>(server, admin.session, UPDATE_MEMBER, {
      input: { id: target.globalId, customRoleKeys: ['toggler', 'deleter'] },
    });
    expect(given.updateMember.member.customRoles.map((r) => r.key)).toEqual(['deleter', 'toggler']);
  });

  it('new role attribute values are capped too: no widening a role beyond what the caller holds', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'proj-flags', policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/${roleAttribute/projectKey}:env/*:flag/*'] }] });
    await addCustomRole(server, { key: 'attrs', policy: [{ effect: 'allow', actions: ['updateMemberRoleAttributes'], resources: ['member/*'] }] });
    const lead = await addMember(server, { role: 'reader', customRoleKeys: ['attrs', 'proj-flags'], roleAttributes: { projectKey: ['projectA'] } });
    const dev = await addMember(server, { role: 'reader', customRoleKeys: ['proj-flags'] });
    await ok(server, lead.session, UPDATE_MEMBER, { input: { id: dev.globalId, roleAttributes: [{ key: 'projectKey', values: ['projectA'] }] } });
    const error = await fails(server, lead.session, 'FORBIDDEN', UPDATE_MEMBER, {
      input: { id: dev.globalId, roleAttributes: [{ key: 'projectKey', values: ['projectB'] }] },
    });
    expect(error.extensions).toMatchObject({ action: 'updateOn', resource: expect.stringMatching(/^proj\/projectB/) });
  });

  it('a member cannot raise themselves', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'self-service', policy: [{ effect: 'allow', actions: ['updateRole'], resources: ['member/*'] }] });
    const writer = await addMember(server, { role: 'writer', customRoleKeys: ['self-service'] });
    await fails(server, writer.session, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: writer.globalId, role: 'ADMIN' } });
    await ok(server, writer.session, UPDATE_MEMBER, { input: { id: writer.globalId, role: 'READER' } });
  });

  it('a reader-scoped token of an admin cannot manage members', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const target = await addMember(server, { role: 'reader' });
    const token = await createToken(server, admin.session, { name: 'read only', role: 'READER' });
    await fails(server, token.secret, 'FORBIDDEN', UPDATE_MEMBER, { input: { id: target.globalId, role: 'WRITER' } });
  });
});

describe('updating members', () => {
  it('only the given fields change; lists replace', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'a', policy: [] });
    await addCustomRole(server, { key: 'b', policy: [] });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['a'], roleAttributes: { team: ['x'] } });
    const r1 = await ok<{ updateMember: { member: MemberData } }>(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, role: 'WRITER' } });
    expect(r1.updateMember.member).toMatchObject({ role: 'WRITER', customRoles: [{ key: 'a' }], roleAttributes: [{ key: 'team', values: ['x'] }] });
    const r2 = await ok<{ updateMember: { member: MemberData } }>(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, customRoleKeys: ['b'] } });
    expect(r2.updateMember.member).toMatchObject({ role: 'WRITER', customRoles: [{ key: 'b' }], roleAttributes: [{ key: 'team', values: ['x'] }] });
    const r3 = await ok<{ updateMember: { member: MemberData } }>(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, roleAttributes: [] } });
    expect(r3.updateMember.member).toMatchObject({ customRoles: [{ key: 'b' }], roleAttributes: [] });
  });

  it('a downgrade takes effect on the next request of a live session', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'admin' });
    await invite(server, m.session, { email: 'before@example.test', role: 'READER' });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, role: 'READER' } });
    await fails(server, m.session, 'FORBIDDEN', INVITE, { input: { email: 'after@example.test', role: 'READER' } });
    const me = await ok<{ viewer: { member: { role: string } } }>(server, m.session, VIEWER);
    expect(me.viewer.member.role).toBe('READER');
  });

  it('the last owner cannot be downgraded (CONFLICT), and nothing changes', async () => {
    const server = await setupServer();
    const id = await ownerId(server);
    const audits = await auditCount(server);
    await fails(server, server.owner, 'CONFLICT', UPDATE_MEMBER, { input: { id, role: 'ADMIN' } });
    const me = await ok<{ viewer: { member: { role: string } } }>(server, server.owner, VIEWER);
    expect(me.viewer.member.role).toBe('OWNER');
    expect(await auditCount(server)).toBe(audits);
    // With a second owner, the first may step down.
    const second = await addMember(server, { role: 'owner' });
    await ok(server, second.session, UPDATE_MEMBER, { input: { id, role: 'ADMIN' } });
  });

  it('a failed update leaves no partial write (unknown role after valid attributes)', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'reader', roleAttributes: { k: ['v'] } });
    await fails(server, server.owner, 'BAD_USER_INPUT', UPDATE_MEMBER, {
      input: { id: m.globalId, role: 'WRITER', roleAttributes: [{ key: 'k', values: ['w'] }], customRoleKeys: ['missing'] },
    });
    const after = await ok<{ member: MemberData }>(server, server.owner, GET_MEMBER, { id: m.globalId });
    expect(after.member).toMatchObject({ role: 'READER', roleAttributes: [{ key: 'k', values: ['v'] }] });
  });

  it('a CONFLICT after other changes were prepared rolls them all back', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'extra', policy: [] });
    const id = await ownerId(server);
    const links = await rowCount(server, 'member_custom_roles');
    await fails(server, server.owner, 'CONFLICT', UPDATE_MEMBER, {
      input: { id, role: 'ADMIN', customRoleKeys: ['extra'], roleAttributes: [{ key: 'k', values: ['v'] }] },
    });
    const me = await ok<{ member: MemberData }>(server, server.owner, GET_MEMBER, { id });
    expect(me.member).toMatchObject({ role: 'OWNER', customRoles: [], roleAttributes: [] });
    expect(await rowCount(server, 'member_custom_roles')).toBe(links);
  });

  // SQLite only: compares the raw JSON text SQLite stores
  itSqlite('records the change in the audit log with before and after', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'reader' });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, role: 'WRITER' } });
    const row = sqliteOf(server.app)
      .prepare("select action, resource, changes from audit_entries where action = 'updateRole' order by seq desc limit 1")
      .get();
    expect(row).toEqual({ action: 'updateRole', resource: `member/${m.id}`, changes: JSON.stringify({ role: { before: 'reader', after: 'writer' } }) });
  });
});

describe('removing members', () => {
  it('ends their sessions and deactivates their personal tokens at once; service tokens keep working', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'admin' });
    const personal = await createToken(server, m.session, { name: 'mine', role: 'READER' });
    const service = await createToken(server, m.session, { name: 'ci', role: 'READER', serviceToken: true });
    // Warm every cache.
    for (const auth of [m.session, personal.secret, service.secret]) await ok(server, auth, VIEWER);

    const res = await ok<{ removeMember: { removedMemberId: string } }>(server, server.owner, REMOVE_MEMBER, { input: { id: m.globalId } });
    expect(res.removeMember.removedMemberId).toBe(m.globalId);
    for (const auth of [m.session, personal.secret]) {
      const after = await server.gql(VIEWER, {}, { auth });
      expect(after.status).toBe(401);
      expect(errorCode(after)).toBe('UNAUTHENTICATED');
    }
    expect((await server.gql(VIEWER, {}, { auth: service.secret })).status).toBe(200);
    await expect(server.login(m.email, 'member password 123')).rejects.toThrow();
    const member = await ok<{ member: MemberData }>(server, server.owner, GET_MEMBER, { id: m.globalId });
    expect(member.member.status).toBe('REMOVED');
  });

  it('an invited member can be removed, and their invite no longer works', async () => {
    const server = await setupServer();
    const { member, inviteCode } = await invite(server, server.owner, { email: 'gone@example.test', role: 'READER' });
    await ok(server, server.owner, REMOVE_MEMBER, { input: { id: member.id } });
    await fails(server, null, 'NOT_FOUND', ACCEPT, { input: { inviteCode, name: 'Gone', password: 'a long password' } });
  });

  it('the last owner cannot be removed (CONFLICT)', async () => {
    const server = await setupServer();
    const id = await ownerId(server);
    await fails(server, server.owner, 'CONFLICT', REMOVE_MEMBER, { input: { id } });
    expect((await server.gql(VIEWER, {}, { auth: server.owner })).status).toBe(200);
  });

  it('an admin removes a writer; a writer cannot remove anyone', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const writer = await addMember(server, { role: 'writer' });
    const reader = await addMember(server, { role: 'reader' });
    const error = await fails(server, writer.session, 'FORBIDDEN', REMOVE_MEMBER, { input: { id: reader.globalId } });
    expect(error.extensions).toMatchObject({ action: 'deleteMember', resource: `member/${reader.id}` });
    await ok(server, admin.session, REMOVE_MEMBER, { input: { id: writer.globalId } });
  });

  it('removing twice is a CONFLICT', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'reader' });
    await ok(server, server.owner, REMOVE_MEMBER, { input: { id: m.globalId } });
    await fails(server, server.owner, 'CONFLICT', REMOVE_MEMBER, { input: { id: m.globalId } });
  });
});

describe('accounts are separate', () => {
  it("another account's members are NOT_FOUND exactly like ids that do not exist", async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    const missing = other.owner.globalId.slice(0, -2) + 'zz';
    for (const id of [other.owner.globalId, missing]) {
      const update = await fails(server, server.owner, 'NOT_FOUND', UPDATE_MEMBER, { input: { id, role: 'READER' } });
      const remove = await fails(server, server.owner, 'NOT_FOUND', REMOVE_MEMBER, { input: { id } });
      const read = await fails(server, server.owner, 'NOT_FOUND', GET_MEMBER, { id });
      expect([update.message, remove.message, read.message]).toEqual(['Member not found', 'Member not found', 'Member not found']);
    }
    // Nothing changed over there.
    const theirs = await ok<{ viewer: { member: { role: string; status: string } } }>(server, other.owner.session, VIEWER);
    expect(theirs.viewer.member).toMatchObject({ role: 'OWNER', status: 'ACTIVE' });
  });

  it('an invited member belongs to the inviter\'s account only', async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    const { member } = await invite(server, other.owner.session, { email: 'theirs@example.test', role: 'READER' });
    await fails(server, server.owner, 'NOT_FOUND', GET_MEMBER, { id: member.id });
    await ok(server, other.owner.session, GET_MEMBER, { id: member.id });
  });
});
