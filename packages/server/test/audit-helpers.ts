import { eq } from 'drizzle-orm';
import { type AuditEntryRow } from '../src/db/schema/audit.ts';
import { auditEntries } from '../src/db/tables.ts';
import { accounts } from '../src/db/tables.ts';
import { digestSecret } from '../src/auth/secrets.ts';
import { findSessionBySecretHash } from '../src/store/sessions.ts';
import type { TestServer } from './helpers.ts';

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
export async function auditRows(server: TestServer): Promise<AuditEntryRow[]> {
  return server.app.db.select().from(auditEntries).orderBy(auditEntries.accountId, auditEntries.seq);
}

export async function auditRowsOf(server: TestServer, accountId: string): Promise<AuditEntryRow[]> {
  return server.app.db.select().from(auditEntries).where(eq(auditEntries.accountId, accountId)).orderBy(auditEntries.seq);
}

/** The raw id of the session a secret authenticates. */
export async function sessionIdOf(server: TestServer, secret: string): Promise<string> {
  const found = await findSessionBySecretHash(server.app.db, digestSecret(secret));
  if (!found) throw new Error('no session for that secret');
  return found.session.id;
}

/** The first account (the one setupServer bootstraps). */
export async function firstAccountId(server: TestServer): Promise<string> {
  const [account] = await server.app.db.select().from(accounts).orderBy(accounts.createdAt).limit(1);
  if (!account) throw new Error('no account');
  return account.id;
}

/** Every audit row, every column, as text (for scanning for secrets). */
export async function rawAuditText(server: TestServer): Promise<string> {
  return JSON.stringify(await server.app.db.select().from(auditEntries));
}
