import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  baseRoleGrant,
  baseRoleRank,
  contains,
  customRoleGrant,
  type AccessRequest,
  type BaseRole,
  type Grant,
  type Statement,
} from '@latchkey/policy';
import { beforeAll, expect, it } from 'vitest';
import { setupServer, type GqlResponse } from '../helpers.ts';
import { createToken } from '../tokens-fixtures.ts';
import { auditCount, dataChecksum, withRollback } from './harness.ts';
import { buildFixture, globalMemberId, grantSets, modelAllows, rawIdOf, selfOf, type Credential, type Fixture, type ModelMember } from './fixture.ts';
import { describeSqlite } from '../backend.ts';

/**
 * The escalation matrix's second dimension (issue 12): every operation that hands out authority
 * × every caller credential × targets weaker than, equal to and stronger than the caller — own
 * tokens of each scope, another member's token, service tokens of each level, members of each
 * base role, roles and teams holding an owner-only action. A cell must succeed exactly when the
 * model says so: the operation's own action is allowed, the spec's caps hold, and everything the
 * resulting credential or member can then do is contained in what the caller can do (each of the
 * caller's grant sets contains one of the sets whose intersection the result is) — for a new
 * credential all of it, for an existing member or role what the change adds to what they could
 * already do. A refused cell must write nothing and record no successful audit entry.
 *
 * The model is built from the fixture's own description of every member and token and the
 * built-in role policies — not from the server's tables — and decided with the engine's `contains`
 * (whose soundness the policy package's property tests prove).
 */

type Authority = (self: string) => Grant[][];

const role = (key: string, policy: Statement[]) => ({ key, policy });
const FLAGS = role('flags', [{ effect: 'allow', actions: ['*'], resources: ['proj/*:env/*:flag/*'] }]);
const LIMITS = role('limits', [{ effect: 'allow', actions: ['updateServiceTokenLimit'], resources: ['acct'] }]);
const HELD = role('held', [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }]);
const ROLES: Record<string, { key: string; policy: Statement[] }> = { flags: FLAGS, limits: LIMITS, held: HELD };

function roleGrant(r: { key: string; policy: Statement[] }, self: string): Grant {
  return customRoleGrant({ key: r.key, basePermissions: null, policy: r.policy }, {}, self);
}

/** A member's grants as if they were `self`'s (the rule compares authorities relative to their holder). */
function memberAuthority(m: ModelMember, self: string): Grant[] {
  return [baseRoleGrant(m.role, self), ...m.customRoles.map((r) => roleGrant(r, self))];
}

interface TokenTarget {
  label: string;
  id: string;
  raw: string;
  kind: 'personal' | 'service';
  scope: BaseRole | { roles: string[] };
  owner: ModelMember;
}

function scopeGrants(scope: TokenTarget['scope'], self: string): Grant[] {
  if (typeof scope === 'string') return [baseRoleGrant(scope, self)];
  return scope.roles.map((key) => {
    const r = ROLES[key];
    if (!r) throw new Error(`no model of role ${key}`);
    return roleGrant(r, self);
  });
}

function tokenAuthority(kind: 'personal' | 'service', scope: TokenTarget['scope'], owner: ModelMember | undefined): Authority {
  return (self) => (kind === 'personal' && owner ? [scopeGrants(scope, self), memberAuthority(owner, self)] : [scopeGrants(scope, self)]);
}

/** Everything `authority` allows is within the caller: each caller set contains one of its sets. */
function within(c: Credential, authorities: Authority[]): boolean {
  const sets = grantSets(c);
  if (sets.length === 0) return false;
  const self = selfOf(c);
  return authorities.every((authority) => {
    const parts = authority(self);
    return sets.every((set) => parts.some((part) => contains(set, part).ok));
  });
}

/**
 * What a member can do after a change beyond what they could before is within the caller (a
 * member's authority is one additive set: after ⊆ caller ∪ before).
 */
function withinNew(c: Credential, changes: Array<{ before: (self: string) => Grant[]; after: (self: string) => Grant[] }>): boolean {
  const sets = grantSets(c);
  if (sets.length === 0) return false;
  const self = selfOf(c);
  return changes.every(({ before, after }) => sets.every((set) => contains([...set, ...before(self)], after(self)).ok));
}

const allows = (c: Credential, requests: AccessRequest[]) => requests.every((r) => modelAllows(c, r));
const privileged = (c: Credential) => c.member?.role === 'admin' || c.member?.role === 'owner';
const tokenResource = (t: Pick<TokenTarget, 'kind' | 'raw' | 'owner'>) => (t.kind === 'personal' ? `member/${t.owner.id}:token/${t.raw}` : `service-token/${t.raw}`);

