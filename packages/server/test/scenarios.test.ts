import { describe, expect, it } from 'vitest';
import { addMember, setupServer, type TestServer } from './helpers.ts';
import {
  ACCEPT,
  allow,
  CHECK_ACCESS,
  CREATE_FLAG,
  CREATE_ROLE,
  CREATE_TEAM,
  createFlag,
  createProject,
  createToken,
  DELETE_FLAG,
  deny,
  fails,
  flagIsOn,
  INVITE,
  ok,
  setFlagOn,
  UPDATE_MEMBER,
  type Statement,
} from './scenarios-helpers.ts';

/** The scenarios of issue 5, end to end through GraphQL only: roles, members and tokens made with the API. */

function codeOf(res: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }): unknown {
  return res.body.errors?.[0]?.extensions?.code ?? 'OK';
}

async function createRole(server: TestServer, key: string, policy: Statement[], basePermissions?: string) {
  await ok(server, server.owner, CREATE_ROLE, { input: { key, name: key, policy, basePermissions } });
}

/** Invites a member through the API and accepts the invite: returns a session and the member id. */
async function onboard(server: TestServer, email: string, input: Record<string, unknown>): Promise<{ id: string; session: string }> {
  const invited = await ok<{ inviteMember: { inviteCode: string; member: { id: string } } }>(server, server.owner, INVITE, { input: { email, ...input } });
  const accepted = await ok<{ acceptInvite: { secret: string } }>(server, '', ACCEPT, {
    input: { inviteCode: invited.inviteMember.inviteCode, name: email, password: 'a long password' },
  });
  return { id: invited.inviteMember.member.id, session: accepted.acceptInvite.secret };
}

async function projectsWithFlag(server: TestServer, keys: string[], flag = 'f', tags: Record<string, string[]> = {}) {
  for (const key of keys) {
    await createProject(server, server.owner, key, tags[key] ?? []);
    await createFlag(server, server.owner, key, flag);
  }
}

describe('role attributes, end to end', () => {
  it('a personal token with a projectKey role toggles flags in projectA and gets FORBIDDEN in projectB', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['projectA', 'projectB']);
    await createRole(server, 'project-toggler', [
      allow(['viewProject'], ['proj/${roleAttribute/projectKey}']),
      allow(['updateOn'], ['proj/${roleAttribute/projectKey}:env/*:flag/*']),
    ]);
    const dev = await onboard(server, 'dev@example.test', {
      role: 'READER',
      customRoleKeys: ['project-toggler'],
      roleAttributes: [{ key: 'projectKey', values: ['projectA'] }],
    });
    const token = await createToken(server, dev.session, { name: 'ci', customRoleKeys: ['project-toggler'] });

    const inA = await setFlagOn(server, token.secret, 'projectA', 'production', 'f', true);
    expect(codeOf(inA)).toBe('OK');
    expect(await flagIsOn(server, server.owner, 'projectA', 'f', 'production')).toBe(true);
    const inB = await setFlagOn(server, token.secret, 'projectB', 'production', 'f', true);
    expect(inB.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', action: 'updateOn', resource: 'proj/projectB:env/production:flag/f' });
    expect(await flagIsOn(server, server.owner, 'projectB', 'f', 'production')).toBe(false);

    // The token takes its owner's value live: moving the member to projectB moves the token.
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: dev.id, roleAttributes: [{ key: 'projectKey', values: ['projectB'] }] } });
    expect(codeOf(await setFlagOn(server, token.secret, 'projectB', 'test', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, token.secret, 'projectA', 'test', 'f'))).toBe('FORBIDDEN');
  });

  it('without a value for the attribute the role grants nothing', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['projectA']);
    await createRole(server, 'project-toggler', [allow(['updateOn'], ['proj/${roleAttribute/projectKey}:env/*:flag/*'])]);
    const dev = await onboard(server, 'novalue@example.test', { role: 'READER', customRoleKeys: ['project-toggler'] });
    expect(codeOf(await setFlagOn(server, dev.session, 'projectA', 'test', 'f'))).toBe('FORBIDDEN');
  });
});

