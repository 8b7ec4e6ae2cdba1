/**
 * @latchkey/sdk — typed client for the Latchkey GraphQL API.
 *
 * ```ts
 * const lk = createClient({ url: 'http://localhost:4000/graphql', token: process.env.LATCHKEY_TOKEN });
 * const { viewer } = await lk.viewer();
 * ```
 */
export { createClient, operations, type Latchkey, type Operations } from './operations.ts';
export * from './functions.ts';
export { LatchkeyClient, type ClientOptions } from './client.ts';
export { LatchkeyError, type LatchkeyErrorCode } from './errors.ts';
export { findSecrets, obscureSecret, recognizeSecret, type FoundSecret, type SecretKind } from './secrets.ts';
export * as types from './gql/graphql.ts';
