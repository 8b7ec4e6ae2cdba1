import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpGql, startServerProcess } from './security/server-process.ts';

/** `pnpm start` behaviour, through the real entry point (src/main.ts) as a child process. */
describe('first run and restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-first-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { LATCHKEY_DB: join(dir, 'latchkey.db'), LATCHKEY_SCRYPT_LOG_N: '4', LATCHKEY_OWNER_PASSWORD: '', LATCHKEY_OWNER_EMAIL: 'first@example.test' };

  it('creates the owner once with a password printed once; a restart creates nothing and prints no secret; SIGTERM stops cleanly', async () => {
    const first = await startServerProcess(env);
    const printed = /Owner password \(shown once\): (\S+)/.exec(first.output())?.[1];
    expect(first.output()).toContain('Created the first account and its owner: first@example.test');
    expect(printed).toBeDefined();
    const login = await httpGql<{ login: { secret: string } }>(first.url, 'mutation($i: LoginInput!) { login(input: $i) { secret } }', {
      i: { email: 'first@example.test', password: printed },
    });
    expect(login.data?.login.secret).toMatch(/^lku_/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('SIGTERM received');

    const second = await startServerProcess(env);
    expect(second.output()).not.toContain('Created the first account');
    expect(second.output()).not.toMatch(/password/i);
    expect(second.output()).not.toContain(printed ?? 'unreachable');
    // The same owner and password still work after the restart: nothing was recreated.
    const again = await httpGql<{ login: { secret: string } }>(second.url, 'mutation($i: LoginInput!) { login(input: $i) { secret } }', {
      i: { email: 'first@example.test', password: printed },
    });
    expect(again.data?.login.secret).toMatch(/^lku_/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
