/**
 * Bounded work (issue 12, findings 3 and 4), through GraphQL: every policy the server accepts is
 * within the policy engine's documented limits (POLICY_LIMITS), so no request can make the
 * containment check stall the server; and role attribute names are the member's own keys only.
 */
import { POLICY_LIMITS } from '@latchkey/policy';
import { describe, expect, it } from 'vitest';
import { addCustomRole, addMember, setupServer, type TestServer } from '../helpers.ts';
import { CHECK_ACCESS, CREATE_ROLE, CREATE_TOKEN, UPDATE_MEMBER, UPDATE_ROLE, allow, auditCount, createProject, createToken, deny, fails, ok, rowCount, type Statement } from '../scenarios-helpers.ts';

const L = POLICY_LIMITS;

/** The reproduction: ~96 kB of `a*` against `b*` in one inline policy (47 s of containment before the limits). */
const REPRODUCTION: Statement[] = [allow(['viewProject'], [`proj/${'a*'.repeat(24_000)}`]), deny(['viewProject'], [`proj/${'b*'.repeat(24_000)}`])];

/** The three ways a policy reaches the server: a token's inline policy, a new role, a role's new policy. */
type Path = 'createToken' | 'createRole' | 'updateRole';
const PATHS: Path[] = ['createToken', 'createRole', 'updateRole'];
const FIELD: Record<Path, string> = { createToken: 'inlinePolicy', createRole: 'policy', updateRole: 'policy' };

let roles = 0;
async function submit(server: TestServer, auth: string, path: Path, policy: Statement[]) {
  const key = `r${++roles}`;
  switch (path) {
    case 'createToken':
      return server.gql(CREATE_TOKEN, { input: { name: key, inlinePolicy: policy } }, { auth });
    case 'createRole':
      return server.gql(CREATE_ROLE, { input: { key, name: key, policy } }, { auth });
    case 'updateRole':
      await ok(server, auth, CREATE_ROLE, { input: { key, name: key, policy: [allow(['viewProject'], ['proj/start'])] } });
      return server.gql(UPDATE_ROLE, { input: { key, policy } }, { auth });
  }
}

/**
 * Each limit with a policy builder at size n. `element` is the path after the field that the
 * refusal must name; `says` what the message must contain at n = limit + 1.
 */
