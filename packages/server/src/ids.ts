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

/**
 * Whether a string from a client could be an id: printable ASCII, bounded (newId makes 25 base36
 * characters). Anything else cannot exist and must not reach the database: PostgreSQL refuses a
 * NUL or an invalid UTF-8 byte in a text parameter with an error, where SQLite finds nothing.
 */
export function isPlausibleId(value: string): boolean {
  return /^[\x21-\x7e]{1,64}$/.test(value);
}
