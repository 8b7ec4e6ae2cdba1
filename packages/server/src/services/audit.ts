import { createHash } from 'node:crypto';
import type { App } from '../app.ts';
import type { DbOrTx } from '../db/client.ts';
import type { AuditChanges, AuditEntryRow, AuditOutcome, CredentialKind } from '../db/schema/audit.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { Caller } from '../auth/caller.ts';
import { newId } from '../ids.ts';
import { redact } from '../logger.ts';
import { auditAccountIds, auditChainBatch, countAuditEntries, insertAuditEntry, lastAuditEntry, type StoredAuditEntry } from '../store/audit.ts';

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
 * Field names whose values are never recorded, whatever a caller passes in `changes`: secrets,
 * passwords, invite codes and any digest of them. The obscured form of a secret (prefix…last
 * four) is meant to be shown, so it stays.
 */
const isSecretField = (name: string) => !/^obscured/i.test(name) && /(secret|password|hash|digest|invite_?code)$/i.test(name);

/**
 * Last guard of "never a secret or a digest in the audit log": values under secret-like field
 * names are dropped, and anything shaped like a Latchkey secret is obscured, at any depth.
 */
function scrub(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(scrub);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, isSecretField(key) ? '[redacted]' : scrub(inner)]));
  }
  return value;
}

function scrubChanges(changes: AuditChanges): AuditChanges {
  const out: AuditChanges = {};
  for (const [field, change] of Object.entries(changes)) {
    out[field] = isSecretField(field)
      ? { ...('before' in change ? { before: '[redacted]' } : {}), ...('after' in change ? { after: '[redacted]' } : {}) }
      : { ...('before' in change ? { before: scrub(change.before) } : {}), ...('after' in change ? { after: scrub(change.after) } : {}) };
  }
  return out;
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
    title: redact(record.title),
    outcome: record.outcome ?? 'success',
    changes: scrubChanges(record.changes ?? {}),
    requestId: redact(source.requestId),
    ip: source.clientIp,
    userAgent: redact(source.userAgent.slice(0, 512)),
    prevHash: previous?.hash ?? GENESIS_HASH,
  };
  const entry = { ...row, hash: auditEntryHash(row) };
  insertAuditEntry(db, entry);
  return entry;
}

/** A refused attempt, as the refusal path knows it. */
export interface RefusedAttempt {
  /** The GraphQL field that was refused, e.g. `deleteToken`. */
  field: string;
  action: string;
  resource: string;
  reason: string;
}

/**
 * Records a refused attempt (outcome `refused`) in a transaction of its own: the refused change
 * never ran, so there is nothing to commit with. Best effort: a failure to record is logged and
 * the caller still gets its refusal, never an internal error instead.
 */
export function recordRefusal(context: AuditSource & { app: App }, attempt: RefusedAttempt): void {
  const caller = context.caller;
  if (!caller) return; // no account to record into (missing credentials are 401s, not attempts)
  try {
    context.app.db.transaction((tx) =>
      recordAudit(tx, context, {
        action: attempt.action,
        resource: attempt.resource,
        title: `${caller.member.name} was refused ${attempt.action} on ${attempt.resource} (${attempt.field}): ${attempt.reason}`,
        outcome: 'refused',
      }),
    );
  } catch (error) {
    context.app.log.error('could not record a refused attempt', {
      requestId: context.requestId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

export type AuditChainBreakReason = 'hash-mismatch' | 'prev-hash-mismatch' | 'seq-gap';

export type AuditVerification =
  | {
      ok: true;
      /** How many entries were checked. */
      entries: number;
      /** The newest entry of each chain checked: keep these elsewhere to detect a rewrite of the whole chain. */
      heads: Array<{ accountId: string; seq: number; hash: string }>;
    }
  | { ok: false; accountId: string; seq: number; entryId: string; reason: AuditChainBreakReason; detail: string };

export interface VerifyOptions {
  /** Called after every batch with the entries checked so far and the total to check. */
  onProgress?: (checked: number, total: number) => void;
  batchSize?: number;
}

/** Whether a stored entry still hashes to its `hash`; an unreadable row (bad JSON, bad date) does not. */
function contentMatchesHash(entry: StoredAuditEntry): boolean {
  const { hash, changes, ...rest } = entry;
  try {
    return auditEntryHash({ ...rest, changes: JSON.parse(changes) as AuditChanges }) === hash;
  } catch {
    return false;
  }
}

/**
 * Walks each account's chain in order and reports the first broken link: an entry whose position
 * does not follow the previous one (an entry was removed), whose prevHash is not the previous
 * entry's hash (the previous entry was rewritten, hash included), or whose own hash does not match
 * its content (this entry was edited). One account when `accountId` is given, else every account.
 */
export function verifyAuditChain(db: DbOrTx, accountId?: string, options: VerifyOptions = {}): AuditVerification {
  const batchSize = options.batchSize ?? 1000;
  const accountIds = accountId === undefined ? auditAccountIds(db) : [accountId];
  const total = countAuditEntries(db, accountId);
  const heads: Array<{ accountId: string; seq: number; hash: string }> = [];
  let checked = 0;
  for (const account of accountIds) {
    let seq = 0;
    let hash = GENESIS_HASH;
    for (;;) {
      const batch = auditChainBatch(db, account, seq, batchSize);
      for (const entry of batch) {
        const broken = (reason: AuditChainBreakReason, detail: string): AuditVerification => ({
          ok: false,
          accountId: account,
          seq: entry.seq,
          entryId: entry.id,
          reason,
          detail,
        });
        if (entry.seq !== seq + 1) return broken('seq-gap', `expected entry ${seq + 1}, found ${entry.seq}: entries were removed`);
        if (entry.prevHash !== hash) return broken('prev-hash-mismatch', `does not chain to entry ${seq}: that entry was rewritten`);
        if (!contentMatchesHash(entry)) return broken('hash-mismatch', 'its content does not match its hash: it was edited');
        seq = entry.seq;
        hash = entry.hash;
      }
      checked += batch.length;
      options.onProgress?.(checked, total);
      if (batch.length < batchSize) break;
    }
    if (seq > 0) heads.push({ accountId: account, seq, hash });
  }
  return { ok: true, entries: checked, heads };
}
