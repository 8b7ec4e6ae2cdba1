import { describe, expect, it } from 'vitest';
import { addAccount, addCustomRole, addMember, setupServer } from './helpers.ts';
import {
  auditCount,
  CREATE_TEAM,
  createFlag,
  createProject,
  DELETE_TEAM,
  fails,
  GET_MEMBER,
  GET_TEAM,
  LIST_TEAMS,
  ok,
  REMOVE_MEMBER,
  rowCount,
  setFlagOn,
  UPDATE_TEAM,
} from './scenarios-helpers.ts';

interface TeamData {
  id: string;
  key: string;
  name: string;
  description: string | null;
  members: Array<{ id: string; email: string }>;
  customRoles: Array<{ key: string }>;
  roleAttributes: Array<{ key: string; values: string[] }>;
}

const TOGGLE_BY_ATTRIBUTE = [{ effect: 'allow' as const, actions: ['updateOn'], resources: ['proj/${roleAttribute/projectKey}:env/*:flag/*'] }];

describe('teams', () => {
  it('creates a team with members, roles and role attributes; Member.teams lists it', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'toggle', policy: TOGGLE_BY_ATTRIBUTE });
    const m = await addMember(server, { role: 'reader' });
    const created = await ok<{ createTeam: { team: TeamData } }>(server, server.owner, CREATE_TEAM, {
      input: { key: 'web', name: 'Web', description: 'Web team', memberIds: [m.globalId], customRoleKeys: ['toggle'], roleAttributes: [{ key: 'projectKey', values: ['web'] }] },
    });
    expect(created.createTeam.team).toMatchObject({
      key: 'web',
      name: 'Web',
      description: 'Web team',
      members: [{ id: m.globalId }],
      customRoles: [{ key: 'toggle' }],
      roleAttributes: [{ key: 'projectKey', values: ['web'] }],
    });
    const member = await ok<{ member: { teams: Array<{ key: string }> } }>(server, server.owner, GET_MEMBER, { id: m.globalId });
    expect(member.member.teams).toEqual([{ key: 'web' }]);
    const read = await ok<{ team: TeamData }>(server, m.session, GET_TEAM, { key: 'web' });
    expect(read.team.id).toBe(created.createTeam.team.id);
  });

  it("a member's permissions include their teams' roles, with the team's role attributes", async () => {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await createProject(server, server.owner, 'api');
    for (const p of ['web', 'api']) await createFlag(server, server.owner, p, 'f');
    await addCustomRole(server, { key: 'toggle', policy: TOGGLE_BY_ATTRIBUTE });
    const m = await addMember(server, { role: 'reader', roleAttributes: { projectKey: ['api'] } });
    expect((await setFlagOn(server, m.session, 'web', 'test', 'f')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await ok(server, server.owner, CREATE_TEAM, {
      input: { key: 'web', name: 'Web', memberIds: [m.globalId], customRoleKeys: ['toggle'], roleAttributes: [{ key: 'projectKey', values: ['web'] }] },
    });
    // The team's value (web) applies, not the member's own (api).
    expect((await setFlagOn(server, m.session, 'web', 'test', 'f')).body.errors).toBeUndefined();
    expect((await setFlagOn(server, m.session, 'api', 'test', 'f')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Leaving the team takes the role away at once.
    await ok(server, server.owner, UPDATE_TEAM, { input: { key: 'web', memberIds: [] } });
    expect((await setFlagOn(server, m.session, 'web', 'test', 'f', false)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('update changes only the given fields; lists replace', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'a', policy: [] });
    await addCustomRole(server, { key: 'b', policy: [] });
    const m1 = await addMember(server, { role: 'reader' });
    const m2 = await addMember(server, { role: 'reader' });
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 't', name: 'T', memberIds: [m1.globalId], customRoleKeys: ['a'] } });
    const renamed = await ok<{ updateTeam: { team: TeamData } }>(server, server.owner, UPDATE_TEAM, { input: { key: 't', name: 'Tee' } });
    expect(renamed.updateTeam.team).toMatchObject({ name: 'Tee', members: [{ id: m1.globalId }], customRoles: [{ key: 'a' }] });
    const replaced = await ok<{ updateTeam: { team: TeamData } }>(server, server.owner, UPDATE_TEAM, {
      input: { key: 't', memberIds: [m2.globalId], customRoleKeys: ['b'] },
    });
    expect(replaced.updateTeam.team).toMatchObject({ name: 'Tee', members: [{ id: m2.globalId }], customRoles: [{ key: 'b' }] });
  });

  it('delete removes the team and what its members had through it', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'reader' });
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'gone', name: 'Gone', memberIds: [m.globalId] } });
    const res = await ok<{ deleteTeam: { deletedTeamKey: string } }>(server, server.owner, DELETE_TEAM, { input: { key: 'gone' } });
    expect(res.deleteTeam.deletedTeamKey).toBe('gone');
    await fails(server, server.owner, 'NOT_FOUND', GET_TEAM, { key: 'gone' });
    const member = await ok<{ member: { teams: unknown[] } }>(server, server.owner, GET_MEMBER, { id: m.globalId });
    expect(member.member.teams).toEqual([]);
  });

  it('keys are unique per account (CONFLICT)', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'dup', name: 'Dup' } });
    await fails(server, server.owner, 'CONFLICT', CREATE_TEAM, { input: { key: 'dup', name: 'Dup' } });
  });

  it('unknown members or roles are BAD_USER_INPUT naming the element; nothing is written', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'reader' });
    const teams = await rowCount(server, 'teams');
    const links = await rowCount(server, 'team_members');
    const role = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_TEAM, { input: { key: 'x', name: 'X', memberIds: [m.globalId], customRoleKeys: ['nope'] } });
    expect(role.extensions.field).toBe('customRoleKeys[0]');
    const member = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_TEAM, { input: { key: 'x', name: 'X', memberIds: [m.globalId, 'TWVtYmVyOm5vcGU'] } });
    expect(member.extensions.field).toBe('memberIds[1]');
    expect([await rowCount(server, 'teams'), await rowCount(server, 'team_members')]).toEqual([teams, links]);
  });

  it('removed members cannot be added, and leave their teams when removed', async () => {
    const server = await setupServer();
    const m = await addMember(server, { role: 'reader' });
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 't', name: 'T', memberIds: [m.globalId] } });
    await ok(server, server.owner, REMOVE_MEMBER, { input: { id: m.globalId } });
    const team = await ok<{ team: TeamData }>(server, server.owner, GET_TEAM, { key: 't' });
    expect(team.team.members).toEqual([]);
    await fails(server, server.owner, 'BAD_USER_INPUT', UPDATE_TEAM, { input: { key: 't', memberIds: [m.globalId] } });
  });
});

