import { expect } from 'vitest';
import { errorCode, type GqlResponse, type TestServer } from './helpers.ts';
import { count, eq } from 'drizzle-orm';
import * as tables from '../src/db/tables.ts';

/**
 * Raw GraphQL for members, roles, teams, projects and checkAccess, exactly as clients write it
 * (the names are the API contract), plus one-line helpers for scenario setup.
 */

export const MEMBER = 'id email name role status roleAttributes { key values } customRoles { key } teams { key }';
export const ROLE = 'id key name description basePermissions policy { effect actions notActions resources notResources }';
export const TEAM = 'id key name description members { id email } customRoles { key } roleAttributes { key values }';
export const PROJECT = 'id key name tags environments { id key name tags } flags { id key name }';

export const INVITE = `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { inviteCode member { ${MEMBER} } } }`;
export const ACCEPT = `mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret member { ${MEMBER} } } }`;
export const UPDATE_MEMBER = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { ${MEMBER} } } }`;
export const REMOVE_MEMBER = 'mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }';
export const GET_MEMBER = `query($id: ID!) { member(id: $id) { ${MEMBER} } }`;

export const CREATE_ROLE = `mutation($input: CreateRoleInput!) { createRole(input: $input) { role { ${ROLE} } } }`;
export const UPDATE_ROLE = `mutation($input: UpdateRoleInput!) { updateRole(input: $input) { role { ${ROLE} } } }`;
export const DELETE_ROLE = 'mutation($input: DeleteRoleInput!) { deleteRole(input: $input) { deletedRoleKey } }';
export const GET_ROLE = `query($key: String!) { role(key: $key) { ${ROLE} } }`;
export const LIST_ROLES = `query($first: Int, $after: String) { roles(first: $first, after: $after) { edges { cursor node { ${ROLE} } } pageInfo { hasNextPage endCursor } } }`;

export const CREATE_TEAM = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { ${TEAM} } } }`;
export const UPDATE_TEAM = `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { ${TEAM} } } }`;
export const DELETE_TEAM = 'mutation($input: DeleteTeamInput!) { deleteTeam(input: $input) { deletedTeamKey } }';
export const GET_TEAM = `query($key: String!) { team(key: $key) { ${TEAM} } }`;
export const LIST_TEAMS = `query($first: Int, $after: String) { teams(first: $first, after: $after) { edges { node { key } } pageInfo { hasNextPage endCursor } } }`;

export const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { ${PROJECT} } } }`;
export const CREATE_ENVIRONMENT = 'mutation($input: CreateEnvironmentInput!) { createEnvironment(input: $input) { environment { id key name tags } } }';
export const CREATE_FLAG = 'mutation($input: CreateFlagInput!) { createFlag(input: $input) { flag { id key name production: on(environmentKey: "production") test: on(environmentKey: "test") } } }';
export const SET_FLAG_ON = 'mutation($input: SetFlagOnInput!, $env: String!) { setFlagOn(input: $input) { flag { key on(environmentKey: $env) } } }';
export const DELETE_FLAG = 'mutation($input: DeleteFlagInput!) { deleteFlag(input: $input) { deletedFlagKey } }';
export const GET_PROJECT = `query($key: String!) { project(key: $key) { ${PROJECT} } }`;
export const LIST_PROJECTS = `query($first: Int, $after: String) { projects(first: $first, after: $after) { edges { node { key } } pageInfo { hasNextPage endCursor } } }`;

export const CHECK_ACCESS = `query($action: String!, $resource: String!, $tokenId: ID) {
  checkAccess(action: $action, resource: $resource, tokenId: $tokenId) {
    allowed reason refusedBy statements { source index effect statement { effect actions notActions resources notResources } }
  }
}`;

export const CREATE_TOKEN = 'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { id } } }';

export interface Statement {
  effect: 'ALLOW' | 'DENY';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
}

export const allow = (actions: string[], resources: string[]): Statement => ({ effect: 'ALLOW', actions, resources });
export const deny = (actions: string[], resources: string[]): Statement => ({ effect: 'DENY', actions, resources });

/** Runs an operation that must succeed and returns its data. */
export async function ok<T = Record<string, unknown>>(server: TestServer, auth: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await server.gql<T>(query, variables, { auth });
  if (res.body.errors || !res.body.data) throw new Error(`expected success, got ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

/** Runs an operation that must fail with `code` and returns the first error. */
export async function fails(server: TestServer, auth: string | null, code: string, query: string, variables: Record<string, unknown> = {}) {
  const res: GqlResponse = await server.gql(query, variables, { auth });
  expect(errorCode(res), JSON.stringify(res.body.errors)).toBe(code);
  const error = res.body.errors?.[0];
  if (!error) throw new Error('no error');
  return { message: error.message, extensions: error.extensions ?? {} };
}

export async function createProject(server: TestServer, auth: string, key: string, tags: string[] = []) {
  return ok(server, auth, CREATE_PROJECT, { input: { key, name: key, tags } });
}

export async function createFlag(server: TestServer, auth: string, projectKey: string, key: string) {
  return ok(server, auth, CREATE_FLAG, { input: { projectKey, key, name: key } });
}

export function setFlagOn(server: TestServer, auth: string | null, projectKey: string, environmentKey: string, flagKey: string, on = true) {
  return server.gql<{ setFlagOn: { flag: { key: string; on: boolean } } }>(
    SET_FLAG_ON,
    { input: { projectKey, environmentKey, flagKey, on }, env: environmentKey },
    { auth },
  );
}

export async function flagIsOn(server: TestServer, auth: string, projectKey: string, flagKey: string, environmentKey: string): Promise<boolean> {
  const data = await ok<{ project: { flags: Array<{ key: string; on: boolean }> } }>(
    server,
    auth,
    'query($key: String!, $env: String!) { project(key: $key) { flags { key on(environmentKey: $env) } } }',
    { key: projectKey, env: environmentKey },
  );
  return data.project.flags.find((f) => f.key === flagKey)?.on ?? false;
}

/** Creates a token through the createToken mutation and returns its secret and global id. */
export async function createToken(server: TestServer, auth: string, input: Record<string, unknown>): Promise<{ secret: string; id: string }> {
  const data = await ok<{ createToken: { secret: string; token: { id: string } } }>(server, auth, CREATE_TOKEN, { input });
  return { secret: data.createToken.secret, id: data.createToken.token.id };
}

/** Successful changes recorded in the audit log (to prove a refused or failed mutation changed nothing). */
export async function auditCount(server: TestServer): Promise<number> {
  const [row] = await server.app.db.select({ n: count() }).from(tables.auditEntries).where(eq(tables.auditEntries.outcome, 'success'));
  return row?.n ?? 0;
}

const COUNTED = {
  members: () => tables.members,
  custom_roles: () => tables.customRoles,
  teams: () => tables.teams,
  team_members: () => tables.teamMembers,
  team_custom_roles: () => tables.teamCustomRoles,
  member_custom_roles: () => tables.memberCustomRoles,
  projects: () => tables.projects,
  environments: () => tables.environments,
  flags: () => tables.flags,
  flag_states: () => tables.flagStates,
};

/** Row count of a table (to prove a failed mutation left no partial write). */
export async function rowCount(server: TestServer, table: keyof typeof COUNTED): Promise<number> {
  const [row] = await server.app.db.select({ n: count() }).from(COUNTED[table]());
  return row?.n ?? 0;
}
