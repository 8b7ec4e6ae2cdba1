import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recognizeSecret } from '@latchkey/sdk/secrets';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/client.ts';
import { tokenSecrets, tokens } from '../src/db/tables.ts';
import { silentLogger } from '../src/logger.ts';
import { createLatchkeyYoga } from '../src/server.ts';
import { bootstrapOwner } from '../src/services/accounts.ts';
import { API_VERSIONS, LATEST_API_VERSION } from '../src/services/api-versions.ts';
import { addCustomRole, addMember, OWNER_EMAIL, OWNER_PASSWORD, setupServer } from './helpers.ts';
import {
  CLONE,
  DELETE,
  RESET,
  TOKEN,
  TOKENS,
  UPDATE,
  VIEWER,
  createToken,
  createTokenRaw,
  expect401,
  expectError,
  expectOk,
  expectWorks,
  inTheFuture,
  rawTokenId,
  type Issued,
  type TokenData,
} from './tokens-fixtures.ts';
import { sqliteOf } from '../src/app.ts';
import { itSqlite } from './backend.ts';

describe('creating a token', () => {
  it('returns a personal token and its secret once; the secret authenticates as the creator', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { name: 'ci-deploy', description: 'deploys', role: 'READER' });
    expect(recognizeSecret(secret)).toBe('personal');
    expect(secret.startsWith('lkp_')).toBe(true);
    expect(token).toMatchObject({ name: 'ci-deploy', description: 'deploys', kind: 'PERSONAL', role: 'READER', customRoleKeys: [], inlinePolicy: null, active: true });
    expect(token.obscuredSecret).toBe(`lkp_…${secret.slice(-4)}`);
    expect(token.owner?.email).toBe('owner@example.test');
    const viewer = await server.gql<{ viewer: { credentialKind: string; token: { id: string } } }>(VIEWER, {}, { auth: secret });
    expect(viewer.body.data?.viewer.credentialKind).toBe('PERSONAL');
    expect(viewer.body.data?.viewer.token.id).toBe(token.id);
  });

  it('a service token has its own prefix and kind and records its creator as owner', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { name: 'svc', role: 'READER', serviceToken: true });
    expect(recognizeSecret(secret)).toBe('service');
    expect(token.kind).toBe('SERVICE');
    expect(token.owner?.email).toBe('owner@example.test');
    const viewer = await server.gql<{ viewer: { credentialKind: string } }>(VIEWER, {}, { auth: secret });
    expect(viewer.body.data?.viewer.credentialKind).toBe('SERVICE');
  });

  it('accepts custom roles and inline policies as scope', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'viewer-role', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }] });
    const byRole = await createToken(server, server.owner, { customRoleKeys: ['viewer-role'] });
    expect(byRole.token).toMatchObject({ role: null, customRoleKeys: ['viewer-role'], inlinePolicy: null });
    const inline = await createToken(server, server.owner, {
      inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }, { effect: 'DENY', actions: ['*'], resources: ['proj/secret'] }],
    });
    expect(inline.token.inlinePolicy).toEqual([
      { effect: 'ALLOW', actions: ['viewProject'], notActions: null, resources: ['proj/*'], notResources: null },
      { effect: 'DENY', actions: ['*'], notActions: null, resources: ['proj/secret'], notResources: null },
    ]);
  });

  it('refuses an empty name, no scope or two scopes, an unknown custom role and an invalid policy (BAD_USER_INPUT naming the field)', async () => {
    const server = await setupServer();
    expectError(await createTokenRaw(server, server.owner, { name: '  ', role: 'READER' }), 'BAD_USER_INPUT', { field: 'name' });
    expectError(await createTokenRaw(server, server.owner, {}), 'BAD_USER_INPUT');
    expectError(await createTokenRaw(server, server.owner, { role: 'READER', customRoleKeys: ['x'] }), 'BAD_USER_INPUT', { field: 'customRoleKeys' });
    expectError(await createTokenRaw(server, server.owner, { customRoleKeys: ['nope'] }), 'BAD_USER_INPUT', { field: 'customRoleKeys' });
    expectError(await createTokenRaw(server, server.owner, { customRoleKeys: [] }), 'BAD_USER_INPUT', { field: 'customRoleKeys' });
    expectError(await createTokenRaw(server, server.owner, { inlinePolicy: [] }), 'BAD_USER_INPUT', { field: 'inlinePolicy' });
    const badSpecifier = await createTokenRaw(server, server.owner, {
      inlinePolicy: [
        { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] },
        { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/a:bogus/b'] },
      ],
    });
    expectError(badSpecifier, 'BAD_USER_INPUT', { field: 'inlinePolicy[1].resources[0]' });
    const both = await createTokenRaw(server, server.owner, { inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], notActions: ['x'], resources: ['proj/*'] }] });
    expectError(both, 'BAD_USER_INPUT');
    expect(both.body.errors?.[0]?.extensions?.field).toMatch(/^inlinePolicy\[0\]\./);
    const unknownAction = await createTokenRaw(server, server.owner, { inlinePolicy: [{ effect: 'ALLOW', actions: ['fly'], resources: ['proj/*'] }] });
    expectError(unknownAction, 'BAD_USER_INPUT', { field: 'inlinePolicy[0].actions[0]' });
    const statement = { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] };
    const huge = await createTokenRaw(server, server.owner, { inlinePolicy: Array.from({ length: 101 }, () => statement) });
    expectError(huge, 'BAD_USER_INPUT', { field: 'inlinePolicy' });
  });

  it('refuses an expiry in the past and an unsupported API version, and writes nothing', async () => {
    const server = await setupServer();
    const past = await createTokenRaw(server, server.owner, { role: 'READER', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expectError(past, 'BAD_USER_INPUT', { field: 'expiresAt' });
    const version = await createTokenRaw(server, server.owner, { role: 'READER', defaultApiVersion: 19990101 });
    expectError(version, 'BAD_USER_INPUT', { field: 'defaultApiVersion' });
    expect(await server.app.db.select().from(tokens)).toHaveLength(0);
  });

  it('needs a credential (HTTP 401 without one)', async () => {
    const server = await setupServer();
    const res = await createTokenRaw(server, '', { role: 'READER' });
    expect(res.status).toBe(401);
    expectError(res, 'UNAUTHENTICATED');
  });

  it('gives several tokens created in one request distinct ids', async () => {
    const server = await setupServer();
    const res = await server.gql<{ a: Issued; b: Issued }>(
      `mutation { a: createToken(input: { name: "a", role: READER }) { secret token { id } }
                  b: createToken(input: { name: "b", role: READER }) { secret token { id } } }`,
      {},
      { auth: server.owner },
    );
    expectOk(res);
    expect(res.body.data?.a.token.id).not.toBe(res.body.data?.b.token.id);
    await expectWorks(server, res.body.data?.a.secret ?? '');
    await expectWorks(server, res.body.data?.b.secret ?? '');
  });
});

