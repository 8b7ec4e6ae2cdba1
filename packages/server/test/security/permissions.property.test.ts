import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  baseRoleGrant,
  baseRoleRank,
  compile,
  contains,
  customRoleGrant,
  isAllowed,
  type AccessRequest,
  type BaseRole,
  type Grant,
  type Statement,
} from '@latchkey/policy';
import { addCustomRole, addMember, setupServer, type GqlResponse, type TestServer } from '../helpers.ts';
import { createToken } from '../tokens-fixtures.ts';
import { createLimiters } from '../../src/services/limits.ts';
import { withRollback } from './harness.ts';
import { rawIdOf } from './fixture.ts';

/**
 * A stateful property (fast-check model-based commands): random sequences of invitations, base-role
 * and custom-role changes, custom-role edits, team changes, token creation, scope updates, clones,
 * resets, deletions and member removals. After every step, every live token's decisions — asked
 * through the API with the token's own secret (checkAccess, so the cached-credential path the real
 * requests take) — equal a simple model's: the token's scope ∩ its owner's current permissions
 * (service tokens: their scope alone, whoever made them), computed from the model's state with the
 * policy engine; every revoked secret gets 401. Creation caps are predicted too. Each sequence runs
 * in a rolled-back transaction on one server.
 */

const RUNS = Number(process.env.LATCHKEY_PBT_RUNS ?? 200);
const MAX_COMMANDS = 10;
const MAX_LIVE_TOKENS = 6;
const MAX_MEMBERS = 7;

const allow = (actions: string[], resources: string[]): Statement => ({ effect: 'allow', actions, resources });
const deny = (actions: string[], resources: string[]): Statement => ({ effect: 'deny', actions, resources });

/** Policies custom roles and inline scopes are drawn from. */
const POLICIES: Statement[][] = [
  [allow(['updateOn'], ['proj/alpha:env/test:flag/*'])],
  [allow(['*'], ['proj/*', 'proj/*:env/*', 'proj/*:env/*:flag/*']), deny(['updateOn'], ['proj/*:env/production:flag/*'])],
  [allow(['viewAuditLog'], ['acct']), allow(['createMember'], ['member/*'])],
  [allow(['*'], ['team/*']), allow(['createRole'], ['role/*']), deny(['updateTeamMembers'], ['team/squad'])],
  [allow(['viewProject'], ['proj/*']), allow(['viewAccessToken'], ['service-token/*'])],
  [allow(['updatePolicy'], ['role/cr1']), allow(['viewAuditLog'], ['acct']), deny(['viewAuditLog'], ['acct'])],
];
const ROLE_KEYS = ['cr1', 'cr2'] as const;
const ROLES: readonly BaseRole[] = ['no_access', 'reader', 'writer', 'admin', 'owner'];

type Scope = { kind: 'role'; role: BaseRole } | { kind: 'roles'; keys: string[] } | { kind: 'inline'; policy: Statement[] };

interface MMember {
  key: string;
  id: string;
  globalId: string;
  role: BaseRole;
  roles: Set<string>;
  active: boolean;
  session: string;
}

interface MToken {
  id: string;
  raw: string;
  kind: 'personal' | 'service';
  /** Personal: the owner; service: the creator (whose later changes do not matter). */
  member: string;
  scope: Scope;
  secret: string;
  deleted: boolean;
}

interface Model {
  members: MMember[];
  roles: Map<string, Statement[]>;
  team: { members: Set<string>; roles: Set<string> };
  tokens: MToken[];
  /** Secrets that must get 401, checked right after the step that revoked them, and again at the end. */
  revoked: string[];
  unchecked: string[];
  invited: number;
  serviceProbe: string;
}

interface Real {
  server: TestServer;
  ownerSession: string;
}

// ------------------------------------------------------------------------------------------
// The model's decisions

function memberGrants(model: Model, member: MMember): Grant[] {
  if (!member.active) return [];
  const grants = [baseRoleGrant(member.role, member.id)];
  const viaTeam = model.team.members.has(member.key) ? [...model.team.roles] : [];
  for (const key of [...member.roles, ...viaTeam]) {
    grants.push(customRoleGrant({ key, basePermissions: null, policy: model.roles.get(key) ?? [] }, {}, member.id));
  }
  return grants;
}

