import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** Projects, environments and flags (the resources tokens are scoped to). */
export const projectsOperations = {
  /** Creates a project with the environments `production` and `test`. @returns the project */
  createProject: op(function (input: G.CreateProjectInput) { return this.request(G.CreateProjectDocument, { input }).then((d) => required(d.createProject).project); }),
  /** Adds an environment to a project. @returns the environment */
  createEnvironment: op(function (input: G.CreateEnvironmentInput) { return this.request(G.CreateEnvironmentDocument, { input }).then((d) => required(d.createEnvironment).environment); }),
  /**
   * Creates a flag, off in every environment.
   * @remarks project-wide: `createFlag` must be allowed in every environment of the project
   */
  createFlag: op(function (input: G.CreateFlagInput) { return this.request(G.CreateFlagDocument, { input }).then((d) => required(d.createFlag).flag); }),
  /** Renames a flag or changes its description (project-wide, like createFlag). @returns the flag */
  updateFlag: op(function (input: G.UpdateFlagInput) { return this.request(G.UpdateFlagDocument, { input }).then((d) => required(d.updateFlag).flag); }),
  /**
   * Turns a flag on or off in one environment (`updateOn` on `proj/<p>:env/<e>:flag/<f>`).
   * @returns the flag with `on` in that environment
   */
  setFlagOn: op(function (input: G.SetFlagOnInput) {
    return this.request(G.SetFlagOnDocument, { input, environmentKey: input.environmentKey }).then((d) => required(d.setFlagOn).flag);
  }),
  /** Deletes a flag (project-wide). @returns the deleted flag's key */
  deleteFlag: op(function (input: G.DeleteFlagInput) { return this.request(G.DeleteFlagDocument, { input }).then((d) => required(d.deleteFlag).deletedFlagKey); }),
  /** One project you may view, with its environments and flags. @throws LatchkeyError `NOT_FOUND`, `FORBIDDEN` */
  project: op(function (key: string) { return this.request(G.ProjectDocument, { key }).then((d) => d.project); }),
  /** The projects you may view (a Relay connection). */
  projects: op(function (vars: G.ProjectsQueryVariables = {}) { return this.request(G.ProjectsDocument, vars).then((d) => required(d.projects)); }),
  /** Every flag of a project with its on/off state in one environment. */
  flagStates: op(function (projectKey: string, environmentKey: string) {
    return this.request(G.FlagStatesDocument, { projectKey, environmentKey }).then((d) => d.project?.flags ?? []);
  }),
};
