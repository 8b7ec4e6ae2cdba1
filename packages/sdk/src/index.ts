/**
 * @latchkey/sdk — typed client for the Latchkey GraphQL API.
 *
 * ```ts
 * import { createClient } from '@latchkey/sdk';
 * const lk = createClient({ url: 'http://localhost:4000/graphql', token: process.env.LATCHKEY_TOKEN });
 * const { member, credentialKind } = await lk.viewer();
 * ```
 *
 * Every operation is also a standalone function taking the client first; with a bare
 * `LatchkeyClient` a bundler keeps only the operations you import:
 *
 * ```ts
 * import { LatchkeyClient, viewer } from '@latchkey/sdk';
 * const { member } = await viewer(new LatchkeyClient({ url, token }));
 * ```
 */
export { createClient, operations, type Latchkey, type Operations } from './operations.js';
export * from './ops/access.js';
export * from './ops/audit.js';
export * from './ops/core.js';
export * from './ops/members.js';
export * from './ops/projects.js';
export * from './ops/roles.js';
export * from './ops/teams.js';
export * from './ops/tokens.js';
export { LatchkeyClient, type ClientOptions } from './client.js';
export { LatchkeyError, type LatchkeyErrorCode } from './errors.js';
export { findSecrets, obscureSecret, recognizeSecret, type FoundSecret, type SecretKind } from './secrets.js';
/** The generated types and typed documents (`types.ViewerDocument` for urql's `useQuery`). */
export * as types from './gql/graphql.js';
