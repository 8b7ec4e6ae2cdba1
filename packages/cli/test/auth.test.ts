import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, latchkey, tempDir } from './run.ts';
import { login, OWNER_EMAIL, OWNER_PASSWORD, useServer } from './server.ts';

const server = useServer();

describe('login, whoami, logout', () => {
  it('stores the session in a 0600 file, uses it, then revokes and removes it', async () => {
    const config = join(tempDir(), 'nested', 'config.json');
    const env = { LATCHKEY_CONFIG: config };

    const loggedIn = await latchkey(['login', '--url', server.url, '--email', OWNER_EMAIL, '--password-stdin'], { env, input: `${OWNER_PASSWORD}\n` });
    expect(loggedIn.stderr).toBe('');
    expect(loggedIn.code).toBe(0);
    expect(loggedIn.stdout).toContain(`Logged in to ${server.url} as ${OWNER_EMAIL} (OWNER)`);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, '..')).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(config, 'utf8')) as { url: string; token: string; email: string };
    expect(stored).toEqual({ url: server.url, token: expect.stringMatching(/^lku_/), email: OWNER_EMAIL });
    expect(loggedIn.stdout).not.toContain(stored.token);

    // No LATCHKEY_URL or LATCHKEY_TOKEN: the stored URL and session are used.
    const whoami = await latchkey(['whoami', '--json'], { env });
    expect(whoami.code).toBe(0);
    expect(json(whoami)).toEqual({
      url: server.url,
      credentialKind: 'SESSION',
      apiVersion: expect.any(Number),
      member: { id: expect.any(String), email: OWNER_EMAIL, name: expect.any(String), role: 'OWNER', status: 'ACTIVE' },
    });

    // The stored session is never sent to another server.
    const elsewhere = await latchkey(['whoami'], { env: { ...env, LATCHKEY_URL: 'http://127.0.0.1:9/graphql' } });
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toMatch(/^UNAUTHENTICATED: no credential for http:\/\/127\.0\.0\.1:9\/graphql/);

    const loggedOut = await latchkey(['logout'], { env });
    expect(loggedOut.code).toBe(0);
    expect(loggedOut.stdout).toContain(`Logged out of ${server.url}`);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ url: server.url });

    // Revoked on the server, not just forgotten locally.
    const revoked = await latchkey(['whoami'], { env: server.env(stored.token) });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/^UNAUTHENTICATED: /);
    const afterwards = await latchkey(['whoami'], { env });
    expect(afterwards.code).toBe(3);
  });

  it('a second login revokes the session it replaces', async () => {
    const config = join(tempDir(), 'config.json');
    const env = { LATCHKEY_CONFIG: config, LATCHKEY_URL: server.url };
    const first = await latchkey(['login', '--email', OWNER_EMAIL, '--password-stdin'], { env, input: OWNER_PASSWORD });
    expect(first.code).toBe(0);
    const firstSecret = (JSON.parse(readFileSync(config, 'utf8')) as { token: string }).token;
    const second = await latchkey(['login', '--json', '--email', OWNER_EMAIL, '--password-stdin'], { env, input: OWNER_PASSWORD });
    expect(json(second)).toMatchObject({ url: server.url, member: { email: OWNER_EMAIL, role: 'OWNER' }, configPath: config });
    const revoked = await latchkey(['whoami'], { env: server.env(firstSecret) });
    expect(revoked.code).toBe(3);
  });

  it('refuses a wrong password with exit 3 and stores nothing', async () => {
    const config = join(tempDir(), 'config.json');
    const result = await latchkey(['login', '--url', server.url, '--email', OWNER_EMAIL, '--password-stdin'], { env: { LATCHKEY_CONFIG: config }, input: 'wrong password' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^UNAUTHENTICATED: /);
    expect(() => statSync(config)).toThrow();
  });

  it('will not prompt without a terminal: exit 2 with the flag to use', async () => {
    const result = await latchkey(['login', '--url', server.url, '--email', OWNER_EMAIL], { env: { LATCHKEY_CONFIG: join(tempDir(), 'c.json') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^USAGE: stdin is not a terminal: pass --password-stdin/);
  });

  it('whoami with an unknown token exits 3; with no credential at all, too', async () => {
    const bad = await latchkey(['whoami'], { env: server.env('lkp_notarealtoken') });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^UNAUTHENTICATED: /);
    const none = await latchkey(['whoami'], { env: server.env() });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('run `latchkey login` or set LATCHKEY_TOKEN');
  });

  it('whoami prints aligned details for a person', async () => {
    const result = await latchkey(['whoami'], { env: server.env(server.owner) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`email\t${OWNER_EMAIL}\n`);
    expect(result.stdout).toContain('credential\tsession\n');
  });

  it('reads the config from XDG_CONFIG_HOME when LATCHKEY_CONFIG is unset', async () => {
    const xdg = tempDir();
    const result = await latchkey(['login', '--url', server.url, '--email', OWNER_EMAIL, '--password-stdin'], { env: { XDG_CONFIG_HOME: xdg }, input: OWNER_PASSWORD });
    expect(result.code).toBe(0);
    expect(statSync(join(xdg, 'latchkey', 'config.json')).mode & 0o777).toBe(0o600);
    const logout = await latchkey(['logout', '--json'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(json(logout)).toEqual({ loggedOut: true, url: server.url });
  });
});

describe('usage', () => {
  it('--help exits 0; unknown commands and options exit 2 with USAGE on stderr', async () => {
    const help = await latchkey(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: latchkey');
    const unknown = await latchkey(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^USAGE: unknown command 'frobnicate'/);
    const option = await latchkey(['whoami', '--frob']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^USAGE: unknown option '--frob'/);
    const nothing = await latchkey([]);
    expect(nothing.code).toBe(2);
  });

  it('the session helper logs in (sanity check of the fixture)', async () => {
    expect(await login(server.url, OWNER_EMAIL, OWNER_PASSWORD)).toMatch(/^lku_/);
  });
});
