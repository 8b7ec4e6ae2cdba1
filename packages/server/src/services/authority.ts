import { contains, type Containment, type Grant, type RoleAttributes } from '@latchkey/policy';
import type { Caller } from '../auth/caller.ts';
import type { DbOrTx } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import { forbidden, type LatchkeyError } from '../errors.ts';
import { findMemberById, findMembersByIds } from '../store/members.ts';
import { findRoleById, roleUsage } from '../store/roles.ts';
import { customRolesOfTeam, findTeamById, membersOfTeam } from '../store/teams.ts';
import { findTokenById } from '../store/tokens.ts';
import { memberGrants, roleGrant, tokenGrants } from './permissions.ts';

/**
 * No escalation, through any path (product.md). Every operation that hands out authority — a
 * token's creation, clone, reset or new scope; a custom role's policy; a member's base role,
 * custom roles or role attributes; a team's members, roles or attributes — is allowed only if
 * what each resulting credential or member can then do is contained in what the caller can do
 * at that moment. This module is that one rule; the services call it, none has its own copy.
 *
 * The model is Kubernetes RBAC's escalation prevention (you may only create or bind a role whose
 * permissions you already hold), made exact in one way: it is not the role being given that is
 * compared but the authority of everyone who ends up with it, read back from the mutation's own
 * transaction after the change is applied. A refusal throws and rolls the change back, so "what
 * the change does" is never re-derived beside the code that does it. What a grantee could
 * already do before the change (`before`, read at its start) is not handed out by it: only what
 * is new must be within the caller. A new credential — a token created, cloned or reset (a new
 * secret) — has no before: all of it is handed out.
 *
 * Authorities are compared relative to their holder: the built-in roles speak of "your own
 * tokens" and "your own sessions" (`member/<self>…`), and a grantee's are read as if they were
 * the caller's, so giving someone the reader role does not require the caller to manage that
 * person's tokens — only to be at least a reader.
 */

/** What someone can do: the intersection of grant sets (within a set, grants are additive). */
export interface Authority {
  /** Whose "own" tokens and sessions the built-in policies in `sets` speak of. */
  self: string;
  sets: Array<{ label: string; grants: Grant[] }>;
}

/**
 * The caller's authority: a session is its member; a personal token is its scope AND its owner
 * (both limit it); a service token is its own scope.
 */
export async function callerAuthority(db: DbOrTx, caller: Caller): Promise<Authority> {
  const { credential, member } = caller;
  const own = { label: 'your permissions do not allow', grants: await memberGrants(db, member) };
  switch (credential.kind) {
    case 'session':
      return { self: member.id, sets: [own] };
    case 'personal':
      return {
        self: member.id,
        sets: [{ label: 'the scope of the token you are using does not allow', grants: await tokenGrants(db, credential.token, member) }, own],
      };
    case 'service': {
      const self = `service-token-${credential.token.id}`;
      return { self, sets: [{ label: 'the scope of the service token you are using does not allow', grants: await tokenGrants(db, credential.token, member, self) }] };
    }
  }
}

/** Something that ends up with authority after a change. */
export type Grantee =
  | { kind: 'member'; memberId: string }
  | { kind: 'token'; tokenId: string }
  /** A custom role, as the caller would hold it (role attributes: the caller's own). */
  | { kind: 'role'; roleId: string }
  /** A team's custom roles with the team's role attributes, as the caller would hold them. */
  | { kind: 'team'; teamId: string };

/** Grant sets whose intersection is a grantee's authority, each read with the caller's `self`. */
interface GranteeAuthority {
  what: string;
  sets: Grant[][];
}

/** Grantees' authorities as they were before a change, by grantee. */
export type AuthoritySnapshot = ReadonlyMap<string, GranteeAuthority>;

const granteeKey = (grantee: Grantee): string => `${grantee.kind}:${Object.values(grantee)[1]}`;

/**
 * What these grantees can do now, to be given to `assertNoEscalation` as `before` once the
 * change is applied (read inside the mutation's transaction, before its writes).
 */
export async function authoritiesBefore(db: DbOrTx, caller: Caller, limit: Authority, grantees: readonly Grantee[]): Promise<AuthoritySnapshot> {
  const out = new Map<string, GranteeAuthority>();
  for (const grantee of grantees) {
    const authority = await authorityOf(db, caller, grantee, limit.self);
    if (authority) out.set(granteeKey(grantee), authority);
  }
  return out;
}

/**
 * An invited member can do nothing yet, but what they were given takes effect when they accept:
 * read them as active. Removed members hold nothing.
 */
function asHolder(member: MemberRow): MemberRow {
  return member.status === 'invited' ? { ...member, status: 'active' } : member;
}

