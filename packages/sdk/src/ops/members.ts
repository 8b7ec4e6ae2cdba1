// import * as G from '../gql/graphql.ts';
// import { op } from './op.ts';

/** Member administration: invite, accept, update, remove. */
export const membersOperations = {};