describe('who may manage and see teams', () => {
  it('admins manage teams; writers get FORBIDDEN with the team action', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const writer = await addMember(server, { role: 'writer' });
    const create = await fails(server, writer.session, 'FORBIDDEN', CREATE_TEAM, { input: { key: 't', name: 'T' } });
    expect(create.extensions).toMatchObject({ action: 'createTeam', resource: 'team/t' });
    await ok(server, admin.session, CREATE_TEAM, { input: { key: 't', name: 'T' } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'N' }, 'updateTeamName'],
      [{ description: 'D' }, 'updateTeamDescription'],
      [{ memberIds: [writer.globalId] }, 'updateTeamMembers'],
      [{ customRoleKeys: [] }, 'updateTeamCustomRoles'],
    ];
    for (const [fields, action] of cases) {
      const error = await fails(server, writer.session, 'FORBIDDEN', UPDATE_TEAM, { input: { key: 't', ...fields } });
      expect(error.extensions.action).toBe(action);
      await ok(server, admin.session, UPDATE_TEAM, { input: { key: 't', ...fields } });
    }
    const del = await fails(server, writer.session, 'FORBIDDEN', DELETE_TEAM, { input: { key: 't' } });
    expect(del.extensions.action).toBe('deleteTeam');
    await ok(server, admin.session, DELETE_TEAM, { input: { key: 't' } });
  });

  it('a team maintainer role may change members but not give the team roles beyond their own', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'maintainer', policy: [{ effect: 'allow', actions: ['updateTeamMembers', 'updateTeamCustomRoles'], resources: ['team/web'] }] });
    await addCustomRole(server, { key: 'dangerous', policy: [{ effect: 'allow', actions: ['deleteMember'], resources: ['member/*'] }] });
    const maintainer = await addMember(server, { role: 'writer', customRoleKeys: ['maintainer'] });
    const m = await addMember(server, { role: 'reader' });
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'web', name: 'Web' } });
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'api', name: 'API' } });
    await ok(server, maintainer.session, UPDATE_TEAM, { input: { key: 'web', memberIds: [m.globalId] } });
    await fails(server, maintainer.session, 'FORBIDDEN', UPDATE_TEAM, { input: { key: 'api', memberIds: [m.globalId] } });
    const error = await fails(server, maintainer.session, 'FORBIDDEN', UPDATE_TEAM, { input: { key: 'web', customRoleKeys: ['dangerous'] } });
    expect(error.message).toMatch(/deleteMember/);
  });

  it('reading needs viewTeam: readers see teams, NO_ACCESS members do not', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'seen', name: 'Seen' } });
    const reader = await addMember(server, { role: 'reader' });
    const nobody = await addMember(server, { role: 'no_access' });
    await ok(server, reader.session, GET_TEAM, { key: 'seen' });
    const list = await ok<{ teams: { edges: Array<{ node: { key: string } }> } }>(server, reader.session, LIST_TEAMS);
    expect(list.teams.edges.map((e) => e.node.key)).toEqual(['seen']);
    const error = await fails(server, nobody.session, 'FORBIDDEN', GET_TEAM, { key: 'seen' });
    expect(error.extensions.action).toBe('viewTeam');
    const none = await ok<{ teams: { edges: unknown[] } }>(server, nobody.session, LIST_TEAMS);
    expect(none.teams.edges).toEqual([]);
  });

  it('the teams list shows only visible teams and still fills pages', async () => {
    const server = await setupServer();
    for (const key of ['a1', 'b1', 'a2', 'b2', 'a3']) await ok(server, server.owner, CREATE_TEAM, { input: { key, name: key } });
    await addCustomRole(server, { key: 'a-teams', policy: [{ effect: 'allow', actions: ['viewTeam'], resources: ['team/a*'] }] });
    const m = await addMember(server, { role: 'no_access', customRoleKeys: ['a-teams'] });
    const page1 = await ok<{ teams: { edges: Array<{ node: { key: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      server, m.session, LIST_TEAMS, { first: 2 });
    expect(page1.teams.edges.map((e) => e.node.key)).toEqual(['a1', 'a2']);
    const page2 = await ok<{ teams: { edges: Array<{ node: { key: string } }>; pageInfo: { hasNextPage: boolean } } }>(
      server, m.session, LIST_TEAMS, { first: 2, after: page1.teams.pageInfo.endCursor });
    expect(page2.teams.edges.map((e) => e.node.key)).toEqual(['a3']);
    expect(page2.teams.pageInfo.hasNextPage).toBe(false);
  });
});

describe('accounts are separate', () => {
  it("another account's teams are NOT_FOUND exactly like missing ones; its members cannot be added", async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    await ok(server, other.owner.session, CREATE_TEAM, { input: { key: 'theirs', name: 'Theirs' } });
    const audits = await auditCount(server);
    for (const key of ['theirs', 'missing']) {
      const read = await fails(server, server.owner, 'NOT_FOUND', GET_TEAM, { key });
      const update = await fails(server, server.owner, 'NOT_FOUND', UPDATE_TEAM, { input: { key, name: 'Mine' } });
      const del = await fails(server, server.owner, 'NOT_FOUND', DELETE_TEAM, { input: { key } });
      expect([read.message, update.message, del.message]).toEqual(['Team not found', 'Team not found', 'Team not found']);
    }
    const error = await fails(server, server.owner, 'BAD_USER_INPUT', CREATE_TEAM, { input: { key: 'mine', name: 'Mine', memberIds: [other.owner.globalId] } });
    expect(error.extensions.field).toBe('memberIds[0]');
    expect(await auditCount(server)).toBe(audits);
  });
});
