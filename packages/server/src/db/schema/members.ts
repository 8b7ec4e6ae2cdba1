import type { BaseRole, RoleAttributes } from '@latchkey/policy';
import { sql } from 'drizzle-orm';
import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';

export type MemberStatus = 'invited' | 'active' | 'removed';

export const members = sqliteTable(
  'members',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    // Login is by email, so it is unique on the whole server among members not removed (stored
    // NFKC-normalised and lower-cased); a removed member's address can be invited again.
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<BaseRole>().notNull(),
    status: text('status').$type<MemberStatus>().notNull(),
    roleAttributes: json<RoleAttributes>('role_attributes').notNull(),
    // scrypt hash with its parameters (see auth/passwords.ts); null until the invite is accepted.
    passwordHash: text('password_hash'),
    // SHA-256 of the invite code; cleared once accepted.
    inviteCodeHash: text('invite_code_hash'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('members_email_uq').on(t.email).where(sql`${t.status} <> 'removed'`),
    uniqueIndex('members_invite_code_uq').on(t.inviteCodeHash),
    index('members_account_ix').on(t.accountId, t.id),
  ],
);
export type MemberRow = typeof members.$inferSelect;

export const sessions = sqliteTable(
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
export type SessionRow = typeof sessions.$inferSelect;
