import { LatchkeyClient, type ClientOptions } from './client.ts';
import { accessOperations } from './ops/access.ts';
import { auditOperations } from './ops/audit.ts';
import { coreOperations } from './ops/core.ts';
import { membersOperations } from './ops/members.ts';
import { projectsOperations } from './ops/projects.ts';
import { rolesOperations } from './ops/roles.ts';
import { teamsOperations } from './ops/teams.ts';
import { tokensOperations } from './ops/tokens.ts';

/**
 * Every operation of the SDK, one file per concept under ./ops: the document (from
 * ./operations/*.graphql, typed by graphql-codegen) and what to return from its data.
 * Mutations with an `input` take the input itself.
 */
export const operations = {
  ...coreOperations,
  ...tokensOperations,
  ...membersOperations,
  ...rolesOperations,
  ...teamsOperations,
  ...projectsOperations,
  ...accessOperations,
  ...auditOperations,
};


export type Operations = typeof operations;
type Bound = { [K in keyof Operations]: OmitThisParameter<Operations[K]> };
/** A client with every operation as a method: `await lk.createToken({ name, role: 'READER' })`. */
export type Latchkey = LatchkeyClient & Bound & {
  /** A client for the same server using another credential (e.g. a token you just created). */
  withToken(token: string | undefined): Latchkey;
};

/**
 * Creates a client for a Latchkey server.
 * @param options `url` of the GraphQL endpoint and the `token` (session secret or access token)
 * @returns a client whose methods return data or throw a LatchkeyError carrying `code`
 */
export function createClient(options: ClientOptions): Latchkey {
  const client = new LatchkeyClient(options);
  const bound = {} as Bound;
  for (const name of Object.keys(operations) as Array<keyof Operations>) {
    Object.assign(bound, { [name]: operations[name].bind(client) });
  }
  return Object.assign(client, bound, { withToken: (token: string | undefined) => createClient({ ...options, token }) });
}
