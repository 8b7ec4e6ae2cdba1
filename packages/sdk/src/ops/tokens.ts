// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** Access tokens: create, update, clone, reset, delete, list. */
export const tokensOperations = {};
