import { describe, expect, it } from 'vitest';
import { addCustomRole, addMember, setupServer, type TestServer } from './helpers.ts';
import { TOKENS, createToken, expect401, expectError, expectOk, expectWorks, type TokenData } from './tokens-fixtures.ts';

/**
 * What a token may do, proven on real protected resources (flags): a personal token is its scope
 * AND its owner's current permissions; a service token is its fixed scope. Every change takes
 * effect on the very next request, even when the credential and compiled policies were cached.
 */

const SET_FLAG = `mutation($input: SetFlagOnInput!) { setFlagOn(input: $input) { flag { key } } }`;
const CHECK = `query($action: String!, $resource: String!) { checkAccess(action: $action, resource: $resource) { allowed refusedBy } }`;
const UPDATE_MEMBER = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id role } } }`;
const REMOVE_MEMBER = `mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }`;
const UPDATE_ROLE = `mutation($input: UpdateRoleInput!) { updateRole(input: $input) { role { key } } }`;

/** Projects `projectA` and `projectB` (each with environments production and test) and flag `f` in each. */
async function withFlags(server: TestServer): Promise<void> {
  for (const key of ['projectA', 'projectB']) {
    expectOk(await server.gql(`mutation($k: String!) { createProject(input: { key: $k, name: $k }) { project { key } } }`, { k: key }, { auth: server.owner }));
    expectOk(await server.gql(`mutation($k: String!) { createFlag(input: { projectKey: $k, key: "f", name: "f" }) { flag { key } } }`, { k: key }, { auth: server.owner }));
  }
}

function setFlag(server: TestServer, auth: string, projectKey: string, environmentKey = 'test') {
  return server.gql(SET_FLAG, { input: { projectKey, environmentKey, flagKey: 'f', on: true } }, { auth });
}

describe('personal tokens follow their owner', () => {
  it('a Writer token of a writer downgraded to Reader behaves like a Reader token, at once', async () => {
    const server = await setupServer();
    await withFlags(server);
    const writer = await addMember(server, { role: 'writer' });
    const writerToken = await createToken(server, writer.session, { role: 'WRITER' });
    const readerToken = await createToken(server, writer.session, { role: 'READER' });
    expectOk(await setFlag(server, writerToken.secret, 'projectA'));
    expectError(await setFlag(server, readerToken.secret, 'projectA'), 'FORBIDDEN', { action: 'updateOn' });

    expectOk(await server.gql(UPDATE_MEMBER, { input: { id: writer.globalId, role: 'READER' } }, { auth: server.owner }));

    expectError(await setFlag(server, writerToken.secret, 'projectA'), 'FORBIDDEN', { action: 'updateOn' });
    const explained = await server.gql<{ checkAccess: { allowed: boolean; refusedBy: string } }>(
      CHECK,
      { action: 'updateOn', resource: 'proj/projectA:env/test:flag/f' },
      { auth: writerToken.secret },
    );
    expect(explained.body.data?.checkAccess).toEqual({ allowed: false, refusedBy: 'OWNER' });
    // What a reader can do still works: the token is now exactly a Reader token.
    const view = await server.gql(`{ project(key: "projectA") { key } }`, {}, { auth: writerToken.secret });
    expectOk(view);
    // Upgraded back, the same token writes again.
    expectOk(await server.gql(UPDATE_MEMBER, { input: { id: writer.globalId, role: 'WRITER' } }, { auth: server.owner }));
    expectOk(await setFlag(server, writerToken.secret, 'projectA'));
  });

  it('a token never does more than its owner, whatever its scope says (admin token of a writer)', async () => {
    const server = await setupServer();
    await withFlags(server);
    const admin = await addMember(server, { role: 'admin' });
    const adminToken = await createToken(server, admin.session, { role: 'ADMIN' });
    const invite = `mutation { inviteMember(input: { email: "x@example.test", role: READER }) { inviteCode } }`;
    expectOk(await server.gql(invite, {}, { auth: adminToken.secret }));
    expectOk(await server.gql(UPDATE_MEMBER, { input: { id: admin.globalId, role: 'WRITER' } }, { auth: server.owner }));
    expectError(await server.gql(invite.replace('x@', 'y@'), {}, { auth: adminToken.secret }), 'FORBIDDEN', { action: 'createMember' });
    expectOk(await setFlag(server, adminToken.secret, 'projectA'));
  });

  it('role attributes in the token’s custom roles take the owner’s values (projectA), and follow them', async () => {
    const server = await setupServer();
    await withFlags(server);
    await addCustomRole(server, {
      key: 'project-writer',
      basePermissions: 'reader',
      policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/${roleAttribute/projectKey}:env/*:flag/*'] }],
    });
    const member = await addMember(server, { role: 'no_access', customRoleKeys: ['project-writer'], roleAttributes: { projectKey: ['projectA'] } });
    const token = await createToken(server, member.session, { customRoleKeys: ['project-writer'] });
    expectOk(await setFlag(server, token.secret, 'projectA'));
    expectError(await setFlag(server, token.secret, 'projectB'), 'FORBIDDEN', { action: 'updateOn', resource: 'proj/projectB:env/test:flag/f' });

    const update = { id: member.globalId, roleAttributes: [{ key: 'projectKey', values: ['projectB'] }] };
    expectOk(await server.gql(UPDATE_MEMBER, { input: update }, { auth: server.owner }));
    expectOk(await setFlag(server, token.secret, 'projectB'));
    expectError(await setFlag(server, token.secret, 'projectA'), 'FORBIDDEN');
  });

  it('a token limited to non-production environments cannot touch production (least privilege)', async () => {
    const server = await setupServer();
    await withFlags(server);
    const writer = await addMember(server, { role: 'writer' });
    const token = await createToken(server, writer.session, {
      inlinePolicy: [
        { effect: 'ALLOW', actions: ['*'], resources: ['proj/*', 'proj/*:env/*', 'proj/*:env/*:flag/*'] },
        { effect: 'DENY', actions: ['*'], resources: ['proj/*:env/production:flag/*'] },
      ],
    });
    expectOk(await setFlag(server, token.secret, 'projectA', 'test'));
    expectError(await setFlag(server, token.secret, 'projectA', 'production'), 'FORBIDDEN', { action: 'updateOn' });
  });
});

describe('custom roles are referenced live', () => {
  it('editing a custom role changes the personal and service tokens that use it, on the next request', async () => {
    const server = await setupServer();
    await withFlags(server);
    await addCustomRole(server, { key: 'flipper', basePermissions: 'reader', policy: [{ effect: 'allow', actions: ['updateOn'], resources: ['proj/projectA:env/*:flag/*'] }] });
    const member = await addMember(server, { role: 'no_access', customRoleKeys: ['flipper'] });
    const personal = await createToken(server, member.session, { customRoleKeys: ['flipper'] });
    const service = await createToken(server, server.owner, { customRoleKeys: ['flipper'], serviceToken: true });
    for (const secret of [personal.secret, service.secret]) {
      expectOk(await setFlag(server, secret, 'projectA'));
      expectError(await setFlag(server, secret, 'projectB'), 'FORBIDDEN');
    }

    const policy = [{ effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/projectB:env/*:flag/*'] }];
    expectOk(await server.gql(UPDATE_ROLE, { input: { key: 'flipper', policy } }, { auth: server.owner }));

    for (const secret of [personal.secret, service.secret]) {
      expectOk(await setFlag(server, secret, 'projectB'));
      expectError(await setFlag(server, secret, 'projectA'), 'FORBIDDEN');
    }
  });
});

describe('service tokens are independent of their creator', () => {
  it('unaffected by the creator’s downgrade (while the creator’s personal token shrinks)', async () => {
    const server = await setupServer();
    await withFlags(server);
    const admin = await addMember(server, { role: 'admin' });
    const service = await createToken(server, admin.session, { role: 'WRITER', serviceToken: true });
    const personal = await createToken(server, admin.session, { role: 'WRITER' });
    expectOk(await setFlag(server, service.secret, 'projectA'));
    expectOk(await setFlag(server, personal.secret, 'projectA'));

    expectOk(await server.gql(UPDATE_MEMBER, { input: { id: admin.globalId, role: 'READER' } }, { auth: server.owner }));

    expectOk(await setFlag(server, service.secret, 'projectA'));
    expectError(await setFlag(server, personal.secret, 'projectA'), 'FORBIDDEN');
  });

  it('unaffected by the creator’s removal, while the creator’s personal tokens get 401 and show inactive', async () => {
    const server = await setupServer();
    await withFlags(server);
    const admin = await addMember(server, { role: 'admin' });
    const service = await createToken(server, admin.session, { role: 'WRITER', serviceToken: true });
    const personal = await createToken(server, admin.session, { role: 'READER' });
    await expectWorks(server, personal.secret); // cached before the removal

    expectOk(await server.gql(REMOVE_MEMBER, { input: { id: admin.globalId } }, { auth: server.owner }));

    await expect401(server, personal.secret, /owner was removed/);
    expectOk(await setFlag(server, service.secret, 'projectA'));
    const list = await server.gql<{ tokens: { edges: Array<{ node: TokenData }> } }>(TOKENS, { showAll: true }, { auth: server.owner });
    const byId = new Map(list.body.data?.tokens.edges.map((e) => [e.node.id, e.node]));
    expect(byId.get(personal.token.id)).toMatchObject({ active: false, owner: { status: 'REMOVED' } });
    expect(byId.get(service.token.id)).toMatchObject({ active: true, kind: 'SERVICE' });
  });
});
