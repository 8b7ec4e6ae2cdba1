import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** Teams: members who share custom roles (with the team's role attributes). */

/** Creates a team. @returns the team */
export const createTeam = (lk: LatchkeyClient, input: G.CreateTeamInput) => lk.request(G.CreateTeamDocument, { input }).then((d) => d.createTeam.team);
/** Changes the fields given; `memberIds`, `customRoleKeys` and `roleAttributes` replace. @returns the team */
export const updateTeam = (lk: LatchkeyClient, input: G.UpdateTeamInput) => lk.request(G.UpdateTeamDocument, { input }).then((d) => d.updateTeam.team);
/** Deletes a team; its members lose the roles they had through it. @returns the deleted team's key */
export const deleteTeam = (lk: LatchkeyClient, input: G.DeleteTeamInput) => lk.request(G.DeleteTeamDocument, { input }).then((d) => d.deleteTeam.deletedTeamKey);
/** One team by key (needs `viewTeam`). @throws LatchkeyError `NOT_FOUND` */
export const team = (lk: LatchkeyClient, key: string) => lk.request(G.TeamDocument, { key }).then((d) => d.team);
/** The teams you may view (a Relay connection). */
export const teams = (lk: LatchkeyClient, vars: G.TeamsQueryVariables = {}) => lk.request(G.TeamsDocument, vars).then((d) => d.teams);
