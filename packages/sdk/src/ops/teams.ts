// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** Teams. */
export const teamsOperations = {};