const LIMITS: Array<{ limit: string; at: number; policy: (n: number) => Statement[]; element: string; says: (n: number) => string }> = [
  {
    limit: 'statements per policy',
    at: L.statements,
    policy: (n) => Array.from({ length: n }, (_, i) => allow(['viewProject'], [`proj/p${i}`])),
    element: '',
    says: (n) => `at most ${L.statements} statements in a policy (found ${n})`,
  },
  {
    limit: 'action names per policy',
    at: L.actionsPerPolicy,
    policy: (n) => Array.from({ length: Math.ceil(n / 25) }, (_, s) => allow(Array.from({ length: Math.min(25, n - s * 25) }, () => 'viewProject'), [`proj/p${s}`])),
    element: '',
    says: (n) => `at most ${L.actionsPerPolicy} action names in a policy, actions and notActions together (found ${n})`,
  },
  {
    limit: 'actions per statement',
    at: L.actionsPerStatement,
    policy: (n) => [allow(Array.from({ length: n }, () => 'viewProject'), ['proj/p'])],
    element: '[0].actions',
    says: (n) => `at most ${L.actionsPerStatement} action names in actions of one statement (found ${n})`,
  },
  {
    limit: 'notActions per statement',
    at: L.actionsPerStatement,
    policy: (n) => [{ effect: 'ALLOW', notActions: Array.from({ length: n }, () => 'deleteProject'), resources: ['proj/p'] }],
    element: '[0].notActions',
    says: (n) => `at most ${L.actionsPerStatement} action names in notActions of one statement (found ${n})`,
  },
  {
    limit: 'resources per statement',
    at: L.resourcesPerStatement,
    policy: (n) => [allow(['viewProject'], Array.from({ length: n }, (_, i) => `proj/p${i}`))],
    element: '[0].resources',
    says: (n) => `at most ${L.resourcesPerStatement} resource specifiers in resources of one statement (found ${n})`,
  },
  {
    limit: 'notResources per statement',
    at: L.resourcesPerStatement,
    policy: (n) => [{ effect: 'DENY', actions: ['*'], notResources: Array.from({ length: n }, (_, i) => `proj/p${i}`) }],
    element: '[0].notResources',
    says: (n) => `at most ${L.resourcesPerStatement} resource specifiers in notResources of one statement (found ${n})`,
  },
  {
    limit: 'resource specifiers per policy',
    at: L.resourcesPerPolicy,
    policy: (n) =>
      Array.from({ length: Math.ceil(n / 10) }, (_, s) => allow(['viewProject'], Array.from({ length: Math.min(10, n - s * 10) }, (_, i) => `proj/p${s}-${i}`))),
    element: '',
    says: (n) => `at most ${L.resourcesPerPolicy} resource specifiers in a policy, resources and notResources together (found ${n})`,
  },
  {
    limit: 'characters in a resource specifier',
    at: L.specifierLength,
    policy: (n) => [allow(['viewProject'], ['proj/p', `proj/${'k'.repeat(n - 'proj/'.length)}`])],
    element: '[0].resources[1]',
    says: (n) => `at most ${L.specifierLength} characters in a resource specifier (found ${n})`,
  },
  {
    limit: 'characters in an action name',
    at: L.actionLength,
    // A run of stars is one glob, so the longest catalogue name padded with stars still names it.
    policy: (n) => [allow(['viewProject', `updateProjectName${'*'.repeat(n - 'updateProjectName'.length)}`], ['proj/p'])],
    element: '[0].actions[1]',
    says: (n) => `at most ${L.actionLength} characters in an action name (found ${n})`,
  },
  {
    limit: 'globs in a key',
    at: L.globsPerName,
    policy: (n) => [allow(['viewProject'], [`proj/${'a*'.repeat(n)}`])],
    element: '[0].resources[0]',
    says: (n) => `at most ${L.globsPerName} "*" globs in one key (found ${n} in the key of "proj")`,
  },
  {
    limit: 'globs in a tag',
    at: L.globsPerName,
    policy: (n) => [allow(['viewProject'], [`proj/p;${'t*'.repeat(n)}`])],
    element: '[0].resources[0]',
    says: (n) => `at most ${L.globsPerName} "*" globs in one tag (found ${n} in a tag of "proj")`,
  },
  {
    limit: 'globs in an action name',
    at: L.globsPerName,
    // `v*i*e*w*…`: n stars between the letters of viewProject.
    policy: (n) => [allow([`${[...'viewProject'].slice(0, n).join('*')}*${'viewProject'.slice(n)}`], ['proj/p'])],
    element: '[0].actions[0]',
    says: (n) => `at most ${L.globsPerName} "*" globs in one action name (found ${n})`,
  },
  {
    limit: 'tags in a tag filter',
    at: L.tagsPerSegment,
    policy: (n) => [allow(['viewProject'], [`proj/p;${Array.from({ length: n }, (_, i) => `t${i}`).join(',')}`])],
    element: '[0].resources[0]',
    says: (n) => `at most ${L.tagsPerSegment} tags in the tag filter of one segment (found ${n} on "proj")`,
  },
  {
    limit: 'role attribute references in a specifier',
    at: L.attributeReferencesPerSpecifier,
    policy: (n) => [allow(['viewProject'], [`proj/${Array.from({ length: n }, (_, i) => `\${roleAttribute/a${i}}`).join('-')}`])],
    element: '[0].resources[0]',
    says: (n) => `at most ${L.attributeReferencesPerSpecifier} role attribute references in one resource specifier (found ${n})`,
  },
];

