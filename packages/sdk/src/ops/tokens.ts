import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** Access tokens: create, update, clone, reset, delete, list. Secrets are returned once, by create, clone and reset. */
export const tokensOperations = {
  /**
   * Creates a personal token (or a service token with `serviceToken: true`) scoped by exactly one
   * of `role`, `customRoleKeys` or `inlinePolicy`, never above your own permissions.
   * @returns the token and its secret — the only time the secret is returned; store it now
   * @throws LatchkeyError `FORBIDDEN` (with `action`/`resource` that exceed), `BAD_USER_INPUT`, `LIMIT_EXCEEDED`
   */
  createToken: op(function (input: G.CreateTokenInput) { return this.request(G.CreateTokenDocument, { input }).then((d) => required(d.createToken)); }),
  /**
   * Changes the fields given: name, description, expiry, and the scope of a personal token (a
   * service token's scope is fixed: `FORBIDDEN`).
   * @returns the updated token
   */
  updateToken: op(function (input: G.UpdateTokenInput) { return this.request(G.UpdateTokenDocument, { input }).then((d) => required(d.updateToken).token); }),
  /**
   * A new token with the same scope, kind and API version, owned by (or created by) you, under the same caps.
   * @returns the new token and its secret (returned once)
   */
  cloneToken: op(function (input: G.CloneTokenInput) { return this.request(G.CloneTokenDocument, { input }).then((d) => required(d.cloneToken)); }),
  /**
   * A new secret. The old one stops at once, or at `oldSecretExpiresAt` (a grace period for rotation).
   * @returns the token and its new secret (returned once)
   */
  resetToken: op(function (input: G.ResetTokenInput) { return this.request(G.ResetTokenDocument, { input }).then((d) => required(d.resetToken)); }),
  /**
   * Deletes a token: every later request with it gets HTTP 401.
   * @returns the deleted token's id
   */
  deleteToken: op(function (input: G.DeleteTokenInput) { return this.request(G.DeleteTokenDocument, { input }).then((d) => required(d.deleteToken).deletedTokenId); }),
  /** One token you may view (never its secret). @throws LatchkeyError `NOT_FOUND` for any other id */
  token: op(function (id: string) { return this.request(G.TokenDocument, { id }).then((d) => d.token); }),
  /**
   * Your tokens (a Relay connection); `showAll: true` lists every token you may view, `kind` filters.
   * @remarks never includes a secret, only `obscuredSecret`
   */
  tokens: op(function (vars: G.TokensQueryVariables = {}) { return this.request(G.TokensDocument, vars).then((d) => required(d.tokens)); }),
  /** A member's tokens you may view (a Relay connection). */
  memberTokens: op(function (vars: G.MemberTokensQueryVariables) { return this.request(G.MemberTokensDocument, vars).then((d) => d.member?.tokens ?? null); }),
  /** The token this client authenticates with (null for a session). */
  viewerToken: op(function () { return this.request(G.ViewerTokenDocument, {}).then((d) => required(d.viewer).token ?? null); }),
};
