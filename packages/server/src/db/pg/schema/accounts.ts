import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { DEFAULT_SERVICE_TOKEN_LIMIT } from '../../schema/accounts.ts';
import { timestamp } from './columns.ts';

// Mirrors ../../schema/accounts.ts (the SQLite schema): same table, columns and indexes.
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  serviceTokenLimit: integer('service_token_limit').notNull().default(DEFAULT_SERVICE_TOKEN_LIMIT),
  createdAt: timestamp('created_at').notNull(),
});
