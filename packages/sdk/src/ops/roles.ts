import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** Custom roles. */

/**
 * Creates a custom role; its policy is validated statement by statement.
 * @returns the role
 * @throws LatchkeyError `BAD_USER_INPUT` with `field` such as `policy[2].resources[0]`, `CONFLICT` for a taken key
 */
export const createRole = (lk: LatchkeyClient, input: G.CreateRoleInput) => lk.request(G.CreateRoleDocument, { input }).then((d) => d.createRole.role);
/**
 * Changes the fields given (the policy is replaced as a whole). Members, teams and tokens holding the role change with it.
 * @returns the updated role
 */
export const updateRole = (lk: LatchkeyClient, input: G.UpdateRoleInput) => lk.request(G.UpdateRoleDocument, { input }).then((d) => d.updateRole.role);
/**
 * Deletes a role nobody uses.
 * @returns the deleted role's key
 * @throws LatchkeyError `CONFLICT` listing `members`, `teams` and `tokens` that still use it
 */
export const deleteRole = (lk: LatchkeyClient, input: G.DeleteRoleInput) => lk.request(G.DeleteRoleDocument, { input }).then((d) => d.deleteRole.deletedRoleKey);
/** One custom role by key. @throws LatchkeyError `NOT_FOUND` */
export const role = (lk: LatchkeyClient, key: string) => lk.request(G.RoleDocument, { key }).then((d) => d.role);
/** Your account's custom roles (a Relay connection). */
export const roles = (lk: LatchkeyClient, vars: G.RolesQueryVariables = {}) => lk.request(G.RolesDocument, vars).then((d) => d.roles);
