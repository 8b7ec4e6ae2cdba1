import * as G from '../gql/graphql.ts';
import { op, required } from './op.ts';

/** checkAccess: decisions with their explanation. */
export const accessOperations = {
  /**
   * Would (action, resource) be allowed — for your own credential, or for a token you may view?
   * @param vars `action`, `resource` (e.g. `proj/web:env/production:flag/new-ui`), optional `tokenId`
   * @returns `allowed`, a readable `reason`, the deciding `statements`, and for a refused token
   *   request `refusedBy` (`TOKEN`: its scope; `OWNER`: a personal token's owner)
   */
  checkAccess: op(function (vars: G.CheckAccessQueryVariables) { return this.request(G.CheckAccessDocument, vars).then((d) => required(d.checkAccess)); }),
};
