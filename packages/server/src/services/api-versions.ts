import type { TokenRow } from '../db/schema/tokens.ts';
import { LatchkeyError } from '../errors.ts';

/** Supported API versions, newest first. A new token defaults to the newest. */
export const API_VERSIONS = [20240415, 20220603] as const;
export const LATEST_API_VERSION = API_VERSIONS[0];
export const API_VERSION_HEADER = 'latchkey-api-version';

export function isSupportedApiVersion(version: number): boolean {
  return (API_VERSIONS as readonly number[]).includes(version);
}

/** The header overrides the token's default; sessions use the newest. */
export function apiVersionFor(request: Request, token: TokenRow | undefined): number {
  const header = request.headers.get(API_VERSION_HEADER);
  if (header !== null) {
    const version = Number(header);
    if (!Number.isInteger(version) || !isSupportedApiVersion(version)) {
      throw new LatchkeyError(
        'BAD_USER_INPUT',
        `Unsupported API version "${header.slice(0, 20)}"; supported: ${API_VERSIONS.join(', ')}`,
        { field: API_VERSION_HEADER, http: { status: 400 } },
      );
    }
    return version;
  }
  return token?.defaultApiVersion ?? LATEST_API_VERSION;
}
