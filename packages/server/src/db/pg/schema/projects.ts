import { boolean, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';

// Mirrors ../../schema/projects.ts.
export const projects = pgTable(
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

export const environments = pgTable(
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

export const flags = pgTable(
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

export const flagStates = pgTable(
  'flag_states',
  {
    flagId: text('flag_id').notNull().references(() => flags.id, { onDelete: 'cascade' }),
    environmentId: text('environment_id').notNull().references(() => environments.id, { onDelete: 'cascade' }),
    on: boolean('on').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flagId, t.environmentId] }), index('flag_states_env_ix').on(t.environmentId)],
);
