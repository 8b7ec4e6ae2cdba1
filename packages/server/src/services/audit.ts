import { createHash } from 'node:crypto';
import type { App } from '../app.ts';
import type { Database, DbOrTx } from '../db/client.ts';

/** Verification reads through `db` and records checkpoints through `transaction`. */
export type AuditDatabase = Pick<Database, 'db' | 'transaction'>;
import type { AuditChanges, AuditEntryRow, AuditOutcome, CredentialKind } from '../db/schema/audit.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { Caller } from '../auth/caller.ts';
import { newId } from '../ids.ts';
import { redact } from '../logger.ts';
import {
  advanceAuditCheckpoint,
  auditAccountIds,
  auditChainBatch,
  auditEntryAt,
  findAuditCheckpoint,
  insertAuditEntry,
  lastAuditEntry,
  resetAuditCheckpoint,
  type StoredAuditEntry,
} from '../store/audit.ts';
import { lockAccount } from '../store/locks.ts';

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
  return chainHash(row, row.changes);
}

/** The hash of an entry's fields with `changes` given apart (verification parses it from the stored text without copying the row). */
function chainHash(row: Omit<AuditEntryRow, 'hash' | 'changes'>, changes: unknown): string {
  const content = JSON.stringify([
    row.id, row.accountId, row.seq, row.date.toISOString(), row.actorId, row.credentialKind, row.tokenId, row.sessionId,
    row.action, row.resource, row.title, row.outcome, changes, row.requestId, row.ip, row.userAgent, row.prevHash,
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
export async function recordAudit(db: DbOrTx, source: AuditSource, record: AuditRecord): Promise<AuditEntryRow> {
  const caller = source.caller;
  const accountId = record.accountId ?? caller?.accountId;
  if (!accountId) throw new Error('audit entry without an account');
  const actor = record.actor === undefined ? caller?.member : record.actor;
  const credentialKind: CredentialKind = caller ? caller.credential.kind : record.sessionId ? 'session' : 'none';
  // Each entry names the previous one's hash: appends to one account take turns (across instances too).
  await lockAccount(db, accountId);
  const previous = await lastAuditEntry(db, accountId);
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
  await insertAuditEntry(db, entry);
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
export async function recordRefusal(context: AuditSource & { app: App }, attempt: RefusedAttempt): Promise<void> {
  const caller = context.caller;
  if (!caller) return; // no account to record into (missing credentials are 401s, not attempts)
  try {
    await context.app.transaction(async (tx) =>
      await recordAudit(tx, context, {
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

export type AuditChainBreakReason = 'hash-mismatch' | 'prev-hash-mismatch' | 'seq-gap' | 'checkpoint-mismatch';

/** A position in a chain: an entry, or the genesis before the first one (seq 0). */
interface Link {
  seq: number;
  entryId: string;
  hash: string;
}

const GENESIS: Link = { seq: 0, entryId: '', hash: GENESIS_HASH };

export interface AuditChainHead {
  accountId: string;
  seq: number;
  hash: string;
  /** The checkpoint this run trusted: entries up to it were not read again (0 for a full verification). */
  trustedUpTo: number;
}

export type AuditVerification =
  | {
      ok: true;
      /** How many entries are intact: those read in this run and those up to the trusted checkpoints. */
      entries: number;
      /** How many entries this run read and hashed. */
      checked: number;
      /** The newest entry of each chain checked: keep these elsewhere to detect a rewrite of the whole chain. */
      heads: AuditChainHead[];
    }
  | (AuditChainBreak & {
      /** How many entries this run read and hashed before the break. */
      checked: number;
    });

/** The first entry where a chain does not hold. */
export interface AuditChainBreak {
  ok: false;
  accountId: string;
  seq: number;
  entryId: string;
  reason: AuditChainBreakReason;
  detail: string;
}

export interface VerifyOptions {
  /**
   * Walk every chain from its first entry (and check it reaches the stored checkpoint unchanged);
   * otherwise trust the chain up to the checkpoint and check only what follows.
   */
  full?: boolean;
  /** Store what the run proved as the new checkpoints (off for a read-only database). */
  record?: boolean;
  /** Called after every batch with the entries checked so far and the total to check. */
  onProgress?: (checked: number, total: number) => void;
  /** Entries read per statement. */
  batchSize?: number;
  /** Longest stretch of work, in ms, before verifyAuditLog yields to the event loop. */
  sliceMs?: number;
}

/** Whether a stored entry still hashes to its `hash`; an unreadable row (bad JSON, bad date) does not. */
function contentMatchesHash(entry: StoredAuditEntry): boolean {
  try {
    return chainHash(entry, JSON.parse(entry.changes)) === entry.hash;
  } catch {
    return false;
  }
}

const linkOf = (entry: Pick<StoredAuditEntry, 'seq' | 'id' | 'hash'>): Link => ({ seq: entry.seq, entryId: entry.id, hash: entry.hash });

function chainBreak(accountId: string, at: Pick<Link, 'seq' | 'entryId'>, reason: AuditChainBreakReason, detail: string): AuditChainBreak {
  return { ok: false, accountId, seq: at.seq, entryId: at.entryId, reason, detail };
}

/** What one account's walk proved: its head, or the first break and the last entry before it that held. */
type AccountWalk = { ok: true; head: Link; checked: number } | { ok: false; broken: AuditChainBreak; lastGood: Link; checked: number };

/**
 * Walks an account's chain after `from` up to position `upTo` (its head when the run started, so
 * a run ends even while entries are appended) and stops at the first broken link: an entry whose
 * position does not follow the previous one (an entry was removed), whose prevHash is not the
 * previous entry's hash (the previous entry was rewritten, hash included), or whose own hash does
 * not match its content (this entry was edited). When the walk passes the checkpoint it checks
 * that the entry there is still the one recorded. Yields the entries checked after each batch.
 */
async function* walkChain(db: DbOrTx, accountId: string, from: Link, upTo: number, checkpoint: Link | undefined, batchSize: number): AsyncGenerator<number, AccountWalk> {
  let last = from;
  let checked = 0;
  while (last.seq < upTo) {
    const batch = await auditChainBatch(db, accountId, last.seq, Math.min(batchSize, upTo - last.seq));
    if (batch.length === 0) break;
    for (const entry of batch) {
      const broken = (reason: AuditChainBreakReason, detail: string): AccountWalk => ({
        ok: false,
        broken: chainBreak(accountId, linkOf(entry), reason, detail),
        lastGood: last,
        checked,
      });
      if (entry.seq !== last.seq + 1) return broken('seq-gap', `expected entry ${last.seq + 1}, found ${entry.seq}: entries were removed`);
      if (entry.prevHash !== last.hash) return broken('prev-hash-mismatch', `does not chain to entry ${last.seq}: that entry was rewritten`);
      if (!contentMatchesHash(entry)) return broken('hash-mismatch', 'its content does not match its hash: it was edited');
      if (checkpoint && entry.seq === checkpoint.seq && (entry.hash !== checkpoint.hash || entry.id !== checkpoint.entryId)) {
        return broken('checkpoint-mismatch', 'is not the entry an earlier verification found here: this entry and the ones before it were rewritten');
      }
      last = linkOf(entry);
      checked++;
    }
    yield batch.length;
  }
  return { ok: true, head: last, checked };
}

/**
 * Verifies one account's chain: from the checkpoint (after checking that its entry is still the
 * recorded one, intact) or, in full, from the first entry; then, with `record`, stores what the
 * run proved as the checkpoint. Yields the entries checked after each batch.
 */
async function* verifyAccount(database: AuditDatabase, accountId: string, options: VerifyOptions, batchSize: number): AsyncGenerator<number, { walk: AccountWalk; trustedUpTo: number }> {
  const { db } = database;
  const stored = await findAuditCheckpoint(db, accountId);
  const checkpoint: Link | undefined = stored ? { seq: stored.seq, entryId: stored.entryId, hash: stored.hash } : undefined;
  const upTo = (await lastAuditEntry(db, accountId))?.seq ?? 0;
  let from = GENESIS;
  if (checkpoint && !options.full) {
    const entry = await auditEntryAt(db, accountId, checkpoint.seq);
    const broken = (reason: AuditChainBreakReason, detail: string, at: Pick<Link, 'seq' | 'entryId'> = checkpoint): { walk: AccountWalk; trustedUpTo: number } => ({
      walk: { ok: false, broken: chainBreak(accountId, at, reason, detail), lastGood: GENESIS, checked: 0 },
      trustedUpTo: checkpoint.seq,
    });
    if (!entry) return broken('checkpoint-mismatch', `entry ${checkpoint.seq}, which an earlier verification found intact, was removed`);
    if (entry.id !== checkpoint.entryId || entry.hash !== checkpoint.hash) {
      return broken('checkpoint-mismatch', 'is not the entry an earlier verification found here: this entry and the ones before it were rewritten', linkOf(entry));
    }
    if (!contentMatchesHash(entry)) return broken('hash-mismatch', 'its content does not match its hash: it was edited', linkOf(entry));
    from = checkpoint;
  }
  let walk = yield* walkChain(db, accountId, from, upTo, checkpoint, batchSize);
  if (walk.ok && checkpoint && walk.head.seq < checkpoint.seq) {
    walk = {
      ok: false,
      broken: chainBreak(accountId, checkpoint, 'checkpoint-mismatch', `the chain ends at entry ${walk.head.seq}, but an earlier verification found entry ${checkpoint.seq} intact: entries were removed`),
      lastGood: walk.head,
      checked: walk.checked,
    };
  }
  if (options.record) await recordCheckpoint(database, accountId, walk, checkpoint, options.full === true);
  return { walk, trustedUpTo: from.seq };
}

/**
 * A run moves the checkpoint forward to the last entry it proved; a full run that broke below the
 * checkpoint moves it back there, so incremental runs report the break too. A checkpoint that no
 * longer matches the chain stays as it is: it is the evidence.
 */
async function recordCheckpoint(database: AuditDatabase, accountId: string, walk: AccountWalk, checkpoint: Link | undefined, full: boolean): Promise<void> {
  const proved = walk.ok ? walk.head : walk.lastGood;
  const row = proved.seq > 0 ? { accountId, seq: proved.seq, entryId: proved.entryId, hash: proved.hash, verifiedAt: new Date() } : undefined;
  if (!walk.ok && walk.broken.reason === 'checkpoint-mismatch') return;
  if (checkpoint && full && !walk.ok && proved.seq < checkpoint.seq) await database.transaction((tx) => resetAuditCheckpoint(tx, accountId, row));
  else if (row && proved.seq > (checkpoint?.seq ?? 0)) await database.transaction((tx) => advanceAuditCheckpoint(tx, row));
}

/** The whole verification of one account or (no `accountId`) every account, as steps: yields entries checked per batch. */
async function* verification(database: AuditDatabase, accountId: string | undefined, options: VerifyOptions): AsyncGenerator<number, AuditVerification> {
  const { db } = database;
  const batchSize = options.batchSize ?? 100;
  const accountIds = accountId === undefined ? await auditAccountIds(db) : [accountId];
  const heads: AuditChainHead[] = [];
  let total = 0;
  for (const account of accountIds) {
    const upTo = (await lastAuditEntry(db, account))?.seq ?? 0;
    total += options.full ? upTo : Math.max(0, upTo - ((await findAuditCheckpoint(db, account))?.seq ?? 0));
  }
  let progress = 0;
  let checked = 0;
  let entries = 0;
  for (const account of accountIds) {
    const { walk, trustedUpTo } = yield* progressOf(verifyAccount(database, account, options, batchSize), (batch) => {
      progress += batch;
      options.onProgress?.(progress, total);
    });
    checked += walk.checked;
    if (!walk.ok) return { ...walk.broken, checked };
    entries += walk.head.seq;
    if (walk.head.seq > 0) heads.push({ accountId: account, seq: walk.head.seq, hash: walk.head.hash, trustedUpTo });
  }
  return { ok: true, entries, checked, heads };
}

/** Passes a generator's steps through, reporting each on the way. */
async function* progressOf<T>(steps: AsyncGenerator<number, T>, report: (step: number) => void): AsyncGenerator<number, T> {
  for (;;) {
    const step = await steps.next();
    if (step.done) return step.value;
    report(step.value);
    yield step.value;
  }
}

/**
 * Verifies in one go, blocking the event loop until done: for scripts and tests. By default in
 * full and without recording checkpoints (a pure check).
 */
export async function verifyAuditChain(database: AuditDatabase, accountId?: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  const steps = verification(database, accountId, { full: true, record: false, ...options });
  for (;;) {
    const step = await steps.next();
    if (step.done) return step.value;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Verifies in slices of about `sliceMs` of work (3 ms by default; a batch of 100 entries takes
 * ≈ 1.5 ms), yielding to the event loop between them so that other requests are served
 * meanwhile: at ≈ 15 µs an entry, a million entries would otherwise hold the server for 15 s. Slices rather than a worker thread: the chain
 * is read through the server's own connection and store (so PostgreSQL and in-memory databases
 * work alike), and a slice's pause is bounded and measurable; a worker would need its own
 * connection and module loading, for work that is I/O-light and can be cut anywhere.
 */
export async function verifyAuditLog(database: AuditDatabase, accountId?: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  const sliceMs = options.sliceMs ?? 3;
  const steps = verification(database, accountId, options);
  let sliceStarted = performance.now();
  for (;;) {
    const step = await steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted >= sliceMs) {
      await yieldToEventLoop();
      sliceStarted = performance.now();
    }
  }
}

const inFlight = new WeakMap<object, Map<string, Promise<AuditVerification>>>();

/**
 * What the verifyAuditLog field runs: one account, checkpoints recorded, in slices. A request
 * for an account and mode that is already being verified shares that run's result, so repeating
 * the request cannot multiply the work.
 */
export async function verifyAccountAuditLog(database: AuditDatabase, accountId: string, full: boolean): Promise<AuditVerification> {
  let running = inFlight.get(database);
  if (!running) {
    running = new Map();
    inFlight.set(database, running);
  }
  const key = `${full ? 'full' : 'incremental'}:${accountId}`;
  const shared = running.get(key);
  if (shared) return shared;
  const run = verifyAuditLog(database, accountId, { full, record: true }).finally(() => running.delete(key));
  running.set(key, run);
  return run;
}
