/**
 * Built-in roles as policies in the policy language, and grants: one independently evaluated
 * role (deny wins inside it; grants are additive).
 */
import type { Policy, Statement } from './statements.ts';

export type BaseRole = 'no_access' | 'reader' | 'writer' | 'admin' | 'owner';

/** Ascending by power. */
export const BASE_ROLES: readonly BaseRole[] = Object.freeze(['no_access', 'reader', 'writer', 'admin', 'owner']);

export function isBaseRole(value: string): value is BaseRole {
  return (BASE_ROLES as readonly string[]).includes(value);
}

/** 0 (no_access) to 4 (owner). */
export function baseRoleRank(role: BaseRole): number {
  return BASE_ROLES.indexOf(role);
}

export type RoleAttributes = Readonly<Record<string, readonly string[]>>;

/** One independently evaluated role: roles are additive, deny wins only inside its grant. */
export interface Grant {
  /** Label used in explanations: `base:writer`, `role:ci-deployer`, `team:ops/role:x`, `inline`, `token`. */
  source: string;
  policy: Policy;
  roleAttributes?: RoleAttributes;
}

/** Member ids are spliced into specifiers, so they must be plain keys (no glob or separator). */
const PLAIN_KEY = /^[^\s:/;,${}*]+$/;

function assertPlainKey(memberId: string): void {
  if (!PLAIN_KEY.test(memberId)) {
    throw new Error(`member id ${JSON.stringify(memberId)} cannot be used in a resource specifier`);
  }
}

const allow = (actions: string[], resources: string[]): Statement => ({ effect: 'allow', actions, resources });

function readerPolicy(self: string): Statement[] {
  return [
    allow(['viewProject'], ['proj/*']),
    allow(['viewTeam'], ['team/*']),
    allow(['viewAuditLog'], ['acct']),
    allow(['viewAccessToken'], ['service-token/*']),
    // Everyone manages their own personal tokens; the server caps what they can mint.
    allow(['*'], [`member/${self}:token/*`]),
    allow(['revokeSessions'], [`member/${self}`]),
  ];
}

/**
 * The statements of a built-in role for member `memberId` (substituted where the role speaks
 * of "the member's own": `member/<memberId>:token/*` and `member/<memberId>`).
 */
export function baseRolePolicy(role: BaseRole, memberId: string): Policy {
  assertPlainKey(memberId);
  switch (role) {
    case 'no_access':
      return [];
    case 'reader':
      return readerPolicy(memberId);
    case 'writer':
      return [...readerPolicy(memberId), allow(['*'], ['proj/*', 'proj/*:env/*', 'proj/*:env/*:flag/*'])];
    case 'admin':
      return [
        allow(['*'], ['*']),
        // Owner-only actions.
        { effect: 'deny', actions: ['updateServiceTokenLimit'], resources: ['acct'] },
      ];
    case 'owner':
      return [allow(['*'], ['*'])];
  }
}

/** A built-in role as a grant labelled `base:<role>`. */
export function baseRoleGrant(role: BaseRole, memberId: string): Grant {
  return { source: `base:${role}`, policy: baseRolePolicy(role, memberId) };
}

export interface CustomRoleInput {
  key: string;
  basePermissions: 'reader' | 'no_access' | null;
  policy: Policy;
}

/**
 * A custom role as one grant (default label `role:<key>`). With `basePermissions: 'reader'`
 * the reader statements are appended to the role's own, so the role's denies cut them too;
 * the role's statements keep their indexes.
 */
export function customRoleGrant(
  role: CustomRoleInput,
  roleAttributes: RoleAttributes,
  memberId: string,
  source: string = `role:${role.key}`,
): Grant {
  const policy = role.basePermissions === 'reader' ? [...role.policy, ...baseRolePolicy('reader', memberId)] : role.policy;
  return { source, policy, roleAttributes };
}
