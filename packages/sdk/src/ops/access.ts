import * as G from '../gql/graphql.js';
import type { LatchkeyClient } from '../client.js';

/** checkAccess: decisions with their explanation. */

/**
 * Would (action, resource) be allowed — for your own credential, or for a token you may view?
 * @param vars `action`, `resource` (e.g. `proj/web:env/production:flag/new-ui`), optional `tokenId`
 * @returns `allowed`, a readable `reason`, the deciding `statements`, and for a refused token
 *   request `refusedBy` (`TOKEN`: its scope; `OWNER`: a personal token's owner)
 */
export const checkAccess = (lk: LatchkeyClient, vars: G.CheckAccessQueryVariables) => lk.request(G.CheckAccessDocument, vars).then((d) => d.checkAccess);
