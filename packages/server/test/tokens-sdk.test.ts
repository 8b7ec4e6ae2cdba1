import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, LatchkeyError, recognizeSecret, type Latchkey } from '@latchkey/sdk';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { bootstrapOwner } from '../src/services/accounts.ts';
import { testDatabaseConfig } from './backend.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from './helpers.ts';

/** The README's example, through the typed SDK against a real HTTP server: create a reader token, use it, reset it, delete it. */
describe('tokens through the SDK', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-tokens-sdk-'));
  let running: RunningServer;
  let drop = async (): Promise<void> => undefined;
  let lk: Latchkey;

  beforeAll(async () => {
    const database = await testDatabaseConfig(dir);
    drop = database.drop;
    const app = await createApp(
      { ...loadConfig({}), ...database.config, ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4, lastUsedFlushMs: 0 },
      silentLogger,
    );
    await bootstrapOwner(app);
    running = await startServer(app, 0, '127.0.0.1');
    const { secret } = await createClient({ url: running.url }).login({ email: OWNER_EMAIL, password: OWNER_PASSWORD });
    lk = createClient({ url: running.url, token: secret });
  });
  afterAll(async () => {
    await running.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create a reader token, use it, reset it, delete it', async () => {
    const { token, secret } = await lk.createToken({ name: 'ci-reader', role: 'READER' });
    expect(recognizeSecret(secret)).toBe('personal');
    expect(token).toMatchObject({ name: 'ci-reader', kind: 'PERSONAL', role: 'READER', active: true });

    const asToken = lk.withToken(secret);
    expect((await asToken.viewer()).credentialKind).toBe('PERSONAL');
    expect((await asToken.viewerToken())?.id).toBe(token.id);

    const listed = await lk.tokens({ first: 10 });
    expect(listed.edges.map((e) => e.node.id)).toContain(token.id);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await lk.token(token.id))?.lastUsedAt).not.toBeNull();

    const reset = await lk.resetToken({ id: token.id });
    expect(reset.secret).not.toBe(secret);
    await expect(asToken.viewer()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    const rotated = lk.withToken(reset.secret);
    expect((await rotated.viewer()).credentialKind).toBe('PERSONAL');

    const renamed = await lk.updateToken({ id: token.id, name: 'ci-reader-2' });
    expect(renamed.name).toBe('ci-reader-2');
    const clone = await lk.cloneToken({ id: token.id });
    expect(clone.token.role).toBe('READER');

    expect(await lk.deleteToken({ id: token.id })).toBe(token.id);
    const error = await rotated.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect((error as Error).message).toMatch(/deleted/);
  });

  it('throws typed errors carrying the code and the exceeding action', async () => {
    await expect(lk.createToken({ name: '', role: 'READER' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'name' } });
    const { secret } = await lk.createToken({ name: 'reader', role: 'READER' });
    const reader = lk.withToken(secret);
    await expect(
      reader.createToken({ name: 'too much', inlinePolicy: [{ effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/*:env/*:flag/*'] }] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', details: { action: 'updateOn', resource: 'proj/*:env/*:flag/*' } });
    await expect(lk.token('VG9rZW46bm9wZQ==')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the API version: pinned per client, echoed by the server', async () => {
    const versions = await lk.apiVersions();
    const older = versions[versions.length - 1] ?? 0;
    const { secret, token } = await lk.createToken({ name: 'pinned', role: 'READER', defaultApiVersion: older });
    expect(token.defaultApiVersion).toBe(older);
    expect((await lk.withToken(secret).viewer()).apiVersion).toBe(older);
    const newest = createClient({ url: running.url, token: secret, apiVersion: versions[0] });
    expect((await newest.viewer()).apiVersion).toBe(versions[0]);
  });
});