describe('bounded work: policies over a documented limit are BAD_USER_INPUT naming it', () => {
  it.each(PATHS)("the issue's reproduction is refused at once by %s, naming the limit and the element", async (path) => {
    const server = await setupServer();
    const reader = await addMember(server, { role: path === 'createToken' ? 'reader' : 'admin' });
    const audits = await auditCount(server);
    const res = await submit(server, reader.session, path, REPRODUCTION);
    expect(res.body.errors?.[0]?.extensions?.code, JSON.stringify(res.body.errors?.[0])).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toBe(
      `${FIELD[path]}[0].resources[0]: at most ${L.specifierLength} characters in a resource specifier (found ${REPRODUCTION[0]?.resources?.[0]?.length})`,
    );
    // The message names the limit, never echoes the 48 kB specifier.
    expect(res.body.errors?.[0]?.message.length).toBeLessThan(200);
    // updateRole's setup created its role (one audit entry); the refused operation wrote nothing.
    expect(await auditCount(server)).toBe(audits + (path === 'updateRole' ? 1 : 0));
  });

  describe.each(PATHS)('through %s', (path) => {
    it.each(LIMITS)('$limit: accepted at the limit, refused one over it', async ({ at, policy, element, says }) => {
      const server = await setupServer();
      const atLimit = await submit(server, server.owner, path, policy(at));
      expect(atLimit.body.errors, JSON.stringify(atLimit.body.errors)).toBeUndefined();

      const tokensBefore = await rowCount(server, 'custom_roles');
      const over = await submit(server, server.owner, path, policy(at + 1));
      const error = over.body.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(error)).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.field).toBe(`${FIELD[path]}${element}`);
      expect(error?.message).toBe(`${FIELD[path]}${element}: ${says(at + 1)}`);
      // No partial write: a refused createRole stores no role (updateRole's setup role is the one extra).
      expect(await rowCount(server, 'custom_roles')).toBe(tokensBefore + (path === 'updateRole' ? 1 : 0));
    });
  });

  it('a refused updateRole leaves the role as it was', async () => {
    const server = await setupServer();
    await ok(server, server.owner, CREATE_ROLE, { input: { key: 'kept', name: 'kept', policy: [allow(['viewProject'], ['proj/kept'])] } });
    await fails(server, server.owner, 'BAD_USER_INPUT', UPDATE_ROLE, { input: { key: 'kept', policy: REPRODUCTION } });
    const read = await ok<{ role: { policy: Array<{ resources: string[] }> } }>(server, server.owner, 'query { role(key: "kept") { policy { resources } } }');
    expect(read.role.policy).toEqual([{ resources: ['proj/kept'] }]);
  });
});

/** Names that are properties of every object through Object.prototype. */
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('role attribute names are the member\'s own keys only', () => {
  async function oddRoleHolder() {
    const server = await setupServer();
    await createProject(server, server.owner, 'web');
    await addCustomRole(server, {
      key: 'odd',
      policy: [
        { effect: 'allow', actions: ['viewProject', 'updateProjectName'], resources: PROTOTYPE_NAMES.map((n) => `proj/\${roleAttribute/${n}}`) },
        { effect: 'deny', actions: ['viewProject'], resources: PROTOTYPE_NAMES.map((n) => `proj/x-\${roleAttribute/${n}}`) },
      ],
    });
    const member = await addMember(server, { role: 'reader', customRoleKeys: ['odd'] });
    return { server, member };
  }

  it.each(PROTOTYPE_NAMES)('${roleAttribute/%s} held through a role is an absent attribute: the member\'s requests get normal answers', async (name) => {
    const { server, member } = await oddRoleHolder();
    // Queries, the reader baseline and mutations (the ones that used to fail with values.map is not a function).
    const viewer = await ok<{ viewer: { member: { email: string } } }>(server, member.session, '{ viewer { member { email } } }');
    expect(viewer.viewer.member.email).toBe(member.email);
    const project = await ok<{ project: { key: string } }>(server, member.session, '{ project(key: "web") { key } }');
    expect(project.project.key).toBe('web');
    const token = await createToken(server, member.session, { name: 'mine', role: 'READER' });
    expect(token.secret).toMatch(/^lk/);
    // The role grants nothing through the absent attribute: the reader baseline is all there is.
    const access = await ok<{ checkAccess: { allowed: boolean; reason: string } }>(server, member.session, CHECK_ACCESS, {
      action: 'updateProjectName',
      resource: `proj/${name}`,
    });
    expect(access.checkAccess.allowed).toBe(false);
    // A mutation the member may not make is a plain FORBIDDEN, not an internal error.
    await fails(server, member.session, 'FORBIDDEN', 'mutation($input: CreateFlagInput!) { createFlag(input: $input) { flag { key } } }', {
      input: { projectKey: 'web', key: 'f', name: 'f' },
    });
  });

  it('an attribute really named constructor or toString is the member\'s own value, and is not "given twice"', async () => {
    const { server, member } = await oddRoleHolder();
    await ok(server, server.owner, UPDATE_MEMBER, {
      input: { id: member.globalId, roleAttributes: [{ key: 'constructor', values: ['web'] }, { key: 'toString', values: ['api'] }] },
    });
    const decide = async (resource: string) =>
      (await ok<{ checkAccess: { allowed: boolean } }>(server, member.session, CHECK_ACCESS, { action: 'updateProjectName', resource })).checkAccess.allowed;
    expect(await decide('proj/web')).toBe(true);
    expect(await decide('proj/api')).toBe(true);
    expect(await decide('proj/mobile')).toBe(false);
  });
});