interface Cell {
  operation: string;
  target: string;
  document: string;
  variables: Record<string, unknown>;
  /** Whether the model says the caller succeeds. */
  expected: (c: Credential) => boolean;
  /** Refusal codes beyond FORBIDDEN / NOT_FOUND / UNAUTHENTICATED (a last-owner CONFLICT). */
  alsoRefusedWith?: string[];
}

interface World {
  fx: Fixture;
  credentials: Credential[];
  tokens: TokenTarget[];
  members: Record<'target' | 'writer' | 'admin' | 'owner', ModelMember>;
  /** The credential that expires in an hour (nothing made through it may outlive it). */
  expiring: Credential;
}

/** Whether a cell is in another account's (or no) account: refused unless it creates in its own. */
const inAccountA = (c: Credential) => c.account === 'A';

function tokenCells(w: World): Cell[] {
  const cells: Cell[] = [];
  const RESET = 'mutation($id: ID!, $grace: DateTime) { resetToken(input: { id: $id, oldSecretExpiresAt: $grace }) { secret } }';
  const CLONE = 'mutation($id: ID!) { cloneToken(input: { id: $id }) { secret } }';
  const UPDATE = 'mutation($id: ID!, $role: BaseRole) { updateToken(input: { id: $id, role: $role }) { token { id } } }';
  const grace = new Date(Date.now() + 86_400_000).toISOString();
  for (const t of w.tokens) {
    cells.push({
      operation: 'resetToken',
      target: t.label,
      document: RESET,
      variables: { id: t.id, grace },
      expected: (c) =>
        inAccountA(c) &&
        allows(c, [{ action: 'resetAccessToken', resource: tokenResource(t) }]) &&
        // Only its owner resets a personal token; through an expiring token, nothing longer-lived.
        (t.kind === 'service' || (c.kind !== 'service' && c.member?.id === t.owner.id)) &&
        c !== w.expiring &&
        within(c, [tokenAuthority(t.kind, t.scope, t.owner)]),
    });
    cells.push({
      operation: 'cloneToken',
      target: t.label,
      document: CLONE,
      variables: { id: t.id },
      expected: (c) => {
        if (!inAccountA(c)) return false;
        const newResource = t.kind === 'personal' ? `member/${c.member?.id ?? 'nobody'}:token/new` : 'service-token/new';
        if (!allows(c, [{ action: 'viewAccessToken', resource: tokenResource(t) }, { action: 'createAccessToken', resource: newResource }])) return false;
        if (t.kind === 'service') return within(c, [tokenAuthority('service', t.scope, undefined)]);
        // A personal clone belongs to the caller: the creation caps, then the rule.
        if (c.kind === 'service' || !c.member) return false;
        if (typeof t.scope === 'string' && !privileged(c) && baseRoleRank(t.scope) > baseRoleRank(c.member.role)) return false;
        return within(c, [tokenAuthority('personal', t.scope, c.member)]);
      },
    });
    if (t.kind !== 'personal') continue;
    for (const scope of ['READER', 'OWNER'] as const) {
      const newRole = scope.toLowerCase() as BaseRole;
      cells.push({
        operation: `updateToken(role: ${scope})`,
        target: t.label,
        document: UPDATE,
        variables: { id: t.id, role: scope },
        expected: (c) => {
          if (!inAccountA(c) || !allows(c, [{ action: 'updateAccessTokenPolicy', resource: tokenResource(t) }])) return false;
          // The caps on a personal token's scope apply to any scope given; a new one must also pass the rule.
          if (c.kind === 'service' || !c.member) return false;
          if (!privileged(c) && baseRoleRank(newRole) > baseRoleRank(c.member.role)) return false;
          if (newRole === t.scope) return true;
          return within(c, [tokenAuthority('personal', newRole, t.owner)]);
        },
      });
    }
  }
  for (const scope of ['READER', 'WRITER', 'ADMIN', 'OWNER'] as const) {
    const r = scope.toLowerCase() as BaseRole;
    for (const service of [false, true]) {
      cells.push({
        operation: `createToken(${scope}${service ? ', service' : ''})`,
        target: 'a new token',
        document: `mutation { createToken(input: { name: "m", role: ${scope}, serviceToken: ${service} }) { secret } }`,
        variables: {},
        expected: (c) => {
          if (c.kind === 'none') return false;
          const resource = service ? 'service-token/new' : `member/${c.member?.id ?? 'nobody'}:token/new`;
          if (!allows(c, [{ action: 'createAccessToken', resource }])) return false;
          if (service) return within(c, [tokenAuthority('service', r, undefined)]);
          if (c.kind === 'service' || !c.member) return false;
          if (!privileged(c) && baseRoleRank(r) > baseRoleRank(c.member.role)) return false;
          return within(c, [tokenAuthority('personal', r, c.member)]);
        },
      });
    }
  }
  return cells;
}

