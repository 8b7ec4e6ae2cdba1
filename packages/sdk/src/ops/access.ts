// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** checkAccess: decisions with their explanation. */
export const accessOperations = {};
