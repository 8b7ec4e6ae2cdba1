import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** Custom roles. */
export const rolesOperations = {
  /**
   * Creates a custom role; its policy is validated statement by statement.
   * @returns the role
   * @throws LatchkeyError `BAD_USER_INPUT` with `field` such as `policy[2].resources[0]`, `CONFLICT` for a taken key
   */
  createRole: op(function (input: G.CreateRoleInput) { return this.request(G.CreateRoleDocument, { input }).then((d) => required(d.createRole).role); }),
  /**
   * Changes the fields given (the policy is replaced as a whole). Members, teams and tokens holding the role change with it.
   * @returns the updated role
   */
  updateRole: op(function (input: G.UpdateRoleInput) { return this.request(G.UpdateRoleDocument, { input }).then((d) => required(d.updateRole).role); }),
  /**
   * Deletes a role nobody uses.
   * @returns the deleted role's key
   * @throws LatchkeyError `CONFLICT` listing `members`, `teams` and `tokens` that still use it
   */
  deleteRole: op(function (input: G.DeleteRoleInput) { return this.request(G.DeleteRoleDocument, { input }).then((d) => required(d.deleteRole).deletedRoleKey); }),
  /** One custom role by key. @throws LatchkeyError `NOT_FOUND` */
  role: op(function (key: string) { return this.request(G.RoleDocument, { key }).then((d) => d.role); }),
  /** Your account's custom roles (a Relay connection). */
  roles: op(function (vars: G.RolesQueryVariables = {}) { return this.request(G.RolesDocument, vars).then((d) => required(d.roles)); }),
};
