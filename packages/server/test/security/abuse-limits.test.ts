import { eq } from 'drizzle-orm';
import { members } from '../../src/db/tables.ts';
import { describe, expect, it, vi } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { createLimiters, DEFAULT_LIMITS, type Limiters } from '../../src/services/limits.ts';
import { addMember, MEMBER_PASSWORD, OWNER_EMAIL, OWNER_PASSWORD, setupServer, type GqlResponse, type TestServer } from '../helpers.ts';
import { createToken } from '../tokens-fixtures.ts';

/**
 * Unrestricted resource consumption and credential stuffing (OWASP API4, API2): failed logins are
 * throttled per account and per client address, bad credentials per address, requests per token
 * (optional); past a limit the answer is HTTP 429 RATE_LIMITED with Retry-After.
 */

// Every password verification the server makes, with the hash it verified against.
const verified = vi.hoisted(() => ({ hashes: [] as string[] }));
vi.mock('../../src/auth/passwords.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/passwords.ts')>();
  return {
    ...original,
    verifyPassword: async (password: string, stored: string) => {
      verified.hashes.push(stored);
      return original.verifyPassword(password, stored);
    },
  };
});

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { secret } }';
const VIEWER = '{ viewer { member { id } } }';

function login(server: TestServer, email: string, password: string, address?: string): Promise<GqlResponse> {
  // Behind a proxy the address is the last X-Forwarded-For entry (see the address tests).
  const headers: Record<string, string> = address ? { 'x-forwarded-for': address } : {};
  return server.gql(LOGIN, { input: { email, password } }, { headers });
}

function expectRateLimited(res: GqlResponse, maxSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(res.body.data?.login ?? null).toBeNull();
}

const codes = (responses: GqlResponse[]) => responses.map((r) => `${r.status} ${String(r.body.errors?.[0]?.extensions?.code ?? 'ok')}`);

describe('login throttling per account', () => {
  it(`after ${DEFAULT_LIMITS.loginFailuresPerAccount} failures in 15 minutes the account answers 429 with Retry-After, even to the right password; other accounts are unaffected`, async () => {
    expect(DEFAULT_LIMITS.loginFailuresPerAccount).toBeLessThanOrEqual(10);
    const server = await setupServer({ trustProxy: true });
    const other = await addMember(server, { role: 'reader' });
    const failures: GqlResponse[] = [];
    // Each attempt from a different address: this is the per-account limit, not the per-address one.
    for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerAccount; i++) failures.push(await login(server, OWNER_EMAIL, `wrong ${i}`, `10.0.0.${i}`));
    expect(codes(failures)).toEqual(failures.map(() => '401 UNAUTHENTICATED'));
    expectRateLimited(await login(server, OWNER_EMAIL, 'wrong again', '10.0.1.1'), 15 * 60);
    // The right password is refused too while the account is locked; case does not make a new account.
    expectRateLimited(await login(server, OWNER_EMAIL, OWNER_PASSWORD, '10.0.1.2'), 15 * 60);
    expectRateLimited(await login(server, OWNER_EMAIL.toUpperCase(), OWNER_PASSWORD, '10.0.1.3'), 15 * 60);
    expect(await server.login(other.email, MEMBER_PASSWORD)).toMatch(/^lku_/);
  });

  it('a successful login starts the count afresh', async () => {
    const server = await setupServer();
    const member = await addMember(server, { role: 'reader' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerAccount - 1; i++) {
        expect((await login(server, member.email, 'wrong')).status).toBe(401);
      }
      expect(await server.login(member.email, MEMBER_PASSWORD)).toMatch(/^lku_/);
    }
  });

  it('an unknown email is throttled exactly like a known one (same answers, same count)', async () => {
    const server = await setupServer();
    const known: GqlResponse[] = [];
    const unknown: GqlResponse[] = [];
    for (let i = 0; i <= DEFAULT_LIMITS.loginFailuresPerAccount; i++) {
      known.push(await login(server, OWNER_EMAIL, 'wrong'));
      unknown.push(await login(server, 'nobody@example.test', 'wrong'));
    }
    expect(codes(unknown)).toEqual(codes(known));
    expect(unknown.map((r) => r.body.errors?.[0]?.message)).toEqual(known.map((r) => r.body.errors?.[0]?.message));
    expect(codes(known).at(-1)).toBe('429 RATE_LIMITED');
  });

  it('concurrent guesses cannot outrun the limit: at most the limit is verified, the rest is 429', async () => {
    // A slower hash widens the window in which parallel attempts are in flight.
    const server = await setupServer({ scryptLogN: 12, trustProxy: true });
    const attempts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(server, OWNER_EMAIL, `guess ${i}`, `10.1.0.${i}`)),
    );
    const counted = codes(attempts);
    expect(counted.filter((c) => c === '401 UNAUTHENTICATED')).toHaveLength(DEFAULT_LIMITS.loginFailuresPerAccount);
    expect(counted.filter((c) => c === '429 RATE_LIMITED')).toHaveLength(30 - DEFAULT_LIMITS.loginFailuresPerAccount);
  });
});

