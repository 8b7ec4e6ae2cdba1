import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** Sessions, the viewer, members (read) and the account. */
export const coreOperations = {
  /** Email + password → a session secret (shown once) and the member. */
  login: op(function (input: G.LoginInput) { return this.request(G.LoginDocument, { input }).then((d) => required(d.login)); }),
  /** A new account and its owner (only when the server allows sign-up). */
  signUp: op(function (input: G.SignUpInput) { return this.request(G.SignUpDocument, { input }).then((d) => required(d.signUp)); }),
  /** Ends the session this client uses. */
  logout: op(function () { return this.request(G.LogoutDocument, {}).then((d) => required(d.logout)); }),
  /** Ends one of your own sessions by id. */
  revokeSession: op(function (id: string) { return this.request(G.RevokeSessionDocument, { id }).then((d) => required(d.revokeSession)); }),
  /** Your live sessions, newest first. */
  sessions: op(function (vars: G.SessionsQueryVariables = {}) { return this.request(G.SessionsDocument, vars).then((d) => required(d.viewer).sessions); }),
  /** Who is calling, through which credential, and the API version in effect. */
  viewer: op(function () { return this.request(G.ViewerDocument, {}).then((d) => required(d.viewer)); }),
  /** The supported API versions, newest first. */
  apiVersions: op(function () { return this.request(G.ApiVersionsDocument, {}).then((d) => d.apiVersions); }),
  /** One member of your account by id. */
  member: op(function (id: string) { return this.request(G.MemberDocument, { id }).then((d) => d.member); }),
  /** Your account's members (a Relay connection). */
  members: op(function (vars: G.MembersQueryVariables = {}) { return this.request(G.MembersDocument, vars).then((d) => required(d.members)); }),
  /** Your account and its settings. */
  account: op(function () { return this.request(G.AccountDocument, {}).then((d) => required(d.account)); }),
  /** Changes account settings (the service-token limit: owners only). */
  updateAccount: op(function (input: G.UpdateAccountInput) { return this.request(G.UpdateAccountDocument, { input }).then((d) => required(d.updateAccount).account); }),
};
