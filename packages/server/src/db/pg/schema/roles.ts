import type { Statement } from '@latchkey/policy';
import { index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';
import { members } from './members.ts';

// Mirrors ../../schema/roles.ts.
export const customRoles = pgTable(
  'custom_roles',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    basePermissions: text('base_permissions').$type<'reader' | 'no_access'>(),
    policy: json<Statement[]>('policy').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('custom_roles_account_key_uq').on(t.accountId, t.key)],
);

export const memberCustomRoles = pgTable(
  'member_custom_roles',
  {
    memberId: text('member_id').notNull().references(() => members.id),
    roleId: text('role_id').notNull().references(() => customRoles.id),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.roleId] }), index('member_custom_roles_role_ix').on(t.roleId)],
);
