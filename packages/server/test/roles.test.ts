import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, setupServer } from './helpers.ts';
import {
  allow,
  auditCount,
  CREATE_ROLE,
  CREATE_TEAM,
  createFlag,
  createProject,
  createToken,
  DELETE_ROLE,
  deny,
  fails,
  GET_ROLE,
  LIST_ROLES,
  ok,
  rowCount,
  setFlagOn,
  UPDATE_MEMBER,
  UPDATE_ROLE,
} from './scenarios-helpers.ts';

interface RoleData {
  id: string;
  key: string;
  name: string;
  description: string | null;
  basePermissions: string | null;
  policy: Array<Record<string, unknown>>;
}

const FLAGS_IN_TEST = [allow(['updateOn'], ['proj/*:env/test:flag/*'])];

describe('creating and reading custom roles', () => {
  it('creates a role and reads it back by key and in the list', async () => {
    const server = await setupServer();
    const created = await ok<{ createRole: { role: RoleData } }>(server, server.owner, CREATE_ROLE, {
      input: { key: 'ci-toggler', name: 'CI toggler', description: 'Toggles flags outside production', basePermissions: 'READER', policy: FLAGS_IN_TEST },
    });
    expect(created.createRole.role).toMatchObject({
      key: 'ci-toggler',
      name: 'CI toggler',
      basePermissions: 'READER',
      policy: [{ effect: 'ALLOW', actions: ['updateOn'], notActions: null, resources: ['proj/*:env/test:flag/*'], notResources: null }],
    });
    const read = await ok<{ role: RoleData }>(server, server.owner, GET_ROLE, { key: 'ci-toggler' });
    expect(read.role.id).toBe(created.createRole.role.id);
    // Every member of the account can read roles.
    const reader = await addMember(server, { role: 'reader' });
    const list = await ok<{ roles: { edges: Array<{ node: RoleData }> } }>(server, reader.session, LIST_ROLES, {});
    expect(list.roles.edges.map((e) => e.node.key)).toEqual(['ci-toggler']);
  });

  it('paginates roles with cursors', async () => {
    const server = await setupServer();
    for (const key of ['r1', 'r2', 'r3']) await ok(server, server.owner, CREATE_ROLE, { input: { key, name: key, policy: [] } });
    const page1 = await ok<{ roles: { edges: Array<{ node: RoleData }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      server, server.owner, LIST_ROLES, { first: 2 });
    expect(page1.roles.edges.map((e) => e.node.key)).toEqual(['r1', 'r2']);
    expect(page1.roles.pageInfo.hasNextPage).toBe(true);
    const page2 = await ok<{ roles: { edges: Array<{ node: RoleData }>; pageInfo: { hasNextPage: boolean } } }>(
      server, server.owner, LIST_ROLES, { first: 2, after: page1.roles.pageInfo.endCursor });
    expect(page2.roles.edges.map((e) => e.node.key)).toEqual(['r3']);
    expect(page2.roles.pageInfo.hasNextPage).toBe(false);
  });

  it('keys are unique per account (CONFLICT), but two accounts may use the same key', async () => {
    const server = await setupServer();
    const input = { key: 'dup', name: 'Dup', policy: [] };
    await ok(server, server.owner, CREATE_ROLE, { input });
    await fails(server, server.owner, 'CONFLICT', CREATE_ROLE, { input });
    const other = await addAccount(server);
    await ok(server, other.owner.session, CREATE_ROLE, { input });
  });

  it('a missing role is NOT_FOUND', async () => {
    const server = await setupServer();
    await fails(server, server.owner, 'NOT_FOUND', GET_ROLE, { key: 'nope' });
  });
});

describe('policy validation: field-precise BAD_USER_INPUT, nothing written', () => {
  const cases: Array<[string, unknown[], RegExp]> = [
    ['unknown action', [allow(['viewProject'], ['proj/*']), allow(['flyToTheMoon'], ['proj/*'])], /^policy\[1\]\.actions\[0\]/],
    ['bad resource specifier', [allow(['viewProject'], ['proj/*']), allow(['viewProject'], ['proj/a', 'nope/x'])], /^policy\[1\]\.resources\[1\]/],
    ['both actions and notActions', [{ effect: 'ALLOW', actions: ['viewProject'], notActions: ['updateOn'], resources: ['proj/*'] }], /^policy\[0\]/],
    ['no resources', [{ effect: 'ALLOW', actions: ['viewProject'] }], /^policy\[0\]\.resources/],
    ['action on the wrong resource type', [allow(['updateOn'], ['proj/*'])], /^policy\[0\]\.actions\[0\]/],
  ];
  for (const [name, policy, field] of cases) {
    it(name, async () => {
      const server = await setupServer();
      const before = await rowCount(server, 'custom_roles');
      const error = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_ROLE, { input: { key: 'bad', name: 'Bad', policy } });
      expect(String(error.extensions.field)).toMatch(field);
      expect(error.message).toMatch(field);
      expect(await rowCount(server, 'custom_roles')).toBe(before);
    });
  }

  it('basePermissions takes READER or NO_ACCESS only', async () => {
    const server = await setupServer();
    const error = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_ROLE, { input: { key: 'w', name: 'W', basePermissions: 'WRITER', policy: [] } });
    expect(error.extensions.field).toBe('basePermissions');
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'n', name: 'N', basePermissions: 'NO_ACCESS', policy: [] } });
  });

  it('a bad key or empty name is BAD_USER_INPUT', async () => {
    const server = await setupServer();
    const key = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_ROLE, { input: { key: 'has space', name: 'x', policy: [] } });
    expect(key.extensions.field).toBe('key');
    const name = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_ROLE, { input: { key: 'ok', name: '  ', policy: [] } });
    expect(name.extensions.field).toBe('name');
  });

  it('an invalid policy in an update changes nothing', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'keep', name: 'Keep', policy: FLAGS_IN_TEST } });
    await fails(server, server.owner, 'BAD_USER_INPUT', UPDATE_ROLE, { input: { key: 'keep', name: 'Renamed', policy: [allow(['nope'], ['proj/*'])] } });
    const read = await ok<{ role: RoleData }>(server, server.owner, GET_ROLE, { key: 'keep' });
    expect(read.role).toMatchObject({ name: 'Keep', policy: [{ actions: ['updateOn'] }] });
  });
});