describe('secrets are private', () => {
  // SQLite only: checkpoints the WAL to inspect the file
  itSqlite('the secret appears only in the create payload: never in token, tokens or the database file', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { name: 'private', role: 'READER' });
    const one = await server.gql(TOKEN, { id: token.id }, { auth: server.owner });
    const list = await server.gql(TOKENS, { showAll: true }, { auth: server.owner });
    const viewer = await server.gql(VIEWER, {}, { auth: secret });
    for (const res of [one, list, viewer]) {
      expectOk(res);
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(JSON.stringify(res.body)).not.toContain(secret.slice(4, -4));
    }
    // The schema has no field that could return it.
    const field = await server.gql(`query($id: ID!) { token(id: $id) { secret } }`, { id: token.id }, { auth: server.owner });
    expect(field.body.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
    sqliteOf(server.app).pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(server.app.config.dbPath);
    expect(file.includes(Buffer.from(secret))).toBe(false);
    expect(file.includes(Buffer.from(secret.slice(4, -6)))).toBe(false);
    const stored = await server.app.db.select().from(tokenSecrets).where(eq(tokenSecrets.tokenId, rawTokenId(token.id)));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.secretHash).not.toContain(secret);
  });

  it('never logs a secret', async () => {
    const server = await setupServer();
    const { secret } = await createToken(server, server.owner, { role: 'READER' });
    await server.gql(VIEWER, {}, { auth: secret });
    await server.gql('{ viewer { nope } }', {}, { auth: secret });
    expect(server.logs.join('\n')).not.toContain(secret);
  });
});

