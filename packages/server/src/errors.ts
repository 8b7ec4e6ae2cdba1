import { GraphQLError } from 'graphql';

/** The closed set of error codes clients can rely on (spec/product.md, "Errors"). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'RATE_LIMITED';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

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

export const rateLimited = (retryAfterSeconds: number) =>
  new LatchkeyError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds}s`, { retryAfter: retryAfterSeconds }, {
    'Retry-After': String(retryAfterSeconds),
  });