describe('login throttling per client address', () => {
  it(`after ${DEFAULT_LIMITS.loginFailuresPerAddress} failures from one address, that address is refused for every account; other addresses are not`, async () => {
    const server = await setupServer({ trustProxy: true });
    for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerAddress; i++) {
      expect((await login(server, `spray-${i}@example.test`, 'Winter2024!', '203.0.113.7')).status).toBe(401);
    }
    expectRateLimited(await login(server, 'spray-next@example.test', 'Winter2024!', '203.0.113.7'), 15 * 60);
    expectRateLimited(await login(server, OWNER_EMAIL, OWNER_PASSWORD, '203.0.113.7'), 15 * 60);
    expect((await login(server, OWNER_EMAIL, OWNER_PASSWORD, '203.0.113.8')).status).toBe(200);
  });

  it('behind a proxy the address is the last X-Forwarded-For entry: a client rotating the first entry is still one address', async () => {
    const server = await setupServer({ trustProxy: true });
    for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerAddress; i++) {
      // The client sends a made-up X-Forwarded-For; the proxy appends the address it saw.
      expect((await login(server, `spray-${i}@example.test`, 'pw', `198.51.100.${i}, 203.0.113.9`)).status).toBe(401);
    }
    expectRateLimited(await login(server, 'spray-last@example.test', 'pw', '198.51.100.250, 203.0.113.9'), 15 * 60);
  });

  it('without LATCHKEY_TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const server = await setupServer();
    for (let i = 0; i < DEFAULT_LIMITS.loginFailuresPerAddress; i++) {
      expect((await login(server, `spray-${i}@example.test`, 'pw', `198.51.100.${i}`)).status).toBe(401);
    }
    expectRateLimited(await login(server, 'spray-last@example.test', 'pw', '198.51.100.251'), 15 * 60);
  });
});

describe('bad credentials and the per-token rate', () => {
  it(`after ${DEFAULT_LIMITS.badCredentialsPerAddress} bad credentials in a minute an address gets 429 with Retry-After for the next ones; good credentials keep working`, async () => {
    const server = await setupServer();
    const results: number[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.badCredentialsPerAddress; i++) {
      results.push((await server.gql(VIEWER, {}, { auth: i % 2 ? 'nonsense' : `lkp_${'x'.repeat(38)}` })).status);
    }
    expect(new Set(results)).toEqual(new Set([401]));
    const refused = await server.gql(VIEWER, {}, { auth: 'nonsense' });
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Good credentials are not counted and keep working.
    expect((await server.gql(VIEWER, {}, { auth: server.owner })).status).toBe(200);
  });

  it('with LATCHKEY_TOKEN_RATE_LIMIT each token gets that many requests a minute, then 429; other tokens and sessions are unaffected', async () => {
    const server = await setupServer({ tokenRateLimitPerMinute: 3 });
    const first = await createToken(server, server.owner, { role: 'READER' });
    const second = await createToken(server, server.owner, { role: 'READER' });
    for (let i = 0; i < 3; i++) expect((await server.gql(VIEWER, {}, { auth: first.secret })).status).toBe(200);
    const refused = await server.gql(VIEWER, {}, { auth: first.secret });
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await server.gql(VIEWER, {}, { auth: second.secret })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await server.gql(VIEWER, {}, { auth: server.owner })).status).toBe(200);
  });

  it('the per-token rate is off by default', async () => {
    const server = await setupServer();
    expect(server.app.config.tokenRateLimitPerMinute).toBe(0);
    const { secret } = await createToken(server, server.owner, { role: 'READER' });
    for (let i = 0; i < 30; i++) expect((await server.gql(VIEWER, {}, { auth: secret })).status).toBe(200);
  });
});