describe('reset', () => {
  it('without a grace period the old secret stops at once and the new one works', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { name: 'rotate', role: 'READER' });
    await expectWorks(server, secret); // the credential is now cached
    const res = await server.gql<{ resetToken: Issued }>(RESET, { input: { id: token.id } }, { auth: server.owner });
    expectOk(res);
    const reset = res.body.data?.resetToken;
    expect(reset?.secret).not.toBe(secret);
    expect(recognizeSecret(reset?.secret ?? '')).toBe('personal');
    expect(reset?.token.obscuredSecret).toBe(`lkp_…${reset?.secret.slice(-4)}`);
    await expect401(server, secret, /reset/);
    await expectWorks(server, reset?.secret ?? '');
  });

  it('with oldSecretExpiresAt both secrets work until then', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { role: 'READER' });
    const until = new Date(Date.now() + 60_000);
    const res = await server.gql<{ resetToken: Issued }>(RESET, { input: { id: token.id, oldSecretExpiresAt: until.toISOString() } }, { auth: server.owner });
    expectOk(res);
    await expectWorks(server, secret);
    await expectWorks(server, res.body.data?.resetToken.secret ?? '');
    // Once the grace period is over, the old secret is refused.
    const row = await server.app.db.select().from(tokenSecrets).where(eq(tokenSecrets.tokenId, rawTokenId(token.id)));
    expect(row.filter((r) => r.validUntil?.getTime() === until.getTime())).toHaveLength(1);
    await server.app.transaction((tx) => tx.update(tokenSecrets).set({ validUntil: new Date(Date.now() - 1) }).where(eq(tokenSecrets.validUntil, until)));
    server.app.caches.invalidate({ kind: 'token', tokenId: rawTokenId(token.id) });
    await expect401(server, secret, /reset/);
    await expectWorks(server, res.body.data?.resetToken.secret ?? '');
  });

  it('a second reset never extends an earlier grace period, and cuts it when immediate', async () => {
    const server = await setupServer();
    const first = await createToken(server, server.owner, { role: 'READER' });
    const second = await server.gql<{ resetToken: Issued }>(RESET, { input: { id: first.token.id, oldSecretExpiresAt: inTheFuture() } }, { auth: server.owner });
    await server.gql(RESET, { input: { id: first.token.id } }, { auth: server.owner });
    await expect401(server, first.secret, /reset/);
    await expect401(server, second.body.data?.resetToken.secret ?? '', /reset/);
  });

  it('refuses a grace period in the past', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { role: 'READER' });
    const res = await server.gql(RESET, { input: { id: token.id, oldSecretExpiresAt: new Date(Date.now() - 1000).toISOString() } }, { auth: server.owner });
    expectError(res, 'BAD_USER_INPUT', { field: 'oldSecretExpiresAt' });
    await expectWorks(server, secret);
  });

  it("only the owner resets a personal token (an admin's new secret would act as the owner); admins may reset service tokens", async () => {
    const server = await setupServer();
    const admin = await addMember(server, { role: 'admin' });
    const mine = await createToken(server, server.owner, { role: 'READER' });
    const byAdmin = await server.gql(RESET, { input: { id: mine.token.id } }, { auth: admin.session });
    expectError(byAdmin, 'FORBIDDEN', { action: 'resetAccessToken' });
    await expectWorks(server, mine.secret);
    const service = await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    expectOk(await server.gql(RESET, { input: { id: service.token.id } }, { auth: admin.session }));
    await expect401(server, service.secret, /reset/);
  });
});

