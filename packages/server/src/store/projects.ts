import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one, only } from './rows.ts';
import { type EnvironmentRow, type FlagRow, type ProjectRow } from '../db/schema/projects.ts';
import { environments, flags, flagStates, projects } from '../db/tables.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';
import { inListPlaceholders, inListSize, inListValues, prepared } from './prepared.ts';

export async function findProjectByKey(db: DbOrTx, accountId: string, key: string): Promise<ProjectRow | undefined> {
  const query = prepared(db, 'findProjectByKey', (d) =>
    d.select().from(projects).where(and(eq(projects.accountId, sql.placeholder('accountId')), eq(projects.key, sql.placeholder('key')))).prepare(),
  );
  return one(await query.execute({ accountId, key }));
}

export async function findProjectById(db: DbOrTx, accountId: string, id: string): Promise<ProjectRow | undefined> {
  const query = prepared(db, 'findProjectById', (d) =>
    d.select().from(projects).where(and(eq(projects.accountId, sql.placeholder('accountId')), eq(projects.id, sql.placeholder('id')))).prepare(),
  );
  return one(await query.execute({ accountId, id }));
}

/*
 * Batch reads (the per-request loaders of services/projects.ts): one prepared statement for up
 * to MAX_IN_LIST keys (store/prepared.ts pads the list to one of a few sizes).
 */

/** The account's projects with these ids (those that exist), in no particular order. */
export async function findProjectsByIds(db: DbOrTx, accountId: string, ids: readonly string[]): Promise<ProjectRow[]> {
  if (ids.length === 0) return [];
  const size = inListSize(ids.length);
  const query = prepared(db, `findProjectsByIds:${size}`, (d) =>
    d.select().from(projects).where(and(eq(projects.accountId, sql.placeholder('accountId')), inArray(projects.id, inListPlaceholders('id', size)))).prepare(),
  );
  return (await query.execute({ accountId, ...inListValues('id', ids, size) }));
}

/** An account's projects in creation order, keyset-paginated. */
export async function listProjects(db: DbOrTx, accountId: string, page: KeysetPage): Promise<ProjectRow[]> {
  const { where, orderBy } = keysetBounds(projects.id, page);
  return await db.select().from(projects).where(and(eq(projects.accountId, accountId), where)).orderBy(orderBy).limit(page.limit);
}

export async function insertProject(db: DbOrTx, row: typeof projects.$inferInsert): Promise<ProjectRow> {
  return await db.insert(projects).values(row).returning().then(only);
}

export async function environmentsOfProject(db: DbOrTx, projectId: string): Promise<EnvironmentRow[]> {
  const query = prepared(db, 'environmentsOfProject', (d) =>
    d.select().from(environments).where(eq(environments.projectId, sql.placeholder('projectId'))).orderBy(environments.createdAt, environments.key).prepare(),
  );
  return (await query.execute({ projectId }));
}

/** The environments of these projects, each project's in the order of environmentsOfProject. */
export async function environmentsOfProjects(db: DbOrTx, projectIds: readonly string[]): Promise<EnvironmentRow[]> {
  if (projectIds.length === 0) return [];
  const size = inListSize(projectIds.length);
  const query = prepared(db, `environmentsOfProjects:${size}`, (d) =>
    d.select().from(environments).where(inArray(environments.projectId, inListPlaceholders('p', size))).orderBy(environments.createdAt, environments.key).prepare(),
  );
  return (await query.execute(inListValues('p', projectIds, size)));
}

export async function findEnvironment(db: DbOrTx, projectId: string, key: string): Promise<EnvironmentRow | undefined> {
  const query = prepared(db, 'findEnvironment', (d) =>
    d.select().from(environments).where(and(eq(environments.projectId, sql.placeholder('projectId')), eq(environments.key, sql.placeholder('key')))).prepare(),
  );
  return one(await query.execute({ projectId, key }));
}

