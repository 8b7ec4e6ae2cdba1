import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.ts';
import { json, timestamp } from './columns.ts';

export type AuditOutcome = 'success' | 'refused';
export type CredentialKind = 'session' | 'personal' | 'service' | 'none';
export type AuditChanges = Record<string, { before?: unknown; after?: unknown }>;

/** Append-only: no code path updates or deletes a row. Each row chains to the previous one of its account. */
export const auditEntries = sqliteTable(
  'audit_entries',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id),
    // Per-account position in the hash chain; also the keyset for pagination (newest first).
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
    changes: json<AuditChanges>('changes').notNull(),
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
export type AuditEntryRow = typeof auditEntries.$inferSelect;

/**
 * Per account, the newest entry a verification found intact with every entry before it:
 * incremental verification trusts the chain up to here and checks only what follows. Advanced
 * only by a verification that succeeded up to that entry; a full verification that finds a
 * break below it moves it back to the last entry it proved.
 */
export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  accountId: text('account_id').primaryKey().references(() => accounts.id),
  seq: integer('seq').notNull(),
  entryId: text('entry_id').notNull(),
  hash: text('hash').notNull(),
  verifiedAt: timestamp('verified_at').notNull(),
});
export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
