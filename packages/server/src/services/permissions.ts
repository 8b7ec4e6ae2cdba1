import {
  baseRoleGrant,
  compile,
  customRoleGrant,
  type CompiledPrincipal,
  type Grant,
  type RoleAttributes,
} from '@latchkey/policy';
import type { DbOrTx } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { CustomRoleRow } from '../db/schema/roles.ts';
import type { TokenRow } from '../db/schema/tokens.ts';
import { customRolesOfMember, customRolesOfTeams, teamsOfMember } from '../store/members.ts';
import { customRolesOfToken } from '../store/tokens-auth.ts';
import type { Caches } from './caches.ts';

/**
 * What a member may do: their base role and every custom role they hold, directly or through a
 * team, each as its own grant (roles are additive). Removed or invited members hold nothing.
 * `self` is whose "own" tokens and sessions the built-in policies speak of (the member's id; the
 * no-escalation rule reads another member's grants as if they were the caller's, services/authority.ts).
 */
export async function memberGrants(db: DbOrTx, member: MemberRow, self: string = member.id): Promise<Grant[]> {
  if (member.status !== 'active') return [];
  const grants: Grant[] = [baseRoleGrant(member.role, self)];
  for (const role of await customRolesOfMember(db, member.id)) {
    grants.push(roleGrant(role, member.roleAttributes, self));
  }
  const teams = await teamsOfMember(db, member.id);
  const teamById = new Map(teams.map((t) => [t.id, t]));
  for (const { teamId, role } of await customRolesOfTeams(db, teams.map((t) => t.id))) {
    const team = teamById.get(teamId);
    if (!team) continue;
    grants.push(roleGrant(role, team.roleAttributes, self, `team:${team.key}/role:${role.key}`));
  }
  return grants;
}

export function roleGrant(role: CustomRoleRow, attributes: RoleAttributes, memberId: string, source?: string): Grant {
  return customRoleGrant(
    { key: role.key, basePermissions: role.basePermissions ?? null, policy: role.policy },
    attributes,
    memberId,
    source,
  );
}

/**
 * A token's own scope. Personal tokens take their owner's role attributes (live); service tokens
 * the creator's as they were at creation. A service token's "own tokens" resolve to nothing real.
 */
export async function tokenGrants(db: DbOrTx, token: TokenRow, owner: MemberRow, self: string = tokenSelf(token)): Promise<Grant[]> {
  const attributes = token.kind === 'personal' ? owner.roleAttributes : (token.roleAttributes ?? {});
  if (token.role) return [{ ...baseRoleGrant(token.role, self), source: `token:${token.role}` }];
  if (token.inlinePolicy) return [{ source: 'inline', policy: token.inlinePolicy, roleAttributes: attributes }];
  return (await customRolesOfToken(db, token.id)).map((role) => roleGrant(role, attributes, self));
}

/** Whose "own tokens" a token's scope speaks of: its owner's, or for a service token nobody's. */
export function tokenSelf(token: Pick<TokenRow, 'id' | 'kind' | 'ownerId'>): string {
  return token.kind === 'personal' ? token.ownerId : `service-token-${token.id}`;
}

export async function memberPrincipal(db: DbOrTx, caches: Caches, member: MemberRow): Promise<CompiledPrincipal> {
  return await cachedPrincipal(caches, `member:${member.id}`, async () => await memberGrants(db, member));
}

export async function tokenPrincipal(db: DbOrTx, caches: Caches, token: TokenRow, owner: MemberRow): Promise<CompiledPrincipal> {
  return await cachedPrincipal(caches, `token:${token.id}`, async () => await tokenGrants(db, token, owner));
}

async function cachedPrincipal(caches: Caches, key: string, grants: () => Promise<Grant[]>): Promise<CompiledPrincipal> {
  const hit = caches.getPrincipal(key);
  if (hit) return hit;
  const ticket = caches.ticket();
  const principal = compile(await grants());
  caches.putPrincipal(key, principal, ticket);
  return principal;
}