/** An environment with its project, only within the account. */
export async function findEnvironmentById(db: DbOrTx, accountId: string, id: string): Promise<{ environment: EnvironmentRow; project: ProjectRow } | undefined> {
  const query = prepared(db, 'findEnvironmentById', (d) =>
    d
      .select({ environment: environments, project: projects })
      .from(environments)
      .innerJoin(projects, eq(projects.id, environments.projectId))
      .where(and(eq(environments.id, sql.placeholder('id')), eq(projects.accountId, sql.placeholder('accountId'))))
      .prepare(),
  );
  return one(await query.execute({ accountId, id }));
}

/** Environments with their projects by id, only within the account, in no particular order. */
export async function findEnvironmentsByIds(db: DbOrTx, accountId: string, ids: readonly string[]): Promise<Array<{ environment: EnvironmentRow; project: ProjectRow }>> {
  if (ids.length === 0) return [];
  const size = inListSize(ids.length);
  const query = prepared(db, `findEnvironmentsByIds:${size}`, (d) =>
    d
      .select({ environment: environments, project: projects })
      .from(environments)
      .innerJoin(projects, eq(projects.id, environments.projectId))
      .where(and(inArray(environments.id, inListPlaceholders('id', size)), eq(projects.accountId, sql.placeholder('accountId'))))
      .prepare(),
  );
  return (await query.execute({ accountId, ...inListValues('id', ids, size) }));
}

export async function insertEnvironment(db: DbOrTx, row: typeof environments.$inferInsert): Promise<EnvironmentRow> {
  return await db.insert(environments).values(row).returning().then(only);
}

export async function flagsOfProject(db: DbOrTx, projectId: string): Promise<FlagRow[]> {
  const query = prepared(db, 'flagsOfProject', (d) =>
    d.select().from(flags).where(eq(flags.projectId, sql.placeholder('projectId'))).orderBy(flags.createdAt, flags.key).prepare(),
  );
  return (await query.execute({ projectId }));
}

/** The flags of these projects, each project's in the order of flagsOfProject. */
export async function flagsOfProjects(db: DbOrTx, projectIds: readonly string[]): Promise<FlagRow[]> {
  if (projectIds.length === 0) return [];
  const size = inListSize(projectIds.length);
  const query = prepared(db, `flagsOfProjects:${size}`, (d) =>
    d.select().from(flags).where(inArray(flags.projectId, inListPlaceholders('p', size))).orderBy(flags.createdAt, flags.key).prepare(),
  );
  return (await query.execute(inListValues('p', projectIds, size)));
}

export async function findFlag(db: DbOrTx, projectId: string, key: string): Promise<FlagRow | undefined> {
  const query = prepared(db, 'findFlag', (d) =>
    d.select().from(flags).where(and(eq(flags.projectId, sql.placeholder('projectId')), eq(flags.key, sql.placeholder('key')))).prepare(),
  );
  return one(await query.execute({ projectId, key }));
}

/** Flags by (project, key) pair; a superset when several projects are asked for: callers match the pairs. */
export async function findFlagsByKeys(db: DbOrTx, keys: ReadonlyArray<{ projectId: string; key: string }>): Promise<FlagRow[]> {
  if (keys.length === 0) return [];
  const projectIds = [...new Set(keys.map((k) => k.projectId))];
  const flagKeys = [...new Set(keys.map((k) => k.key))];
  const [p, k] = [inListSize(projectIds.length), inListSize(flagKeys.length)];
  const query = prepared(db, `findFlagsByKeys:${p}:${k}`, (d) =>
    d.select().from(flags).where(and(inArray(flags.projectId, inListPlaceholders('p', p)), inArray(flags.key, inListPlaceholders('k', k)))).prepare(),
  );
  return (await query.execute({ ...inListValues('p', projectIds, p), ...inListValues('k', flagKeys, k) }));
}

