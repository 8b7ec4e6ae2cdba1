import {
  baseRoleGrant,
  baseRoleRank,
  type BaseRole,
  type Grant,
  type RoleAttributes,
  type Statement,
} from '@latchkey/policy';
import { assertAllowed, isAuthorized } from '../auth/authorize.ts';
import type { Caller } from '../auth/caller.ts';
import { digestSecret, generateSecret, obscureSecret } from '../auth/secrets.ts';
import { callerOf, type Context } from '../context.ts';
import type { DbOrTx } from '../db/client.ts';
import type { AuditChanges } from '../db/schema/audit.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { CustomRoleRow } from '../db/schema/roles.ts';
import type { TokenKind, TokenRow } from '../db/schema/tokens.ts';
import { badInput, forbidden, LatchkeyError, notFound } from '../errors.ts';
import { findAccount } from '../store/accounts.ts';
import { customRolesOfMember, customRolesOfTeams, findMemberById, teamsOfMember } from '../store/members.ts';
import type { KeysetPage } from '../store/keyset.ts';
import {
  countServiceTokens,
  findCustomRolesByKeys,
  findTokenById,
  insertToken,
  insertTokenSecret,
  listTokens,
  retireTokenSecrets,
  setTokenCustomRoles,
  updateTokenRow,
  type TokenListFilter,
} from '../store/tokens.ts';
import { lockAccount } from '../store/locks.ts';
import { customRolesOfToken } from '../store/tokens-auth.ts';
import { API_VERSIONS, LATEST_API_VERSION, isSupportedApiVersion } from './api-versions.ts';
import { recordAudit } from './audit.ts';
import {
  assertExpiryChangeWithinCaller,
  assertNoEscalation,
  assertResetWithinCaller,
  authoritiesBefore,
  callerAttributes,
  callerAuthority,
  issuedExpiry,
  withinAuthority,
  type Authority,
  type AuthoritySnapshot,
} from './authority.ts';
import { roleGrant } from './permissions.ts';
import { optionalText, refuseSecretsInPolicy, requireName } from './validation.ts';

/**
 * Access tokens: creation caps, lifecycle (update, clone, reset, delete) and visibility.
 *
 * Every operation is an action on the token's resource (`member/<owner>:token/<id>` or
 * `service-token/<id>`), declared with scope-auth in schema/token.ts and decided by the policy
 * engine. This file adds what the engine cannot know: what a new scope may contain (the caps),
 * that a service token's scope is fixed, and that only its owner may reset a personal token.
 */

// ---------------------------------------------------------------------------------------------
// Resources and visibility

type TokenIdentity = Pick<TokenRow, 'id' | 'kind' | 'ownerId'>;

/** The resource name every action on this token is checked against. */
export function tokenResource(token: TokenIdentity): string {
  return token.kind === 'personal' ? `member/${token.ownerId}:token/${token.id}` : `service-token/${token.id}`;
}

/** The resource of a token about to be created by this caller (personal tokens belong to the caller's member). */
export function newTokenResource(caller: Caller, kind: TokenKind, id: string): string {
  return tokenResource({ id, kind, ownerId: caller.member.id });
}

export function canViewToken(context: Context, token: TokenIdentity): boolean {
  return isAuthorized(context, { action: 'viewAccessToken', resource: tokenResource(token) });
}

/** Request-scoped memos: a token loaded to decide a field's scopes is not loaded again by its resolver. */
const requestTokens = new WeakMap<Context, Map<string, TokenRow>>();
const requestMembers = new WeakMap<Context, Map<string, MemberRow | undefined>>();
const requestNewIds = new WeakMap<Context, Map<string, string>>();

function memoOf<V>(store: WeakMap<Context, Map<string, V>>, context: Context): Map<string, V> {
  let memo = store.get(context);
  if (!memo) {
    memo = new Map();
    store.set(context, memo);
  }
  return memo;
}

function remember(context: Context, token: TokenRow): TokenRow {
  memoOf(requestTokens, context).set(token.id, token);
  return token;
}

/**
 * The token a field operates on, for its scope check. NOT_FOUND when it does not exist, was
 * deleted, belongs to another account, or is invisible to the caller (they may neither view it
 * nor do any of `actions` on it): the same answer in every case, so nothing is revealed.
 */
