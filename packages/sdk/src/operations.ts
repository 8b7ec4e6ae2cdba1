import { LatchkeyClient, type ClientOptions } from './client.js';
import * as access from './ops/access.js';
import * as audit from './ops/audit.js';
import * as core from './ops/core.js';
import * as members from './ops/members.js';
import * as projects from './ops/projects.js';
import * as roles from './ops/roles.js';
import * as teams from './ops/teams.js';
import * as tokens from './ops/tokens.js';

/**
 * Every operation of the SDK, one file per concept under ./ops: a function taking the client
 * first, running one document (from ./operations/*.graphql, typed by graphql-codegen) and
 * returning the part of its data worth having. Mutations with an `input` take the input itself.
 *
 * This module is the "everything" entry: `createClient` binds all of them as methods. Code that
 * wants a small bundle imports the functions it uses and a bare `LatchkeyClient` instead.
 */
export const operations = { ...core, ...tokens, ...members, ...roles, ...teams, ...projects, ...access, ...audit };

export type Operations = typeof operations;
/** `(client, ...args) => R` as the method `(...args) => R`. */
type Method<F> = F extends (client: LatchkeyClient, ...args: infer A) => infer R ? (...args: A) => R : never;
type Bound = { [K in keyof Operations]: Method<Operations[K]> };

/** A client with every operation as a method: `await lk.createToken({ name, role: 'READER' })`. */
export type Latchkey = LatchkeyClient & Bound & {
  /** A client for the same server using another credential (e.g. a token you just created). */
  withToken(token: string | undefined): Latchkey;
};

/**
 * Creates a client for a Latchkey server with every operation as a method.
 * @param options `url` of the GraphQL endpoint and the `token` (session secret or access token)
 * @returns a client whose methods return data or throw a LatchkeyError carrying `code`
 * @example
 * ```ts
 * const lk = createClient({ url: 'http://localhost:4000/graphql', token: process.env.LATCHKEY_TOKEN });
 * const { member, credentialKind } = await lk.viewer();
 * ```
 */
export function createClient(options: ClientOptions): Latchkey {
  const client = new LatchkeyClient(options);
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(operations)) {
    bound[name] = (...args: unknown[]) => (fn as (client: LatchkeyClient, ...rest: unknown[]) => unknown)(client, ...args);
  }
  const withToken = (token: string | undefined) => createClient({ ...options, token });
  return Object.assign(client, bound as Bound, { withToken });
}
