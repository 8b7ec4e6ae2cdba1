import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { environments, flags, flagStates, projects, type EnvironmentRow, type FlagRow, type ProjectRow } from '../db/schema/projects.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';
import { prepared } from './prepared.ts';

export function findProjectByKey(db: DbOrTx, accountId: string, key: string): ProjectRow | undefined {
  const query = prepared(db, 'findProjectByKey', (d) =>
    d.select().from(projects).where(and(eq(projects.accountId, sql.placeholder('accountId')), eq(projects.key, sql.placeholder('key')))).prepare(),
  );
  return query.get({ accountId, key });
}

export function findProjectById(db: DbOrTx, accountId: string, id: string): ProjectRow | undefined {
  return db.select().from(projects).where(and(eq(projects.accountId, accountId), eq(projects.id, id))).get();
}

/** An account's projects in creation order, keyset-paginated. */
export function listProjects(db: DbOrTx, accountId: string, page: KeysetPage): ProjectRow[] {
  const { where, orderBy } = keysetBounds(projects.id, page);
  return db.select().from(projects).where(and(eq(projects.accountId, accountId), where)).orderBy(orderBy).limit(page.limit).all();
}

export function insertProject(db: DbOrTx, row: typeof projects.$inferInsert): ProjectRow {
  return db.insert(projects).values(row).returning().get();
}

export function environmentsOfProject(db: DbOrTx, projectId: string): EnvironmentRow[] {
  const query = prepared(db, 'environmentsOfProject', (d) =>
    d.select().from(environments).where(eq(environments.projectId, sql.placeholder('projectId'))).orderBy(environments.createdAt, environments.key).prepare(),
  );
  return query.all({ projectId });
}

export function findEnvironment(db: DbOrTx, projectId: string, key: string): EnvironmentRow | undefined {
  const query = prepared(db, 'findEnvironment', (d) =>
    d.select().from(environments).where(and(eq(environments.projectId, sql.placeholder('projectId')), eq(environments.key, sql.placeholder('key')))).prepare(),
  );
  return query.get({ projectId, key });
}

/** An environment with its project, only within the account. */
export function findEnvironmentById(db: DbOrTx, accountId: string, id: string): { environment: EnvironmentRow; project: ProjectRow } | undefined {
  return db
    .select({ environment: environments, project: projects })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(and(eq(environments.id, id), eq(projects.accountId, accountId)))
    .get();
}

export function insertEnvironment(db: DbOrTx, row: typeof environments.$inferInsert): EnvironmentRow {
  return db.insert(environments).values(row).returning().get();
}

export function flagsOfProject(db: DbOrTx, projectId: string): FlagRow[] {
  const query = prepared(db, 'flagsOfProject', (d) =>
    d.select().from(flags).where(eq(flags.projectId, sql.placeholder('projectId'))).orderBy(flags.createdAt, flags.key).prepare(),
  );
  return query.all({ projectId });
}

export function findFlag(db: DbOrTx, projectId: string, key: string): FlagRow | undefined {
  const query = prepared(db, 'findFlag', (d) =>
    d.select().from(flags).where(and(eq(flags.projectId, sql.placeholder('projectId')), eq(flags.key, sql.placeholder('key')))).prepare(),
  );
  return query.get({ projectId, key });
}

/** A flag with its project, only within the account. */
export function findFlagById(db: DbOrTx, accountId: string, id: string): { flag: FlagRow; project: ProjectRow } | undefined {
  return db
    .select({ flag: flags, project: projects })
    .from(flags)
    .innerJoin(projects, eq(projects.id, flags.projectId))
    .where(and(eq(flags.id, id), eq(projects.accountId, accountId)))
    .get();
}

export function insertFlag(db: DbOrTx, row: typeof flags.$inferInsert): FlagRow {
  return db.insert(flags).values(row).returning().get();
}

export function updateFlagRow(db: DbOrTx, id: string, patch: Partial<typeof flags.$inferInsert>): FlagRow | undefined {
  return db.update(flags).set(patch).where(eq(flags.id, id)).returning().get();
}

/** Deletes a flag and its per-environment states. */
export function deleteFlagRow(db: DbOrTx, flagId: string): void {
  db.delete(flagStates).where(eq(flagStates.flagId, flagId)).run();
  db.delete(flags).where(eq(flags.id, flagId)).run();
}

/** A flag's state in one environment; a missing row means off. */
export function flagIsOn(db: DbOrTx, flagId: string, environmentId: string): boolean {
  const query = prepared(db, 'flagIsOn', (d) =>
    d
      .select({ on: flagStates.on })
      .from(flagStates)
      .where(and(eq(flagStates.flagId, sql.placeholder('flagId')), eq(flagStates.environmentId, sql.placeholder('environmentId'))))
      .prepare(),
  );
  return query.get({ flagId, environmentId })?.on ?? false;
}

export function setFlagState(db: DbOrTx, flagId: string, environmentId: string, on: boolean): void {
  db.insert(flagStates)
    .values({ flagId, environmentId, on })
    .onConflictDoUpdate({ target: [flagStates.flagId, flagStates.environmentId], set: { on } })
    .run();
}