/** The role attributes the caller's own grants are read with: a service token keeps its creator's from when it was made. */
export function callerAttributes(caller: Caller): RoleAttributes {
  return caller.credential.kind === 'service' ? (caller.credential.token.roleAttributes ?? {}) : caller.member.roleAttributes;
}

async function authorityOf(db: DbOrTx, caller: Caller, grantee: Grantee, self: string): Promise<GranteeAuthority | null> {
  const { accountId } = caller;
  switch (grantee.kind) {
    case 'member': {
      const member = await findMemberById(db, accountId, grantee.memberId);
      if (!member) return null;
      return { what: `member ${member.email}`, sets: [await memberGrants(db, asHolder(member), self)] };
    }
    case 'token': {
      const token = await findTokenById(db, accountId, grantee.tokenId);
      if (!token || token.deletedAt) return null;
      const owner = await findMemberById(db, accountId, token.ownerId);
      if (!owner) return null;
      const scope = await tokenGrants(db, token, owner, self);
      // A personal token can do what its scope AND its owner allow; a service token its scope.
      const sets = token.kind === 'personal' ? [scope, await memberGrants(db, asHolder(owner), self)] : [scope];
      return { what: `token '${token.name}'`, sets };
    }
    case 'role': {
      const role = await findRoleById(db, accountId, grantee.roleId);
      if (!role) return null;
      return { what: `custom role "${role.key}"`, sets: [[roleGrant(role, callerAttributes(caller), self)]] };
    }
    case 'team': {
      const team = await findTeamById(db, accountId, grantee.teamId);
      if (!team) return null;
      const grants = (await customRolesOfTeam(db, team.id)).map((role) => roleGrant(role, team.roleAttributes, self, `team:${team.key}/role:${role.key}`));
      return { what: `team "${team.key}"`, sets: [grants] };
    }
  }
}

/**
 * Whether what an intersection of grant sets `after` allows beyond what `before` allowed stays
 * within one of the caller's sets. Sound: the intersection is within one of its sets, so it
 * suffices that one set is within the caller; or, when there is a before (same sets, aligned),
 * that one set is within the caller plus what that set allowed before while every other set
 * allows no more than before — then ∩after ⊆ (caller ∪ beforeᵢ) ∩ ⋂ₖ≠ᵢ beforeₖ ⊆ caller ∪ ∩before.
 * The first set's refusal is the one reported.
 */
function newAuthorityWithin(outer: Grant[], after: Grant[][], before: Grant[][] | undefined): Containment {
  let first: Containment | undefined;
  for (const set of after) {
    const result = contains(outer, set);
    if (result.ok) return result;
    first ??= result;
  }
  if (before && before.length === after.length) {
    const unchanged = after.map((set, k) => contains(before[k] ?? [], set).ok);
    for (let i = 0; i < after.length; i++) {
      if (!unchanged.every((ok, k) => ok || k === i)) continue;
      const result = contains([...outer, ...(before[i] ?? [])], after[i] ?? []);
      if (result.ok) return result;
      if (i === 0) first = result;
    }
  }
  return first ?? { ok: true };
}

export interface EscalationCheck {
  /** The operation's action and resource, named when nothing more precise can be. */
  action: string;
  resource: string;
  /** Everyone the change gave authority to, read back from `db` (the mutation's transaction). */
  grantees: readonly Grantee[];
  /** How the refusal begins (default: "no escalation"). */
  rule?: string;
  /** The grantees are read as they are now, not as a change left them (wording only). */
  now?: boolean;
  /** What the grantees could do before the change (`authoritiesBefore`): only what is new counts. */
  before?: AuthoritySnapshot;
}

/**
 * The rule: FORBIDDEN, naming the first exceeding action and resource, unless every grantee's
 * authority (in the current state of `db`) is contained in `limit`, the caller's authority taken
 * before the change.
 */
export async function assertNoEscalation(db: DbOrTx, caller: Caller, limit: Authority, check: EscalationCheck): Promise<void> {
  const error = await escalation(db, caller, limit, check);
  if (error) throw error;
}

/** The refusal `assertNoEscalation` would throw, or null. */
export async function escalation(db: DbOrTx, caller: Caller, limit: Authority, check: EscalationCheck): Promise<LatchkeyError | null> {
  const seen = new Set<string>();
  for (const grantee of check.grantees) {
    const key = granteeKey(grantee);
    if (seen.has(key)) continue;
    seen.add(key);
    const authority = await authorityOf(db, caller, grantee, limit.self);
    if (!authority) continue;
    const before = check.before?.get(key)?.sets;
    for (const outer of limit.sets) {
      const result = newAuthorityWithin(outer.grants, authority.sets, before);
      if (!result.ok) {
        return forbidden(
          result.action,
          result.resource,
          `${check.rule ?? 'no escalation'}: ${check.now ? '' : `after ${check.action} on ${check.resource}, `}${authority.what} ${check.now ? 'can' : 'could'} do ${result.action} on ${result.resource}, which ${outer.label} (${result.reason})`,
        );
      }
    }
  }
  return null;
}

