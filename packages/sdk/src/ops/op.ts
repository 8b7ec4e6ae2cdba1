import type { LatchkeyClient } from '../client.ts';
import { LatchkeyError } from '../errors.ts';

/** An SDK operation: a function run with the client as `this` (bound to it by createClient). */
export type Op<Args extends unknown[], R> = (this: LatchkeyClient, ...args: Args) => Promise<R>;
export const op = <Args extends unknown[], R>(fn: Op<Args, R>) => fn;

/**
 * A root field's value. Root fields are nullable in the schema (one refused field does not null a
 * whole response); the client throws on any error first, so null here means the server sent none.
 */
export function required<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new LatchkeyError('INTERNAL_SERVER_ERROR', 'The server returned no data for this field');
  return value;
}
