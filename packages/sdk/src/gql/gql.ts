/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Account {\n  account {\n    id\n    name\n    serviceTokenLimit\n    createdAt\n  }\n}\n\nmutation UpdateAccount($input: UpdateAccountInput!) {\n  updateAccount(input: $input) {\n    account {\n      id\n      name\n      serviceTokenLimit\n      createdAt\n    }\n  }\n}": typeof types.AccountDocument,
    "fragment MemberFields on Member {\n  id\n  email\n  name\n  role\n  status\n  roleAttributes {\n    key\n    values\n  }\n  createdAt\n}\n\nquery Member($id: ID!) {\n  member(id: $id) {\n    ...MemberFields\n  }\n}\n\nquery Members($first: Int, $after: String) {\n  members(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.MemberFieldsFragmentDoc,
    "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery Sessions($first: Int, $after: String) {\n  viewer {\n    sessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          expiresAt\n          lastUsedAt\n          ip\n          userAgent\n          current\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery Viewer {\n  viewer {\n    credentialKind\n    apiVersion\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nquery ApiVersions {\n  apiVersions\n}": typeof types.LoginDocument,
};
const documents: Documents = {
    "query Account {\n  account {\n    id\n    name\n    serviceTokenLimit\n    createdAt\n  }\n}\n\nmutation UpdateAccount($input: UpdateAccountInput!) {\n  updateAccount(input: $input) {\n    account {\n      id\n      name\n      serviceTokenLimit\n      createdAt\n    }\n  }\n}": types.AccountDocument,
    "fragment MemberFields on Member {\n  id\n  email\n  name\n  role\n  status\n  roleAttributes {\n    key\n    values\n  }\n  createdAt\n}\n\nquery Member($id: ID!) {\n  member(id: $id) {\n    ...MemberFields\n  }\n}\n\nquery Members($first: Int, $after: String) {\n  members(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.MemberFieldsFragmentDoc,
    "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery Sessions($first: Int, $after: String) {\n  viewer {\n    sessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          expiresAt\n          lastUsedAt\n          ip\n          userAgent\n          current\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery Viewer {\n  viewer {\n    credentialKind\n    apiVersion\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nquery ApiVersions {\n  apiVersions\n}": types.LoginDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Account {\n  account {\n    id\n    name\n    serviceTokenLimit\n    createdAt\n  }\n}\n\nmutation UpdateAccount($input: UpdateAccountInput!) {\n  updateAccount(input: $input) {\n    account {\n      id\n      name\n      serviceTokenLimit\n      createdAt\n    }\n  }\n}"): (typeof documents)["query Account {\n  account {\n    id\n    name\n    serviceTokenLimit\n    createdAt\n  }\n}\n\nmutation UpdateAccount($input: UpdateAccountInput!) {\n  updateAccount(input: $input) {\n    account {\n      id\n      name\n      serviceTokenLimit\n      createdAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment MemberFields on Member {\n  id\n  email\n  name\n  role\n  status\n  roleAttributes {\n    key\n    values\n  }\n  createdAt\n}\n\nquery Member($id: ID!) {\n  member(id: $id) {\n    ...MemberFields\n  }\n}\n\nquery Members($first: Int, $after: String) {\n  members(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["fragment MemberFields on Member {\n  id\n  email\n  name\n  role\n  status\n  roleAttributes {\n    key\n    values\n  }\n  createdAt\n}\n\nquery Member($id: ID!) {\n  member(id: $id) {\n    ...MemberFields\n  }\n}\n\nquery Members($first: Int, $after: String) {\n  members(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...MemberFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery Sessions($first: Int, $after: String) {\n  viewer {\n    sessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          expiresAt\n          lastUsedAt\n          ip\n          userAgent\n          current\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery Viewer {\n  viewer {\n    credentialKind\n    apiVersion\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nquery ApiVersions {\n  apiVersions\n}"): (typeof documents)["mutation Login($input: LoginInput!) {\n  login(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    secret\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery Sessions($first: Int, $after: String) {\n  viewer {\n    sessions(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          expiresAt\n          lastUsedAt\n          ip\n          userAgent\n          current\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery Viewer {\n  viewer {\n    credentialKind\n    apiVersion\n    member {\n      ...MemberFields\n    }\n  }\n}\n\nquery ApiVersions {\n  apiVersions\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;