// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** Custom roles. */
export const rolesOperations = {};
