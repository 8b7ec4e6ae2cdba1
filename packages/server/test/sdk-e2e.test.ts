import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdkModule from '@latchkey/sdk';
import { createClient, createToken, LatchkeyError, operations, viewer } from '@latchkey/sdk';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { bootstrapOwner } from '../src/services/accounts.ts';
import { testDatabaseConfig } from './backend.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from './helpers.ts';

/** The SDK against a real HTTP server on a random port. */
describe('SDK end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  let running: RunningServer;
  let drop = async (): Promise<void> => undefined;

  beforeAll(async () => {
    const database = await testDatabaseConfig(dir);
    drop = database.drop;
    const app = await createApp(
      { ...loadConfig({}), ...database.config, ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4 },
      silentLogger,
    );
    await bootstrapOwner(app);
    running = await startServer(app, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await running.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in and reads the viewer', async () => {
    const anonymous = createClient({ url: running.url });
    const { secret, member } = await anonymous.login({ email: OWNER_EMAIL, password: OWNER_PASSWORD });
    expect(member.role).toBe('OWNER');
    const lk = anonymous.withToken(secret);
    const viewer = await lk.viewer();
    expect(viewer.member.email).toBe(OWNER_EMAIL);
    expect(viewer.credentialKind).toBe('SESSION');
    const members = await lk.members({ first: 5 });
    expect(members.edges.map((e) => e.node.email)).toEqual([OWNER_EMAIL]);
  });

  it('throws a LatchkeyError with the code for a wrong secret (HTTP 401)', async () => {
    const lk = createClient({ url: running.url, token: 'lku_notarealsecret' });
    const error = await lk.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('exports every operation as a standalone function taking the client first', async () => {
    for (const name of Object.keys(operations)) {
      expect(typeof (sdkModule as Record<string, unknown>)[name], name).toBe('function');
    }
    const owner = createClient({ url: running.url }).withToken(
      (await createClient({ url: running.url }).login({ email: OWNER_EMAIL, password: OWNER_PASSWORD })).secret,
    );
    const { secret, token } = await createToken(owner, { name: 'standalone', role: 'READER' });
    expect(token.name).toBe('standalone');
    const seen = await viewer(createClient({ url: running.url, token: secret }));
    expect(seen.credentialKind).toBe('PERSONAL');
  });

  it('throws UNAUTHENTICATED for a wrong password', async () => {
    const lk = createClient({ url: running.url });
    await expect(lk.login({ email: OWNER_EMAIL, password: 'wrong password' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
