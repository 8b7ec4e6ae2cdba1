import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, LatchkeyError, type Latchkey } from '@latchkey/sdk';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { bootstrapOwner } from '../src/services/accounts.ts';
import { testDatabaseConfig } from './backend.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from './helpers.ts';

/** docs/least-privilege.md, run through the SDK against a real HTTP server. */
describe('SDK: the least-privilege walk-through', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-lp-'));
  let running: RunningServer;
  let drop = async (): Promise<void> => undefined;
  let admin: Latchkey;

  beforeAll(async () => {
    const database = await testDatabaseConfig(dir);
    drop = database.drop;
    const app = await createApp(
      { ...loadConfig({}), ...database.config, ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4 },
      silentLogger,
    );
    await bootstrapOwner(app);
    running = await startServer(app, 0, '127.0.0.1');
    const { secret } = await createClient({ url: running.url }).login({ email: OWNER_EMAIL, password: OWNER_PASSWORD });
    admin = createClient({ url: running.url, token: secret });
  });
  afterAll(async () => {
    await running.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a CI token toggles flags in test and is refused in production', async () => {
    const project = await admin.createProject({ key: 'web', name: 'Web shop', tags: ['frontend'] });
    expect(project.environments.map((e) => e.key)).toEqual(['production', 'test']);
    await admin.createFlag({ projectKey: 'web', key: 'new-checkout', name: 'New checkout' });

    const { token, secret } = await admin.createToken({
      name: 'ci: toggle flags outside production',
      inlinePolicy: [
        { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] },
        { effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/*:env/*:flag/*'] },
        { effect: 'DENY', actions: ['*'], resources: ['proj/*:env/production:flag/*'] },
      ],
    });

    const test = await admin.checkAccess({ action: 'updateOn', resource: 'proj/web:env/test:flag/new-checkout', tokenId: token.id });
    expect(test.allowed).toBe(true);
    const prod = await admin.checkAccess({ action: 'updateOn', resource: 'proj/web:env/production:flag/new-checkout', tokenId: token.id });
    expect(prod).toMatchObject({ allowed: false, refusedBy: 'TOKEN', statements: [{ source: 'inline', index: 2, effect: 'DENY' }] });

    const ci = admin.withToken(secret);
    const flag = await ci.setFlagOn({ projectKey: 'web', environmentKey: 'test', flagKey: 'new-checkout', on: true });
    expect(flag.on).toBe(true);
    const refused = await ci.setFlagOn({ projectKey: 'web', environmentKey: 'production', flagKey: 'new-checkout', on: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LatchkeyError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', details: { action: 'updateOn', resource: 'proj/web:env/production:flag/new-checkout' } });
    const deleted = await ci.deleteFlag({ projectKey: 'web', flagKey: 'new-checkout' }).catch((e: unknown) => e);
    expect(deleted).toMatchObject({ code: 'FORBIDDEN' });

    const states = await admin.flagStates('web', 'production');
    expect(states.map((f) => [f.key, f.on])).toEqual([['new-checkout', false]]);
  });

  it('the custom-role variant: one role per project through role attributes', async () => {
    await admin.createProject({ key: 'api', name: 'API' });
    await admin.createFlag({ projectKey: 'api', key: 'rate-limit', name: 'Rate limit' });
    await admin.createRole({
      key: 'ci-non-prod',
      name: 'CI outside production',
      basePermissions: 'NO_ACCESS',
      policy: [
        { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/${roleAttribute/projectKey}'] },
        { effect: 'ALLOW', actions: ['updateOn'], resources: ['proj/${roleAttribute/projectKey}:env/*:flag/*'] },
        { effect: 'DENY', actions: ['*'], resources: ['proj/*:env/production:flag/*'] },
      ],
    });
    const { inviteCode, member } = await admin.inviteMember({ email: 'ci-bot@example.test', name: 'CI bot', role: 'READER' });
    await admin.updateMember({ id: member.id, customRoleKeys: ['ci-non-prod'], roleAttributes: [{ key: 'projectKey', values: ['api'] }] });
    const { secret: botSession } = await createClient({ url: running.url }).acceptInvite({ inviteCode, name: 'CI bot', password: 'a long password' });
    const bot = admin.withToken(botSession);
    const { secret } = await bot.createToken({ name: 'ci', customRoleKeys: ['ci-non-prod'] });
    const ci = admin.withToken(secret);

    expect((await ci.setFlagOn({ projectKey: 'api', environmentKey: 'test', flagKey: 'rate-limit', on: true })).on).toBe(true);
    await expect(ci.setFlagOn({ projectKey: 'api', environmentKey: 'production', flagKey: 'rate-limit', on: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(ci.setFlagOn({ projectKey: 'web', environmentKey: 'test', flagKey: 'new-checkout', on: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const role = await admin.role('ci-non-prod');
    expect(role?.policy).toHaveLength(3);
    const bots = await admin.memberAccess(member.id);
    expect(bots?.customRoles.map((r) => r.key)).toEqual(['ci-non-prod']);
  });
});