describe('unknown email and wrong password', () => {
  it('answer identically, and both verify a scrypt hash (the unknown email against the dummy hash)', async () => {
    const server = await setupServer();
    const dummy = await server.app.dummyPasswordHash;
    const ownerHash = (await server.app.db.select({ h: members.passwordHash }).from(members).where(eq(members.email, OWNER_EMAIL)))[0]?.h ?? '';
    verified.hashes.length = 0;
    const wrong = await login(server, OWNER_EMAIL, 'not the password');
    const unknown = await login(server, 'nobody@example.test', 'not the password');
    const invited = await server.gql<{ inviteMember: { inviteCode: string } }>(
      'mutation { inviteMember(input: { email: "invited@example.test", role: READER }) { inviteCode } }', {}, { auth: server.owner });
    expect(invited.body.errors).toBeUndefined();
    const notYetActive = await login(server, 'invited@example.test', 'not the password');
    expect(verified.hashes).toEqual([ownerHash, dummy, dummy]);
    expect(dummy).toMatch(new RegExp(`^scrypt\\$${server.app.config.scryptLogN}\\$`));
    for (const res of [unknown, notYetActive]) {
      expect(res.status).toBe(wrong.status);
      expect(res.body).toEqual(wrong.body);
    }
  });

  it('take at least the cost of one scrypt verification each (no early exit for an unknown email)', async () => {
    const logN = 14;
    const server = await setupServer({ scryptLogN: logN });
    // The cheapest of three direct verifications at the same cost: a lower bound for either path.
    const probe = await hashPassword('probe', logN);
    let floor = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await verifyPassword('other', probe);
      floor = Math.min(floor, performance.now() - started);
    }
    const timed = async (email: string) => {
      const started = performance.now();
      const res = await login(server, email, 'not the password');
      expect(res.status).toBe(401);
      return performance.now() - started;
    };
    // A skipped verification would take a small fraction of the floor.
    expect(await timed('nobody@example.test')).toBeGreaterThanOrEqual(floor * 0.5);
    expect(await timed(OWNER_EMAIL)).toBeGreaterThanOrEqual(floor * 0.5);
  });
});

describe('the limiter is an interface', () => {
  it('the server only talks to Limiters, so a shared store can replace the in-memory one', async () => {
    const server = await setupServer({ tokenRateLimitPerMinute: 100 });
    const { secret, token } = await createToken(server, server.owner, { role: 'READER' });
    const calls: string[] = [];
    const inner = createLimiters({ tokenRateLimitPerMinute: 100 });
    const recording: Limiters = {
      beginLogin: (email, address) => (calls.push(`beginLogin ${email} ${address}`), inner.beginLogin(email, address)),
      loginSucceeded: (email, address) => (calls.push(`loginSucceeded ${email} ${address}`), inner.loginSucceeded(email, address)),
      beginSignUp: (address) => (calls.push(`beginSignUp ${address}`), inner.beginSignUp(address)),
      recordBadCredential: (address) => (calls.push(`recordBadCredential ${address}`), inner.recordBadCredential(address)),
      consumeTokenRequest: (tokenId) => (calls.push(`consumeTokenRequest ${tokenId}`), inner.consumeTokenRequest(tokenId)),
    };
    server.app.limiters = recording;
    await login(server, OWNER_EMAIL, 'wrong');
    await login(server, OWNER_EMAIL, OWNER_PASSWORD);
    await server.gql(VIEWER, {}, { auth: 'nonsense' });
    await server.gql(VIEWER, {}, { auth: secret });
    const tokenId = Buffer.from(token.id, 'base64').toString().split(':')[1];
    expect(calls).toEqual([
      `beginLogin ${OWNER_EMAIL} local`,
      `beginLogin ${OWNER_EMAIL} local`,
      `loginSucceeded ${OWNER_EMAIL} local`,
      'recordBadCredential local',
      `consumeTokenRequest ${tokenId}`,
    ]);
  });
});
