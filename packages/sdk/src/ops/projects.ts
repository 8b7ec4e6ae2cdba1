// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** Projects, environments and flags. */
export const projectsOperations = {};
