import DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import type { EnvironmentRow, FlagRow, ProjectRow } from '../db/schema/projects.ts';
import { notFound } from '../errors.ts';
import { findEnvironmentsByIds, findFlag, findFlagsByIds, findProjectsByIds } from '../store/projects.ts';
import { cachedEnvironmentsOfProjects, cachedFlagStates, cachedFlagsOfProjects, type FlagStatePair } from './cached-reads.ts';
import { MAX_IN_LIST } from '../store/prepared.ts';
import { mayViewProject } from './projects.ts';

/**
 * The read path of projects, environments and flags, batched per request: a query over N flags
 * (or projects) runs one statement per kind, not one per row (Flag.on ran 2 per flag).
 *
 * The rows a request has already read (a page of projects, a project's flags) are the batch: the
 * first Project.environments of a page loads the environments of every project on it, and the
 * first Flag.on(environmentKey) the states of every flag read so far for that key. Each load is
 * registered synchronously, before its first await, as one promise per row it covers, so the
 * sibling fields GraphQL resolves next find it and wait for it rather than loading again.
 * node(id) lookups batch through DataLoader.
 *
 * What a request read lives as long as its context; a write forgets it (forgetReads), so a field
 * read after a mutation in the same request sees the change.
 */

interface NodeLoaders {
  project: DataLoader<string, ProjectRow | null>;
  environment: DataLoader<string, EnvironmentRow | null>;
  flag: DataLoader<string, FlagRow | null>;
}

interface RequestReads {
  /** Projects read in this request, by id: what a first read of environments or flags loads for. */
  projects: Set<string>;
  environments: Map<string, Promise<EnvironmentRow[]>>;
  flags: Map<string, Promise<FlagRow[]>>;
  /** Flags read in this request, by id: what a first read of a state loads for. */
  seenFlags: Map<string, FlagRow>;
  /** Flag states by environment key, then flag id; null: the flag's project has no environment with that key. */
  states: Map<string, Map<string, Promise<boolean | null>>>;
  nodes?: NodeLoaders;
}

const readsByRequest = new WeakMap<Context, RequestReads>();

function readsOf(context: Context): RequestReads {
  let reads = readsByRequest.get(context);
  if (!reads) {
    reads = { projects: new Set(), environments: new Map(), flags: new Map(), seenFlags: new Map(), states: new Map() };
    readsByRequest.set(context, reads);
  }
  return reads;
}

/** After a write: later reads in the same request load afresh. */
export function forgetReads(context: Context): void {
  readsByRequest.delete(context);
}

/** After a write to a project, its environments, flags or states: this request and every instance's caches forget them. */
export function projectChanged(context: Context, project: Pick<ProjectRow, 'id' | 'accountId'>): void {
  forgetReads(context);
  context.app.caches.invalidate({ kind: 'project', accountId: project.accountId, projectId: project.id });
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_IN_LIST) out.push(items.slice(i, i + MAX_IN_LIST));
  return out;
}

/** A promise kept for later readers: its failure reaches whoever awaits it, and is not an unhandled rejection meanwhile. */
function kept<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Registers projects a field returned (a page of them): their environments and flags will be loaded together. */
export function seeProjects<T extends { id: string }>(context: Context, projects: T[]): T[] {
  const reads = readsOf(context);
  for (const project of projects) reads.projects.add(project.id);
  return projects;
}

function seeFlag(reads: RequestReads, flag: FlagRow): FlagRow {
  reads.seenFlags.set(flag.id, flag);
  reads.projects.add(flag.projectId);
  return flag;
}

/** Rows per project of `cache`, loading for every project read so far that has no entry yet (projectId included). */
function perProject<T extends { projectId: string }>(
  reads: RequestReads,
  cache: Map<string, Promise<T[]>>,
  projectId: string,
  load: (projectIds: readonly string[]) => Promise<T[]>,
  loaded: (row: T) => void = () => {},
): Promise<T[]> {
  const cached = cache.get(projectId);
  if (cached) return cached;
  reads.projects.add(projectId);
  const missing = [...reads.projects].filter((id) => !cache.has(id));
  for (const batch of chunks(missing)) {
    const grouped = load(batch).then((rows) => {
      const byProject = new Map<string, T[]>(batch.map((id) => [id, []]));
      for (const row of rows) {
        byProject.get(row.projectId)?.push(row);
        loaded(row);
      }
      return byProject;
    });
    for (const id of batch) cache.set(id, kept(grouped.then((byProject) => byProject.get(id) ?? [])));
  }
  return cache.get(projectId) ?? Promise.resolve([]);
}

export function environmentsOf(context: Context, projectId: string): Promise<EnvironmentRow[]> {
  const reads = readsOf(context);
  return perProject(reads, reads.environments, projectId, (ids) => cachedEnvironmentsOfProjects(context.app, ids));
}

