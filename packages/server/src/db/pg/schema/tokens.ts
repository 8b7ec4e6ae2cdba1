import type { BaseRole, RoleAttributes, Statement } from '@latchkey/policy';
import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { TokenKind } from '../../schema/tokens.ts';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';
import { members } from './members.ts';
import { customRoles } from './roles.ts';

// Mirrors ../../schema/tokens.ts.
export const tokens = pgTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    kind: text('kind').$type<TokenKind>().notNull(),
    ownerId: text('owner_id').notNull().references(() => members.id),
    name: text('name').notNull(),
    description: text('description'),
    role: text('role').$type<BaseRole>(),
    inlinePolicy: json<Statement[]>('inline_policy'),
    roleAttributes: json<RoleAttributes>('role_attributes'),
    defaultApiVersion: integer('default_api_version').notNull(),
    obscuredSecret: text('obscured_secret').notNull(),
    expiresAt: timestamp('expires_at'),
    lastUsedAt: timestamp('last_used_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    deletedAt: timestamp('deleted_at'),
  },
  (t) => [
    index('tokens_account_ix').on(t.accountId, t.id),
    index('tokens_owner_ix').on(t.ownerId, t.id),
    index('tokens_account_kind_ix').on(t.accountId, t.kind),
  ],
);

export const tokenSecrets = pgTable(
  'token_secrets',
  {
    secretHash: text('secret_hash').primaryKey(),
    tokenId: text('token_id').notNull().references(() => tokens.id),
    createdAt: timestamp('created_at').notNull(),
    replacedAt: timestamp('replaced_at'),
    validUntil: timestamp('valid_until'),
  },
  (t) => [index('token_secrets_token_ix').on(t.tokenId)],
);

export const tokenCustomRoles = pgTable(
  'token_custom_roles',
  {
    tokenId: text('token_id').notNull().references(() => tokens.id),
    roleId: text('role_id').notNull().references(() => customRoles.id),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.roleId] }), index('token_custom_roles_role_ix').on(t.roleId)],
);