function scopeGrants(model: Model, scope: Scope, self: string): Grant[] {
  switch (scope.kind) {
    case 'role':
      return [baseRoleGrant(scope.role, self)];
    case 'roles':
      return scope.keys.map((key) => customRoleGrant({ key, basePermissions: null, policy: model.roles.get(key) ?? [] }, {}, self));
    case 'inline':
      return [{ source: 'inline', policy: scope.policy, roleAttributes: {} }];
  }
}

const memberOf = (model: Readonly<Model>, key: string): MMember => {
  const member = model.members.find((m) => m.key === key);
  if (!member) throw new Error(`no member ${key}`);
  return member;
};

function live(model: Readonly<Model>): MToken[] {
  return model.tokens.filter((t) => !t.deleted && (t.kind === 'service' || memberOf(model, t.member).active));
}

function tokenAllows(model: Model, token: MToken, request: AccessRequest): boolean {
  if (token.kind === 'service') return isAllowed(compile(scopeGrants(model, token.scope, `service-token-${token.raw}`)), request);
  const owner = memberOf(model, token.member);
  return isAllowed(compile(scopeGrants(model, token.scope, owner.id)), request) && isAllowed(compile(memberGrants(model, owner)), request);
}

const memberAllows = (model: Model, member: MMember, request: AccessRequest) => isAllowed(compile(memberGrants(model, member)), request);

/** What every live token is asked after each step (at most 15: graphql-armor's alias limit). */
function probes(model: Model, token: MToken): AccessRequest[] {
  const member = memberOf(model, token.member);
  return [
    { action: 'viewProject', resource: 'proj/alpha' },
    { action: 'updateOn', resource: 'proj/alpha:env/production:flag/f1' },
    { action: 'updateOn', resource: 'proj/alpha:env/test:flag/f1' },
    { action: 'deleteFlag', resource: 'proj/alpha:env/test:flag/f1' },
    { action: 'createProject', resource: 'proj/newp' },
    { action: 'createMember', resource: 'member/*' },
    { action: 'viewAuditLog', resource: 'acct' },
    { action: 'updateServiceTokenLimit', resource: 'acct' },
    { action: 'updateTeamMembers', resource: 'team/squad' },
    { action: 'createRole', resource: 'role/newrole' },
    { action: 'viewAccessToken', resource: `service-token/${model.serviceProbe}` },
    { action: 'createAccessToken', resource: `member/${member.id}:token/probe` },
    { action: 'updatePolicy', resource: 'role/cr1' },
    { action: 'revokeSessions', resource: `member/${member.id}` },
  ];
}

/** Whether `member` (acting through a session) may give a new or updated token this scope (the creation caps). */
function capsAllow(model: Model, member: MMember, kind: 'personal' | 'service', scope: Scope): boolean {
  const privileged = member.role === 'admin' || member.role === 'owner';
  const mine = memberGrants(model, member);
  if (kind === 'service') return contains(mine, scopeGrants(model, scope, member.id)).ok;
  switch (scope.kind) {
    case 'role':
      return privileged || baseRoleRank(scope.role) <= baseRoleRank(member.role);
    case 'roles': {
      const held = new Set([...member.roles, ...(model.team.members.has(member.key) ? model.team.roles : [])]);
      return privileged || scope.keys.every((key) => held.has(key));
    }
    case 'inline':
      return contains(mine, scopeGrants(model, scope, member.id)).ok;
  }
}

// ------------------------------------------------------------------------------------------
// Talking to the server

const CHECK_FIELDS = '{ allowed }';