describe('who may manage roles', () => {
  it('admins create, update and delete roles; writers get FORBIDDEN with the action', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const writer = await addMember(server, { role: 'writer' });
    const create = await fails(server, writer.session, 'FORBIDDEN', CREATE_ROLE, { input: { key: 'x', name: 'X', policy: [] } });
    expect(create.extensions).toMatchObject({ action: 'createRole', resource: 'role/x' });
    await ok(server, admin.session, CREATE_ROLE, { input: { key: 'x', name: 'X', policy: [] } });
    const update = await fails(server, writer.session, 'FORBIDDEN', UPDATE_ROLE, { input: { key: 'x', description: 'd' } });
    expect(update.extensions.action).toBe('updateDescription');
    await ok(server, admin.session, UPDATE_ROLE, { input: { key: 'x', description: 'd' } });
    const del = await fails(server, writer.session, 'FORBIDDEN', DELETE_ROLE, { input: { key: 'x' } });
    expect(del.extensions.action).toBe('deleteRole');
    await ok(server, admin.session, DELETE_ROLE, { input: { key: 'x' } });
  });

  it('each changed field needs its own action', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'named', name: 'Named', policy: [] } });
    await addCustomRole(server, { key: 'renamer', policy: [allowStatement(['updateName'], ['role/*'])] });
    const renamer = await addMember(server, { role: 'reader', customRoleKeys: ['renamer'] });
    await ok(server, renamer.session, UPDATE_ROLE, { input: { key: 'named', name: 'Renamed' } });
    const error = await fails(server, renamer.session, 'FORBIDDEN', UPDATE_ROLE, { input: { key: 'named', name: 'Again', policy: [] } });
    expect(error.extensions.action).toBe('updatePolicy');
    const bp = await fails(server, renamer.session, 'FORBIDDEN', UPDATE_ROLE, { input: { key: 'named', basePermissions: 'READER' } });
    expect(bp.extensions.action).toBe('updateBasePermissions');
  });

  it('a non-admin allowed updatePolicy cannot widen a role beyond their own permissions', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'editable', name: 'Editable', policy: [] } });
    await addCustomRole(server, { key: 'policy-editor', policy: [allowStatement(['updatePolicy'], ['role/*'])] });
    const editor = await addMember(server, { role: 'writer', customRoleKeys: ['policy-editor'] });
    await ok(server, editor.session, UPDATE_ROLE, { input: { key: 'editable', policy: FLAGS_IN_TEST } });
    const error = await fails(server, editor.session, 'FORBIDDEN', UPDATE_ROLE, { input: { key: 'editable', policy: [allow(['deleteMember'], ['member/*'])] } });
    expect(error.message).toMatch(/deleteMember/);
  });

  it('... also with the role attributes of the role\'s holders', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'by-project', name: 'By project', policy: [] } });
    await addCustomRole(server, { key: 'policy-editor', policy: [allowStatement(['updatePolicy'], ['role/*'])] });
    await addCustomRole(server, { key: 'a-flags', policy: [allowStatement(['updateOn'], ['proj/a:env/*:flag/*'])] });
    const editor = await addMember(server, { role: 'reader', customRoleKeys: ['policy-editor', 'a-flags'] });
    const holder = await addMember(server, { role: 'reader', roleAttributes: { projectKey: ['a'] } });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: holder.globalId, customRoleKeys: ['by-project'] } });
    const byAttribute = [allow(['updateOn'], ['proj/${roleAttribute/projectKey}:env/*:flag/*'])];
    await ok(server, editor.session, UPDATE_ROLE, { input: { key: 'by-project', policy: byAttribute } });
    // Another holder with project b: the same policy now gives b, which the editor may not do.
    await ok(server, editor.session, UPDATE_ROLE, { input: { key: 'by-project', policy: [] } });
    const other = await addMember(server, { role: 'reader', roleAttributes: { projectKey: ['b'] } });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: other.globalId, customRoleKeys: ['by-project'] } });
    const error = await fails(server, editor.session, 'FORBIDDEN', UPDATE_ROLE, { input: { key: 'by-project', policy: byAttribute } });
    expect(error.message).toMatch(/proj\/b/);
  });
});

