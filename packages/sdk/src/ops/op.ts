import type { LatchkeyClient } from '../client.ts';

/** An SDK operation: a function run with the client as `this` (bound to it by createClient). */
export type Op<Args extends unknown[], R> = (this: LatchkeyClient, ...args: Args) => Promise<R>;
export const op = <Args extends unknown[], R>(fn: Op<Args, R>) => fn;
