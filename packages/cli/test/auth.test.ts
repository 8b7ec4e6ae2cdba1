import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, latchkey, tempDir, wellFormedSecret } from './run.ts';
import { OWNER_EMAIL, OWNER_PASSWORD, useServer } from './server.ts';

const server = useServer();

describe('login, whoami, logout', { timeout: 60_000 }, () => {
  // Through the real bin (tsx), as users run it.
  it('stores the session in a 0600 file, uses it, then revokes and removes it', async () => {
    const config = join(tempDir(), 'nested', 'config.json');
    const env = { LATCHKEY_CONFIG: config };

    const loggedIn = await latchkey(['login', '--url', server.url, '--email', OWNER_EMAIL, '--password-stdin'], { env, input: `${OWNER_PASSWORD}\n`, bin: 'tsx' });
    expect(loggedIn.stderr).toBe('');
    expect(loggedIn.code).toBe(0);
    expect(loggedIn.stdout).toContain(`Logged in to ${server.url} as ${OWNER_EMAIL} (OWNER)`);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, '..')).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(config, 'utf8')) as { url: string; token: string; email: string };
    expect(stored).toEqual({ url: server.url, token: expect.stringMatching(/^lku_/), email: OWNER_EMAIL });
    expect(loggedIn.stdout).not.toContain(stored.token);

    // No LATCHKEY_URL or LATCHKEY_TOKEN: the stored URL and session are used.
    const whoami = await latchkey(['whoami', '--json'], { env, bin: 'tsx' });
    expect(whoami.code).toBe(0);
    expect(json(whoami)).toEqual({
      url: server.url,
      credentialKind: 'SESSION',
      apiVersion: expect.any(Number),
      member: { id: expect.any(String), email: OWNER_EMAIL, name: expect.any(String), role: 'OWNER', status: 'ACTIVE', roleAttributes: [], createdAt: expect.any(String) },
      token: null,
    });

    // The stored session is never sent to another server.
    const elsewhere = await latchkey(['whoami'], { env: { ...env, LATCHKEY_URL: 'http://127.0.0.1:9/graphql' } });
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toBe('UNAUTHENTICATED: no credential for http://127.0.0.1:9/graphql: run `latchkey login` or set LATCHKEY_TOKEN\n');

    const loggedOut = await latchkey(['logout'], { env, bin: 'tsx' });
    expect(loggedOut.code).toBe(0);
    expect(loggedOut.stdout).toContain(`Logged out of ${server.url}`);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ url: server.url });

    // Revoked on the server, not just forgotten locally.
    const revoked = await latchkey(['whoami'], { env: server.env(stored.token) });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/^UNAUTHENTICATED: /);
  });

  it('finds the config under XDG_CONFIG_HOME; a second login revokes the session it replaces', async () => {
    const xdg = tempDir();
    const env = { XDG_CONFIG_HOME: xdg, LATCHKEY_URL: server.url };
    const config = join(xdg, 'latchkey', 'config.json');
    expect((await latchkey(['login', '--email', OWNER_EMAIL, '--password-stdin'], { env, input: OWNER_PASSWORD })).code).toBe(0);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const first = (JSON.parse(readFileSync(config, 'utf8')) as { token: string }).token;

    const second = await latchkey(['login', '--json', '--email', OWNER_EMAIL, '--password-stdin'], { env, input: OWNER_PASSWORD });
    expect(json(second)).toEqual({ url: server.url, member: expect.objectContaining({ email: OWNER_EMAIL, role: 'OWNER' }), configPath: config });
    expect((await latchkey(['whoami'], { env: server.env(first) })).code).toBe(3);

    const logout = await latchkey(['logout', '--json'], { env });
    expect(json(logout)).toEqual({ loggedOut: true, url: server.url });
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

  it('an unknown token exits 3', async () => {
    const bad = await latchkey(['whoami'], { env: server.env(wellFormedSecret()) });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^UNAUTHENTICATED: /);
    expect(bad.stdout).toBe('');
  });

  it('whoami prints details for a person; piped, as label<TAB>value', async () => {
    const result = await latchkey(['whoami'], { env: server.env(server.owner) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`email\t${OWNER_EMAIL}\n`);
    expect(result.stdout).toContain('role\towner\n');
    expect(result.stdout).toContain('credential\tsession\n');
  });
});

describe('usage', { timeout: 60_000 }, () => {
  it('--help exits 0; unknown options and a missing command exit 2 with USAGE on stderr', async () => {
    const help = await latchkey(['--help'], { bin: 'tsx' });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: latchkey');
    for (const command of ['login', 'logout', 'whoami', 'scan', 'tokens', 'roles', 'members', 'check', 'audit']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const option = await latchkey(['whoami', '--frob'], { bin: 'tsx' });
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^USAGE: unknown option '--frob'/);
    const nothing = await latchkey([], { bin: 'tsx' });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Usage: latchkey');
  });
});
