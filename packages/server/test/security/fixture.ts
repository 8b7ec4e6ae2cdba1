import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import {
  baseRoleGrant,
  compile,
  contains,
  customRoleGrant,
  isAllowed,
  type AccessRequest,
  type BaseRole,
  type CompiledPrincipal,
  type Grant,
  type Statement,
} from '@latchkey/policy';
import { addAccount, addCustomRole, addMember, type TestServer } from '../helpers.ts';
import { createToken } from '../tokens-fixtures.ts';
import { eq } from 'drizzle-orm';
import { members } from '../../src/db/tables.ts';

/**
 * One account (A) with a member of every base role, a no-access member holding a custom role,
 * tokens of every kind and the objects operations act on; and a second account (B) whose owner
 * token is "a credential of another account". Each credential carries what the policy model needs
 * to say what it may do, built from the built-in role policies and the policy engine only.
 */

export interface ModelMember {
  id: string;
  role: BaseRole;
  customRoles: Array<{ key: string; policy: Statement[] }>;
}

export type CredentialKind = 'none' | 'session' | 'personal' | 'service';

export interface Credential {
  label: string;
  kind: CredentialKind;
  /** The Authorization value (null: none). */
  secret: string | null;
  account: 'A' | 'B' | null;
  /** Session holder, personal token owner or service token creator. */
  member?: ModelMember;
  /** A token's scope (a base role, or an inline policy) and raw id. */
  scope?: BaseRole;
  inline?: Statement[];
  tokenId?: string;
}

/** What a member may do: base role and custom roles, each a grant (additive). */
export function memberGrants(member: ModelMember): Grant[] {
  return [
    baseRoleGrant(member.role, member.id),
    ...member.customRoles.map((role) => customRoleGrant({ key: role.key, basePermissions: null, policy: role.policy }, {}, member.id)),
  ];
}

/** The "self" a credential's built-in role statements speak of. */
export function selfOf(credential: Credential): string {
  if (credential.kind === 'service') return `service-token-${credential.tokenId ?? ''}`;
  return credential.member?.id ?? 'nobody';
}

/** A token's own scope as grants (its built-in role speaks of its owner, or of the service token itself). */
export function tokenScopeGrants(credential: Credential): Grant[] {
  if (credential.inline) return [{ source: 'inline', policy: credential.inline, roleAttributes: {} }];
  return credential.scope ? [baseRoleGrant(credential.scope, selfOf(credential))] : [];
}

/**
 * The grant sets that must ALL allow a request: a session is its member; a personal token is its
 * scope and its owner's permissions; a service token is its scope alone.
 */
export function grantSets(credential: Credential): Grant[][] {
  const { member, scope } = credential;
  switch (credential.kind) {
    case 'none':
      return [];
    case 'session':
      return member ? [memberGrants(member)] : [];
    case 'personal':
      return member && (scope || credential.inline) ? [tokenScopeGrants(credential), memberGrants(member)] : [];
    case 'service':
      return scope ? [tokenScopeGrants(credential)] : [];
  }
}

const compiledCache = new WeakMap<Credential, CompiledPrincipal[]>();

/** The policy model's decision for a credential. */
export function modelAllows(credential: Credential, request: AccessRequest): boolean {
  if (credential.kind === 'none') return false;
  let compiled = compiledCache.get(credential);
  if (!compiled) {
    compiled = grantSets(credential).map((set) => compile(set));
    compiledCache.set(credential, compiled);
  }
  return compiled.length > 0 && compiled.every((principal) => isAllowed(principal, request));
}

/** Whether everything `inner` allows stays within every grant set of the credential (the creation caps). */
export function modelContains(credential: Credential, inner: Grant[]): boolean {
  const sets = grantSets(credential);
  return sets.length > 0 && sets.every((set) => contains(set, inner).ok);
}

export const rawIdOf = (globalId: string): string => decodeGlobalID(globalId).id;

export interface Fixture {
  server: TestServer;
  accountA: string;
  accountB: string;
  owner: ModelMember;
  admin: ModelMember;
  writer: ModelMember;
  reader: ModelMember;
  limited: ModelMember;
  /** A reader other members act on (updateMember, removeMember). */
  target: ModelMember;
  ownerSessionId: string;
  inviteCode: string;
  /** The writer's personal WRITER token (global id) and a service READER token made by the owner. */
  writerToken: { id: string; raw: string; secret: string };
  serviceToken: { id: string; raw: string; secret: string };
  credentials: Credential[];
  /** Account B's owner: a session and an OWNER personal token. */
  foreign: { session: string; token: string };
}

export const LIMITED_POLICY: Statement[] = [
  { effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] },
  { effect: 'allow', actions: ['updateOn'], resources: ['proj/alpha:env/test:flag/*'] },
  { effect: 'allow', actions: ['viewTeam'], resources: ['team/*'] },
];

/** The inline policy of one of the owner's personal tokens. */
export const INLINE_POLICY: Statement[] = [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }];

