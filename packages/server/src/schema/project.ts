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
  id: { resolve: (project) => project.id },
  loadOne: (id, ctx) => visibleProject(ctx, id),
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    tags: t.exposeStringList('tags', { description: 'Matched by tag filters such as `proj/*;mobile`.' }),
    environments: t.field({ type: [Environment], resolve: (project, _args, ctx) => environmentsOf(ctx, project.id) }),
    environment: t.field({
      type: Environment,
      nullable: true,
      args: { key: t.arg.string({ required: true }) },
      resolve: (project, args, ctx) => environmentOf(ctx, project.id, args.key),
    }),
    flags: t.field({ type: [Flag], resolve: (project, _args, ctx) => flagsOf(ctx, project.id) }),
    flag: t.field({
      type: Flag,
      nullable: true,
      args: { key: t.arg.string({ required: true }) },
      resolve: (project, args, ctx) => flagOf(ctx, project.id, args.key),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.node(Environment, {
  id: { resolve: (env) => env.id },
  loadOne: (id, ctx) => visibleEnvironment(ctx, id),
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    tags: t.exposeStringList('tags', { description: 'Matched by tag filters such as `proj/*:env/*;critical`.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.node(Flag, {
  id: { resolve: (flag) => flag.id },
  loadOne: (id, ctx) => visibleFlag(ctx, id),
  fields: (t) => ({
    key: t.exposeString('key'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    on: t.boolean({
      description: 'Whether the flag is on in that environment of its project (NOT_FOUND for an unknown environment).',
      args: { environmentKey: t.arg.string({ required: true }) },
      resolve: (flag, args, ctx) => flagIsOnIn(ctx, flag, args.environmentKey),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    tags: t.stringList(),
  }),
});

const CreateEnvironmentInput = builder.inputType('CreateEnvironmentInput', {
  fields: (t) => ({
    projectKey: t.string({ required: true }),
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    tags: t.stringList(),
  }),
});

const CreateFlagInput = builder.inputType('CreateFlagInput', {
  fields: (t) => ({
    projectKey: t.string({ required: true }),
    key: t.string({ required: true }),
    name: t.string({ required: true }),
    description: t.string(),
  }),
});

const UpdateFlagInput = builder.inputType('UpdateFlagInput', {
  description: 'Only the fields given change.',
  fields: (t) => ({
    projectKey: t.string({ required: true }),
    flagKey: t.string({ required: true }),
    name: t.string(),
    description: t.string(),
  }),
});

const SetFlagOnInput = builder.inputType('SetFlagOnInput', {
  fields: (t) => ({
    projectKey: t.string({ required: true }),
    environmentKey: t.string({ required: true }),
    flagKey: t.string({ required: true }),
    on: t.boolean({ required: true }),
  }),
});

const DeleteFlagInput = builder.inputType('DeleteFlagInput', {
  fields: (t) => ({ projectKey: t.string({ required: true }), flagKey: t.string({ required: true }) }),
});

const ProjectPayload = builder.objectRef<{ project: ProjectRow }>('ProjectPayload').implement({
  fields: (t) => ({ project: t.field({ type: Project, resolve: (p) => p.project }) }),
});
const EnvironmentPayload = builder.objectRef<{ environment: EnvironmentRow }>('EnvironmentPayload').implement({
  fields: (t) => ({ environment: t.field({ type: Environment, resolve: (p) => p.environment }) }),
});
const FlagPayload = builder.objectRef<{ flag: FlagRow }>('FlagPayload').implement({
  fields: (t) => ({ flag: t.field({ type: Flag, resolve: (p) => p.flag }) }),
});
const DeleteFlagPayload = builder.objectRef<{ deletedFlagKey: string }>('DeleteFlagPayload').implement({
  fields: (t) => ({ deletedFlagKey: t.exposeString('deletedFlagKey') }),
});

builder.queryFields((t) => ({
  project: t.field({
    type: Project,
    nullable: true,
    description: 'A project of your account by key (action viewProject); NOT_FOUND for any other key.',
    args: { key: t.arg.string({ required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) => viewProject(ctx, args.key),
  }),
  projects: t.connection({
    type: Project,
    description: 'The projects you may view (viewProject), oldest first.',
    authScopes: { authenticated: true },
    resolve: (_root, args, ctx) =>
      keysetConnection(args, (page) =>
        visiblePage(page, (p) => seeProjects(ctx, listProjects(ctx.app.db, callerOf(ctx).accountId, p)), (project) => mayViewProject(ctx.caller, project)),
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
    resolve: (_root, { input }, ctx) => ({ project: createProject(ctx, input) }),
  }),
  createEnvironment: t.field({
    type: EnvironmentPayload,
    description: 'Creates an environment (action createEnvironment on proj/<p>:env/<e>, with both tags).',
    args: { input: t.arg({ type: CreateEnvironmentInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, { input }, ctx) => ({ environment: createEnvironment(ctx, input) }),
  }),
  createFlag: t.field({
    type: FlagPayload,
    description: 'Creates a flag, off everywhere (createFlag must be allowed in every environment of the project).',
    args: { input: t.arg({ type: CreateFlagInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, { input }, ctx) => ({ flag: createFlag(ctx, input) }),
  }),
  updateFlag: t.field({
    type: FlagPayload,
    description: "Renames a flag (updateName) or changes its description (updateDescription): allowed in every environment.",
    args: { input: t.arg({ type: UpdateFlagInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, { input }, ctx) => ({ flag: updateFlag(ctx, input) }),
  }),
  setFlagOn: t.field({
    type: FlagPayload,
    description: 'Turns a flag on or off in one environment (action updateOn on proj/<p>:env/<e>:flag/<f>).',
    args: { input: t.arg({ type: SetFlagOnInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, { input }, ctx) => ({ flag: setFlagOn(ctx, input) }),
  }),
  deleteFlag: t.field({
    type: DeleteFlagPayload,
    description: 'Deletes a flag (deleteFlag must be allowed in every environment of the project).',
    args: { input: t.arg({ type: DeleteFlagInput, required: true }) },
    authScopes: { authenticated: true },
    resolve: (_root, { input }, ctx) => ({ deletedFlagKey: deleteFlag(ctx, input).key }),
  }),
}));