export async function environmentOf(context: Context, projectId: string, key: string): Promise<EnvironmentRow | null> {
  return (await environmentsOf(context, projectId)).find((env) => env.key === key) ?? null;
}

export function flagsOf(context: Context, projectId: string): Promise<FlagRow[]> {
  const reads = readsOf(context);
  return perProject(reads, reads.flags, projectId, (ids) => cachedFlagsOfProjects(context.app, ids), (flag) => seeFlag(reads, flag));
}

/** A project's flag by key: from its flags when this request read them, else one keyed lookup. */
export async function flagOf(context: Context, projectId: string, key: string): Promise<FlagRow | null> {
  const reads = readsOf(context);
  const loaded = reads.flags.get(projectId);
  if (loaded) return (await loaded).find((flag) => flag.key === key) ?? null;
  const cached = context.app.caches.getProjectRows(projectId)?.flags;
  const flag = cached ? cached.find((f) => f.key === key) : await findFlag(context.app.db, projectId, key);
  return flag ? seeFlag(reads, flag) : null;
}

/**
 * Whether a flag is on in the environment of its project with that key (NOT_FOUND when there is
 * none). The first read for an environment key loads the state of every flag read so far there.
 */
export async function flagIsOnIn(context: Context, flag: FlagRow, environmentKey: string): Promise<boolean> {
  const reads = readsOf(context);
  seeFlag(reads, flag);
  let byFlag = reads.states.get(environmentKey);
  if (!byFlag) reads.states.set(environmentKey, (byFlag = new Map()));
  let state = byFlag.get(flag.id);
  if (!state) {
    const batch = [...reads.seenFlags.values()].filter((seen) => !byFlag.has(seen.id));
    const loaded = loadStates(context, batch, environmentKey);
    for (const seen of batch) byFlag.set(seen.id, kept(loaded.then((states) => states.get(seen.id) ?? null)));
    state = byFlag.get(flag.id) ?? Promise.resolve(null);
  }
  const on = await state;
  if (on === null) throw notFound('Environment');
  return on;
}

/** The states of these flags in their projects' environments with this key (absent: no such environment). */
async function loadStates(context: Context, flags: readonly FlagRow[], environmentKey: string): Promise<Map<string, boolean>> {
  const pairs: FlagStatePair[] = [];
  for (const flag of flags) {
    const environment = await environmentOf(context, flag.projectId, environmentKey);
    if (environment) pairs.push({ projectId: flag.projectId, flagId: flag.id, environmentId: environment.id });
  }
  const states = new Map<string, boolean>();
  for (const batch of chunks(pairs)) {
    const found = await cachedFlagStates(context.app, batch);
    for (const pair of batch) states.set(pair.flagId, found.get(`${pair.flagId} ${pair.environmentId}`) ?? false);
  }
  return states;
}

/*
 * Nodes by global id: those of the caller's account whose project the caller may view, null for
 * the others (exactly like ids that do not exist).
 */

function nodeLoaders(context: Context): NodeLoaders {
  const reads = readsOf(context);
  if (reads.nodes) return reads.nodes;
  const db = context.app.db;
  const caller = context.caller;
  const accountId = caller?.accountId ?? '';
  // Dispatch once the current microtasks have run rather than on the next tick (DataLoader's
  // default): every node field of the request asks within that round, and the tick costs more.
  const options = { maxBatchSize: MAX_IN_LIST, batchScheduleFn: (dispatch: () => void) => void Promise.resolve().then(dispatch) };
  const visible = <T>(ids: readonly string[], rows: Array<{ id: string; row: T; project: ProjectRow }>): Array<T | null> => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const found = byId.get(id);
      return found && mayViewProject(caller, found.project) ? found.row : null;
    });
  };
  reads.nodes = {
    project: new DataLoader(async (ids) => {
      const rows = caller ? await findProjectsByIds(db, accountId, ids) : [];
      return visible(ids, rows.map((p) => ({ id: p.id, row: p, project: p })));
    }, options),
    environment: new DataLoader(async (ids) => {
      const rows = caller ? await findEnvironmentsByIds(db, accountId, ids) : [];
      return visible(ids, rows.map((r) => ({ id: r.environment.id, row: r.environment, project: r.project })));
    }, options),
    flag: new DataLoader(async (ids) => {
      const rows = caller ? await findFlagsByIds(db, accountId, ids) : [];
      const flags = visible(ids, rows.map((r) => ({ id: r.flag.id, row: r.flag, project: r.project })));
      for (const flag of flags) if (flag) seeFlag(reads, flag);
      return flags;
    }, options),
  };
  return reads.nodes;
}

export const visibleProject = (context: Context, id: string): Promise<ProjectRow | null> => nodeLoaders(context).project.load(id);
export const visibleEnvironment = (context: Context, id: string): Promise<EnvironmentRow | null> => nodeLoaders(context).environment.load(id);
export const visibleFlag = (context: Context, id: string): Promise<FlagRow | null> => nodeLoaders(context).flag.load(id);