async function ok<T>(server: TestServer, auth: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await server.gql<T>(query, variables, { auth });
  if (res.body.errors || !res.body.data) throw new Error(`fixture step failed: ${query}\n${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const memberOf = (id: string, role: BaseRole, customRoles: ModelMember['customRoles'] = []): ModelMember => ({ id, role, customRoles });

export async function buildFixture(server: TestServer): Promise<Fixture> {
  const viewer = await ok<{ viewer: { member: { id: string } } }>(server, server.owner, '{ viewer { member { id } } }');
  const owner = memberOf(rawIdOf(viewer.viewer.member.id), 'owner');
  const [ownerRow] = await server.app.db.select({ a: members.accountId }).from(members).where(eq(members.id, owner.id));
  if (!ownerRow) throw new Error('no owner');
  const accountA = ownerRow.a;

  await addCustomRole(server, { key: 'limited', policy: LIMITED_POLICY });
  await addCustomRole(server, { key: 'target-role', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/beta'] }] });
  const [adminM, writerM, readerM, limitedM, targetM] = await Promise.all([
    addMember(server, { role: 'admin', email: 'admin@a.test' }),
    addMember(server, { role: 'writer', email: 'writer@a.test' }),
    addMember(server, { role: 'reader', email: 'reader@a.test' }),
    addMember(server, { role: 'no_access', email: 'limited@a.test', customRoleKeys: ['limited'] }),
    addMember(server, { role: 'reader', email: 'target@a.test' }),
  ]);
  const admin = memberOf(adminM.id, 'admin');
  const writer = memberOf(writerM.id, 'writer');
  const reader = memberOf(readerM.id, 'reader');
  const limited = memberOf(limitedM.id, 'no_access', [{ key: 'limited', policy: LIMITED_POLICY }]);
  const target = memberOf(targetM.id, 'reader');

  await ok(server, server.owner, 'mutation { createProject(input: { key: "alpha", name: "Alpha" }) { project { id } } }');
  await ok(server, server.owner, 'mutation { createFlag(input: { projectKey: "alpha", key: "f1", name: "F1" }) { flag { id } } }');
  await ok(server, server.owner, 'mutation { createTeam(input: { key: "squad", name: "Squad" }) { team { id } } }');
  const invite = await ok<{ inviteMember: { inviteCode: string } }>(
    server,
    server.owner,
    'mutation { inviteMember(input: { email: "invitee@a.test", role: READER }) { inviteCode } }',
  );
  const sessions = await ok<{ viewer: { sessions: { edges: Array<{ node: { id: string; current: boolean } }> } } }>(
    server,
    server.owner,
    '{ viewer { sessions(first: 10) { edges { node { id current } } } } }',
  );
  const current = sessions.viewer.sessions.edges.find((e) => e.node.current);
  if (!current) throw new Error('no current session');

  const personal = async (role: BaseRole, auth = server.owner) => createToken(server, auth, { role: role.toUpperCase(), name: `personal ${role}` });
  const service = async (role: BaseRole) => createToken(server, server.owner, { role: role.toUpperCase(), name: `service ${role}`, serviceToken: true });
  const writerIssued = await personal('writer', writerM.session);
  const serviceReader = await service('reader');
  const serviceAdmin = await service('admin');
  const ownerTokens = await Promise.all((['reader', 'writer', 'admin', 'owner'] as const).map(async (role) => ({ role, issued: await personal(role) })));

  const inline = await createToken(server, server.owner, { inlinePolicy: INLINE_POLICY.map((s) => ({ ...s, effect: 'ALLOW' })), name: 'inline' });
  const other = await addAccount(server, 'owner@b.test');
  const foreign = await createToken(server, other.owner.session, { role: 'OWNER', name: 'foreign owner token' });
  const foreignOwner = memberOf(other.owner.id, 'owner');

  const token = (kind: 'personal' | 'service', label: string, member: ModelMember, scope: BaseRole, issued: { secret: string; token: { id: string } }, account: 'A' | 'B' = 'A'): Credential => ({
    label,
    kind,
    secret: issued.secret,
    account,
    member,
    scope,
    tokenId: rawIdOf(issued.token.id),
  });

  const credentials: Credential[] = [
    { label: 'anonymous', kind: 'none', secret: null, account: null },
    { label: 'owner session', kind: 'session', secret: server.owner, account: 'A', member: owner },
    { label: 'admin session', kind: 'session', secret: adminM.session, account: 'A', member: admin },
    { label: 'writer session', kind: 'session', secret: writerM.session, account: 'A', member: writer },
    { label: 'reader session', kind: 'session', secret: readerM.session, account: 'A', member: reader },
    { label: 'no-access member with a custom role', kind: 'session', secret: limitedM.session, account: 'A', member: limited },
    ...ownerTokens.map(({ role, issued }) => token('personal', `owner's personal ${role.toUpperCase()} token`, owner, role, issued)),
    {
      label: "owner's personal token with an inline policy (view projects)",
      kind: 'personal',
      secret: inline.secret,
      account: 'A',
      member: owner,
      inline: INLINE_POLICY,
      tokenId: rawIdOf(inline.token.id),
    },
    token('personal', "writer's personal WRITER token", writer, 'writer', writerIssued),
    token('service', 'service READER token', owner, 'reader', serviceReader),
    token('service', 'service ADMIN token', owner, 'admin', serviceAdmin),
    token('personal', "other account's OWNER token", foreignOwner, 'owner', foreign, 'B'),
  ];

  return {
    server,
    accountA,
    accountB: other.accountId,
    owner,
    admin,
    writer,
    reader,
    limited,
    target,
    ownerSessionId: current.node.id,
    inviteCode: invite.inviteMember.inviteCode,
    writerToken: { id: writerIssued.token.id, raw: rawIdOf(writerIssued.token.id), secret: writerIssued.secret },
    serviceToken: { id: serviceReader.token.id, raw: rawIdOf(serviceReader.token.id), secret: serviceReader.secret },
    credentials,
    foreign: { session: other.owner.session, token: foreign.secret },
  };
}
export const globalMemberId = (id: string): string => encodeGlobalID('Member', id);