export async function tokenForOperation(context: Context, id: string, actions: readonly string[]): Promise<TokenRow> {
  const caller = callerOf(context);
  const memo = memoOf(requestTokens, context);
  const token = memo.get(id) ?? await findTokenById(context.app.db, caller.accountId, id);
  if (!token) throw notFound('Token');
  memo.set(id, token);
  const resource = tokenResource(token);
  const reachable = ['viewAccessToken', ...actions].some((action) => isAuthorized(context, { action, resource }));
  if (!reachable) throw notFound('Token');
  return token;
}

/** The id a new token will get, fixed when its scopes are decided (`key` tells apart aliases of one request). */
export function pendingTokenId(context: Context, key: string, generate: () => string): string {
  const memo = memoOf(requestNewIds, context);
  let id = memo.get(key);
  if (id === undefined) {
    id = generate();
    memo.set(key, id);
  }
  return id;
}

/** A token of the caller's account the caller may view, or null (never a hint about why). */
export async function findVisibleToken(context: Context, id: string): Promise<TokenRow | null> {
  const caller = context.caller;
  if (!caller) return null;
  const token = memoOf(requestTokens, context).get(id) ?? await findTokenById(context.app.db, caller.accountId, id);
  return token && canViewToken(context, token) ? token : null;
}

/** A member of the caller's account (owner or creator of a token), memoized per request. */
export async function tokenOwner(context: Context, token: TokenRow): Promise<MemberRow | undefined> {
  const memo = memoOf(requestMembers, context);
  if (!memo.has(token.ownerId)) memo.set(token.ownerId, await findMemberById(context.app.db, token.accountId, token.ownerId));
  return memo.get(token.ownerId);
}

/** The custom roles of a token scoped by custom roles (empty otherwise). */
export async function tokenCustomRoles(context: Context, token: TokenRow): Promise<CustomRoleRow[]> {
  return token.role || token.inlinePolicy ? [] : await customRolesOfToken(context.app.db, token.id);
}

/** False when the token expired or (personal) its owner is no longer an active member. */
export async function isTokenActive(context: Context, token: TokenRow, now = new Date()): Promise<boolean> {
  if (token.expiresAt && token.expiresAt <= now) return false;
  if (token.kind === 'personal') return (await tokenOwner(context, token))?.status === 'active';
  return true;
}

/** The last request made with the token, including one not yet flushed to the database. */
export function tokenLastUsedAt(context: Context, token: TokenRow): Date | null {
  const pending = context.app.lastUsed.pendingToken(token.id);
  if (pending && (!token.lastUsedAt || pending > token.lastUsedAt)) return pending;
  return token.lastUsedAt;
}

export interface TokenListOptions {
  /** Every token the caller may view, not only their own. */
  showAll?: boolean | null;
  kind?: TokenKind | null;
  /** Only tokens of this member (personal tokens it owns, service tokens it created). */
  ownerId?: string;
}

/**
 * One keyset page of the tokens the caller may view. Without `showAll` the list is the caller's
 * own: their personal tokens and the service tokens they created (a service token, which has no
 * member of its own, sees every token it may view). Rows the caller may not view are skipped,
 * reading further batches until the page is full.
 */
export async function visibleTokens(context: Context, options: TokenListOptions, page: KeysetPage): Promise<TokenRow[]> {
  const caller = callerOf(context);
  const filter: TokenListFilter = { accountId: caller.accountId };
  if (options.kind) filter.kind = options.kind;
  if (options.ownerId !== undefined) filter.ownerId = options.ownerId;
  else if (!options.showAll && caller.credential.kind !== 'service') filter.ownerId = caller.member.id;
  else if (!isAuthorized(context, { action: 'viewAccessToken', resource: 'member/*:token/*' })) {
    // Someone who may not view other members' tokens in general: let SQL skip them rather than
    // checking (and discarding) every personal token of the account one by one.
    filter.ownOrService = caller.member.id;
  }
  const out: TokenRow[] = [];
  const batch = { ...page, limit: Math.max(page.limit, 50) };
  for (;;) {
    const rows = await listTokens(context.app.db, filter, batch);
    for (const row of rows) {
      if (out.length < page.limit && canViewToken(context, row)) out.push(remember(context, row));
    }
    const last = rows[rows.length - 1];
    if (out.length >= page.limit || rows.length < batch.limit || !last) return out;
    if (batch.inverted) batch.before = last.id;
    else batch.after = last.id;
  }
}