function memberCells(w: World): Cell[] {
  const cells: Cell[] = [];
  const UPDATE = 'mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id } } }';
  const changes: Array<{ label: string; input: Record<string, unknown>; apply: (m: ModelMember) => ModelMember; action: string }> = [
    ...(['READER', 'WRITER', 'ADMIN', 'OWNER'] as const).map((r) => ({
      label: `role: ${r}`,
      input: { role: r },
      apply: (m: ModelMember) => ({ ...m, role: r.toLowerCase() as BaseRole }),
      action: 'updateRole',
    })),
    ...(['flags', 'limits'] as const).map((key) => ({
      label: `customRoleKeys: [${key}]`,
      input: { customRoleKeys: [key] },
      apply: (m: ModelMember) => ({ ...m, customRoles: [ROLES[key] ?? FLAGS] }),
      action: 'updateCustomRole',
    })),
  ];
  for (const [name, target] of Object.entries(w.members)) {
    for (const change of changes) {
      const after = change.apply(target);
      const noop = after.role === target.role && JSON.stringify(after.customRoles.map((r) => r.key).sort()) === JSON.stringify(target.customRoles.map((r) => r.key).sort());
      cells.push({
        operation: `updateMember(${change.label})`,
        target: `${name} (${target.role})`,
        document: UPDATE,
        variables: { input: { id: globalMemberId(target.id), ...change.input } },
        alsoRefusedWith: ['CONFLICT'],
        expected: (c) => {
          if (!inAccountA(c) || !allows(c, [{ action: change.action, resource: `member/${target.id}` }])) return false;
          if (noop) return true;
          // Who can do no more than the caller, before and after; never the last owner demoted.
          if (!within(c, [(self) => [memberAuthority(target, self)], (self) => [memberAuthority(after, self)]])) return false;
          return !(target.role === 'owner' && after.role !== 'owner');
        },
      });
    }
  }
  for (const r of ['READER', 'WRITER', 'ADMIN', 'OWNER'] as const) {
    for (const keys of [[], ['flags'], ['limits']] as const) {
      cells.push({
        operation: `inviteMember(${r}${keys.length ? `, [${keys.join()}]` : ''})`,
        target: 'a new member',
        document: 'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { inviteCode } }',
        variables: { input: { email: 'matrix2@example.test', role: r, customRoleKeys: keys } },
        expected: (c) => {
          if (c.kind === 'none' || !allows(c, [{ action: 'createMember', resource: 'member/*' }])) return false;
          // Account B has no such roles: bad input there (a refusal the model does not grant).
          if (keys.length > 0 && !inAccountA(c)) return false;
          const invited: ModelMember = { id: 'new', role: r.toLowerCase() as BaseRole, customRoles: keys.map((k) => ROLES[k] ?? FLAGS) };
          return within(c, [(self) => [memberAuthority(invited, self)]]);
        },
        alsoRefusedWith: ['BAD_USER_INPUT'],
      });
    }
  }
  return cells;
}

const POLICIES: Record<string, Statement[]> = {
  'view projects': [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }],
  'all flags': FLAGS.policy,
  'owner-only action': LIMITS.policy,
  'everything': [{ effect: 'allow', actions: ['*'], resources: ['*'] }],
};
const asInput = (policy: Statement[]) => policy.map((s) => ({ ...s, effect: s.effect.toUpperCase() }));

