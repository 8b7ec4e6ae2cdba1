import { LatchkeyError } from '../errors.js';

/**
 * A root field's value. Root fields are nullable in the schema (one refused field does not null a
 * whole response); the client throws on any error first, so null here means the server sent none.
 */
export function required<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new LatchkeyError('INTERNAL_SERVER_ERROR', 'The server returned no data for this field');
  return value;
}
