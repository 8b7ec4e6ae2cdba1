import * as sqliteSchema from './schema/index.ts';
import * as pgSchema from './pg/schema/index.ts';

/**
 * The tables the store modules build their queries with, for the dialect of the database this
 * process opened. Stores are written once against Drizzle's query builder; the table objects carry
 * each dialect's column mappings (millisecond integers and JSON text on SQLite, timestamptz on
 * PostgreSQL), so the same store code runs on either. The types are the SQLite schema's: the two
 * schemas declare the same columns with the same TypeScript types (test/pg/schema.test.ts).
 *
 * One dialect per process: these are live ES module bindings, switched by `useDialect` when the
 * database is opened, before any query is built. Opening a database of the other dialect in the
 * same process afterwards is refused rather than silently mixing table objects.
 */
export type Dialect = 'sqlite' | 'postgres';

type Tables = typeof sqliteSchema;

export let accounts = sqliteSchema.accounts;
export let members = sqliteSchema.members;
export let sessions = sqliteSchema.sessions;
export let customRoles = sqliteSchema.customRoles;
export let memberCustomRoles = sqliteSchema.memberCustomRoles;
export let teams = sqliteSchema.teams;
export let teamMembers = sqliteSchema.teamMembers;
export let teamCustomRoles = sqliteSchema.teamCustomRoles;
export let tokens = sqliteSchema.tokens;
export let tokenSecrets = sqliteSchema.tokenSecrets;
export let tokenCustomRoles = sqliteSchema.tokenCustomRoles;
export let projects = sqliteSchema.projects;
export let environments = sqliteSchema.environments;
export let flags = sqliteSchema.flags;
export let flagStates = sqliteSchema.flagStates;
export let auditEntries = sqliteSchema.auditEntries;
export let auditCheckpoints = sqliteSchema.auditCheckpoints;

let selected: Dialect | undefined;

/** The dialect of the database this process opened (SQLite until one is opened). */
export function currentDialect(): Dialect {
  return selected ?? 'sqlite';
}

export function useDialect(dialect: Dialect): void {
  if (selected === dialect) return;
  if (selected !== undefined) throw new Error(`this process already opened a ${selected} database; one dialect per process`);
  selected = dialect;
  if (dialect === 'sqlite') return;
  const t = pgSchema as unknown as Tables;
  accounts = t.accounts;
  members = t.members;
  sessions = t.sessions;
  customRoles = t.customRoles;
  memberCustomRoles = t.memberCustomRoles;
  teams = t.teams;
  teamMembers = t.teamMembers;
  teamCustomRoles = t.teamCustomRoles;
  tokens = t.tokens;
  tokenSecrets = t.tokenSecrets;
  tokenCustomRoles = t.tokenCustomRoles;
  projects = t.projects;
  environments = t.environments;
  flags = t.flags;
  flagStates = t.flagStates;
  auditEntries = t.auditEntries;
  auditCheckpoints = t.auditCheckpoints;
}
