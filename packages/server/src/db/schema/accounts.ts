import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

export const DEFAULT_SERVICE_TOKEN_LIMIT = 200;

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  serviceTokenLimit: integer('service_token_limit').notNull().default(DEFAULT_SERVICE_TOKEN_LIMIT),
  createdAt: timestamp('created_at').notNull(),
});
export type AccountRow = typeof accounts.$inferSelect;
