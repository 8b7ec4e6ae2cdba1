// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** The audit log. */
export const auditOperations = {};
