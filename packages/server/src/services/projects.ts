import type { AccessRequest } from '@latchkey/policy';
import { assertAllowed } from '../auth/authorize.ts';
import type { Caller } from '../auth/caller.ts';
import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { EnvironmentRow, FlagRow, ProjectRow } from '../db/schema/projects.ts';
import { conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  deleteFlagRow,
  environmentsOfProject,
  findEnvironment,
  findFlag,
  findProjectByKey,
  flagIsOn,
  insertEnvironment,
  insertFlag,
  insertProject,
  setFlagState,
  updateFlagRow,
} from '../store/projects.ts';
import { recordAudit } from './audit.ts';
import { cachedProjectByKey } from './cached-reads.ts';
import { projectChanged } from './project-reads.ts';
import { optionalText, requireKey, requireName, requireTags } from './validation.ts';

/**
 * Projects, environments and flags: the resources tokens are scoped to. Every operation is
 * checked against its resource specifier with the real tags of the project and environment.
 */

export const DEFAULT_ENVIRONMENTS = [
  { key: 'production', name: 'Production' },
  { key: 'test', name: 'Test' },
] as const;

export const projectResource = (projectKey: string) => `proj/${projectKey}`;
export const environmentResource = (projectKey: string, environmentKey: string) => `proj/${projectKey}:env/${environmentKey}`;
export const flagResource = (projectKey: string, environmentKey: string, flagKey: string) =>
  `proj/${projectKey}:env/${environmentKey}:flag/${flagKey}`;

export function viewProjectRequest(project: Pick<ProjectRow, 'key' | 'tags'>): AccessRequest {
  return { action: 'viewProject', resource: projectResource(project.key), tags: { proj: project.tags } };
}

export function mayViewProject(caller: Caller | null, project: ProjectRow): boolean {
  return caller?.decide(viewProjectRequest(project)).allowed ?? false;
}

/**
 * A flag action in one environment, or — for project-wide actions (createFlag, deleteFlag,
 * updateName, updateDescription) — one request per environment: all must be allowed, so a
 * credential denied in production cannot change a flag everywhere.
 */
export function flagRequests(project: ProjectRow, environments: readonly EnvironmentRow[], flagKey: string, action: string): AccessRequest[] {
  return environments.map((env) => ({
    action,
    resource: flagResource(project.key, env.key, flagKey),
    tags: { proj: project.tags, env: env.tags },
  }));
}

async function requireProject(context: Context, key: string): Promise<ProjectRow> {
  const project = await cachedProjectByKey(context.app, callerOf(context).accountId, key);
  if (!project) throw notFound('Project');
  return project;
}

/** A project the caller may view (viewProject with its tags); NOT_FOUND when the account has none with that key. */
export async function viewProject(context: Context, key: string): Promise<ProjectRow> {
  const project = await requireProject(context, key);
  assertAllowed(context, viewProjectRequest(project));
  return project;
}

export async function createProject(context: Context, input: { key: string; name: string; tags?: readonly string[] | null }): Promise<ProjectRow> {
  const caller = callerOf(context);
  const key = requireKey('key', input.key);
  const name = requireName('name', input.name);
  const tags = requireTags('tags', input.tags);
  const written = await context.app.transaction(async (tx) => {
    if (await findProjectByKey(tx, caller.accountId, key)) throw conflict(`A project with key "${key}" already exists`, { field: 'key' });
    const now = new Date();
    const project = await insertProject(tx, { id: newId(), accountId: caller.accountId, key, name, tags, createdAt: now });
    for (const env of DEFAULT_ENVIRONMENTS) {
      await insertEnvironment(tx, { id: newId(), projectId: project.id, key: env.key, name: env.name, tags: [], createdAt: now });
    }
    await recordAudit(tx, context, {
      action: 'createProject',
      resource: projectResource(key),
      title: `${caller.member.name} created project "${key}"`,
      changes: { name: { after: name }, tags: { after: tags }, environments: { after: DEFAULT_ENVIRONMENTS.map((e) => e.key) } },
    });
    return project;
  });
  projectChanged(context, written);
  return written;
}

export async function createEnvironment(
  context: Context,
  input: { projectKey: string; key: string; name: string; tags?: readonly string[] | null },
): Promise<EnvironmentRow> {
  const caller = callerOf(context);
  const key = requireKey('key', input.key);
  const name = requireName('name', input.name);
  const tags = requireTags('tags', input.tags);
  const project = await requireProject(context, input.projectKey);
  const resource = environmentResource(project.key, key);
  assertAllowed(context, { action: 'createEnvironment', resource, tags: { proj: project.tags, env: tags } });
  const written = await context.app.transaction(async (tx) => {
    if (await findEnvironment(tx, project.id, key)) throw conflict(`Project "${project.key}" already has an environment "${key}"`, { field: 'key' });
    const environment = await insertEnvironment(tx, { id: newId(), projectId: project.id, key, name, tags, createdAt: new Date() });
    await recordAudit(tx, context, {
      action: 'createEnvironment',
      resource,
      title: `${caller.member.name} created environment "${key}" in project "${project.key}"`,
      changes: { name: { after: name }, tags: { after: tags } },
    });
    return environment;
  });
  projectChanged(context, project);
  return written;
}

