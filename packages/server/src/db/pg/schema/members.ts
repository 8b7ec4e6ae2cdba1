import type { BaseRole, RoleAttributes } from '@latchkey/policy';
import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { MemberStatus } from '../../schema/members.ts';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';

// Mirrors ../../schema/members.ts.
export const members = pgTable(
  'members',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<BaseRole>().notNull(),
    status: text('status').$type<MemberStatus>().notNull(),
    roleAttributes: json<RoleAttributes>('role_attributes').notNull(),
    passwordHash: text('password_hash'),
    inviteCodeHash: text('invite_code_hash'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    // Unique among members not removed: a removed member's address can be invited again.
    uniqueIndex('members_email_uq').on(t.email).where(sql`${t.status} <> 'removed'`),
    uniqueIndex('members_invite_code_uq').on(t.inviteCodeHash),
    index('members_account_ix').on(t.accountId, t.id),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id').notNull().references(() => members.id),
    secretHash: text('secret_hash').notNull(),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    lastUsedAt: timestamp('last_used_at'),
    revokedAt: timestamp('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('sessions_secret_hash_uq').on(t.secretHash), index('sessions_member_ix').on(t.memberId, t.id)],
);