describe('least privilege: an inline-policy token outside production', () => {
  it('toggles flags in test and is FORBIDDEN in production, though its owner may do both', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['web']);
    const writer = await onboard(server, 'writer@example.test', { role: 'WRITER' });
    const ci = await createToken(server, writer.session, {
      name: 'ci-non-prod',
      inlinePolicy: [
        allow(['viewProject'], ['proj/*']),
        allow(['updateOn'], ['proj/*:env/*:flag/*']),
        deny(['*'], ['proj/*:env/production:flag/*']),
      ],
    });
    expect(codeOf(await setFlagOn(server, ci.secret, 'web', 'test', 'f'))).toBe('OK');
    const prod = await setFlagOn(server, ci.secret, 'web', 'production', 'f');
    expect(prod.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', action: 'updateOn', resource: 'proj/web:env/production:flag/f' });
    expect(codeOf(await setFlagOn(server, writer.session, 'web', 'production', 'f'))).toBe('OK');

    // checkAccess names the deny and says the token (not its owner) refused.
    const explained = await ok<{ checkAccess: { allowed: boolean; refusedBy: string; statements: Array<{ source: string; index: number }> } }>(
      server, writer.session, CHECK_ACCESS, { action: 'updateOn', resource: 'proj/web:env/production:flag/f', tokenId: ci.id });
    expect(explained.checkAccess).toMatchObject({ allowed: false, refusedBy: 'TOKEN', statements: [{ source: 'inline', index: 2 }] });
  });

  it('a token denied in production cannot create or delete a flag (project-wide), but toggles in test', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['web']);
    const writer = await onboard(server, 'w2@example.test', { role: 'WRITER' });
    const ci = await createToken(server, writer.session, {
      name: 'ci',
      inlinePolicy: [allow(['*'], ['proj/*:env/*:flag/*']), deny(['*'], ['proj/*:env/production:flag/*'])],
    });
    const del = await fails(server, ci.secret, 'FORBIDDEN', DELETE_FLAG, { input: { projectKey: 'web', flagKey: 'f' } });
    expect(del.extensions).toMatchObject({ action: 'deleteFlag', resource: 'proj/web:env/production:flag/f' });
    await fails(server, ci.secret, 'FORBIDDEN', CREATE_FLAG, { input: { projectKey: 'web', key: 'g', name: 'G' } });
    expect(codeOf(await setFlagOn(server, ci.secret, 'web', 'test', 'f'))).toBe('OK');
    // Its owner (a writer) can do both.
    await ok(server, writer.session, CREATE_FLAG, { input: { projectKey: 'web', key: 'g', name: 'G' } });
    await ok(server, writer.session, DELETE_FLAG, { input: { projectKey: 'web', flagKey: 'g' } });
  });

  it('a token never exceeds its owner: a reader-owned token with an updateOn policy is refused by the owner', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['web']);
    await createRole(server, 'test-toggler', [allow(['updateOn'], ['proj/*:env/test:flag/*'])]);
    const m = await onboard(server, 'holder@example.test', { role: 'READER', customRoleKeys: ['test-toggler'] });
    const token = await createToken(server, m.session, { name: 't', customRoleKeys: ['test-toggler'] });
    expect(codeOf(await setFlagOn(server, token.secret, 'web', 'test', 'f'))).toBe('OK');
    // The role is taken away from the member: the token shrinks with them.
    await ok(server, server.owner, UPDATE_MEMBER, { input: { id: m.id, customRoleKeys: [] } });
    const res = await ok<{ checkAccess: { refusedBy: string } }>(server, token.secret, CHECK_ACCESS, { action: 'updateOn', resource: 'proj/web:env/test:flag/f' });
    expect(res.checkAccess.refusedBy).toBe('OWNER');
    expect(codeOf(await setFlagOn(server, token.secret, 'web', 'test', 'f', false))).toBe('FORBIDDEN');
  });
});