/** A flag with its project, only within the account. */
export async function findFlagById(db: DbOrTx, accountId: string, id: string): Promise<{ flag: FlagRow; project: ProjectRow } | undefined> {
  const query = prepared(db, 'findFlagById', (d) =>
    d
      .select({ flag: flags, project: projects })
      .from(flags)
      .innerJoin(projects, eq(projects.id, flags.projectId))
      .where(and(eq(flags.id, sql.placeholder('id')), eq(projects.accountId, sql.placeholder('accountId'))))
      .prepare(),
  );
  return one(await query.execute({ accountId, id }));
}

/** Flags with their projects by id, only within the account, in no particular order. */
export async function findFlagsByIds(db: DbOrTx, accountId: string, ids: readonly string[]): Promise<Array<{ flag: FlagRow; project: ProjectRow }>> {
  if (ids.length === 0) return [];
  const size = inListSize(ids.length);
  const query = prepared(db, `findFlagsByIds:${size}`, (d) =>
    d
      .select({ flag: flags, project: projects })
      .from(flags)
      .innerJoin(projects, eq(projects.id, flags.projectId))
      .where(and(inArray(flags.id, inListPlaceholders('id', size)), eq(projects.accountId, sql.placeholder('accountId'))))
      .prepare(),
  );
  return (await query.execute({ accountId, ...inListValues('id', ids, size) }));
}

export async function insertFlag(db: DbOrTx, row: typeof flags.$inferInsert): Promise<FlagRow> {
  return await db.insert(flags).values(row).returning().then(only);
}

export async function updateFlagRow(db: DbOrTx, id: string, patch: Partial<typeof flags.$inferInsert>): Promise<FlagRow | undefined> {
  return await db.update(flags).set(patch).where(eq(flags.id, id)).returning().then(one);
}

/** Deletes a flag and its per-environment states. */
export async function deleteFlagRow(db: DbOrTx, flagId: string): Promise<void> {
  await db.delete(flagStates).where(eq(flagStates.flagId, flagId));
  await db.delete(flags).where(eq(flags.id, flagId));
}

/** A flag's state in one environment; a missing row means off. */
export async function flagIsOn(db: DbOrTx, flagId: string, environmentId: string): Promise<boolean> {
  const query = prepared(db, 'flagIsOn', (d) =>
    d
      .select({ on: flagStates.on })
      .from(flagStates)
      .where(and(eq(flagStates.flagId, sql.placeholder('flagId')), eq(flagStates.environmentId, sql.placeholder('environmentId'))))
      .prepare(),
  );
  return one(await query.execute({ flagId, environmentId }))?.on ?? false;
}

/** The stored states among these (flag, environment) pairs (a superset when there are several: callers match them); a missing pair is off. */
export async function flagStatesOf(db: DbOrTx, pairs: ReadonlyArray<{ flagId: string; environmentId: string }>): Promise<Array<{ flagId: string; environmentId: string; on: boolean }>> {
  if (pairs.length === 0) return [];
  const flagIds = [...new Set(pairs.map((p) => p.flagId))];
  const environmentIds = [...new Set(pairs.map((p) => p.environmentId))];
  const [f, e] = [inListSize(flagIds.length), inListSize(environmentIds.length)];
  const query = prepared(db, `flagStatesOf:${f}:${e}`, (d) =>
    d
      .select({ flagId: flagStates.flagId, environmentId: flagStates.environmentId, on: flagStates.on })
      .from(flagStates)
      .where(and(inArray(flagStates.flagId, inListPlaceholders('f', f)), inArray(flagStates.environmentId, inListPlaceholders('e', e))))
      .prepare(),
  );
  return (await query.execute({ ...inListValues('f', flagIds, f), ...inListValues('e', environmentIds, e) }));
}

export async function setFlagState(db: DbOrTx, flagId: string, environmentId: string, on: boolean): Promise<void> {
  await db.insert(flagStates)
    .values({ flagId, environmentId, on })
    .onConflictDoUpdate({ target: [flagStates.flagId, flagStates.environmentId], set: { on } })
    ;
}
