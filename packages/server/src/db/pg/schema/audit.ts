import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { AuditChanges, AuditOutcome, CredentialKind } from '../../schema/audit.ts';
import { accounts } from './accounts.ts';
import { jsonText, timestamp } from './columns.ts';

// Mirrors ../../schema/audit.ts. Append-only: migration 0001 adds the triggers that refuse UPDATE/DELETE.
export const auditEntries = pgTable(
  'audit_entries',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    seq: integer('seq').notNull(),
    date: timestamp('date').notNull(),
    actorId: text('actor_id'),
    credentialKind: text('credential_kind').$type<CredentialKind>().notNull(),
    tokenId: text('token_id'),
    sessionId: text('session_id'),
    action: text('action').notNull(),
    resource: text('resource').notNull(),
    title: text('title').notNull(),
    outcome: text('outcome').$type<AuditOutcome>().notNull(),
    changes: jsonText<AuditChanges>('changes').notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_account_seq_uq').on(t.accountId, t.seq),
    index('audit_actor_ix').on(t.accountId, t.actorId, t.seq),
    index('audit_token_ix').on(t.accountId, t.tokenId, t.seq),
  ],
);

/** Mirrors ../../schema/audit.ts: per account, the newest entry a verification found intact. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  accountId: text('account_id').primaryKey().references(() => accounts.id),
  seq: integer('seq').notNull(),
  entryId: text('entry_id').notNull(),
  hash: text('hash').notNull(),
  verifiedAt: timestamp('verified_at').notNull(),
});
