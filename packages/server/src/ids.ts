import { randomBytes } from 'node:crypto';

/**
 * Time-ordered ids (like ULIDs): 9 base36 chars of milliseconds, 4 of a per-millisecond
 * sequence, 12 random. Sorting by id sorts by creation (strictly, within one process), which is
 * what keyset pagination walks; the random tail keeps ids unguessable and unique across instances.
 */
let lastMillis = 0;
let sequence = 0;

export function newId(): string {
  const now = Date.now();
  if (now > lastMillis) {
    lastMillis = now;
    sequence = 0;
  } else {
    sequence++;
  }
  const time = lastMillis.toString(36).padStart(9, '0');
  let random = '';
  for (const byte of randomBytes(12)) random += (byte % 36).toString(36);
  return time + sequence.toString(36).padStart(4, '0') + random;
}
