import { randomBytes } from 'node:crypto';

/**
 * Time-ordered ids (like ULIDs): 9 base36 chars of milliseconds + 16 random base36 chars.
 * Sorting by id sorts by creation, which is what keyset pagination walks.
 */
export function newId(): string {
  const time = Date.now().toString(36).padStart(9, '0');
  let random = '';
  for (const byte of randomBytes(16)) random += (byte % 36).toString(36);
  return time + random;
}
