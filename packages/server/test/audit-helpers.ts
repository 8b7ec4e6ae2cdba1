import { eq } from 'drizzle-orm';
import { type AuditEntryRow } from '../src/db/schema/audit.ts';
import { auditEntries } from '../src/db/tables.ts';
import { accounts } from '../src/db/tables.ts';
import { digestSecret } from '../src/auth/secrets.ts';
import { findSessionBySecretHash } from '../src/store/sessions.ts';
import type { TestServer } from './helpers.ts';
import { sqliteOf } from 'src/app.ts';

/** Test helpers for the audit log: raw rows, the session behind a secret, the first account. */

export const AUDIT_ENTRY_FIELDS = `id seq date actor { id email } credentialKind tokenId sessionId action resource title
  changes { field before after } outcome requestId ip userAgent hash`;

export interface AuditEntryJson {
  id: string;
  seq: number;
  date: string;
  actor: { id: string; email: string } | null;
  credentialKind: string;
  tokenId: string | null;
  sessionId: string | null;
  action: string;
  resource: string;
  title: string;
  changes: Array<{ field: string; before: string | null; after: string | null }>;
  outcome: string;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  hash: string;
}

export interface AuditPage {
  edges: Array<{ cursor: string; node: AuditEntryJson }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const AUDIT_LOG = `query($first: Int, $after: String, $filter: AuditLogFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    edges { cursor node { ${AUDIT_ENTRY_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Every audit row of the server (all accounts), oldest first within each account. */
export function auditRows(server: TestServer): AuditEntryRow[] {
  return server.app.db.select().from(auditEntries).orderBy(auditEntries.accountId, auditEntries.seq).all();
}

export function auditRowsOf(server: TestServer, accountId: string): AuditEntryRow[] {
  return server.app.db.select().from(auditEntries).where(eq(auditEntries.accountId, accountId)).orderBy(auditEntries.seq).all();
}

/** The raw id of the session a secret authenticates. */
export function sessionIdOf(server: TestServer, secret: string): string {
  const found = findSessionBySecretHash(server.app.db, digestSecret(secret));
  if (!found) throw new Error('no session for that secret');
  return found.session.id;
}

/** The first account (the one setupServer bootstraps). */
export function firstAccountId(server: TestServer): string {
  const account = server.app.db.select().from(accounts).orderBy(accounts.createdAt).limit(1).get();
  if (!account) throw new Error('no account');
  return account.id;
}

/** Every audit row as the raw SQLite values of every column (for scanning for secrets). */
export function rawAuditText(server: TestServer): string {
  const rows = sqliteOf(server.app).prepare('SELECT * FROM audit_entries').all();
  return JSON.stringify(rows);
}
