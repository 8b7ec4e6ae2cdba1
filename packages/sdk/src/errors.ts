import type { CombinedError } from '@urql/core';

/** The error codes of the Latchkey API (`extensions.code`), plus the SDK's own for transport failures. */
export type LatchkeyErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK_ERROR';

/**
 * What every SDK function throws instead of returning partial data.
 * @remarks `details` holds the error's other extensions (e.g. `action`, `resource`, `field`).
 */
export class LatchkeyError extends Error {
  override readonly name = 'LatchkeyError';
  constructor(
    readonly code: LatchkeyErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    /** HTTP status when the server answered with one other than 200. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * urql's CombinedError → LatchkeyError carrying the first error's code. A transport failure
 * names the URL that failed and the system's reason (`ECONNREFUSED`), since "fetch failed"
 * alone does not say what to fix.
 */
export function fromCombinedError(error: CombinedError, url: string): LatchkeyError {
  const first = error.graphQLErrors[0];
  const response = error.response as { status?: number } | undefined;
  if (first) {
    const { code, http: _http, ...details } = (first.extensions ?? {}) as Record<string, unknown>;
    const known = typeof code === 'string' ? (code as LatchkeyErrorCode) : 'INTERNAL_SERVER_ERROR';
    return new LatchkeyError(known, first.message, details, response?.status);
  }
  const network = error.networkError;
  const cause = network?.cause instanceof Error ? ` (${'code' in network.cause && typeof network.cause.code === 'string' ? network.cause.code : network.cause.message})` : '';
  const reason = (network?.message ?? error.message).replace(/^\[Network\] /, '');
  return new LatchkeyError('NETWORK_ERROR', `could not reach ${url}: ${reason}${cause}`, {}, response?.status);
}
