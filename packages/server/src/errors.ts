import { GraphQLError } from 'graphql';

/** The closed set of error codes clients can rely on (spec/product.md, "Errors"). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429, SERVICE_UNAVAILABLE: 503 };

/**
 * An expected failure. Yoga passes GraphQLErrors to clients as they are and masks every
 * other error, so anything that is not a LatchkeyError reaches clients as a masked message.
 */
export class LatchkeyError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, headers?: Record<string, string>) {
    const status = HTTP_STATUS[code];
    super(message, {
      extensions: { code, ...details, ...(status ? { http: { status, ...(headers ? { headers } : {}) } } : {}) },
    });
    this.code = code;
  }
}

export const unauthenticated = (message: string) => new LatchkeyError('UNAUTHENTICATED', message);

export const forbidden = (action: string, resource: string, reason: string) =>
  new LatchkeyError('FORBIDDEN', `Not allowed to ${action} on ${resource}: ${reason}`, { action, resource, reason });

export const badInput = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new LatchkeyError('BAD_USER_INPUT', `${field}: ${message}`, { field, ...details });

export const notFound = (what: string) => new LatchkeyError('NOT_FOUND', `${what} not found`);

export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new LatchkeyError('CONFLICT', message, details);

export const rateLimited = (retryAfterSeconds: number, message = `Too many requests; retry in ${retryAfterSeconds}s`) =>
  new LatchkeyError('RATE_LIMITED', message, { retryAfter: retryAfterSeconds }, {
    'Retry-After': String(retryAfterSeconds),
  });

/**
 * The storage cannot take a change right now (read-only file system or database, full disk, I/O
 * error, lock held too long, database server unreachable): an operational condition, not a bug,
 * so clients get a clear message (HTTP 503, SERVICE_UNAVAILABLE, Retry-After) instead of a masked
 * internal error. Codes are SQLite result codes, PostgreSQL SQLSTATEs and Node's socket errors.
 */
const STORAGE_FAILURES: ReadonlyArray<{ code: RegExp; message: string; retryAfter: number }> = [
  { code: /^SQLITE_READONLY/, message: 'The database is read-only: changes are refused until it is writable again (reads still work)', retryAfter: 60 },
  { code: /^SQLITE_FULL$/, message: 'The disk is full: changes are refused until space is freed (reads still work)', retryAfter: 60 },
  { code: /^SQLITE_IOERR/, message: 'The database could not be written (I/O error): changes are refused for now', retryAfter: 60 },
  { code: /^SQLITE_CANTOPEN/, message: 'The database file cannot be opened: changes are refused for now', retryAfter: 60 },
  { code: /^SQLITE_(BUSY|LOCKED)/, message: 'The database is busy: retry shortly', retryAfter: 1 },
  { code: /^25006$/, message: 'The database is read-only: changes are refused until it is writable again (reads still work)', retryAfter: 60 },
  { code: /^53100$/, message: 'The database server is out of disk space: changes are refused until space is freed', retryAfter: 60 },
  { code: /^(53\d{3}|55P03|40001|40P01)$/, message: 'The database is busy: retry shortly', retryAfter: 1 },
  { code: /^(08\w{3}|57P0[1-3]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|CONNECTION_LOST)$/, message: 'The database server cannot be reached: retry shortly', retryAfter: 5 },
];

/** node-postgres reports some lost connections by message only. */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The driver's code of an error or of any error in its `cause` chain (Drizzle wraps driver errors). */
function driverCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code) || /^E[A-Z]+$/.test(code))) return code;
    if (LOST_CONNECTION.test(current.message)) return 'CONNECTION_LOST';
  }
  return undefined;
}

/** A unique index refused a row another request inserted first (a race the service's own check could not see). */
const UNIQUE_VIOLATION = /^(SQLITE_CONSTRAINT_UNIQUE|SQLITE_CONSTRAINT_PRIMARYKEY|23505)$/;

/**
 * The client-facing error for a database failure, undefined for anything else: SERVICE_UNAVAILABLE
 * for a storage failure (STORAGE_FAILURES), CONFLICT for a unique violation.
 */
export function storageUnavailable(error: unknown): LatchkeyError | undefined {
  const code = driverCode(error);
  if (code === undefined) return undefined;
  if (UNIQUE_VIOLATION.test(code)) return conflict('Another request created the same thing at the same time: it already exists');
  const failure = STORAGE_FAILURES.find((f) => f.code.test(code));
  if (!failure) return undefined;
  return new LatchkeyError('SERVICE_UNAVAILABLE', failure.message, { storage: code }, { 'Retry-After': String(failure.retryAfter) });
}

/** Whether a transaction failed only because it lost a race PostgreSQL detected (serialization failure, deadlock): safe to run again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = driverCode(error);
  return code === '40001' || code === '40P01';
}