export async function createFlag(
  context: Context,
  input: { projectKey: string; key: string; name: string; description?: string | null },
): Promise<FlagRow> {
  const caller = callerOf(context);
  const key = requireKey('key', input.key);
  const name = requireName('name', input.name);
  const description = optionalText('description', input.description);
  const project = await requireProject(context, input.projectKey);
  const environments = await environmentsOfProject(context.app.db, project.id);
  assertAllowed(context, flagRequests(project, environments, key, 'createFlag'));
  const written = await context.app.transaction(async (tx) => {
    if (await findFlag(tx, project.id, key)) throw conflict(`Project "${project.key}" already has a flag "${key}"`, { field: 'key' });
    const flag = await insertFlag(tx, { id: newId(), projectId: project.id, key, name, description, createdAt: new Date() });
    await recordAudit(tx, context, {
      action: 'createFlag',
      resource: flagResource(project.key, '*', key),
      title: `${caller.member.name} created flag "${key}" in project "${project.key}"`,
      changes: { name: { after: name }, description: { after: description } },
    });
    return flag;
  });
  projectChanged(context, project);
  return written;
}

/** Renames a flag or changes its description: project-wide (every environment must allow it). */
export async function updateFlag(
  context: Context,
  input: { projectKey: string; flagKey: string; name?: string | null; description?: string | null },
): Promise<FlagRow> {
  const caller = callerOf(context);
  const name = input.name === null || input.name === undefined ? undefined : requireName('name', input.name);
  const description = input.description === undefined ? undefined : optionalText('description', input.description);
  const project = await requireProject(context, input.projectKey);
  const flag = await findFlag(context.app.db, project.id, input.flagKey);
  if (!flag) throw notFound('Flag');
  const environments = await environmentsOfProject(context.app.db, project.id);
  const requests: AccessRequest[] = [];
  if (name !== undefined) requests.push(...flagRequests(project, environments, flag.key, 'updateName'));
  if (description !== undefined) requests.push(...flagRequests(project, environments, flag.key, 'updateDescription'));
  assertAllowed(context, requests);
  const written = await context.app.transaction(async (tx) => {
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    const patch: Partial<FlagRow> = {};
    if (name !== undefined && name !== flag.name) {
      patch.name = name;
      changes.name = { before: flag.name, after: name };
    }
    if (description !== undefined && description !== flag.description) {
      patch.description = description;
      changes.description = { before: flag.description, after: description };
    }
    if (Object.keys(changes).length === 0) return flag;
    const row = await updateFlagRow(tx, flag.id, patch);
    if (!row) throw notFound('Flag');
    await recordAudit(tx, context, {
      action: changes.name ? 'updateName' : 'updateDescription',
      resource: flagResource(project.key, '*', flag.key),
      title: `${caller.member.name} updated flag "${flag.key}" in project "${project.key}": ${Object.keys(changes).join(', ')}`,
      changes,
    });
    return row;
  });
  projectChanged(context, project);
  return written;
}

/** Turns a flag on or off in one environment (updateOn, checked on that environment only). */
export async function setFlagOn(context: Context, input: { projectKey: string; environmentKey: string; flagKey: string; on: boolean }): Promise<FlagRow> {
  const caller = callerOf(context);
  const project = await requireProject(context, input.projectKey);
  const environment = await findEnvironment(context.app.db, project.id, input.environmentKey);
  if (!environment) throw notFound('Environment');
  const flag = await findFlag(context.app.db, project.id, input.flagKey);
  if (!flag) throw notFound('Flag');
  const resource = flagResource(project.key, environment.key, flag.key);
  assertAllowed(context, { action: 'updateOn', resource, tags: { proj: project.tags, env: environment.tags } });
  await context.app.transaction(async (tx) => {
    const before = await flagIsOn(tx, flag.id, environment.id);
    if (before === input.on) return;
    await setFlagState(tx, flag.id, environment.id, input.on);
    await recordAudit(tx, context, {
      action: 'updateOn',
      resource,
      title: `${caller.member.name} turned flag "${flag.key}" ${input.on ? 'on' : 'off'} in ${project.key}/${environment.key}`,
      changes: { on: { before, after: input.on } },
    });
  });
  projectChanged(context, project);
  return flag;
}

/** Deletes a flag in every environment: project-wide, so every environment must allow it. */
export async function deleteFlag(context: Context, input: { projectKey: string; flagKey: string }): Promise<FlagRow> {
  const caller = callerOf(context);
  const project = await requireProject(context, input.projectKey);
  const flag = await findFlag(context.app.db, project.id, input.flagKey);
  if (!flag) throw notFound('Flag');
  const environments = await environmentsOfProject(context.app.db, project.id);
  assertAllowed(context, flagRequests(project, environments, flag.key, 'deleteFlag'));
  await context.app.transaction(async (tx) => {
    const states: Record<string, boolean> = {};
    for (const env of environments) states[env.key] = await flagIsOn(tx, flag.id, env.id);
    await deleteFlagRow(tx, flag.id);
    await recordAudit(tx, context, {
      action: 'deleteFlag',
      resource: flagResource(project.key, '*', flag.key),
      title: `${caller.member.name} deleted flag "${flag.key}" in project "${project.key}"`,
      changes: { name: { before: flag.name }, description: { before: flag.description }, on: { before: states } },
    });
  });
  projectChanged(context, project);
  return flag;
}
