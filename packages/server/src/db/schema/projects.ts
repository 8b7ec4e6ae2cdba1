import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';

export const projects = sqliteTable(
  'projects',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    tags: json<string[]>('tags').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('projects_account_key_uq').on(t.accountId, t.key)],
);
export type ProjectRow = typeof projects.$inferSelect;

export const environments = sqliteTable(
  'environments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    tags: json<string[]>('tags').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('environments_project_key_uq').on(t.projectId, t.key)],
);
export type EnvironmentRow = typeof environments.$inferSelect;

export const flags = sqliteTable(
  'flags',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('flags_project_key_uq').on(t.projectId, t.key)],
);
export type FlagRow = typeof flags.$inferSelect;

/** A flag's on/off state per environment; a missing row means off. */
export const flagStates = sqliteTable(
  'flag_states',
  {
    flagId: text('flag_id').notNull().references(() => flags.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    on: integer('on', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.flagId, t.environmentId] }), index('flag_states_env_ix').on(t.environmentId)],
);