function roleAndTeamCells(w: World): Cell[] {
  const cells: Cell[] = [];
  for (const [label, policy] of Object.entries(POLICIES)) {
    cells.push({
      operation: `createRole(${label})`,
      target: 'a new role',
      document: 'mutation($input: CreateRoleInput!) { createRole(input: $input) { role { id } } }',
      variables: { input: { key: 'matrix-role', name: 'M', policy: asInput(policy) } },
      expected: (c) =>
        c.kind !== 'none' && allows(c, [{ action: 'createRole', resource: 'role/matrix-role' }]) && within(c, [(self) => [[roleGrant(role('matrix-role', policy), self)]]]),
    });
    // `held` is held by the target member and scopes a service token: both change with it.
    const held = role('held', policy);
    const target = { ...w.members.target, customRoles: [held] };
    cells.push({
      operation: `updateRole(held → ${label})`,
      target: 'role held by a reader and a service token',
      document: 'mutation($input: UpdateRoleInput!) { updateRole(input: $input) { role { id } } }',
      variables: { input: { key: 'held', policy: asInput(policy) } },
      // The role, the reader holding it and the service token scoped by it gain the new policy on
      // top of the old one (only what is new must be within the caller).
      expected: (c) =>
        inAccountA(c) &&
        allows(c, [{ action: 'updatePolicy', resource: 'role/held' }]) &&
        withinNew(c, [
          { before: (self) => [roleGrant(HELD, self)], after: (self) => [roleGrant(held, self)] },
          { before: (self) => memberAuthority(w.members.target, self), after: (self) => memberAuthority(target, self) },
        ]),
    });
  }
  const teamMembers: Array<[string, ModelMember[]]> = [
    ['no members', []],
    ['the reader', [w.members.target]],
    ['the owner', [w.members.owner]],
  ];
  for (const [who, members] of teamMembers) {
    for (const key of ['flags', 'limits'] as const) {
      const teamRole = ROLES[key] ?? FLAGS;
      // The team's roles as the caller would hold them; each member gains the team's role on top
      // of what they could already do (only what is new must be within the caller).
      const allowed = (c: Credential) =>
        within(c, [(self) => [[roleGrant(teamRole, self)]]]) &&
        withinNew(c, members.map((m) => ({ before: (self: string) => memberAuthority(m, self), after: (self: string) => [...memberAuthority(m, self), roleGrant(teamRole, self)] })));
      const ids = members.map((m) => globalMemberId(m.id));
      cells.push({
        operation: `createTeam(${who}, [${key}])`,
        target: 'a new team',
        document: 'mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }',
        variables: { input: { key: 'matrix-team', name: 'M', memberIds: ids, customRoleKeys: [key] } },
        alsoRefusedWith: ['BAD_USER_INPUT'],
        expected: (c) => inAccountA(c) && allows(c, [{ action: 'createTeam', resource: 'team/matrix-team' }]) && allowed(c),
      });
      cells.push({
        operation: `updateTeam(squad: ${who}, [${key}])`,
        target: 'an existing empty team',
        document: 'mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }',
        variables: { input: { key: 'squad', memberIds: ids, customRoleKeys: [key] } },
        alsoRefusedWith: ['BAD_USER_INPUT'],
        expected: (c) =>
          inAccountA(c) &&
          allows(c, [
            { action: 'updateTeamMembers', resource: 'team/squad' },
            { action: 'updateTeamCustomRoles', resource: 'team/squad' },
          ]) &&
          allowed(c),
      });
    }
  }
  return cells;
}

const REFUSALS = ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'];

let world: World;
let cells: Cell[];
let baseline: { data: string; successes: number };

async function ok(fx: Fixture, query: string, variables: Record<string, unknown> = {}): Promise<void> {
  const res = await fx.server.gql(query, variables, { auth: fx.server.owner });
  if (res.body.errors) throw new Error(`fixture step failed: ${query}\n${JSON.stringify(res.body.errors)}`);
}

