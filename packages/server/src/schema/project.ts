import type { EnvironmentRow, FlagRow, ProjectRow } from '../db/schema/projects.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { isKey, visiblePage } from '../services/access.ts';
import { environmentOf, environmentsOf, flagIsOnIn, flagOf, flagsOf, seeProjects, visibleEnvironment, visibleFlag, visibleProject } from '../services/project-reads.ts';
import { createEnvironment, createFlag, createProject, deleteFlag, mayViewProject, projectResource, setFlagOn, updateFlag, viewProject } from '../services/projects.ts';
import { listProjects } from '../store/projects.ts';
import { keysetConnection } from './common.ts';

/**
 * Projects, their environments and feature flags with an on/off state per environment: the
 * resources tokens are scoped to. Seen with viewProject (tags included); changed with the
 * project, environment and flag actions.
 */

export const Project = builder.objectRef<ProjectRow>('Project');
export const Environment = builder.objectRef<EnvironmentRow>('Environment');
export const Flag = builder.objectRef<FlagRow>('Flag');

builder.node(Project, {
  description: 'A project: environments (each with its flags on or off) and flags. Visible to whoever may view it (viewProject on proj/<key>, with its tags).',
  id: { resolve: (project) => project.id },
  loadOne: (id, ctx) => visibleProject(ctx, id),
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Its key, unique in the account (the proj/<key> of resource specifiers).' }),
    name: t.exposeString('name', { description: 'Its display name.' }),
    tags: t.exposeStringList('tags', { description: 'Matched by tag filters such as `proj/*;mobile`.' }),
    environments: t.field({ description: 'Its environments, in creation order.', type: [Environment], resolve: async (project, _args, ctx) => await environmentsOf(ctx, project.id) }),
    environment: t.field({
      description: 'One of its environments by key; null if there is none.',
      type: Environment,
      nullable: true,
      args: { key: t.arg.string({ description: "The environment's key.", required: true }) },
      resolve: async (project, args, ctx) => await environmentOf(ctx, project.id, args.key),
    }),
    flags: t.field({ description: 'Its flags, in creation order.', type: [Flag], resolve: async (project, _args, ctx) => await flagsOf(ctx, project.id) }),
    flag: t.field({
      description: 'One of its flags by key; null if there is none.',
      type: Flag,
      nullable: true,
      args: { key: t.arg.string({ description: "The flag's key.", required: true }) },
      resolve: async (project, args, ctx) => await flagOf(ctx, project.id, args.key),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

builder.node(Environment, {
  description: 'An environment of a project (production, test, …); flags are on or off per environment. You see it if you may view its project (viewProject on proj/<key>).',
  id: { resolve: (env) => env.id },
  loadOne: (id, ctx) => visibleEnvironment(ctx, id),
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Its key, unique in its project (the env/<key> of resource specifiers).' }),
    name: t.exposeString('name', { description: 'Its display name.' }),
    tags: t.exposeStringList('tags', { description: 'Matched by tag filters such as `proj/*:env/*;critical`.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

builder.node(Flag, {
  description: 'A feature flag of a project, on or off in each environment. You see it if you may view its project (viewProject on proj/<key>).',
  id: { resolve: (flag) => flag.id },
  loadOne: (id, ctx) => visibleFlag(ctx, id),
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Its key, unique in its project (the flag/<key> of resource specifiers).' }),
    name: t.exposeString('name', { description: 'Its display name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the flag is for (null if never said).' }),
    on: t.boolean({
      description: 'Whether the flag is on in that environment of its project (NOT_FOUND for an unknown environment).',
      args: { environmentKey: t.arg.string({ description: "The environment's key in the flag's project.", required: true }) },
      resolve: async (flag, args, ctx) => await flagIsOnIn(ctx, flag, args.environmentKey),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  description: 'A new project (action createProject on proj/<key>, with its tags); it comes with environments production and test.',
  fields: (t) => ({
    key: t.string({ description: 'Its key: 1-64 letters, digits, ".", "_" or "-"; unique in the account.', required: true }),
    name: t.string({ description: 'Its display name.', required: true }),
    tags: t.stringList({ description: 'Tags for policies (`proj/*;frontend`); at most a few dozen.' }),
  }),
});

const CreateEnvironmentInput = builder.inputType('CreateEnvironmentInput', {
  description: 'A new environment in a project (action createEnvironment on proj/<p>:env/<e>).',
  fields: (t) => ({
    projectKey: t.string({ description: 'The project\'s key.', required: true }),
    key: t.string({ description: 'The environment\'s key, unique in the project.', required: true }),
    name: t.string({ description: 'Its display name.', required: true }),
    tags: t.stringList({ description: 'Tags for policies (`proj/*:env/*;prod`).' }),
  }),
});

const CreateFlagInput = builder.inputType('CreateFlagInput', {
  description: 'A new flag in a project (action createFlag on proj/<p>:env/*:flag/<f>); off in every environment.',
  fields: (t) => ({
    projectKey: t.string({ description: 'The project\'s key.', required: true }),
    key: t.string({ description: 'The flag\'s key, unique in the project.', required: true }),
    name: t.string({ description: 'Its display name.', required: true }),
    description: t.string({ description: 'What the flag is for.' }),
  }),
});

const UpdateFlagInput = builder.inputType('UpdateFlagInput', {
  description: 'Only the fields given change.',
  fields: (t) => ({
    projectKey: t.string({ description: 'The project\'s key.', required: true }),
    flagKey: t.string({ description: 'The flag\'s key.', required: true }),
    name: t.string({ description: 'A new name (action updateName).' }),
    description: t.string({ description: 'A new description (action updateDescription).' }),
  }),
});

const SetFlagOnInput = builder.inputType('SetFlagOnInput', {
  description: 'Turns a flag on or off in one environment (action updateOn on proj/<p>:env/<e>:flag/<f>).',
  fields: (t) => ({
    projectKey: t.string({ description: 'The project\'s key.', required: true }),
    environmentKey: t.string({ description: 'The environment\'s key.', required: true }),
    flagKey: t.string({ description: 'The flag\'s key.', required: true }),
    on: t.boolean({ description: 'On (true) or off (false).', required: true }),
  }),
});

const DeleteFlagInput = builder.inputType('DeleteFlagInput', {
  description: 'Which flag to delete (action deleteFlag on proj/<p>:env/*:flag/<f>).',
  fields: (t) => ({
    projectKey: t.string({ required: true, description: "The project's key." }),
    flagKey: t.string({ required: true, description: "The flag's key." }),
  }),
});

const ProjectPayload = builder.objectRef<{ project: ProjectRow }>('ProjectPayload').implement({
  description: 'The result of createProject.',
  fields: (t) => ({ project: t.field({ description: 'The project created.', type: Project, resolve: (p) => p.project }) }),
});
const EnvironmentPayload = builder.objectRef<{ environment: EnvironmentRow }>('EnvironmentPayload').implement({
  description: 'The result of createEnvironment.',
  fields: (t) => ({ environment: t.field({ description: 'The environment created.', type: Environment, resolve: (p) => p.environment }) }),
});
const FlagPayload = builder.objectRef<{ flag: FlagRow }>('FlagPayload').implement({
  description: 'The result of createFlag, updateFlag or setFlagOn.',
  fields: (t) => ({ flag: t.field({ description: 'The flag with the change applied.', type: Flag, resolve: (p) => p.flag }) }),
});
const DeleteFlagPayload = builder.objectRef<{ deletedFlagKey: string }>('DeleteFlagPayload').implement({
  description: 'The result of deleteFlag.',
  fields: (t) => ({ deletedFlagKey: t.exposeString('deletedFlagKey', { description: 'The deleted flag\'s key.' }) }),
});

builder.queryFields((t) => ({
  project: t.field({
    type: Project,
    nullable: true,
    description: 'A project of your account by key (action viewProject); NOT_FOUND for any other key.',
    args: { key: t.arg.string({ required: true, description: "The project's key." }) },
    authScopes: { authenticated: true },
    resolve: async (_root, args, ctx) => await viewProject(ctx, args.key),
  }),
  projects: t.connection({
    type: Project,
    description: 'The projects you may view (viewProject), oldest first.',
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) =>
      keysetConnection('projects', args, (page) =>
        visiblePage(page, async (p) => seeProjects(ctx, await listProjects(ctx.app.db, callerOf(ctx).accountId, p)), (project) => mayViewProject(ctx.caller, project)),
      ),
  }, { name: 'ProjectConnection' }, { name: 'ProjectEdge' }),
}));

builder.mutationFields((t) => ({
  createProject: t.field({
    type: ProjectPayload,
    description: 'Creates a project (action createProject on proj/<key>, with its tags) and its environments production and test.',
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    authScopes: (_root, { input }) =>
      isKey(input.key)
        ? { can: { action: 'createProject', resource: projectResource(input.key), tags: { proj: input.tags ?? [] } } }
        : { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ project: await createProject(ctx, input) }),
  }),
  createEnvironment: t.field({
    type: EnvironmentPayload,
    description: 'Creates an environment (action createEnvironment on proj/<p>:env/<e>, with both tags).',
    args: { input: t.arg({ type: CreateEnvironmentInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ environment: await createEnvironment(ctx, input) }),
  }),
  createFlag: t.field({
    type: FlagPayload,
    description: 'Creates a flag, off everywhere (action createFlag, allowed in every environment of the project).',
    args: { input: t.arg({ type: CreateFlagInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ flag: await createFlag(ctx, input) }),
  }),
  updateFlag: t.field({
    type: FlagPayload,
    description: "Renames a flag (action updateName) or changes its description (action updateDescription), allowed in every environment.",
    args: { input: t.arg({ type: UpdateFlagInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ flag: await updateFlag(ctx, input) }),
  }),
  setFlagOn: t.field({
    type: FlagPayload,
    description: 'Turns a flag on or off in one environment (action updateOn on proj/<p>:env/<e>:flag/<f>).',
    args: { input: t.arg({ type: SetFlagOnInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ flag: await setFlagOn(ctx, input) }),
  }),
  deleteFlag: t.field({
    type: DeleteFlagPayload,
    description: 'Deletes a flag (action deleteFlag, allowed in every environment of the project).',
    args: { input: t.arg({ type: DeleteFlagInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { input }, ctx) => ({ deletedFlagKey: (await deleteFlag(ctx, input)).key }),
  }),
}));
