import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { silentLogger } from '../../src/logger.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from '../helpers.ts';
import { startHttpServer, type HttpServer } from './http.ts';
import { databaseEnv } from '../backend.ts';

/**
 * Issue 13 point 8 (changePassword, the operator's reset-password command, the lockout message)
 * and issue 12 point 6 (signUp throttled per address; sign-ups do not starve logins), over real HTTP.
 */

const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { secret } }';
const CHANGE = 'mutation($i: ChangePasswordInput!) { changePassword(input: $i) { member { email } } }';
const VIEWER = '{ viewer { member { email } } }';
const SERVER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function login(server: HttpServer, email: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: LOGIN, variables: { i: { email, password } } }),
  });
  const body = (await response.json()) as { data?: { login: { secret: string } | null }; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), secret: body.data?.login?.secret, error: body.errors?.[0] };
}

async function auditActions(server: HttpServer, action: string) {
  const res = await server.post<{ auditLog: { nodes: Array<{ action: string; title: string; changes: unknown }> } }>(
    '{ auditLog(first: 100) { nodes { action title changes { field before after } } } }',
    {},
    server.owner,
  );
  return (res.body.data?.auditLog.nodes ?? []).filter((e) => e.action === action);
}

describe('changePassword', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });

  it('changes the password, ends the other sessions (not this one), is audited, and the password is never logged', async () => {
    const other = (await login(server, OWNER_EMAIL, OWNER_PASSWORD)).secret ?? '';
    const current = (await login(server, OWNER_EMAIL, OWNER_PASSWORD)).secret ?? '';
    const res = await server.post(CHANGE, { i: { currentPassword: OWNER_PASSWORD, newPassword: 'a brand new passphrase' } }, current);
    expect(res.body).toEqual({ data: { changePassword: { member: { email: OWNER_EMAIL } } } });
    expect((await server.post(VIEWER, {}, current)).status).toBe(200);
    expect((await server.post(VIEWER, {}, other)).status).toBe(401);
    expect((await server.post(VIEWER, {}, server.owner)).status).toBe(401);
    expect((await login(server, OWNER_EMAIL, OWNER_PASSWORD)).error?.extensions?.code).toBe('UNAUTHENTICATED');
    const fresh = await login(server, OWNER_EMAIL, 'a brand new passphrase');
    expect(fresh.secret).toEqual(expect.any(String));
    server.owner = fresh.secret ?? '';
    const entries = await auditActions(server, 'changePassword');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toMatch(/brand new|correct horse/);
    expect(server.logs.join('\n')).not.toMatch(/brand new|correct horse/);
  });

  it('a wrong current password is BAD_USER_INPUT and changes nothing', async () => {
    const res = await server.post(CHANGE, { i: { currentPassword: 'not it at all', newPassword: 'another passphrase' } }, server.owner);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    expect((await login(server, OWNER_EMAIL, 'another passphrase')).secret).toBeUndefined();
  });

  it('a too short new password is BAD_USER_INPUT', async () => {
    const res = await server.post(CHANGE, { i: { currentPassword: 'a brand new passphrase', newPassword: 'short' } }, server.owner);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
  });

  it('never through an access token (FORBIDDEN), nor without a credential (UNAUTHENTICATED)', async () => {
    const token = await server.post<{ createToken: { secret: string } }>('mutation { createToken(input: { name: "t", role: OWNER }) { secret } }', {}, server.owner);
    const secret = token.body.data?.createToken.secret ?? '';
    const viaToken = await server.post(CHANGE, { i: { currentPassword: 'a brand new passphrase', newPassword: 'token chosen password' } }, secret);
    expect(viaToken.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', action: 'changePassword' });
    const anonymous = await server.post(CHANGE, { i: { currentPassword: 'a brand new passphrase', newPassword: 'token chosen password' } });
    expect(anonymous.status).toBe(401);
    expect((await login(server, OWNER_EMAIL, 'token chosen password')).secret).toBeUndefined();
  });
});

