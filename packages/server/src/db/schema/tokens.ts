import type { BaseRole, RoleAttributes, Statement } from '@latchkey/policy';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';
import { members } from './members.ts';
import { customRoles } from './roles.ts';

export type TokenKind = 'personal' | 'service';

export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    kind: text('kind').$type<TokenKind>().notNull(),
    // personal: the member it belongs to; service: the member who created it.
    ownerId: text('owner_id').notNull().references(() => members.id),
    name: text('name').notNull(),
    description: text('description'),
    // Scope: exactly one of role / custom roles (token_custom_roles) / inline policy.
    role: text('role').$type<BaseRole>(),
    inlinePolicy: json<Statement[]>('inline_policy'),
    // Service tokens keep the creator's role attributes as they were at creation.
    roleAttributes: json<RoleAttributes>('role_attributes'),
    defaultApiVersion: integer('default_api_version').notNull(),
    // Prefix and last four characters of the current secret, for display only.
    obscuredSecret: text('obscured_secret').notNull(),
    expiresAt: timestamp('expires_at'),
    lastUsedAt: timestamp('last_used_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    // Deleted tokens stay as tombstones so a later request can be told "deleted".
    deletedAt: timestamp('deleted_at'),
  },
  (t) => [
    index('tokens_account_ix').on(t.accountId, t.id),
    index('tokens_owner_ix').on(t.ownerId, t.id),
    index('tokens_account_kind_ix').on(t.accountId, t.kind),
  ],
);
export type TokenRow = typeof tokens.$inferSelect;

/** Every secret a token has had, by digest; only the current one (or one in its grace) authenticates. */
export const tokenSecrets = sqliteTable(
  'token_secrets',
  {
    secretHash: text('secret_hash').primaryKey(),
    tokenId: text('token_id').notNull().references(() => tokens.id),
    createdAt: timestamp('created_at').notNull(),
    // Set by a reset: the secret keeps working until then (grace), or stops at once.
    replacedAt: timestamp('replaced_at'),
    validUntil: timestamp('valid_until'),
  },
  (t) => [index('token_secrets_token_ix').on(t.tokenId)],
);
export type TokenSecretRow = typeof tokenSecrets.$inferSelect;

export const tokenCustomRoles = sqliteTable(
  'token_custom_roles',
  {
    tokenId: text('token_id').notNull().references(() => tokens.id),
    roleId: text('role_id').notNull().references(() => customRoles.id),
  },
  (t) => [primaryKey({ columns: [t.tokenId, t.roleId] }), index('token_custom_roles_role_ix').on(t.roleId)],
);