describe('deleting roles', () => {
  it('a role still used by members, teams or tokens is a CONFLICT listing them', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'used', name: 'Used', policy: FLAGS_IN_TEST } });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['used'] });
    const team = await ok(server, server.owner, CREATE_TEAM, { input: { key: 'ops', name: 'Ops', customRoleKeys: ['used'] } });
    expect(team).toBeTruthy();
    const token = await createToken(server, m.session, { name: 'ci', customRoleKeys: ['used'] });
    const audits = await auditCount(server);

    const error = await fails(server, server.owner, 'CONFLICT', DELETE_ROLE, { input: { key: 'used' } });
    expect(error.extensions).toMatchObject({ members: [m.globalId], teams: ['ops'], tokens: [token.id] });
    expect(error.message).toContain(m.email);
    expect(await auditCount(server)).toBe(audits);
    await ok(server, server.owner, GET_ROLE, { key: 'used' });
  });

  it('once unused (member updated, team changed, token deleted) the role can be deleted', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'temp', name: 'Temp', policy: FLAGS_IN_TEST } });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['temp'] });
    const token = await createToken(server, m.session, { name: 'ci', customRoleKeys: ['temp'] });
    await ok(server, server.owner, 'mutation($input: DeleteTokenInput!) { deleteToken(input: $input) { deletedTokenId } }', { input: { id: token.id } });
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: m.globalId, customRoleKeys: [] } });
    const res = await ok<{ deleteRole: { deletedRoleKey: string } }>(server, server.owner, DELETE_ROLE, { input: { key: 'temp' } });
    expect(res.deleteRole.deletedRoleKey).toBe('temp');
    await fails(server, server.owner, 'NOT_FOUND', GET_ROLE, { key: 'temp' });
  });

  it('deleting a missing role is NOT_FOUND', async () => {
    const server = await setupServer();
    await fails(server, server.owner, 'NOT_FOUND', DELETE_ROLE, { input: { key: 'ghost' } });
  });
});

