import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { DEFAULT_SERVICE_TOKEN_LIMIT } from '../src/db/schema/accounts.ts';
import { accounts } from '../src/db/tables.ts';
import { members } from '../src/db/tables.ts';
import { tokens } from '../src/db/tables.ts';
import { newId } from '../src/ids.ts';
import { LATEST_API_VERSION } from '../src/services/api-versions.ts';
import { addAccount, addMember, OWNER_EMAIL, setupServer, type TestServer } from './helpers.ts';
import { CLONE, DELETE, createToken, createTokenRaw, expectError, expectOk } from './tokens-fixtures.ts';

/** At most 200 service tokens per account by default; the owner can change the limit; LIMIT_EXCEEDED past it. */

const SET_LIMIT = `mutation($n: Int) { updateAccount(input: { serviceTokenLimit: $n }) { account { serviceTokenLimit } } }`;

/** Service tokens inserted straight into the store (to reach the default limit quickly). */
async function insertServiceTokens(server: TestServer, count: number): Promise<void> {
  const owner = (await server.app.db.select().from(members).where(eq(members.email, OWNER_EMAIL)))[0];
  if (!owner) throw new Error('no owner');
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    accountId: owner.accountId,
    kind: 'service' as const,
    ownerId: owner.id,
    name: `bulk-${i}`,
    role: 'reader' as const,
    defaultApiVersion: LATEST_API_VERSION,
    obscuredSecret: 'lks_…0000',
    createdAt: now,
    updatedAt: now,
  }));
  await server.app.transaction((tx) => tx.insert(tokens).values(rows));
}

describe('service token limit', () => {
  it('past the account’s limit, creating or cloning a service token is LIMIT_EXCEEDED; personal tokens are not counted', async () => {
    const server = await setupServer();
    expectOk(await server.gql(SET_LIMIT, { n: 2 }, { auth: server.owner }));
    const first = await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    const third = await createTokenRaw(server, server.owner, { role: 'READER', serviceToken: true });
    expectError(third, 'LIMIT_EXCEEDED', { limit: 2 });
    expect(third.body.errors?.[0]?.message).toMatch(/limit/);
    expectError(await server.gql(CLONE, { input: { id: first.token.id } }, { auth: server.owner }), 'LIMIT_EXCEEDED');
    await createToken(server, server.owner, { role: 'READER' });
    // Deleting one frees a place; raising the limit frees more.
    expectOk(await server.gql(DELETE, { input: { id: first.token.id } }, { auth: server.owner }));
    await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    expectOk(await server.gql(SET_LIMIT, { n: 3 }, { auth: server.owner }));
    await createToken(server, server.owner, { role: 'READER', serviceToken: true });
  });

  it('only the owner can change the limit', async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    expectError(await server.gql(SET_LIMIT, { n: 500 }, { auth: admin.session }), 'FORBIDDEN', { action: 'updateServiceTokenLimit' });
    const res = await server.gql<{ updateAccount: { account: { serviceTokenLimit: number } } }>(SET_LIMIT, { n: 500 }, { auth: server.owner });
    expect(res.body.data?.updateAccount.account.serviceTokenLimit).toBe(500);
  });

  it('each account has its own count', async () => {
    const server = await setupServer();
    const other = await addAccount(server);
    expectOk(await server.gql(SET_LIMIT, { n: 1 }, { auth: server.owner }));
    expectOk(await server.gql(SET_LIMIT, { n: 1 }, { auth: other.owner.session }));
    await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    await createToken(server, other.owner.session, { role: 'READER', serviceToken: true });
    expectError(await createTokenRaw(server, other.owner.session, { role: 'READER', serviceToken: true }), 'LIMIT_EXCEEDED');
  });

  it('by default an account holds 200 service tokens and the 201st is refused', async () => {
    const server = await setupServer();
    const account = (await server.app.db.select().from(accounts).limit(1))[0];
    expect(account?.serviceTokenLimit).toBe(DEFAULT_SERVICE_TOKEN_LIMIT);
    expect(DEFAULT_SERVICE_TOKEN_LIMIT).toBe(200);
    // 199 straight into the store (fast), the 200th through the API, then the 201st is refused.
    await insertServiceTokens(server, 199);
    await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    const refused = await createTokenRaw(server, server.owner, { role: 'READER', serviceToken: true });
    expectError(refused, 'LIMIT_EXCEEDED', { limit: 200 });
  });
});