describe('clone', () => {
  it('makes a new token with the same scope, kind and API version and a new secret', async () => {
    const server = await setupServer();
    const source = await createToken(server, server.owner, {
      name: 'orig',
      description: 'd',
      inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }],
      defaultApiVersion: API_VERSIONS[1],
    });
    const res = await server.gql<{ cloneToken: Issued }>(CLONE, { input: { id: source.token.id, name: 'copy' } }, { auth: server.owner });
    expectOk(res);
    const clone = res.body.data?.cloneToken;
    expect(clone?.token).toMatchObject({
      name: 'copy',
      description: 'd',
      kind: 'PERSONAL',
      inlinePolicy: source.token.inlinePolicy,
      defaultApiVersion: API_VERSIONS[1],
    });
    expect(clone?.token.id).not.toBe(source.token.id);
    expect(clone?.secret).not.toBe(source.secret);
    await expectWorks(server, clone?.secret ?? '');
    await expectWorks(server, source.secret);
    const service = await createToken(server, server.owner, { role: 'WRITER', serviceToken: true });
    const serviceClone = await server.gql<{ cloneToken: Issued }>(CLONE, { input: { id: service.token.id } }, { auth: server.owner });
    expect(serviceClone.body.data?.cloneToken.token).toMatchObject({ kind: 'SERVICE', role: 'WRITER', name: 'test token (copy)' });
    expect(recognizeSecret(serviceClone.body.data?.cloneToken.secret ?? '')).toBe('service');
  });

  it("a clone of someone else's token belongs to the member who clones", async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer' });
    const theirs = await createToken(server, writer.session, { role: 'WRITER' });
    const res = await server.gql<{ cloneToken: Issued }>(CLONE, { input: { id: theirs.token.id } }, { auth: server.owner });
    expectOk(res);
    expect(res.body.data?.cloneToken.token.owner?.email).toBe('owner@example.test');
  });
});

describe('update', () => {
  it('changes only the fields given', async () => {
    const server = await setupServer();
    const { token } = await createToken(server, server.owner, { name: 'n1', description: 'd1', role: 'READER' });
    const renamed = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, name: 'n2' } }, { auth: server.owner });
    expectOk(renamed);
    expect(renamed.body.data?.updateToken.token).toMatchObject({ name: 'n2', description: 'd1', role: 'READER' });
    const described = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, description: null } }, { auth: server.owner });
    expect(described.body.data?.updateToken.token).toMatchObject({ name: 'n2', description: null, role: 'READER' });
    const rescoped = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, role: 'WRITER' } }, { auth: server.owner });
    expect(rescoped.body.data?.updateToken.token).toMatchObject({ name: 'n2', role: 'WRITER' });
    expect(new Date(rescoped.body.data?.updateToken.token.updatedAt ?? 0).getTime()).toBeGreaterThanOrEqual(new Date(token.updatedAt).getTime());
  });

  it('replaces the scope: role → custom roles → inline policy', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'r1', policy: [{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }] });
    const { token } = await createToken(server, server.owner, { role: 'READER' });
    const toRoles = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, customRoleKeys: ['r1'] } }, { auth: server.owner });
    expect(toRoles.body.data?.updateToken.token).toMatchObject({ role: null, customRoleKeys: ['r1'], inlinePolicy: null });
    const toInline = await server.gql<{ updateToken: { token: TokenData } }>(
      UPDATE,
      { input: { id: token.id, inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/a'] }] } },
      { auth: server.owner },
    );
    expect(toInline.body.data?.updateToken.token).toMatchObject({ role: null, customRoleKeys: [], inlinePolicy: [{ effect: 'ALLOW', resources: ['proj/a'] }] });
  });

  it('refuses an empty name and two scopes at once', async () => {
    const server = await setupServer();
    const { token } = await createToken(server, server.owner, { role: 'READER' });
    expectError(await server.gql(UPDATE, { input: { id: token.id, name: '' } }, { auth: server.owner }), 'BAD_USER_INPUT', { field: 'name' });
    expectError(await server.gql(UPDATE, { input: { id: token.id, role: 'WRITER', customRoleKeys: ['a'] } }, { auth: server.owner }), 'BAD_USER_INPUT');
    const res = await server.gql<{ token: TokenData }>(TOKEN, { id: token.id }, { auth: server.owner });
    expect(res.body.data?.token.role).toBe('READER');
  });

  it("a service token's scope can never be edited (FORBIDDEN), even by the owner; its name can", async () => {
    const server = await setupServer();
    const { token, secret } = await createToken(server, server.owner, { role: 'READER', serviceToken: true });
    for (const change of [{ role: 'WRITER' }, { role: 'READER' }, { inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }] }]) {
      const res = await server.gql(UPDATE, { input: { id: token.id, ...change } }, { auth: server.owner });
      expectError(res, 'FORBIDDEN', { action: 'updateAccessTokenPolicy', resource: `service-token/${rawTokenId(token.id)}` });
      expect(res.body.errors?.[0]?.message).toMatch(/fixed at creation/);
    }
    const renamed = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, name: 'svc-renamed' } }, { auth: server.owner });
    expect(renamed.body.data?.updateToken.token).toMatchObject({ name: 'svc-renamed', role: 'READER' });
    await expectWorks(server, secret);
  });
});