/** Whether what `grants` allow (were the caller to hold them) stays within the caller's authority. */
export function withinAuthority(limit: Authority, grants: (self: string) => Grant[]): Containment & { label?: string } {
  const inner = grants(limit.self);
  for (const outer of limit.sets) {
    const result = contains(outer.grants, inner);
    if (!result.ok) return { ...result, label: outer.label };
  }
  return { ok: true };
}

/** Every member who holds a role, directly or through a team, and every token scoped by it. */
export async function holdersOfRole(db: DbOrTx, roleId: string): Promise<Grantee[]> {
  const usage = await roleUsage(db, roleId);
  const teamMembers: MemberRow[] = [];
  for (const team of usage.teams) teamMembers.push(...(await membersOfTeam(db, team.id)));
  return [
    ...usage.members.map((m): Grantee => ({ kind: 'member', memberId: m.id })),
    ...teamMembers.map((m): Grantee => ({ kind: 'member', memberId: m.id })),
    ...usage.teams.map((t): Grantee => ({ kind: 'team', teamId: t.id })),
    ...usage.tokens.map((t): Grantee => ({ kind: 'token', tokenId: t.id })),
  ];
}

/** The members of a team and the team itself (its roles with its attributes). */
export async function granteesOfTeam(db: DbOrTx, teamId: string): Promise<Grantee[]> {
  return [{ kind: 'team', teamId }, ...(await membersOfTeam(db, teamId)).map((m): Grantee => ({ kind: 'member', memberId: m.id }))];
}

/** Members by id, for checks on members given in an input (unknown ids are simply skipped). */
export async function memberGrantees(db: DbOrTx, accountId: string, ids: readonly string[]): Promise<Grantee[]> {
  return (await findMembersByIds(db, accountId, ids)).map((m) => ({ kind: 'member', memberId: m.id }));
}

// ---------------------------------------------------------------------------------------------
// A token never outlives the credential that made it (as Vault's child tokens).

/** The expiry of the token the caller is using, or undefined for a session (a person). */
function callerTokenExpiry(caller: Caller): Date | null | undefined {
  return caller.credential.kind === 'session' ? undefined : caller.credential.token.expiresAt;
}

const OUTLIVES = 'a token never outlives the credential that made it';

/**
 * The expiry of a token issued (created or cloned) through the caller's credential: through a
 * token that expires, at most that token's expiry (and that expiry when none is asked for).
 */
export function issuedExpiry(caller: Caller, requested: Date | null, action: string, resource: string): Date | null {
  const limit = callerTokenExpiry(caller);
  if (!limit) return requested;
  if (requested === null) return limit;
  if (requested > limit) {
    throw forbidden(action, resource, `${OUTLIVES}: the token you are using expires at ${limit.toISOString()}, so this one must expire no later`);
  }
  return requested;
}

/**
 * A reset through a token credential hands out a new secret: the token reset must expire no later
 * than the caller's token, and so must the old secret's grace period.
 */
export function assertResetWithinCaller(caller: Caller, target: { expiresAt: Date | null }, graceUntil: Date, resource: string): void {
  const limit = callerTokenExpiry(caller);
  if (!limit) return;
  if (target.expiresAt === null || target.expiresAt > limit) {
    throw forbidden('resetAccessToken', resource, `${OUTLIVES}: this token outlives the token you are using (expires ${limit.toISOString()}); reset it from a session`);
  }
  if (graceUntil > limit) {
    throw forbidden('resetAccessToken', resource, `${OUTLIVES}: the old secret's grace period must end no later than the token you are using (${limit.toISOString()})`);
  }
}

/**
 * Through a token credential an expiry can only move earlier, and never past the caller's token's
 * own: only a session (a person) may extend or clear one.
 */
export function assertExpiryChangeWithinCaller(caller: Caller, before: Date | null, after: Date | null, resource: string): void {
  if (caller.credential.kind === 'session') return;
  const limit = callerTokenExpiry(caller);
  const refuse = (why: string) => forbidden('updateAccessTokenExpiry', resource, `${OUTLIVES}: ${why}`);
  if (after === null) throw refuse('only a session can clear an expiry');
  if (before !== null && after > before) throw refuse('only a session can extend an expiry');
  if (limit && after > limit) throw refuse(`the token you are using expires at ${limit.toISOString()}; this expiry must be no later`);
}