// ---------------------------------------------------------------------------------------------
// Scopes and creation caps

/** Exactly one of: a base role, custom roles, an inline policy. */
export type TokenScope =
  | { kind: 'role'; role: BaseRole }
  | { kind: 'customRoles'; roles: CustomRoleRow[] }
  | { kind: 'inline'; policy: Statement[] };

export interface ScopeInput {
  role?: BaseRole | null;
  customRoleKeys?: readonly string[] | null;
  /** Already validated (schema/token.ts `toPolicyStatements`). */
  inlinePolicy?: readonly Statement[] | null;
}

const SCOPE_FIELDS = ['role', 'customRoleKeys', 'inlinePolicy'] as const;
/** Bounds on a scope's size, so a containment check stays cheap. */
export const MAX_INLINE_STATEMENTS = 100;
export const MAX_TOKEN_ROLES = 50;

/** The scope given in an input, or undefined when none is; BAD_USER_INPUT when more than one is. */
async function scopeOf(context: Context, input: ScopeInput): Promise<TokenScope | undefined> {
  const given = SCOPE_FIELDS.filter((f) => input[f] !== null && input[f] !== undefined);
  if (given.length > 1) throw badInput(given[1] ?? 'role', `give only one of role, customRoleKeys or inlinePolicy (got ${given.join(', ')})`);
  if (input.role) return { kind: 'role', role: input.role };
  if (input.customRoleKeys) {
    const keys = [...new Set(input.customRoleKeys)];
    if (keys.length === 0) throw badInput('customRoleKeys', 'must name at least one custom role');
    if (keys.length > MAX_TOKEN_ROLES) throw badInput('customRoleKeys', `at most ${MAX_TOKEN_ROLES} custom roles`);
    const roles = await findCustomRolesByKeys(context.app.db, callerOf(context).accountId, keys);
    const unknown = keys.find((k) => !roles.some((r) => r.key === k));
    if (unknown !== undefined) throw badInput('customRoleKeys', `unknown custom role "${unknown}"`, { key: unknown });
    return { kind: 'customRoles', roles: roles.sort((a, b) => a.key.localeCompare(b.key)) };
  }
  if (input.inlinePolicy) {
    if (input.inlinePolicy.length === 0) throw badInput('inlinePolicy', 'must contain at least one statement');
    if (input.inlinePolicy.length > MAX_INLINE_STATEMENTS) throw badInput('inlinePolicy', `at most ${MAX_INLINE_STATEMENTS} statements`);
    refuseSecretsInPolicy('inlinePolicy', input.inlinePolicy);
    return { kind: 'inline', policy: [...input.inlinePolicy] };
  }
  return undefined;
}

async function scopeOfToken(context: Context, token: TokenRow): Promise<TokenScope> {
  if (token.role) return { kind: 'role', role: token.role };
  if (token.inlinePolicy) return { kind: 'inline', policy: token.inlinePolicy };
  return { kind: 'customRoles', roles: await customRolesOfToken(context.app.db, token.id) };
}

/** The grants a scope gives, for member `self` with these role attributes (as permissions.tokenGrants does). */
function scopeGrants(scope: TokenScope, self: string, attributes: RoleAttributes): Grant[] {
  switch (scope.kind) {
    case 'role':
      return [{ ...baseRoleGrant(scope.role, self), source: `token:${scope.role}` }];
    case 'inline':
      return [{ source: 'inline', policy: scope.policy, roleAttributes: attributes }];
    case 'customRoles':
      return scope.roles.map((role) => roleGrant(role, attributes, self));
  }
}

/** How a scope is recorded in the audit log and compared for changes. */
function scopeSummary(scope: TokenScope): Record<string, unknown> {
  switch (scope.kind) {
    case 'role':
      return { role: scope.role };
    case 'customRoles':
      return { customRoleKeys: scope.roles.map((r) => r.key) };
    case 'inline':
      return { inlinePolicy: scope.policy };
  }
}

