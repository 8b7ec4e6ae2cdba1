import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** Projects, environments and flags (the resources tokens are scoped to). */

/** Creates a project with the environments `production` and `test`. @returns the project */
export const createProject = (lk: LatchkeyClient, input: G.CreateProjectInput) => lk.request(G.CreateProjectDocument, { input }).then((d) => d.createProject.project);
/** Adds an environment to a project. @returns the environment */
export const createEnvironment = (lk: LatchkeyClient, input: G.CreateEnvironmentInput) => lk.request(G.CreateEnvironmentDocument, { input }).then((d) => d.createEnvironment.environment);
/**
 * Creates a flag, off in every environment.
 * @remarks project-wide: `createFlag` must be allowed in every environment of the project
 */
export const createFlag = (lk: LatchkeyClient, input: G.CreateFlagInput) => lk.request(G.CreateFlagDocument, { input }).then((d) => d.createFlag.flag);
/** Renames a flag or changes its description (project-wide, like createFlag). @returns the flag */
export const updateFlag = (lk: LatchkeyClient, input: G.UpdateFlagInput) => lk.request(G.UpdateFlagDocument, { input }).then((d) => d.updateFlag.flag);
/**
 * Turns a flag on or off in one environment (`updateOn` on `proj/<p>:env/<e>:flag/<f>`).
 * @returns the flag with `on` in that environment
 */
export const setFlagOn = (lk: LatchkeyClient, input: G.SetFlagOnInput) => lk.request(G.SetFlagOnDocument, { input, environmentKey: input.environmentKey }).then((d) => d.setFlagOn.flag);
/** Deletes a flag (project-wide). @returns the deleted flag's key */
export const deleteFlag = (lk: LatchkeyClient, input: G.DeleteFlagInput) => lk.request(G.DeleteFlagDocument, { input }).then((d) => d.deleteFlag.deletedFlagKey);
/** One project you may view, with its environments and flags. @throws LatchkeyError `NOT_FOUND`, `FORBIDDEN` */
export const project = (lk: LatchkeyClient, key: string) => lk.request(G.ProjectDocument, { key }).then((d) => d.project);
/** The projects you may view (a Relay connection). */
export const projects = (lk: LatchkeyClient, vars: G.ProjectsQueryVariables = {}) => lk.request(G.ProjectsDocument, vars).then((d) => d.projects);
/** Every flag of a project with its on/off state in one environment. */
export const flagStates = (lk: LatchkeyClient, projectKey: string, environmentKey: string) => lk.request(G.FlagStatesDocument, { projectKey, environmentKey }).then((d) => d.project?.flags ?? []);
