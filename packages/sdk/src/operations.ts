import { LatchkeyClient, type ClientOptions } from './client.ts';
import * as G from './gql/graphql.ts';

/**
 * Every operation of the SDK, one line each: the document (from ./operations/*.graphql, typed by
 * graphql-codegen) and what to return from its data. Mutations with an `input` take the input itself.
 */
type Op<Args extends unknown[], R> = (this: LatchkeyClient, ...args: Args) => Promise<R>;
const op = <Args extends unknown[], R>(fn: Op<Args, R>) => fn;

export const operations = {
  /** Email + password → a session secret (shown once) and the member. */
  login: op(function (input: G.LoginInput) { return this.request(G.LoginDocument, { input }).then((d) => d.login); }),
  /** A new account and its owner (only when the server allows sign-up). */
  signUp: op(function (input: G.SignUpInput) { return this.request(G.SignUpDocument, { input }).then((d) => d.signUp); }),
  /** Ends the session this client uses. */
  logout: op(function () { return this.request(G.LogoutDocument, {}).then((d) => d.logout); }),
  /** Ends one of your own sessions by id. */
  revokeSession: op(function (id: string) { return this.request(G.RevokeSessionDocument, { id }).then((d) => d.revokeSession); }),
  /** Your live sessions, newest first. */
  sessions: op(function (vars: G.SessionsQueryVariables = {}) { return this.request(G.SessionsDocument, vars).then((d) => d.viewer.sessions); }),
  /** Who is calling, through which credential, and the API version in effect. */
  viewer: op(function () { return this.request(G.ViewerDocument, {}).then((d) => d.viewer); }),
  /** The supported API versions, newest first. */
  apiVersions: op(function () { return this.request(G.ApiVersionsDocument, {}).then((d) => d.apiVersions); }),
  /** One member of your account by id. */
  member: op(function (id: string) { return this.request(G.MemberDocument, { id }).then((d) => d.member); }),
  /** Your account's members (a Relay connection). */
  members: op(function (vars: G.MembersQueryVariables = {}) { return this.request(G.MembersDocument, vars).then((d) => d.members); }),
  /** Your account and its settings. */
  account: op(function () { return this.request(G.AccountDocument, {}).then((d) => d.account); }),
  /** Changes account settings (the service-token limit: owners only). */
  updateAccount: op(function (input: G.UpdateAccountInput) { return this.request(G.UpdateAccountDocument, { input }).then((d) => d.updateAccount.account); }),
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
