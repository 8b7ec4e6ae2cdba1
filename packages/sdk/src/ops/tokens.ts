import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** Access tokens: create, update, clone, reset, delete, list. Secrets are returned once, by create, clone and reset. */

/**
 * Creates a personal token (or a service token with `serviceToken: true`) scoped by exactly one
 * of `role`, `customRoleKeys` or `inlinePolicy`, never above your own permissions.
 * @returns the token and its secret — the only time the secret is returned; store it now
 * @throws LatchkeyError `FORBIDDEN` (with `action`/`resource` that exceed), `BAD_USER_INPUT`, `LIMIT_EXCEEDED`
 */
export const createToken = (lk: LatchkeyClient, input: G.CreateTokenInput) => lk.request(G.CreateTokenDocument, { input }).then((d) => d.createToken);
/**
 * Changes the fields given: name, description, expiry, and the scope of a personal token (a
 * service token's scope is fixed: `FORBIDDEN`).
 * @returns the updated token
 */
export const updateToken = (lk: LatchkeyClient, input: G.UpdateTokenInput) => lk.request(G.UpdateTokenDocument, { input }).then((d) => d.updateToken.token);
/**
 * A new token with the same scope, kind and API version, owned by (or created by) you, under the same caps.
 * @returns the new token and its secret (returned once)
 */
export const cloneToken = (lk: LatchkeyClient, input: G.CloneTokenInput) => lk.request(G.CloneTokenDocument, { input }).then((d) => d.cloneToken);
/**
 * A new secret. The old one stops at once, or at `oldSecretExpiresAt` (a grace period for rotation).
 * @returns the token and its new secret (returned once)
 */
export const resetToken = (lk: LatchkeyClient, input: G.ResetTokenInput) => lk.request(G.ResetTokenDocument, { input }).then((d) => d.resetToken);
/**
 * Deletes a token: every later request with it gets HTTP 401.
 * @returns the deleted token's id
 */
export const deleteToken = (lk: LatchkeyClient, input: G.DeleteTokenInput) => lk.request(G.DeleteTokenDocument, { input }).then((d) => d.deleteToken.deletedTokenId);
/**
 * A dry run of createToken: the same caps and no-escalation rule, nothing created.
 * @returns `{ allowed }`, or when refused the first `action` and `resource` that exceed, and the `reason`
 */
export const checkTokenScope = (lk: LatchkeyClient, input: G.CreateTokenInput) => lk.request(G.CheckTokenScopeDocument, { input }).then((d) => d.checkTokenScope);
/** One token you may view (never its secret). @throws LatchkeyError `NOT_FOUND` for any other id */
export const token = (lk: LatchkeyClient, id: string) => lk.request(G.TokenDocument, { id }).then((d) => d.token);
/**
 * Your tokens (a Relay connection); `showAll: true` lists every token you may view, `kind` filters.
 * @remarks never includes a secret, only `obscuredSecret`
 */
export const tokens = (lk: LatchkeyClient, vars: G.TokensQueryVariables = {}) => lk.request(G.TokensDocument, vars).then((d) => d.tokens);
/** A member's tokens you may view (a Relay connection). */
export const memberTokens = (lk: LatchkeyClient, vars: G.MemberTokensQueryVariables) => lk.request(G.MemberTokensDocument, vars).then((d) => d.member?.tokens ?? null);
/** The token this client authenticates with (null for a session). */
export const viewerToken = (lk: LatchkeyClient) => lk.request(G.ViewerTokenDocument, {}).then((d) => d.viewer.token ?? null);