/** The member acting (session or personal token) or null for a service token, which acts as itself. */
function actingMember(caller: Caller): MemberRow | null {
  return caller.credential.kind === 'service' ? null : caller.member;
}

async function heldRoleIds(context: Context, member: MemberRow): Promise<Set<string>> {
  const db = context.app.db;
  const direct = (await customRolesOfMember(db, member.id)).map((r) => r.id);
  const viaTeams = (await customRolesOfTeams(db, (await teamsOfMember(db, member.id)).map((t) => t.id))).map((r) => r.role.id);
  return new Set([...direct, ...viaTeams]);
}

const ROLE_CAP: Record<BaseRole, string> = {
  no_access: 'a member with no base access cannot give a token a base role',
  reader: 'readers can create reader tokens only',
  writer: 'writers can create reader or writer tokens only',
  admin: '',
  owner: '',
};

interface CapCheck {
  /** createAccessToken (create, clone) or updateAccessTokenPolicy (update). */
  action: string;
  /** The token's resource. */
  resource: string;
  kind: TokenKind;
  scope: TokenScope;
  /** Personal: the member the token belongs to (its role attributes). */
  owner: MemberRow;
  /** Service: the role attributes fixed into the token. */
  serviceAttributes: RoleAttributes;
}

/**
 * The creation caps of product.md on the scope a token may name, checked before anything is
 * written. What the token can then do is checked by the no-escalation rule (services/authority.ts)
 * once it is written; these caps are what the spec adds for personal tokens, whose effective
 * permissions are always cut by their owner's:
 * - a base role at most the creator's (admins and owners: any);
 * - custom roles the creator holds (admins and owners: any role within their own permissions);
 * - an inline policy contained in the creator's permissions.
 * A service token cannot create personal tokens (it has no member to own them).
 */
async function assertScopeCaps(context: Context, limit: Authority, check: CapCheck): Promise<void> {
  const caller = callerOf(context);
  const member = actingMember(caller);
  const refuse = (reason: string, exceeding?: { action: string; resource: string }) =>
    forbidden(exceeding?.action ?? check.action, exceeding?.resource ?? check.resource, reason);
  if (check.kind !== 'personal') return;
  if (!member) throw refuse('a service token cannot create personal tokens: a personal token belongs to a member');
  const attributes = check.owner.roleAttributes;
  const within = (grants: (self: string) => Grant[]) => withinAuthority(limit, grants);
  const privileged = member.role === 'admin' || member.role === 'owner';
  const { scope } = check;

  if (scope.kind === 'role' && !privileged && baseRoleRank(scope.role) > baseRoleRank(member.role)) {
    const excess = within((self) => scopeGrants(scope, self, attributes));
    throw refuse(`${ROLE_CAP[member.role]}: a ${scope.role} token would do more than you can`, excess.ok ? undefined : excess);
  }
  if (scope.kind === 'customRoles') {
    const held = await heldRoleIds(context, member);
    for (const role of scope.roles.filter((r) => !held.has(r.id))) {
      if (!privileged) {
        throw refuse(`custom role "${role.key}" is not one of yours: only admins and owners can give a token a role they do not hold`);
      }
      const excess = within((self) => [roleGrant(role, attributes, self)]);
      if (!excess.ok) throw refuse(`custom role "${role.key}" is not one of yours and ${excess.label} ${excess.action} on ${excess.resource} (${excess.reason})`, excess);
    }
  }
  if (scope.kind === 'inline') {
    const excess = within((self) => scopeGrants(scope, self, attributes));
    if (!excess.ok) throw refuse(`a token can never do more than its creator: ${excess.label} ${excess.action} on ${excess.resource} (${excess.reason})`, excess);
  }
}

/**
 * The no-escalation rule on a token just written in `tx`: what it can do is within the caller's
 * `limit` — all of it for a new secret (created, cloned, reset), what is new for a re-scope (`before`).
 */
