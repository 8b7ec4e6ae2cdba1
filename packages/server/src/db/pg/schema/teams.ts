import type { RoleAttributes } from '@latchkey/policy';
import { index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';
import { members } from './members.ts';
import { customRoles } from './roles.ts';

// Mirrors ../../schema/teams.ts.
export const teams = pgTable(
  'teams',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    roleAttributes: json<RoleAttributes>('role_attributes').notNull(),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('teams_account_key_uq').on(t.accountId, t.key)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: text('team_id').notNull().references(() => teams.id),
    memberId: text('member_id').notNull().references(() => members.id),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.memberId] }), index('team_members_member_ix').on(t.memberId)],
);

export const teamCustomRoles = pgTable(
  'team_custom_roles',
  {
    teamId: text('team_id').notNull().references(() => teams.id),
    roleId: text('role_id').notNull().references(() => customRoles.id),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.roleId] }), index('team_custom_roles_role_ix').on(t.roleId)],
);