describe('delete', () => {
  it('every later request with the token gets HTTP 401 at once, even when its credential was cached', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { name: 'doomed', role: 'READER' });
    await expectWorks(server, secret);
    const res = await server.gql<{ deleteToken: { deletedTokenId: string } }>(DELETE, { input: { id: token.id } }, { auth: server.owner });
    expectOk(res);
    expect(res.body.data?.deleteToken.deletedTokenId).toBe(token.id);
    await expect401(server, secret, /deleted/);
    expectError(await server.gql(TOKEN, { id: token.id }, { auth: server.owner }), 'NOT_FOUND');
    expectError(await server.gql(DELETE, { input: { id: token.id } }, { auth: server.owner }), 'NOT_FOUND');
    const list = await server.gql<{ tokens: { edges: unknown[] } }>(TOKENS, { showAll: true }, { auth: server.owner });
    expect(list.body.data?.tokens.edges).toHaveLength(0);
  });

  it('a token can delete itself', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { role: 'READER' });
    expectOk(await server.gql(DELETE, { input: { id: token.id } }, { auth: secret }));
    await expect401(server, secret, /deleted/);
  });
});

describe('expiry', () => {
  it('past its expiry a token gets 401 saying it expired, and shows inactive', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { role: 'READER', expiresAt: inTheFuture() });
    expect(token.active).toBe(true);
    await expectWorks(server, secret);
    await server.app.transaction((tx) => tx.update(tokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(tokens.id, rawTokenId(token.id))));
    server.app.caches.invalidate({ kind: 'token', tokenId: rawTokenId(token.id) });
    await expect401(server, secret, /expired/);
    const res = await server.gql<{ token: TokenData }>(TOKEN, { id: token.id }, { auth: server.owner });
    expect(res.body.data?.token.active).toBe(false);
  });

  it('the expiry can be set and cleared by update; it must be in the future', async () => {
    const server = await setupServer();
    const { token } = await createToken(server, server.owner, { role: 'READER' });
    const at = inTheFuture(86_400_000);
    const set = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, expiresAt: at } }, { auth: server.owner });
    expect(set.body.data?.updateToken.token.expiresAt).toBe(at);
    const cleared = await server.gql<{ updateToken: { token: TokenData } }>(UPDATE, { input: { id: token.id, expiresAt: null } }, { auth: server.owner });
    expect(cleared.body.data?.updateToken.token.expiresAt).toBeNull();
    const past = await server.gql(UPDATE, { input: { id: token.id, expiresAt: new Date(Date.now() - 1).toISOString() } }, { auth: server.owner });
    expectError(past, 'BAD_USER_INPUT', { field: 'expiresAt' });
  });
});