async function assertTokenWithinCaller(tx: DbOrTx, context: Context, limit: Authority, token: TokenIdentity, action: string, before?: AuthoritySnapshot): Promise<void> {
  await assertNoEscalation(tx, callerOf(context), limit, {
    action,
    resource: tokenResource(token),
    grantees: [{ kind: 'token', tokenId: token.id }],
    rule: token.kind === 'service' ? 'a service token can never do more than its creator' : 'a token can never do more than its creator',
    ...(before ? { before } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Mutations

export interface CreateTokenInput extends ScopeInput {
  name: string;
  description?: string | null;
  serviceToken?: boolean | null;
  defaultApiVersion?: number | null;
  expiresAt?: Date | null;
}

export interface UpdateTokenInput extends ScopeInput {
  name?: string | null;
  /** null clears it. */
  description?: string | null;
  /** null clears it. */
  expiresAt?: Date | null;
}

/** A token with its secret: the only time the secret is ever returned. */
export interface IssuedToken {
  token: TokenRow;
  secret: string;
}

function requireApiVersion(value: number | null | undefined): number {
  if (value === null || value === undefined) return LATEST_API_VERSION;
  if (!isSupportedApiVersion(value)) throw badInput('defaultApiVersion', `must be one of ${API_VERSIONS.join(', ')}`);
  return value;
}

function requireFuture(field: string, value: Date, now: Date): Date {
  if (value.getTime() <= now.getTime()) throw badInput(field, 'must be in the future');
  return value;
}

function limitExceeded(limit: number): LatchkeyError {
  return new LatchkeyError(
    'LIMIT_EXCEEDED',
    `This account already has ${limit} service tokens, its limit; delete one or ask an owner to raise the limit (updateAccount serviceTokenLimit)`,
    { limit },
  );
}

/** How the actor is named in audit titles. */
function actorName(caller: Caller): string {
  return caller.credential.kind === 'service' ? `service token '${caller.credential.token.name}'` : caller.member.name;
}

function kindLabel(kind: TokenKind): string {
  return kind === 'personal' ? 'personal token' : 'service token';
}

interface NewToken {
  id: string;
  kind: TokenKind;
  name: string;
  description: string | null;
  scope: TokenScope;
  defaultApiVersion: number;
  expiresAt: Date | null;
  roleAttributes: RoleAttributes | null;
}

/** Inserts a token, its first secret and its custom roles, with the limit check and audit entry, in one transaction. */
/** Thrown inside a dry run's transaction once every check has passed, so nothing is kept. */
class DryRunPassed extends Error {}

async function issue(context: Context, limit: Authority, token: NewToken, audit: { action: string; title: string; changes: AuditChanges }, dryRun = false): Promise<IssuedToken> {
  const caller = callerOf(context);
  const secret = generateSecret(token.kind);
  const now = new Date();
  const row = await context.app.transaction(async (tx) => {
    if (token.kind === 'service') {
      // Count and insert while holding the account's lock: creations on several instances take turns, so the limit holds exactly.
      await lockAccount(tx, caller.accountId);
      const limit = (await findAccount(tx, caller.accountId))?.serviceTokenLimit ?? 0;
      if (await countServiceTokens(tx, caller.accountId) >= limit) throw limitExceeded(limit);
    }
    const inserted = await insertToken(tx, {
      id: token.id,
      accountId: caller.accountId,
      kind: token.kind,
      ownerId: caller.member.id,
      name: token.name,
      description: token.description,
      role: token.scope.kind === 'role' ? token.scope.role : null,
      inlinePolicy: token.scope.kind === 'inline' ? token.scope.policy : null,
      roleAttributes: token.roleAttributes,
      defaultApiVersion: token.defaultApiVersion,
      obscuredSecret: obscureSecret(secret),
      expiresAt: token.expiresAt,
      createdAt: now,
      updatedAt: now,
    });
    await insertTokenSecret(tx, { secretHash: digestSecret(secret), tokenId: inserted.id, createdAt: now });
    if (token.scope.kind === 'customRoles') await setTokenCustomRoles(tx, inserted.id, token.scope.roles.map((r) => r.id));
    await assertTokenWithinCaller(tx, context, limit, inserted, audit.action);
    if (dryRun) throw new DryRunPassed();
    await recordAudit(tx, context, { action: audit.action, resource: tokenResource(inserted), title: audit.title, changes: audit.changes });
    return inserted;
  });
  context.app.caches.invalidate({ kind: 'token', tokenId: row.id });
  return { token: remember(context, row), secret };
}

function createdChanges(token: NewToken): AuditChanges {
  const changes: AuditChanges = {
    name: { after: token.name },
    kind: { after: token.kind },
    defaultApiVersion: { after: token.defaultApiVersion },
  };
  for (const [field, value] of Object.entries(scopeSummary(token.scope))) changes[field] = { after: value };
  if (token.description !== null) changes.description = { after: token.description };
  if (token.expiresAt) changes.expiresAt = { after: token.expiresAt.toISOString() };
  return changes;
}

/** Creates a personal or service token under the creation caps; `id` was fixed when its scopes were decided. */
export async function createToken(context: Context, id: string, input: CreateTokenInput, dryRun = false): Promise<IssuedToken> {
  const caller = callerOf(context);
  const now = new Date();
  const name = requireName('name', input.name);
  const description = optionalText('description', input.description);
  const defaultApiVersion = requireApiVersion(input.defaultApiVersion);
  const requestedExpiry = input.expiresAt ? requireFuture('expiresAt', input.expiresAt, now) : null;
  const scope = await scopeOf(context, input);
  if (!scope) throw badInput('role', 'give exactly one of role, customRoleKeys or inlinePolicy');
  const kind: TokenKind = input.serviceToken ? 'service' : 'personal';
  const resource = newTokenResource(caller, kind, id);
  const expiresAt = issuedExpiry(caller, requestedExpiry, 'createAccessToken', resource);
  // A new service token keeps its creator's role attributes as they are now.
  const roleAttributes = kind === 'service' ? callerAttributes(caller) : null;
  const limit = await callerAuthority(context.app.db, caller);
  await assertScopeCaps(context, limit, { action: 'createAccessToken', resource, kind, scope, owner: caller.member, serviceAttributes: roleAttributes ?? {} });
  const token: NewToken = { id, kind, name, description, scope, defaultApiVersion, expiresAt, roleAttributes };
  return await issue(
    context,
    limit,
    token,
    { action: 'createAccessToken', title: `${actorName(caller)} created ${kindLabel(kind)} '${name}'`, changes: createdChanges(token) },
    dryRun,
  );
}

export type ScopeCheck = { allowed: true } | { allowed: false; action: string; resource: string; reason: string };

/**
 * Whether createToken would give the caller this token, decided by the very same caps and
 * no-escalation rule, in a transaction that is always rolled back: for forms that show, before
 * saving, the first action and resource the caller's permissions do not cover. Bad input is
 * still BAD_USER_INPUT; a refusal is returned, not thrown.
 */
export async function checkNewToken(context: Context, id: string, input: CreateTokenInput): Promise<ScopeCheck> {
  try {
    // The guard createToken has in the schema, answered here rather than as an error.
    const caller = callerOf(context);
    assertAllowed(context, { action: 'createAccessToken', resource: newTokenResource(caller, input.serviceToken ? 'service' : 'personal', id) });
    await createToken(context, id, input, true);
  } catch (error) {
    if (error instanceof DryRunPassed) return { allowed: true };
    const extensions = error instanceof LatchkeyError ? error.extensions : undefined;
    if (extensions?.code === 'FORBIDDEN') {
      return { allowed: false, action: String(extensions.action), resource: String(extensions.resource), reason: String(extensions.reason) };
    }
    throw error;
  }
  throw new Error('a dry run never creates a token');
}

/**
 * A new token with the source's scope, kind and API version (and description), owned by or
 * recorded as created by the caller, under the creation caps for the caller. The expiry is not
 * copied (through an expiring token credential, the clone expires with that token).
 */
export async function cloneToken(context: Context, source: TokenRow, id: string, input: { name?: string | null }): Promise<IssuedToken> {
  const caller = callerOf(context);
  const name = input.name === null || input.name === undefined ? `${source.name} (copy)` : requireName('name', input.name);
  const scope = await scopeOfToken(context, source);
  const roleAttributes = source.kind === 'service' ? (source.roleAttributes ?? {}) : null;
  const resource = newTokenResource(caller, source.kind, id);
  const limit = await callerAuthority(context.app.db, caller);
  await assertScopeCaps(context, limit, { action: 'createAccessToken', resource, kind: source.kind, scope, owner: caller.member, serviceAttributes: roleAttributes ?? {} });
  const token: NewToken = {
    id,
    kind: source.kind,
    name,
    description: source.description,
    scope,
    defaultApiVersion: source.defaultApiVersion,
    expiresAt: issuedExpiry(caller, null, 'createAccessToken', resource),
    roleAttributes,
  };
  const changes = createdChanges(token);
  changes.clonedFrom = { after: source.id };
  return await issue(context, limit, token, { action: 'createAccessToken', title: `${actorName(caller)} cloned token '${source.name}' as '${name}'`, changes });
}

/** The actions an update needs, one per kind of field given (null clears description and expiry; it leaves the rest). */
export function updateActions(input: {
  name?: string | null;
  description?: string | null;
  expiresAt?: Date | null;
  role?: unknown;
  customRoleKeys?: unknown;
  inlinePolicy?: unknown;
}): string[] {
  const actions: string[] = [];
  const given = (value: unknown) => value !== undefined;
  if (given(input.name) && input.name !== null) actions.push('updateAccessTokenName');
  if (given(input.description)) actions.push('updateAccessTokenDescription');
  if (SCOPE_FIELDS.some((f) => input[f] !== null && input[f] !== undefined)) actions.push('updateAccessTokenPolicy');
  if (given(input.expiresAt)) actions.push('updateAccessTokenExpiry');
  return actions;
}

const ACTION_OF_CHANGE: Record<string, string> = {
  scope: 'updateAccessTokenPolicy',
  name: 'updateAccessTokenName',
  description: 'updateAccessTokenDescription',
  expiresAt: 'updateAccessTokenExpiry',
};

/** The audit action of an update: the scope change when there is one, else the first changed field's action. */
function auditActionOf(changes: AuditChanges): string {
  const field = Object.keys(ACTION_OF_CHANGE).find((f) => f in changes) ?? 'name';
  return ACTION_OF_CHANGE[field] ?? 'updateAccessTokenName';
}

/** Name, description, expiry and (personal tokens only, under the creation caps) scope. Only given fields change. */
export async function updateToken(context: Context, token: TokenRow, input: UpdateTokenInput): Promise<TokenRow> {
  const caller = callerOf(context);
  const now = new Date();
  const patch: Partial<TokenRow> = {};
  const changes: AuditChanges = {};
  if (input.name !== undefined && input.name !== null) {
    const name = requireName('name', input.name);
    if (name !== token.name) {
      patch.name = name;
      changes.name = { before: token.name, after: name };
    }
  }
  if (input.description !== undefined) {
    const description = optionalText('description', input.description);
    if (description !== token.description) {
      patch.description = description;
      changes.description = { before: token.description, after: description };
    }
  }
  if (input.expiresAt !== undefined) {
    const expiresAt = input.expiresAt === null ? null : requireFuture('expiresAt', input.expiresAt, now);
    if (expiresAt?.getTime() !== token.expiresAt?.getTime()) {
      assertExpiryChangeWithinCaller(caller, token.expiresAt, expiresAt, tokenResource(token));
      patch.expiresAt = expiresAt;
      changes.expiresAt = { before: token.expiresAt?.toISOString() ?? null, after: expiresAt?.toISOString() ?? null };
    }
  }
  const scope = await scopeOf(context, input);
  const limit = await callerAuthority(context.app.db, caller);
  if (scope) {
    const resource = tokenResource(token);
    if (token.kind === 'service') {
      throw forbidden('updateAccessTokenPolicy', resource, "a service token's scope is fixed at creation and can never be edited; create a new service token instead");
    }
    const owner = await tokenOwner(context, token);
    if (!owner) throw notFound('Token');
    await assertScopeCaps(context, limit, { action: 'updateAccessTokenPolicy', resource, kind: 'personal', scope, owner, serviceAttributes: {} });
    const before = scopeSummary(await scopeOfToken(context, token));
    const after = scopeSummary(scope);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      patch.role = scope.kind === 'role' ? scope.role : null;
      patch.inlinePolicy = scope.kind === 'inline' ? scope.policy : null;
      changes.scope = { before, after };
    }
  }
  if (Object.keys(changes).length === 0) return token;
  const updated = await context.app.transaction(async (tx) => {
    const before = changes.scope ? await authoritiesBefore(tx, caller, limit, [{ kind: 'token', tokenId: token.id }]) : undefined;
    const row = await updateTokenRow(tx, token.id, { ...patch, updatedAt: now });
    if (!row) throw notFound('Token');
    if (scope && changes.scope) {
      await setTokenCustomRoles(tx, token.id, scope.kind === 'customRoles' ? scope.roles.map((r) => r.id) : []);
      await assertTokenWithinCaller(tx, context, limit, row, 'updateAccessTokenPolicy', before);
    }
    await recordAudit(tx, context, {
      action: auditActionOf(changes),
      resource: tokenResource(row),
      title: `${actorName(caller)} updated token '${row.name}' (${Object.keys(changes).join(', ')})`,
      changes,
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'token', tokenId: token.id });
  return remember(context, updated);
}

/**
 * A new secret for the token. The old one stops working now, or at `oldSecretExpiresAt` (a grace
 * period for rotating without downtime). A new secret hands the token's authority to whoever
 * receives it, so a reset is under the no-escalation rule like a creation: what the token can do
 * must be within what the caller can do now, and through a token credential neither the token
 * nor the old secret's grace period may outlive the caller's token. Only its owner can reset a
 * personal token: a new secret in someone else's hands would let them act as that member.
 */
export async function resetToken(context: Context, token: TokenRow, input: { oldSecretExpiresAt?: Date | null }): Promise<IssuedToken> {
  const caller = callerOf(context);
  const now = new Date();
  const resource = tokenResource(token);
  const graceUntil = input.oldSecretExpiresAt ? requireFuture('oldSecretExpiresAt', input.oldSecretExpiresAt, now) : now;
  if (token.kind === 'personal' && (caller.credential.kind === 'service' || caller.member.id !== token.ownerId)) {
    throw forbidden('resetAccessToken', resource, 'only its owner can reset a personal token (the new secret would let you act as them); delete it instead');
  }
  assertResetWithinCaller(caller, token, graceUntil, resource);
  const limit = await callerAuthority(context.app.db, caller);
  const secret = generateSecret(token.kind);
  const obscuredSecret = obscureSecret(secret);
  const updated = await context.app.transaction(async (tx) => {
    await assertTokenWithinCaller(tx, context, limit, token, 'resetAccessToken');
    await retireTokenSecrets(tx, token.id, now, graceUntil);
    const row = await updateTokenRow(tx, token.id, { obscuredSecret, updatedAt: now });
    if (!row) throw notFound('Token');
    await insertTokenSecret(tx, { secretHash: digestSecret(secret), tokenId: token.id, createdAt: now });
    await recordAudit(tx, context, {
      action: 'resetAccessToken',
      resource,
      title: `${actorName(caller)} reset token '${token.name}'`,
      changes: {
        obscuredSecret: { before: token.obscuredSecret, after: obscuredSecret },
        oldSecretValidUntil: { after: graceUntil.toISOString() },
      },
    });
    return row;
  });
  context.app.caches.invalidate({ kind: 'token', tokenId: token.id });
  return { token: remember(context, updated), secret };
}

/** Deletes the token (a tombstone, so later requests are told "deleted"); effective on the next request. */
export async function deleteToken(context: Context, token: TokenRow): Promise<string> {
  const caller = callerOf(context);
  const now = new Date();
  await context.app.transaction(async (tx) => {
    const row = await updateTokenRow(tx, token.id, { deletedAt: now, updatedAt: now });
    if (!row) throw notFound('Token');
    await recordAudit(tx, context, {
      action: 'deleteAccessToken',
      resource: tokenResource(token),
      title: `${actorName(caller)} deleted ${kindLabel(token.kind)} '${token.name}'`,
      changes: { deletedAt: { before: null, after: now.toISOString() } },
    });
  });
  memoOf(requestTokens, context).delete(token.id);
  context.app.caches.invalidate({ kind: 'token', tokenId: token.id });
  return token.id;
}
