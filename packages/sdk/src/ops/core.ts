import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** Sessions, the viewer, members (read) and the account. */

/** Email + password → a session secret (shown once) and the member. */
export const login = (lk: LatchkeyClient, input: G.LoginInput) => lk.request(G.LoginDocument, { input }).then((d) => d.login);
/** A new account and its owner (only when the server allows sign-up). */
export const signUp = (lk: LatchkeyClient, input: G.SignUpInput) => lk.request(G.SignUpDocument, { input }).then((d) => d.signUp);
/** Ends the session this client uses. */
export const logout = (lk: LatchkeyClient) => lk.request(G.LogoutDocument, {}).then((d) => d.logout);
/** Ends one of your own sessions by id. */
export const revokeSession = (lk: LatchkeyClient, id: string) => lk.request(G.RevokeSessionDocument, { id }).then((d) => d.revokeSession);
/** Your live sessions, newest first. */
export const sessions = (lk: LatchkeyClient, vars: G.SessionsQueryVariables = {}) => lk.request(G.SessionsDocument, vars).then((d) => d.viewer.sessions);
/** Who is calling, through which credential, and the API version in effect. */
export const viewer = (lk: LatchkeyClient) => lk.request(G.ViewerDocument, {}).then((d) => d.viewer);
/** The supported API versions, newest first. */
export const apiVersions = (lk: LatchkeyClient) => lk.request(G.ApiVersionsDocument, {}).then((d) => d.apiVersions);
/** One member of your account by id. */
export const member = (lk: LatchkeyClient, id: string) => lk.request(G.MemberDocument, { id }).then((d) => d.member);
/** Your account's members (a Relay connection). */
export const members = (lk: LatchkeyClient, vars: G.MembersQueryVariables = {}) => lk.request(G.MembersDocument, vars).then((d) => d.members);
/** Your account and its settings. */
export const account = (lk: LatchkeyClient) => lk.request(G.AccountDocument, {}).then((d) => d.account);
/** Changes account settings (the service-token limit: owners only). */
export const updateAccount = (lk: LatchkeyClient, input: G.UpdateAccountInput) => lk.request(G.UpdateAccountDocument, { input }).then((d) => d.updateAccount.account);