describe('the operator resets a password on the server host', () => {
  const run = (env: Record<string, string>, args: string[], input?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
      cwd: SERVER_DIR,
      env: { ...process.env, ...env, LATCHKEY_SCRYPT_LOG_N: '4' },
      input,
      encoding: 'utf8',
    });

  it('prints a generated password once, ends the member’s sessions, records it; the old password stops working', async () => {
    const server = await startHttpServer();
    const result = run(databaseEnv(server.app.config), ['reset-password', '--email', OWNER_EMAIL]);
    expect(result.status, result.stderr).toBe(0);
    const printed = /New password \(shown once\): (\S+)/.exec(result.stdout)?.[1];
    expect(printed).toEqual(expect.any(String));
    expect(result.stdout.match(new RegExp(printed ?? 'x', 'g'))).toHaveLength(1);
    // A fresh process on the same database (what a restart gives): the old session has ended.
    const restarted = await createApp({ ...server.app.config }, silentLogger);
    try {
      const { authenticate } = await import('../../src/auth/credentials.ts');
      await expect(authenticate(restarted, server.owner)).rejects.toThrow(/revoked/);
    } finally {
      await restarted.close();
    }
    expect((await login(server, OWNER_EMAIL, OWNER_PASSWORD)).secret).toBeUndefined();
    const fresh = await login(server, OWNER_EMAIL, printed ?? '');
    expect(fresh.secret).toEqual(expect.any(String));
    server.owner = fresh.secret ?? '';
    const entries = await auditActions(server, 'resetPassword');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(printed);
  });

  it('takes the password from stdin (or LATCHKEY_NEW_PASSWORD) and prints none', async () => {
    const server = await startHttpServer();
    const fromStdin = run(databaseEnv(server.app.config), ['reset-password', '--email', OWNER_EMAIL, '--password-stdin'], 'chosen on stdin\n');
    expect(fromStdin.status, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).not.toMatch(/New password|chosen on stdin/);
    expect((await login(server, OWNER_EMAIL, 'chosen on stdin')).secret).toEqual(expect.any(String));
    const fromEnv = run({ ...databaseEnv(server.app.config), LATCHKEY_NEW_PASSWORD: 'chosen in the env' }, ['reset-password', '--email', OWNER_EMAIL]);
    expect(fromEnv.status, fromEnv.stderr).toBe(0);
    expect((await login(server, OWNER_EMAIL, 'chosen in the env')).secret).toEqual(expect.any(String));
  });

  it('an unknown email is refused (exit 1) and changes nothing', async () => {
    const server = await startHttpServer();
    const result = run(databaseEnv(server.app.config), ['reset-password', '--email', 'nobody@example.test']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not found/);
    expect((await login(server, OWNER_EMAIL, OWNER_PASSWORD)).secret).toEqual(expect.any(String));
  });
});

describe('the login lockout', () => {
  it('says it is a lockout of that account and when it ends (429, Retry-After)', async () => {
    const server = await startHttpServer();
    for (let i = 0; i < 10; i++) expect((await login(server, OWNER_EMAIL, 'wrong guess')).status).toBe(401);
    const locked = await login(server, OWNER_EMAIL, OWNER_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.error?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(locked.error?.message).toMatch(/^Too many failed logins for this account: it is locked for 15 more minute\(s\) \(retry in \d+s\)/);
    const until = Date.parse(String(locked.error?.extensions?.lockedUntil));
    expect(until).toBeGreaterThan(Date.now());
    expect(until).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
  });
});

describe('signUp (LATCHKEY_SIGNUP=open)', () => {
  const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { secret } }';
  const signUp = (server: HttpServer, email: string, address?: string) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(address ? { 'x-forwarded-for': address } : {}) },
      body: JSON.stringify({ query: SIGN_UP, variables: { i: { accountName: 'A', email, name: 'N', password: 'long enough password' } } }),
    }).then(async (response) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> } }));

  it('is throttled per address like login (429, Retry-After), so a taken email cannot be tested again and again', async () => {
    const server = await startHttpServer({ signupOpen: true });
    const codes: unknown[] = [];
    for (let i = 0; i < 12; i++) codes.push((await signUp(server, OWNER_EMAIL)).body.errors?.[0]?.extensions?.code);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('CONFLICT'));
    expect(codes.slice(10)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    const refused = await signUp(server, 'new-person@example.test');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });

  it('many sign-ups at once do not starve a login: it is answered before most of them', async () => {
    // A real scrypt cost, sign-ups from 24 addresses (behind a proxy) so none is throttled.
    const server = await startHttpServer({ signupOpen: true, trustProxy: true, scryptLogN: 14 });
    let signUpsDone = 0;
    const signUps = Array.from({ length: 24 }, (_, i) =>
      signUp(server, `burst-${i}@example.test`, `10.0.0.${i + 1}`).then((r) => {
        signUpsDone++;
        return r;
      }),
    );
    const loggedIn = await login(server, OWNER_EMAIL, OWNER_PASSWORD, { 'x-forwarded-for': '10.9.9.9' });
    const doneWhenLoggedIn = signUpsDone;
    expect(loggedIn.secret).toEqual(expect.any(String));
    const results = await Promise.all(signUps);
    expect(results.every((r) => r.body.errors === undefined)).toBe(true);
    expect(doneWhenLoggedIn).toBeLessThan(signUps.length / 2);
  });
});