describe('roles take effect live', () => {
  it('editing a role changes what its holders (and their tokens) may do at once', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createFlag(server, server.owner, 'web', 'banner');
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'toggle', name: 'Toggle', policy: FLAGS_IN_TEST } });
    const m = await addMember(server, { role: 'reader', customRoleKeys: ['toggle'] });
    const token = await createToken(server, m.session, { name: 'ci', customRoleKeys: ['toggle'] });
    for (const auth of [m.session, token.secret]) expect((await setFlagOn(server, auth, 'web', 'test', 'banner')).body.errors).toBeUndefined();

    await ok(server, server.owner, UPDATE_ROLE, { input: { key: 'toggle', policy: [deny(['updateOn'], ['proj/*:env/*:flag/*'])] } });
    for (const auth of [m.session, token.secret]) {
      const res = await setFlagOn(server, auth, 'web', 'test', 'banner', false);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('basePermissions READER adds viewing into the role, and the role\'s own denies cut it', async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'open');
    await createProject(server, server.owner, 'secret');
    await ok(server, server.owner, CREATE_ROLE, {
      input: { key: 'viewer-but', name: 'Viewer but', basePermissions: 'READER', policy: [deny(['viewProject'], ['proj/secret'])] },
    });
    const m = await addMember(server, { role: 'no_access', customRoleKeys: ['viewer-but'] });
    await ok(server, m.session, 'query { project(key: "open") { key } }');
    await fails(server, m.session, 'FORBIDDEN', 'query { project(key: "secret") { key } }');
  });
});

describe('accounts are separate', () => {
  it("another account's roles are NOT_FOUND exactly like missing ones, for reading, updating, deleting and assigning", async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    await ok(server, other.owner.session, CREATE_ROLE, { input: { key: 'theirs', name: 'Theirs', policy: [] } });
    for (const key of ['theirs', 'missing']) {
      const read = await fails(server, server.owner, 'NOT_FOUND', GET_ROLE, { key });
      const update = await fails(server, server.owner, 'NOT_FOUND', UPDATE_ROLE, { input: { key, name: 'Mine now' } });
      const del = await fails(server, server.owner, 'NOT_FOUND', DELETE_ROLE, { input: { key } });
      expect([read.message, update.message, del.message]).toEqual(['Custom role not found', 'Custom role not found', 'Custom role not found']);
      const m = await addMember(server, { role: 'reader' });
      const assign = await fails(server, server.owner, 'BAD_USER_INPUT', UPDATE_MEMBER, { input: { id: m.globalId, customRoleKeys: [key] } });
      expect(assign.message).toBe(`customRoleKeys[0]: unknown custom role "${key}"`);
    }
    const list = await ok<{ roles: { edges: unknown[] } }>(server, server.owner, LIST_ROLES, {});
    expect(list.roles.edges).toHaveLength(0);
    const theirs = await ok<{ role: RoleData }>(server, other.owner.session, GET_ROLE, { key: 'theirs' });
    expect(theirs.role.name).toBe('Theirs');
  });
});

function allowStatement(actions: string[], resources: string[]) {
  return { effect: 'allow' as const, actions, resources };
}
