import { expect } from 'vitest';
import { decodeGlobalID } from '@pothos/plugin-relay';
import type { GqlResponse, TestServer } from './helpers.ts';

/** Documents and one-line helpers shared by the token test files (raw GraphQL, as clients send it). */

export const TOKEN_FIELDS = `
  id name description kind role customRoleKeys
  inlinePolicy { effect actions notActions resources notResources }
  obscuredSecret defaultApiVersion active createdAt updatedAt lastUsedAt expiresAt
  owner { id email status }
`;

export const CREATE = `mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { ${TOKEN_FIELDS} } } }`;
export const UPDATE = `mutation($input: UpdateTokenInput!) { updateToken(input: $input) { token { ${TOKEN_FIELDS} } } }`;
export const CLONE = `mutation($input: CloneTokenInput!) { cloneToken(input: $input) { secret token { ${TOKEN_FIELDS} } } }`;
export const RESET = `mutation($input: ResetTokenInput!) { resetToken(input: $input) { secret token { ${TOKEN_FIELDS} } } }`;
export const DELETE = `mutation($input: DeleteTokenInput!) { deleteToken(input: $input) { deletedTokenId } }`;
export const TOKEN = `query($id: ID!) { token(id: $id) { ${TOKEN_FIELDS} } }`;
export const TOKENS = `query($first: Int, $after: String, $showAll: Boolean, $kind: TokenKind) {
  tokens(first: $first, after: $after, showAll: $showAll, kind: $kind) {
    edges { cursor node { ${TOKEN_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export const VIEWER = `{ viewer { credentialKind apiVersion member { id email } token { id name kind } } }`;

export interface TokenData {
  id: string;
  name: string;
  description: string | null;
  kind: 'PERSONAL' | 'SERVICE';
  role: string | null;
  customRoleKeys: string[];
  inlinePolicy: Array<Record<string, unknown>> | null;
  obscuredSecret: string;
  defaultApiVersion: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  owner: { id: string; email: string; status: string } | null;
}

export interface Issued {
  secret: string;
  token: TokenData;
}

/** Runs createToken and fails the test with the server's errors when it did not succeed. */
export async function createToken(server: TestServer, auth: string, input: Record<string, unknown>): Promise<Issued> {
  const res = await server.gql<{ createToken: Issued }>(CREATE, { input: { name: 'test token', ...input } }, { auth });
  const issued = res.body.data?.createToken;
  if (!issued) throw new Error(`createToken failed: ${JSON.stringify(res.body.errors)}`);
  return issued;
}

export function createTokenRaw(server: TestServer, auth: string, input: Record<string, unknown>): Promise<GqlResponse<{ createToken: Issued }>> {
  return server.gql<{ createToken: Issued }>(CREATE, { input: { name: 'test token', ...input } }, { auth });
}

/** The raw (database) id inside a global Token id. */
export function rawTokenId(globalId: string): string {
  return decodeGlobalID(globalId).id;
}

/** Asserts the first error's code (and, when given, its extensions). */
export function expectError(res: GqlResponse, code: string, extensions: Record<string, unknown> = {}): void {
  expect(res.body.errors?.[0]?.extensions, JSON.stringify(res.body)).toMatchObject({ code, ...extensions });
}

/** Asserts the request succeeded without errors. */
export function expectOk(res: GqlResponse): void {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
}

/** Asserts a credential is refused with HTTP 401 and a message matching `message`. */
export async function expect401(server: TestServer, secret: string, message: RegExp): Promise<void> {
  const res = await server.gql(VIEWER, {}, { auth: secret });
  expect(res.status).toBe(401);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.body.errors?.[0]?.message).toMatch(message);
}

/** Asserts a credential authenticates. */
export async function expectWorks(server: TestServer, secret: string): Promise<void> {
  const res = await server.gql(VIEWER, {}, { auth: secret });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expectOk(res);
}

export const inTheFuture = (ms = 3_600_000) => new Date(Date.now() + ms).toISOString();