async function expectOk<T>(res: GqlResponse<T>, what: string): Promise<T> {
  if (res.body.errors || !res.body.data) throw new Error(`${what} failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

let refusalsPredicted = 0;

function expectRefused(res: GqlResponse, what: string): void {
  refusalsPredicted++;
  const code = res.body.errors?.[0]?.extensions?.code;
  if (code !== 'FORBIDDEN' && code !== 'NOT_FOUND') throw new Error(`${what}: expected a refusal, got ${JSON.stringify(res.body)}`);
}

function scopeInput(scope: Scope): Record<string, unknown> {
  switch (scope.kind) {
    case 'role':
      return { role: scope.role.toUpperCase() };
    case 'roles':
      return { customRoleKeys: scope.keys };
    case 'inline':
      return { inlinePolicy: scope.policy.map((s) => ({ ...s, effect: s.effect.toUpperCase() })) };
  }
}

let verifications = 0;
let decisionsChecked = 0;

/** Every live token's decisions through the API, against the model; newly revoked secrets get 401. */
async function verify(model: Model, real: Real): Promise<void> {
  verifications++;
  const problems: string[] = [];
  for (const token of live(model)) {
    const asked = probes(model, token);
    const query = `{ ${asked.map((r, i) => `c${i}: checkAccess(action: "${r.action}", resource: "${r.resource}") ${CHECK_FIELDS}`).join(' ')} }`;
    const res = await real.server.gql<Record<string, { allowed: boolean }>>(query, {}, { auth: token.secret });
    if (res.status !== 200 || !res.body.data) {
      problems.push(`${token.kind} token ${token.raw} (${JSON.stringify(token.scope)}) is refused: ${JSON.stringify(res.body.errors)}`);
      continue;
    }
    decisionsChecked += asked.length;
    asked.forEach((request, i) => {
      const actual = res.body.data?.[`c${i}`]?.allowed;
      const expected = tokenAllows(model, token, request);
      if (actual !== expected) {
        problems.push(`${token.kind} token of ${token.member} (${JSON.stringify(token.scope)}): ${request.action} on ${request.resource} is ${String(actual)}, model says ${String(expected)}`);
      }
    });
  }
  for (const secret of model.unchecked) {
    const res = await real.server.gql('{ viewer { member { id } } }', {}, { auth: secret });
    if (res.status !== 401) problems.push(`revoked secret ${secret.slice(0, 8)}… answered ${res.status}`);
  }
  model.revoked.push(...model.unchecked);
  model.unchecked = [];
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

// ------------------------------------------------------------------------------------------
// Commands

type Cmd = fc.AsyncCommand<Model, Real>;

const activeOthers = (m: Readonly<Model>) => m.members.filter((x) => x.active && x.key !== 'owner');
const activeMembers = (m: Readonly<Model>) => m.members.filter((x) => x.active);
const pick = <T>(list: readonly T[], index: number): T | undefined => (list.length === 0 ? undefined : list[index % list.length]);

class Invite implements Cmd {
  constructor(readonly role: BaseRole, readonly roles: string[]) {}
  check = (m: Readonly<Model>) => m.members.length < MAX_MEMBERS;
  async run(m: Model, r: Real) {
    const email = `invited-${m.invited++}@pbt.test`;
    const invited = await expectOk(
      await r.server.gql<{ inviteMember: { inviteCode: string; member: { id: string } } }>(
        'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { inviteCode member { id } } }',
        { input: { email, role: this.role.toUpperCase(), customRoleKeys: this.roles } },
        { auth: r.ownerSession },
      ),
      'invite',
    );
    const accepted = await expectOk(
      await r.server.gql<{ acceptInvite: { secret: string } }>('mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret } }', {
        input: { inviteCode: invited.inviteMember.inviteCode, name: email, password: 'invited password' },
      }),
      'acceptInvite',
    );
    const globalId = invited.inviteMember.member.id;
    m.members.push({ key: email, id: rawIdOf(globalId), globalId, role: this.role, roles: new Set(this.roles), active: true, session: accepted.acceptInvite.secret });
    await verify(m, r);
  }
  toString = () => `invite(${this.role}, [${this.roles.join(',')}])`;
}

class SetBaseRole implements Cmd {
  constructor(readonly who: number, readonly role: BaseRole) {}
  check = (m: Readonly<Model>) => activeOthers(m).length > 0;
  async run(m: Model, r: Real) {
    const member = pick(activeOthers(m), this.who);
    if (!member) return;
    await expectOk(await r.server.gql('mutation($id: ID!, $role: BaseRole!) { updateMember(input: { id: $id, role: $role }) { member { id } } }', { id: member.globalId, role: this.role.toUpperCase() }, { auth: r.ownerSession }), 'updateMember role');
    member.role = this.role;
    await verify(m, r);
  }
  toString = () => `setBaseRole(#${this.who}, ${this.role})`;
}

class SetCustomRoles implements Cmd {
  constructor(readonly who: number, readonly roles: string[]) {}
  check = (m: Readonly<Model>) => activeOthers(m).length > 0;
  async run(m: Model, r: Real) {
    const member = pick(activeOthers(m), this.who);
    if (!member) return;
    await expectOk(await r.server.gql('mutation($id: ID!, $keys: [String!]) { updateMember(input: { id: $id, customRoleKeys: $keys }) { member { id } } }', { id: member.globalId, keys: this.roles }, { auth: r.ownerSession }), 'updateMember roles');
    member.roles = new Set(this.roles);
    await verify(m, r);
  }
  toString = () => `setCustomRoles(#${this.who}, [${this.roles.join(',')}])`;
}

class EditRole implements Cmd {
  constructor(readonly key: string, readonly policy: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const policy = POLICIES[this.policy] ?? [];
    await expectOk(
      await r.server.gql('mutation($input: UpdateRoleInput!) { updateRole(input: $input) { role { id } } }', { input: { key: this.key, policy: policy.map((s) => ({ ...s, effect: s.effect.toUpperCase() })) } }, { auth: r.ownerSession }),
      'updateRole',
    );
    m.roles.set(this.key, policy);
    await verify(m, r);
  }
  toString = () => `editRole(${this.key}, policy ${this.policy})`;
}

class SetTeam implements Cmd {
  constructor(readonly memberPicks: number[], readonly roles: string[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const active = activeMembers(m);
    const chosen = [...new Set(this.memberPicks.map((i) => pick(active, i)).filter((x): x is MMember => x !== undefined))];
    await expectOk(
      await r.server.gql('mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }', { input: { key: 'squad', memberIds: chosen.map((x) => x.globalId), customRoleKeys: this.roles } }, { auth: r.ownerSession }),
      'updateTeam',
    );
    m.team = { members: new Set(chosen.map((x) => x.key)), roles: new Set(this.roles) };
    await verify(m, r);
  }
  toString = () => `setTeam([${this.memberPicks.join(',')}], [${this.roles.join(',')}])`;
}

class CreateTokenCmd implements Cmd {
  constructor(readonly who: number, readonly kind: 'personal' | 'service', readonly scope: Scope) {}
  check = (m: Readonly<Model>) => live(m).length < MAX_LIVE_TOKENS;
  async run(m: Model, r: Real) {
    const member = pick(activeMembers(m), this.who);
    if (!member) return;
    const resource = this.kind === 'personal' ? `member/${member.id}:token/new` : 'service-token/new';
    const expected = memberAllows(m, member, { action: 'createAccessToken', resource }) && capsAllow(m, member, this.kind, this.scope);
    const res = await r.server.gql<{ createToken: { secret: string; token: { id: string } } }>(
      'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { id } } }',
      { input: { name: 'pbt', serviceToken: this.kind === 'service', ...scopeInput(this.scope) } },
      { auth: member.session },
    );
    if (!expected) expectRefused(res, `${member.key} creating ${this.kind} ${JSON.stringify(this.scope)}`);
    else {
      const data = await expectOk(res, `${member.key} creating ${this.kind} ${JSON.stringify(this.scope)}`);
      const { id } = data.createToken.token;
      m.tokens.push({ id, raw: rawIdOf(id), kind: this.kind, member: member.key, scope: this.scope, secret: data.createToken.secret, deleted: false });
    }
    await verify(m, r);
  }
  toString = () => `createToken(#${this.who}, ${this.kind}, ${JSON.stringify(this.scope)})`;
}

/** Who acts on a token: its owner for a personal token (their own session), the account owner for a service token. */
const actorFor = (m: Model, token: MToken): MMember => memberOf(m, token.kind === 'personal' ? token.member : 'owner');
const tokenResource = (m: Model, token: MToken) => (token.kind === 'personal' ? `member/${memberOf(m, token.member).id}:token/${token.raw}` : `service-token/${token.raw}`);

class UpdateScope implements Cmd {
  constructor(readonly which: number, readonly scope: Scope) {}
  check = (m: Readonly<Model>) => live(m).length > 0;
  async run(m: Model, r: Real) {
    const token = pick(live(m), this.which);
    if (!token) return;
    const actor = actorFor(m, token);
    const resource = tokenResource(m, token);
    // A service token's scope is fixed; a personal one changes under the creation caps.
    const expected = token.kind === 'personal' && memberAllows(m, actor, { action: 'updateAccessTokenPolicy', resource }) && capsAllow(m, actor, 'personal', this.scope);
    const res = await r.server.gql('mutation($input: UpdateTokenInput!) { updateToken(input: $input) { token { id } } }', { input: { id: token.id, ...scopeInput(this.scope) } }, { auth: actor.session });
    if (!expected) expectRefused(res, `updating ${token.kind} token scope`);
    else {
      await expectOk(res, `updating ${token.kind} token scope`);
      token.scope = this.scope;
    }
    await verify(m, r);
  }
  toString = () => `updateScope(token #${this.which}, ${JSON.stringify(this.scope)})`;
}

class Clone implements Cmd {
  constructor(readonly which: number) {}
  check = (m: Readonly<Model>) => live(m).length > 0 && live(m).length < MAX_LIVE_TOKENS;
  async run(m: Model, r: Real) {
    const token = pick(live(m), this.which);
    if (!token) return;
    const actor = actorFor(m, token);
    const created = token.kind === 'personal' ? `member/${actor.id}:token/new` : 'service-token/new';
    const expected =
      memberAllows(m, actor, { action: 'viewAccessToken', resource: tokenResource(m, token) }) &&
      memberAllows(m, actor, { action: 'createAccessToken', resource: created }) &&
      capsAllow(m, actor, token.kind, token.scope);
    const res = await r.server.gql<{ cloneToken: { secret: string; token: { id: string } } }>('mutation($id: ID!) { cloneToken(input: { id: $id }) { secret token { id } } }', { id: token.id }, { auth: actor.session });
    if (!expected) expectRefused(res, `cloning ${token.kind} token`);
    else {
      const data = await expectOk(res, `cloning ${token.kind} token`);
      const { id } = data.cloneToken.token;
      m.tokens.push({ ...token, id, raw: rawIdOf(id), member: actor.key, secret: data.cloneToken.secret, deleted: false });
    }
    await verify(m, r);
  }
  toString = () => `clone(token #${this.which})`;
}

class Reset implements Cmd {
  constructor(readonly which: number) {}
  check = (m: Readonly<Model>) => live(m).length > 0;
  async run(m: Model, r: Real) {
    const token = pick(live(m), this.which);
    if (!token) return;
    const actor = actorFor(m, token);
    const expected = memberAllows(m, actor, { action: 'resetAccessToken', resource: tokenResource(m, token) });
    const res = await r.server.gql<{ resetToken: { secret: string } }>('mutation($id: ID!) { resetToken(input: { id: $id }) { secret } }', { id: token.id }, { auth: actor.session });
    if (!expected) expectRefused(res, `resetting ${token.kind} token`);
    else {
      const data = await expectOk(res, `resetting ${token.kind} token`);
      m.unchecked.push(token.secret);
      token.secret = data.resetToken.secret;
    }
    await verify(m, r);
  }
  toString = () => `reset(token #${this.which})`;
}

class Delete implements Cmd {
  constructor(readonly which: number) {}
  check = (m: Readonly<Model>) => live(m).length > 0;
  async run(m: Model, r: Real) {
    const token = pick(live(m), this.which);
    if (!token) return;
    await expectOk(await r.server.gql('mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }', { id: token.id }, { auth: r.ownerSession }), 'deleteToken');
    token.deleted = true;
    m.unchecked.push(token.secret);
    await verify(m, r);
  }
  toString = () => `delete(token #${this.which})`;
}

class Remove implements Cmd {
  constructor(readonly who: number) {}
  check = (m: Readonly<Model>) => activeOthers(m).length > 0;
  async run(m: Model, r: Real) {
    const member = pick(activeOthers(m), this.who);
    if (!member) return;
    const theirs = live(m).filter((t) => t.kind === 'personal' && t.member === member.key);
    await expectOk(await r.server.gql('mutation($id: ID!) { removeMember(input: { id: $id }) { removedMemberId } }', { id: member.globalId }, { auth: r.ownerSession }), 'removeMember');
    member.active = false;
    member.roles = new Set();
    m.team.members.delete(member.key);
    // Their personal tokens and their session stop at once; service tokens they made go on.
    m.unchecked.push(...theirs.map((t) => t.secret), member.session);
    await verify(m, r);
  }
  toString = () => `remove(#${this.who})`;
}

const roleSubset = fc.subarray([...ROLE_KEYS]);
const scopeArb: fc.Arbitrary<Scope> = fc.oneof(
  fc.constantFrom(...ROLES).map((role): Scope => ({ kind: 'role', role })),
  fc.subarray([...ROLE_KEYS], { minLength: 1 }).map((keys): Scope => ({ kind: 'roles', keys })),
  fc.nat({ max: POLICIES.length - 1 }).map((i): Scope => ({ kind: 'inline', policy: POLICIES[i] ?? [] })),
);
const commands = [
  fc.tuple(fc.constantFrom<BaseRole>('no_access', 'reader', 'writer', 'admin'), roleSubset).map(([role, roles]) => new Invite(role, roles)),
  fc.tuple(fc.nat(), fc.constantFrom(...ROLES)).map(([who, role]) => new SetBaseRole(who, role)),
  fc.tuple(fc.nat(), roleSubset).map(([who, roles]) => new SetCustomRoles(who, roles)),
  fc.tuple(fc.constantFrom(...ROLE_KEYS), fc.nat({ max: POLICIES.length - 1 })).map(([key, policy]) => new EditRole(key, policy)),
  fc.tuple(fc.array(fc.nat(), { maxLength: 3 }), roleSubset).map(([members, roles]) => new SetTeam(members, roles)),
  fc.tuple(fc.nat(), fc.constantFrom<'personal' | 'service'>('personal', 'personal', 'service'), scopeArb).map(([who, kind, scope]) => new CreateTokenCmd(who, kind, scope)),
  fc.tuple(fc.nat(), scopeArb).map(([which, scope]) => new UpdateScope(which, scope)),
  fc.nat().map((which) => new Clone(which)),
  fc.nat().map((which) => new Reset(which)),
  fc.nat().map((which) => new Delete(which)),
  fc.nat().map((who) => new Remove(who)),
];

// ------------------------------------------------------------------------------------------
// The fixture every sequence starts from

let server: TestServer;
let initial: () => Model;

beforeAll(async () => {
  server = await setupServer();
  // Thousands of revoked-secret probes from one address would trip the bad-credential limit (tested elsewhere).
  server.app.limiters = createLimiters({ tokenRateLimitPerMinute: 0 }, { loginFailuresPerAccount: 1e9, loginFailuresPerAddress: 1e9, badCredentialsPerAddress: 1e9 });
  addCustomRole(server, { key: 'cr1', policy: POLICIES[0] ?? [] });
  addCustomRole(server, { key: 'cr2', policy: POLICIES[4] ?? [] });
  const ok = async (query: string) => expectOk(await server.gql(query, {}, { auth: server.owner }), query);
  await ok('mutation { createProject(input: { key: "alpha", name: "Alpha" }) { project { id } } }');
  await ok('mutation { createFlag(input: { projectKey: "alpha", key: "f1", name: "F1" }) { flag { id } } }');
  await ok('mutation { createTeam(input: { key: "squad", name: "Squad" }) { team { id } } }');
  const viewer = await expectOk(await server.gql<{ viewer: { member: { id: string } } }>('{ viewer { member { id } } }', {}, { auth: server.owner }), 'viewer');
  const owner: MMember = { key: 'owner', id: rawIdOf(viewer.viewer.member.id), globalId: viewer.viewer.member.id, role: 'owner', roles: new Set(), active: true, session: server.owner };
  const added = await Promise.all(
    (['admin', 'writer', 'reader', 'no_access'] as const).map(async (role) => {
      const roles = role === 'no_access' ? ['cr2'] : role === 'reader' ? ['cr1'] : [];
      const m = await addMember(server, { role, email: `${role}@pbt.test`, customRoleKeys: roles });
      return { key: role, id: m.id, globalId: m.globalId, role, roles: new Set(roles), active: true, session: m.session } satisfies MMember;
    }),
  );
  const probe = await createToken(server, server.owner, { role: 'READER', serviceToken: true, name: 'probe' });
  const sessionOf = (key: string) => added.find((m) => m.key === key)?.session ?? '';
  // Tokens whose decisions hang on custom roles from the start, so role edits and team changes matter at once.
  const start: Array<{ member: string; kind: 'personal' | 'service'; scope: Scope; auth: string }> = [
    { member: 'writer', kind: 'personal', scope: { kind: 'role', role: 'writer' }, auth: sessionOf('writer') },
    { member: 'owner', kind: 'service', scope: { kind: 'roles', keys: ['cr1', 'cr2'] }, auth: server.owner },
    { member: 'reader', kind: 'personal', scope: { kind: 'roles', keys: ['cr1'] }, auth: sessionOf('reader') },
  ];
  const tokens: MToken[] = [
    { id: probe.token.id, raw: rawIdOf(probe.token.id), kind: 'service', member: 'owner', scope: { kind: 'role', role: 'reader' }, secret: probe.secret, deleted: false },
  ];
  for (const t of start) {
    const issued = await createToken(server, t.auth, { name: `start ${t.member}`, serviceToken: t.kind === 'service', ...scopeInput(t.scope) });
    tokens.push({ id: issued.token.id, raw: rawIdOf(issued.token.id), kind: t.kind, member: t.member, scope: t.scope, secret: issued.secret, deleted: false });
  }
  initial = () => ({
    members: [owner, ...added].map((m) => ({ ...m, roles: new Set(m.roles) })),
    roles: new Map([
      ['cr1', POLICIES[0] ?? []],
      ['cr2', POLICIES[4] ?? []],
    ]),
    team: { members: new Set(), roles: new Set() },
    tokens: tokens.map((t) => ({ ...t })),
    revoked: [],
    unchecked: [],
    invited: 0,
    serviceProbe: rawIdOf(probe.token.id),
  });
}, 60_000);

describe('tokens against the policy model', () => {
  it(`every live token decides like the model after every step, and revoked secrets get 401 (${RUNS} sequences of ≤ ${MAX_COMMANDS} steps)`, async () => {
    const started = performance.now();
    verifications = 0;
    decisionsChecked = 0;
    refusalsPredicted = 0;
    let sequences = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS }), async (sequence) => {
        await withRollback(server, async () => {
          const model = initial();
          const real: Real = { server, ownerSession: server.owner };
          await verify(model, real);
          await fc.asyncModelRun(() => ({ model, real }), sequence);
          sequences++;
          // At the end: every revoked secret is still refused, every live token still works.
          model.unchecked.push(...model.revoked);
          model.revoked = [];
          await verify(model, real);
        });
      }),
      { numRuns: RUNS },
    );
    // Two verifications per sequence frame the steps (start and end); every other one follows a step.
    const steps = verifications - 2 * sequences;
    console.log(`permissions property: ${sequences} sequences, ${steps} steps, ${decisionsChecked} decisions compared, ${refusalsPredicted} refusals predicted, in ${Math.round(performance.now() - started)} ms`);
    expect(sequences).toBe(RUNS);
    expect(steps).toBeGreaterThan(RUNS);
    if (RUNS >= 100) expect(refusalsPredicted).toBeGreaterThan(0);
  }, 300_000);
});
