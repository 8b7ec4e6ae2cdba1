import DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import type { EnvironmentRow, FlagRow, ProjectRow } from '../db/schema/projects.ts';
import { notFound } from '../errors.ts';
import {
  environmentsOfProjects,
  findEnvironmentsByIds,
  findFlag,
  findFlagsByIds,
  findProjectsByIds,
  flagStatesOf,
  flagsOfProjects,
} from '../store/projects.ts';
import { MAX_IN_LIST } from '../store/prepared.ts';
import { mayViewProject } from './projects.ts';

/**
 * The read path of projects, environments and flags, batched per request: a query over N flags
 * (or projects) runs one statement per kind, not one per row (Flag.on ran 2 per flag).
 *
 * Field reads are synchronous: the rows a request has already read (a page of projects, a
 * project's flags) are the batch, so the first Project.environments of a page loads the
 * environments of every project on it, and the first Flag.on(environmentKey) the states of every
 * flag read so far in that environment. Promises would cost more here than the statements they
 * save (each one runs the server's async hooks). node(id) lookups are asynchronous anyway
 * (Pothos), so they batch through DataLoader.
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
  environments: Map<string, EnvironmentRow[]>;
  flags: Map<string, FlagRow[]>;
  /** Flags read in this request, by id: what a first read of a state loads for. */
  seenFlags: Map<string, FlagRow>;
  /** Flag states by environment id, then flag id. */
  states: Map<string, Map<string, boolean>>;
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

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_IN_LIST) out.push(items.slice(i, i + MAX_IN_LIST));
  return out;
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
  cache: Map<string, T[]>,
  projectId: string,
  load: (projectIds: readonly string[]) => T[],
  loaded: (row: T) => void = () => {},
): T[] {
  const cached = cache.get(projectId);
  if (cached) return cached;
  reads.projects.add(projectId);
  const missing = [...reads.projects].filter((id) => !cache.has(id));
  for (const id of missing) cache.set(id, []);
  for (const batch of chunks(missing)) {
    for (const row of load(batch)) {
      cache.get(row.projectId)?.push(row);
      loaded(row);
    }
  }
  return cache.get(projectId) ?? [];
}

export function environmentsOf(context: Context, projectId: string): EnvironmentRow[] {
  const reads = readsOf(context);
  return perProject(reads, reads.environments, projectId, (ids) => environmentsOfProjects(context.app.db, ids));
}

export function environmentOf(context: Context, projectId: string, key: string): EnvironmentRow | null {
  return environmentsOf(context, projectId).find((env) => env.key === key) ?? null;
}

export function flagsOf(context: Context, projectId: string): FlagRow[] {
  const reads = readsOf(context);
  return perProject(reads, reads.flags, projectId, (ids) => flagsOfProjects(context.app.db, ids), (flag) => seeFlag(reads, flag));
}

/** A project's flag by key: from its flags when this request read them, else one keyed lookup. */
export function flagOf(context: Context, projectId: string, key: string): FlagRow | null {
  const reads = readsOf(context);
  const loaded = reads.flags.get(projectId);
  if (loaded) return loaded.find((flag) => flag.key === key) ?? null;
  const flag = findFlag(context.app.db, projectId, key);
  return flag ? seeFlag(reads, flag) : null;
}

/**
 * Whether a flag is on in the environment of its project with that key (NOT_FOUND when there is
 * none). The first read for an environment key loads the state of every flag read so far there.
 */
export function flagIsOnIn(context: Context, flag: FlagRow, environmentKey: string): boolean {
  const reads = readsOf(context);
  seeFlag(reads, flag);
  const environment = environmentOf(context, flag.projectId, environmentKey);
  if (!environment) throw notFound('Environment');
  const known = reads.states.get(environment.id)?.get(flag.id);
  if (known !== undefined) return known;

  const pairs: Array<{ flagId: string; environmentId: string }> = [];
  for (const seen of reads.seenFlags.values()) {
    const env = environmentOf(context, seen.projectId, environmentKey);
    if (env && reads.states.get(env.id)?.get(seen.id) === undefined) pairs.push({ flagId: seen.id, environmentId: env.id });
  }
  for (const { flagId, environmentId } of pairs) {
    let states = reads.states.get(environmentId);
    if (!states) reads.states.set(environmentId, (states = new Map()));
    states.set(flagId, false); // no row: off
  }
  for (const batch of chunks(pairs)) {
    for (const state of flagStatesOf(context.app.db, batch)) {
      const states = reads.states.get(state.environmentId);
      if (states?.has(state.flagId)) states.set(state.flagId, state.on);
    }
  }
  return reads.states.get(environment.id)?.get(flag.id) ?? false;
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
      const rows = caller ? findProjectsByIds(db, accountId, ids) : [];
      return visible(ids, rows.map((p) => ({ id: p.id, row: p, project: p })));
    }, options),
    environment: new DataLoader(async (ids) => {
      const rows = caller ? findEnvironmentsByIds(db, accountId, ids) : [];
      return visible(ids, rows.map((r) => ({ id: r.environment.id, row: r.environment, project: r.project })));
    }, options),
    flag: new DataLoader(async (ids) => {
      const rows = caller ? findFlagsByIds(db, accountId, ids) : [];
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
