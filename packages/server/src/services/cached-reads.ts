import type { App } from '../app.ts';
import type { AccountRow } from '../db/schema/accounts.ts';
import type { EnvironmentRow, FlagRow, ProjectRow } from '../db/schema/projects.ts';
import { findAccount } from '../store/accounts.ts';
import { environmentsOfProjects, findProjectByKey, flagStatesOf, flagsOfProjects } from '../store/projects.ts';

/**
 * The read-mostly rows of the request path, through the instance's caches: the account, projects
 * by key, each project's environments and flags, and flag states. Every write to them goes
 * through `Caches.invalidate` (kinds `account` and `project`), which the other instances hear;
 * a value is cached only if no invalidation raced its read (see CacheTicket). Misses are not
 * cached (a project created elsewhere is found at once). Reads inside a transaction never come
 * here: they go to the store with the transaction's handle.
 */

type Reader = Pick<App, 'db' | 'caches'>;

export async function cachedAccount(app: Reader, accountId: string): Promise<AccountRow | undefined> {
  const hit = app.caches.getAccount(accountId);
  if (hit) return hit;
  const ticket = app.caches.ticket();
  const row = await findAccount(app.db, accountId);
  if (row) app.caches.putAccount(row, ticket);
  return row;
}

export async function cachedProjectByKey(app: Reader, accountId: string, key: string): Promise<ProjectRow | undefined> {
  const hit = app.caches.getProjectByKey(accountId, key);
  if (hit) return hit;
  const ticket = app.caches.ticket();
  const row = await findProjectByKey(app.db, accountId, key);
  if (row) app.caches.putProjectByKey(row, ticket);
  return row;
}

/** Rows per project, from the cache where it has them and in one batch from the store for the rest. */
async function perProjectCached<T extends { projectId: string }>(
  app: Reader,
  projectIds: readonly string[],
  part: 'environments' | 'flags',
  load: (ids: readonly string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  const missing: string[] = [];
  for (const id of projectIds) {
    const cached = app.caches.getProjectRows(id)?.[part] as T[] | undefined;
    if (cached) out.push(...cached);
    else missing.push(id);
  }
  if (missing.length === 0) return out;
  const ticket = app.caches.ticket();
  const rows = await load(missing);
  const byProject = new Map<string, T[]>(missing.map((id) => [id, []]));
  for (const row of rows) byProject.get(row.projectId)?.push(row);
  for (const [id, list] of byProject) app.caches.putProjectRows(id, { [part]: list }, ticket);
  return [...out, ...rows];
}

export function cachedEnvironmentsOfProjects(app: Reader, projectIds: readonly string[]): Promise<EnvironmentRow[]> {
  return perProjectCached(app, projectIds, 'environments', (ids) => environmentsOfProjects(app.db, ids));
}

export function cachedFlagsOfProjects(app: Reader, projectIds: readonly string[]): Promise<FlagRow[]> {
  return perProjectCached(app, projectIds, 'flags', (ids) => flagsOfProjects(app.db, ids));
}

export interface FlagStatePair {
  projectId: string;
  flagId: string;
  environmentId: string;
}

const pairKey = (flagId: string, environmentId: string) => `${flagId} ${environmentId}`;

/** Whether each flag is on in its environment (a missing row: off), by `flagId environmentId`. */
export async function cachedFlagStates(app: Reader, pairs: readonly FlagStatePair[]): Promise<Map<string, boolean>> {
  const states = new Map<string, boolean>();
  const missing: FlagStatePair[] = [];
  for (const pair of pairs) {
    const on = app.caches.getProjectRows(pair.projectId)?.states.get(pairKey(pair.flagId, pair.environmentId));
    if (on === undefined) missing.push(pair);
    else states.set(pairKey(pair.flagId, pair.environmentId), on);
  }
  if (missing.length === 0) return states;
  const ticket = app.caches.ticket();
  const loaded = new Map(missing.map((pair) => [pairKey(pair.flagId, pair.environmentId), false]));
  for (const state of await flagStatesOf(app.db, missing)) {
    const key = pairKey(state.flagId, state.environmentId);
    if (loaded.has(key)) loaded.set(key, state.on);
  }
  const byProject = new Map<string, Map<string, boolean>>();
  for (const pair of missing) {
    const key = pairKey(pair.flagId, pair.environmentId);
    const on = loaded.get(key) ?? false;
    states.set(key, on);
    let forProject = byProject.get(pair.projectId);
    if (!forProject) byProject.set(pair.projectId, (forProject = new Map()));
    forProject.set(key, on);
  }
  for (const [projectId, forProject] of byProject) app.caches.putProjectRows(projectId, { states: forProject }, ticket);
  return states;
}
