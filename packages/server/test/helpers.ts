import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { BaseRole, Statement } from '@latchkey/policy';
import { and, eq } from 'drizzle-orm';
import { createApp, type App } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createLatchkeyYoga, type Yoga } from '../src/server.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { accounts } from '../src/db/tables.ts';
import { customRoles, memberCustomRoles } from '../src/db/tables.ts';
import { newId } from '../src/ids.ts';
import { bootstrapOwner, createAccountWithOwner } from '../src/services/accounts.ts';
import { insertMember } from '../src/store/members.ts';
import { closeWhenDone, testDatabaseConfig } from './backend.ts';

export const OWNER_EMAIL = 'owner@example.test';
export const OWNER_PASSWORD = 'correct horse battery';

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> };
}

export interface TestServer {
  app: App;
  yoga: Yoga;
  /** Every line the server logged (to check that no secret ever reaches a log). */
  logs: string[];
  /** POST a GraphQL operation in-process through Yoga (real headers and statuses, no port). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: { auth?: string | null; headers?: Record<string, string> }): Promise<GqlResponse<T>>;
  /** The first owner's session secret. */
  owner: string;
  login(email: string, password: string): Promise<string>;
}

/**
 * A server on a fresh temporary database with its first owner created; cheap scrypt so tests
 * stay fast (production default is 2^17). Removed after the test file.
 */
export async function setupServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const database = await testDatabaseConfig(dir);
  const config: Config = {
    ...loadConfig({}),
    ...database.config,
    ownerEmail: OWNER_EMAIL,
    ownerPassword: OWNER_PASSWORD,
    scryptLogN: 4,
    lastUsedFlushMs: 0,
    ...overrides,
  };
  const logs: string[] = [];
  const app = await createApp(config, createLogger((line) => logs.push(line)));
  await bootstrapOwner(app);
  const yoga = createLatchkeyYoga(app);
  closeWhenDone(async () => {
    await app.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const gql: TestServer['gql'] = async (query, variables, options = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.auth) headers.authorization = options.auth;
    const response = await yoga.fetch('http://latchkey.test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) };
  };

  const login = async (email: string, password: string) => {
    const res = await gql<{ login: { secret: string } }>(
      'mutation($input: LoginInput!) { login(input: $input) { secret } }',
      { input: { email, password } },
    );
    const secret = res.body.data?.login.secret;
    if (!secret) throw new Error(`login failed: ${JSON.stringify(res.body.errors)}`);
    return secret;
  };

  return { app, yoga, logs, gql, login, owner: await login(OWNER_EMAIL, OWNER_PASSWORD) };
}

/** The error code of the first error, for one-line assertions. */
export function errorCode(res: GqlResponse): unknown {
  return res.body.errors?.[0]?.extensions?.code;
}

export interface AddedMember {
  id: string;
  /** The member's global id (what GraphQL returns and takes). */
  globalId: string;
  email: string;
  /** A session secret for the member. */
  session: string;
}

/**
 * Test fixture: a member inserted straight into the store (not through inviteMember), with
 * custom roles by key and role attributes, logged in. Use it to set up a scenario in one line.
 */
export async function addMember(
  server: TestServer,
  options: { email?: string; role: BaseRole; customRoleKeys?: string[]; roleAttributes?: Record<string, string[]>; accountId?: string },
): Promise<AddedMember> {
  const { app } = server;
  const email = options.email ?? `${options.role}-${newId()}@example.test`;
  const accountId = options.accountId ?? (await app.db.select().from(accounts).limit(1))[0]?.id;
  if (!accountId) throw new Error('no account');
  const now = new Date();
  const passwordHash = await hashPassword(MEMBER_PASSWORD, app.config.scryptLogN);
  const member = await app.transaction(async (tx) => {
    const row = await insertMember(tx, {
    id: newId(),
    accountId,
    email,
    name: email.split('@')[0] ?? email,
    role: options.role,
    status: 'active',
    roleAttributes: options.roleAttributes ?? {},
    passwordHash,
    createdAt: now,
    updatedAt: now,
    });
    for (const key of options.customRoleKeys ?? []) {
      const [role] = await tx.select().from(customRoles).where(and(eq(customRoles.accountId, accountId), eq(customRoles.key, key)));
      if (!role) throw new Error(`no custom role ${key}`);
      await tx.insert(memberCustomRoles).values({ memberId: row.id, roleId: role.id });
    }
    return row;
  });
  return { id: member.id, globalId: encodeGlobalID('Member', member.id), email, session: await server.login(email, MEMBER_PASSWORD) };
}

export const MEMBER_PASSWORD = 'member password 123';

/** Test fixture: a custom role inserted straight into the store. */
export async function addCustomRole(
  server: TestServer,
  options: { key: string; policy: Statement[]; basePermissions?: 'reader' | 'no_access' | null; accountId?: string },
): Promise<string> {
  const { app } = server;
  const accountId = options.accountId ?? (await app.db.select().from(accounts).limit(1))[0]?.id;
  if (!accountId) throw new Error('no account');
  const now = new Date();
  const id = newId();
  await app.transaction(async (tx) => {
    await tx
      .insert(customRoles)
      .values({ id, accountId, key: options.key, name: options.key, basePermissions: options.basePermissions ?? null, policy: options.policy, createdAt: now, updatedAt: now });
  });
  app.caches.invalidate({ kind: 'roles' });
  return id;
}

/** Test fixture: a second account with its own owner (to prove nothing crosses accounts). */
export async function addAccount(server: TestServer, ownerEmail = `owner-${newId()}@other.test`): Promise<{ accountId: string; owner: AddedMember }> {
  const source = { caller: null, requestId: 'test', clientIp: 'test', userAgent: 'test' };
  const { account, owner } = await createAccountWithOwner(server.app, source, { accountName: 'Other', email: ownerEmail, name: 'Other owner', password: MEMBER_PASSWORD });
  return {
    accountId: account.id,
    owner: { id: owner.id, globalId: encodeGlobalID('Member', owner.id), email: ownerEmail, session: await server.login(ownerEmail, MEMBER_PASSWORD) },
  };
}
