import { createHash } from 'node:crypto';
import type { DbOrTx } from '../db/client.ts';
import type { AuditChanges, AuditEntryRow, AuditOutcome, CredentialKind } from '../db/schema/audit.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { Caller } from '../auth/caller.ts';
import { newId } from '../ids.ts';
import { insertAuditEntry, lastAuditEntry } from '../store/audit.ts';

/** Where a change came from: the request's caller and client. */
export interface AuditSource {
  caller: Caller | null;
  requestId: string;
  clientIp: string;
  userAgent: string;
}

export interface AuditRecord {
  action: string;
  resource: string;
  title: string;
  changes?: AuditChanges;
  outcome?: AuditOutcome;
  /** Defaults to the caller's account and member (login and signUp have no caller yet). */
  accountId?: string;
  actor?: MemberRow | null;
  /** For a login: the session it opened. */
  sessionId?: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The fields the chain hash covers, in a fixed order. */
export function auditEntryHash(row: Omit<AuditEntryRow, 'hash'>): string {
  const content = JSON.stringify([
    row.id, row.accountId, row.seq, row.date.toISOString(), row.actorId, row.credentialKind, row.tokenId, row.sessionId,
    row.action, row.resource, row.title, row.outcome, row.changes, row.requestId, row.ip, row.userAgent, row.prevHash,
  ]);
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Appends one entry to the account's hash chain. Call it inside the transaction of the change it
 * records, so the change and its entry commit (or roll back) together.
 */
export function recordAudit(db: DbOrTx, source: AuditSource, record: AuditRecord): AuditEntryRow {
  const caller = source.caller;
  const accountId = record.accountId ?? caller?.accountId;
  if (!accountId) throw new Error('audit entry without an account');
  const actor = record.actor === undefined ? caller?.member : record.actor;
  const credentialKind: CredentialKind = caller ? caller.credential.kind : record.sessionId ? 'session' : 'none';
  const previous = lastAuditEntry(db, accountId);
  const row: Omit<AuditEntryRow, 'hash'> = {
    id: newId(),
    accountId,
    seq: (previous?.seq ?? 0) + 1,
    date: new Date(),
    actorId: actor?.id ?? null,
    credentialKind,
    tokenId: caller?.token?.id ?? null,
    sessionId: caller?.credential.kind === 'session' ? caller.credential.sessionId : (record.sessionId ?? null),
    action: record.action,
    resource: record.resource,
    title: record.title,
    outcome: record.outcome ?? 'success',
    changes: record.changes ?? {},
    requestId: source.requestId,
    ip: source.clientIp,
    userAgent: source.userAgent.slice(0, 512),
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  const entry = { ...row, hash: auditEntryHash(row) };
  insertAuditEntry(db, entry);
  return entry;
}