beforeAll(async () => {
  const server = await setupServer();
  const fx = await buildFixture(server);
  for (const r of [FLAGS, LIMITS, HELD]) {
    await ok(fx, 'mutation($input: CreateRoleInput!) { createRole(input: $input) { role { id } } }', { input: { key: r.key, name: r.key, policy: asInput(r.policy) } });
  }
  await ok(fx, 'mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id } } }', { input: { id: globalMemberId(fx.target.id), customRoleKeys: ['held'] } });
  const target: ModelMember = { ...fx.target, customRoles: [HELD] };
  const service = async (scope: BaseRole) => createToken(server, server.owner, { name: `svc ${scope}`, role: scope.toUpperCase(), serviceToken: true });
  const [serviceWriter, serviceOwner] = [await service('writer'), await service('owner')];
  const heldService = await createToken(server, server.owner, { name: 'svc held', customRoleKeys: ['held'], serviceToken: true });
  const expiringIssued = await createToken(server, server.owner, { name: 'expiring', role: 'OWNER', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  const expiring: Credential = { label: "owner's personal OWNER token expiring in an hour", kind: 'personal', secret: expiringIssued.secret, account: 'A', member: fx.owner, scope: 'owner', tokenId: rawIdOf(expiringIssued.token.id) };

  const fromCredential = (label: string): TokenTarget => {
    const c = fx.credentials.find((x) => x.label === label);
    if (!c?.tokenId || !c.member || !c.scope || c.kind === 'none' || c.kind === 'session') throw new Error(`no token credential ${label}`);
    return { label, id: encodeGlobalID('Token', c.tokenId), raw: c.tokenId, kind: c.kind, scope: c.scope, owner: c.member };
  };
  const issuedTarget = (label: string, issued: { token: { id: string } }, scope: TokenTarget['scope']): TokenTarget => ({
    label,
    id: issued.token.id,
    raw: rawIdOf(issued.token.id),
    kind: 'service',
    scope,
    owner: fx.owner,
  });
  world = {
    fx,
    credentials: [...fx.credentials, expiring],
    tokens: [
      ...(['READER', 'WRITER', 'ADMIN', 'OWNER'] as const).map((r) => fromCredential(`owner's personal ${r} token`)),
      fromCredential("writer's personal WRITER token"),
      fromCredential('service READER token'),
      issuedTarget('service WRITER token', serviceWriter, 'writer'),
      fromCredential('service ADMIN token'),
      issuedTarget('service OWNER token', serviceOwner, 'owner'),
      issuedTarget('service token scoped by a custom role', heldService, { roles: ['held'] }),
    ],
    members: { target, writer: fx.writer, admin: fx.admin, owner: fx.owner },
    expiring,
  };
  cells = [...tokenCells(world), ...memberCells(world), ...roleAndTeamCells(world)];
  baseline = { data: await dataChecksum(server), successes: await auditCount(server, 'success') };
}, 120_000);

function resultOf(res: GqlResponse): unknown {
  const data = (res.body.data ?? null) as Record<string, unknown> | null;
  return data ? (Object.values(data)[0] ?? null) : null;
}

// SQLite only: checksums the SQLite tables and rolls each cell back on the SQLite writer
describeSqlite('authority matrix: operations that hand out authority × callers × targets', () => {
  it('covers every operation that gives authority, with callers weaker, equal and stronger than each target', () => {
    const operations = new Set(cells.map((c) => c.operation.split('(')[0]));
    expect([...operations].sort()).toEqual(['cloneToken', 'createRole', 'createTeam', 'createToken', 'inviteMember', 'resetToken', 'updateMember', 'updateRole', 'updateTeam', 'updateToken']);
    // The count quoted in the closing note: cells × credentials.
    expect(cells.length * world.credentials.length).toBeGreaterThan(1_000);
    const outcomes = cells.flatMap((cell) => world.credentials.map((c) => cell.expected(c)));
    // Both outcomes occur for every operation (a matrix of all-refused or all-allowed proves little).
    for (const operation of operations) {
      const own = cells.filter((c) => c.operation.split('(')[0] === operation).flatMap((cell) => world.credentials.map((c) => cell.expected(c)));
      expect(own, operation).toContain(true);
      expect(own, operation).toContain(false);
    }
    expect(outcomes.filter(Boolean).length).toBeGreaterThan(50);
  });

  const groups = ['resetToken', 'cloneToken', 'updateToken', 'createToken', 'updateMember', 'inviteMember', 'createRole', 'updateRole', 'createTeam', 'updateTeam'];
  for (const group of groups) {
    it(group, async () => {
      const { server } = world.fx;
      const mismatches: string[] = [];
      const own = cells.filter((c) => c.operation.split('(')[0] === group);
      expect(own.length).toBeGreaterThan(0);
      for (const cell of own) {
        for (const credential of world.credentials) {
          const expected = cell.expected(credential);
          await withRollback(server, async () => {
            const res = await server.gql(cell.document, cell.variables, { auth: credential.secret });
            const result = resultOf(res);
            const code = String(res.body.errors?.[0]?.extensions?.code);
            const where = `${cell.operation} on ${cell.target} by ${credential.label}`;
            if (expected) {
              if (result === null || res.body.errors) mismatches.push(`${where}: expected success, got ${code}: ${res.body.errors?.[0]?.message ?? 'null'}`);
              return;
            }
            const codes = credential.kind === 'none' ? ['UNAUTHENTICATED'] : [...REFUSALS, ...(cell.alsoRefusedWith ?? [])];
            if (result !== null) mismatches.push(`${where}: expected refusal, got success`);
            else if (!codes.includes(code)) mismatches.push(`${where}: refused with ${code} (${res.body.errors?.[0]?.message ?? ''})`);
            if (await dataChecksum(server) !== baseline.data) mismatches.push(`${where}: wrote to the database`);
            if (await auditCount(server, 'success') !== baseline.successes) mismatches.push(`${where}: recorded a 'success' audit entry`);
          });
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