describe('roles are additive; a deny limits only its own role', () => {
  it("a team role grants what the member's own custom role does not", async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['web', 'api']);
    await createRole(server, 'web-toggler', [allow(['updateOn'], ['proj/web:env/*:flag/*'])]);
    await createRole(server, 'api-toggler', [allow(['updateOn'], ['proj/api:env/*:flag/*'])]);
    const m = await onboard(server, 'additive@example.test', { role: 'NO_ACCESS', customRoleKeys: ['web-toggler'] });
    expect(codeOf(await setFlagOn(server, m.session, 'web', 'test', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, m.session, 'api', 'test', 'f'))).toBe('FORBIDDEN');
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'api-team', name: 'API', memberIds: [m.id], customRoleKeys: ['api-toggler'] } });
    expect(codeOf(await setFlagOn(server, m.session, 'api', 'test', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, m.session, 'web', 'test', 'f', false))).toBe('OK');
  });

  it("a deny inside a role overrides that role's own allow, but not another role's allow", async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['web']);
    await createRole(server, 'not-prod', [allow(['updateOn'], ['proj/*:env/*:flag/*']), deny(['updateOn'], ['proj/*:env/production:flag/*'])]);
    await createRole(server, 'prod-oncall', [allow(['updateOn'], ['proj/web:env/production:flag/*'])]);
    const m = await onboard(server, 'deny@example.test', { role: 'NO_ACCESS', customRoleKeys: ['not-prod'] });
    // Inside one role, deny wins.
    expect(codeOf(await setFlagOn(server, m.session, 'web', 'test', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, m.session, 'web', 'production', 'f'))).toBe('FORBIDDEN');
    // Another role (here through a team) allowing it is enough: roles are additive.
    await ok(server, server.owner, CREATE_TEAM, { input: { key: 'oncall', name: 'On call', memberIds: [m.id], customRoleKeys: ['prod-oncall'] } });
    expect(codeOf(await setFlagOn(server, m.session, 'web', 'production', 'f'))).toBe('OK');
    const why = await ok<{ checkAccess: { statements: Array<{ source: string }> } }>(server, m.session, CHECK_ACCESS, {
      action: 'updateOn',
      resource: 'proj/web:env/production:flag/f',
    });
    expect(why.checkAccess.statements.map((s) => s.source)).toEqual(['team:oncall/role:prod-oncall']);
  });

  it('a token scoped to several custom roles is additive the same way', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['web', 'api']);
    await createRole(server, 'web-only', [allow(['updateOn'], ['proj/web:env/*:flag/*'])]);
    await createRole(server, 'api-only', [allow(['updateOn'], ['proj/api:env/*:flag/*']), deny(['updateOn'], ['proj/api:env/production:flag/*'])]);
    const m = await onboard(server, 'both@example.test', { role: 'WRITER', customRoleKeys: ['web-only', 'api-only'] });
    const token = await createToken(server, m.session, { name: 'both', customRoleKeys: ['web-only', 'api-only'] });
    expect(codeOf(await setFlagOn(server, token.secret, 'web', 'production', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, token.secret, 'api', 'test', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, token.secret, 'api', 'production', 'f'))).toBe('FORBIDDEN');
  });
});

describe('tag-filtered specifiers through tokens', () => {
  it('a token limited to proj/*;mobile toggles only in mobile projects', async () => {
    const server = await setupServer();
    await projectsWithFlag(server, ['ios', 'site'], 'f', { ios: ['mobile'], site: ['web'] });
    const m = await addMember(server, { role: 'writer' });
    const token = await createToken(server, m.session, { name: 'mobile', inlinePolicy: [allow(['updateOn'], ['proj/*;mobile:env/*:flag/*'])] });
    expect(codeOf(await setFlagOn(server, token.secret, 'ios', 'production', 'f'))).toBe('OK');
    expect(codeOf(await setFlagOn(server, token.secret, 'site', 'production', 'f'))).toBe('FORBIDDEN');
  });
});