describe('API version', () => {
  it('defaults to the newest; a token default applies; the header overrides it; the version in effect is echoed', async () => {
    const server = await setupServer();
    const versions = await server.gql<{ apiVersions: number[] }>('{ apiVersions }');
    expect(versions.body.data?.apiVersions).toEqual([...API_VERSIONS]);
    const newest = await createToken(server, server.owner, { role: 'READER' });
    expect(newest.token.defaultApiVersion).toBe(LATEST_API_VERSION);
    const older = API_VERSIONS[1];
    const pinned = await createToken(server, server.owner, { role: 'READER', defaultApiVersion: older });
    expect(pinned.token.defaultApiVersion).toBe(older);
    const byDefault = await server.gql<{ viewer: { apiVersion: number } }>(VIEWER, {}, { auth: pinned.secret });
    expect(byDefault.body.data?.viewer.apiVersion).toBe(older);
    expect(byDefault.headers.get('latchkey-api-version')).toBe(String(older));
    const overridden = await server.gql<{ viewer: { apiVersion: number } }>(VIEWER, {}, {
      auth: pinned.secret,
      headers: { 'latchkey-api-version': String(LATEST_API_VERSION) },
    });
    expect(overridden.body.data?.viewer.apiVersion).toBe(LATEST_API_VERSION);
    expect(overridden.headers.get('latchkey-api-version')).toBe(String(LATEST_API_VERSION));
    const bad = await server.gql(VIEWER, {}, { auth: pinned.secret, headers: { 'latchkey-api-version': '1' } });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('last used', () => {
  it('is null until the token is used, then the date of its last request (before and after the flush)', async () => {
    const server = await setupServer();
    const { secret, token } = await createToken(server, server.owner, { role: 'READER' });
    expect(token.lastUsedAt).toBeNull();
    const before = Date.now();
    await expectWorks(server, secret);
    const pending = await server.gql<{ token: TokenData }>(TOKEN, { id: token.id }, { auth: server.owner });
    const pendingAt = new Date(pending.body.data?.token.lastUsedAt ?? 0).getTime();
    expect(pendingAt).toBeGreaterThanOrEqual(before);
    await server.app.lastUsed.flush();
    const stored = (await server.app.db.select().from(tokens).where(eq(tokens.id, rawTokenId(token.id))))[0];
    expect(stored?.lastUsedAt?.getTime()).toBe(pendingAt);
    const flushed = await server.gql<{ token: TokenData }>(TOKEN, { id: token.id }, { auth: server.owner });
    expect(flushed.body.data?.token.lastUsedAt).toBe(pending.body.data?.token.lastUsedAt);
  });

  it('many requests cause at most one write per token per flush (no write on the request path)', async () => {
    const server = await setupServer();
    const a = await createToken(server, server.owner, { role: 'READER' });
    const b = await createToken(server, server.owner, { role: 'READER' });
    await server.app.lastUsed.flush();
    const writes = server.app.lastUsed.writes;
    for (let i = 0; i < 10; i++) {
      await expectWorks(server, a.secret);
      await expectWorks(server, b.secret);
    }
    expect(server.app.lastUsed.writes).toBe(writes);
    await server.app.lastUsed.flush();
    expect(server.app.lastUsed.writes - writes).toBe(2);
  });

  // SQLite only: reopens the database file after the server closed it
  itSqlite('a pending date is written when the server shuts down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-last-used-'));
    const dbPath = join(dir, 'db.sqlite');
    try {
      const app = await createApp({ ...loadConfig({}), dbPath, ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4, lastUsedFlushMs: 60_000 }, silentLogger);
      await bootstrapOwner(app);
      const yoga = createLatchkeyYoga(app);
      const post = async (query: string, variables: Record<string, unknown>, auth?: string) => {
        const res = await yoga.fetch('http://latchkey.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        return (await res.json()) as { data: Record<string, { secret: string; token: { id: string } }> };
      };
      const session = (await post('mutation($i: LoginInput!) { login(input: $i) { secret } }', { i: { email: OWNER_EMAIL, password: OWNER_PASSWORD } })).data.login?.secret;
      const created = (await post('mutation { createToken(input: { name: "t", role: READER }) { secret token { id } } }', {}, session)).data.createToken;
      await post('{ viewer { credentialKind } }', {}, created?.secret);
      const id = rawTokenId(created?.token.id ?? '');
      expect((await app.db.select().from(tokens).where(eq(tokens.id, id)))[0]?.lastUsedAt).toBeNull();
      await app.close();
      const reopened = openDb(dbPath);
      expect((await reopened.db.select().from(tokens).where(eq(tokens.id, id)))[0]?.lastUsedAt).toBeInstanceOf(Date);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
