import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** Teams: members who share custom roles (with the team's role attributes). */
export const teamsOperations = {
  /** Creates a team. @returns the team */
  createTeam: op(function (input: G.CreateTeamInput) { return this.request(G.CreateTeamDocument, { input }).then((d) => required(d.createTeam).team); }),
  /** Changes the fields given; `memberIds`, `customRoleKeys` and `roleAttributes` replace. @returns the team */
  updateTeam: op(function (input: G.UpdateTeamInput) { return this.request(G.UpdateTeamDocument, { input }).then((d) => required(d.updateTeam).team); }),
  /** Deletes a team; its members lose the roles they had through it. @returns the deleted team's key */
  deleteTeam: op(function (input: G.DeleteTeamInput) { return this.request(G.DeleteTeamDocument, { input }).then((d) => required(d.deleteTeam).deletedTeamKey); }),
  /** One team by key (needs `viewTeam`). @throws LatchkeyError `NOT_FOUND` */
  team: op(function (key: string) { return this.request(G.TeamDocument, { key }).then((d) => d.team); }),
  /** The teams you may view (a Relay connection). */
  teams: op(function (vars: G.TeamsQueryVariables = {}) { return this.request(G.TeamsDocument, vars).then((d) => required(d.teams)); }),
};
