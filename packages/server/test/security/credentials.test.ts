import { eq } from 'drizzle-orm';
import { members } from '../../src/db/tables.ts';
import { describe, expect, it, vi } from 'vitest';
import { SECRET_BODY_LENGTH, secretChecksum } from '@latchkey/sdk/secrets';
import { loadConfig } from '../../src/config.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { digestSecret } from '../../src/auth/secrets.ts';
import { addMember, MEMBER_PASSWORD, OWNER_EMAIL, OWNER_PASSWORD, setupServer, type TestServer } from '../helpers.ts';
import { createToken, rawTokenId } from '../tokens-fixtures.ts';
import { sqliteOf } from '../../src/app.ts';
import { itSqlite } from '../backend.ts';

// Every lookup of a credential by digest (tokens, then sessions), counted whether or not the
// query was prepared earlier: "refused before any database lookup" means none of these ran.
const lookups = vi.hoisted(() => ({ digests: [] as string[] }));
vi.mock('../../src/store/tokens-auth.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/store/tokens-auth.ts')>();
  return {
    ...original,
    findTokenBySecretHash: (...args: Parameters<typeof original.findTokenBySecretHash>) => {
      lookups.digests.push(args[1]);
      return original.findTokenBySecretHash(...args);
    },
  };
});
vi.mock('../../src/store/sessions.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/store/sessions.ts')>();
  return {
    ...original,
    findSessionBySecretHash: (...args: Parameters<typeof original.findSessionBySecretHash>) => {
      lookups.digests.push(args[1]);
      return original.findSessionBySecretHash(...args);
    },
  };
});

/** Runs a request and returns the digests looked up in the database meanwhile. */
async function countLookups<T>(run: () => Promise<T>): Promise<{ result: T; lookedUp: string[] }> {
  lookups.digests.length = 0;
  const result = await run();
  return { result, lookedUp: [...lookups.digests] };
}

/**
 * Broken authentication (OWASP API2): every malformed Authorization value is a 401, never a 500;
 * strings that cannot be Latchkey secrets never reach the database; secrets are looked up by
 * digest through an index; passwords are hashed with scrypt at N ≥ 2^17 with per-hash parameters.
 */

const VIEWER = '{ viewer { member { id } } }';

async function fetchWithHeaders(server: TestServer, headers: Headers) {
  headers.set('content-type', 'application/json');
  const response = await server.yoga.fetch('http://latchkey.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query: VIEWER }) });
  return { status: response.status, body: (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

/** A kind-swapped secret that still carries a valid checksum for its new prefix (so it passes the offline check). */
function withPrefix(secret: string, prefix: string): string {
  const body = secret.slice(4, 4 + SECRET_BODY_LENGTH);
  return prefix + body + secretChecksum(prefix + body);
}

describe('malformed Authorization values', () => {
  it('every malformed value is HTTP 401 UNAUTHENTICATED (never 500), and those that cannot be secrets are never looked up', async () => {
    const server = await setupServer();
    const issued = await createToken(server, server.owner, { role: 'READER' });
    const secret = issued.secret;
    const digest = digestSecret(secret);
    const wrongChecksum = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');

    // Values refused by the offline format check: no statement may be prepared for them.
    const offline: Array<[string, string]> = [
      ['empty', ''],
      ['only the scheme', 'Bearer'],
      ['scheme and a space', 'Bearer '],
      ['another scheme', `Basic ${Buffer.from('owner:pw').toString('base64')}`],
      ['doubled scheme', `Bearer Bearer ${secret}`],
      ['wrong prefix', `ghp_${secret.slice(4)}`],
      ['unknown Latchkey prefix', `lkx_${secret.slice(4)}`],
      ['truncated', secret.slice(0, -1)],
      ['one character too many', `${secret}A`],
      ['trailing newline', `${secret}\n`],
      ['trailing space inside the value', `Bearer ${secret} x`],
      ['wrong checksum', wrongChecksum],
      ['10 KB value', `Bearer ${'A'.repeat(10 * 1024)}`],
      ['10 KB value with a valid prefix', `lkp_${'A'.repeat(10 * 1024)}`],
      ['the token id (global)', issued.token.id],
      ['the token id (raw)', rawTokenId(issued.token.id)],
      ['the obscured secret', issued.token.obscuredSecret],
      ['the stored digest', digest],
      ['the digest as a Bearer value', `Bearer ${digest}`],
      ['a session secret with a token prefix (checksum not recomputed)', `lkp_${server.owner.slice(4)}`],
      ['two secrets joined by a comma', `${secret}, ${server.owner}`],
      ['latin-1 characters', `lkp_${'é'.repeat(38)}`],
    ];
    for (const [label, value] of offline) {
      const { result, lookedUp } = await countLookups(() => server.gql(VIEWER, {}, { auth: null, headers: { authorization: value } }));
      expect({ label, status: result.status, code: result.body.errors?.[0]?.extensions?.code }).toEqual({ label, status: 401, code: 'UNAUTHENTICATED' });
      expect({ label, lookedUp }).toEqual({ label, lookedUp: [] });
    }

    // Well-formed but unknown: looked up (by digest), then 401 like any unknown credential.
    const swapped = [withPrefix(server.owner, 'lkp_'), withPrefix(server.owner, 'lks_'), withPrefix(secret, 'lks_'), withPrefix(secret, 'lku_')];
    for (const value of swapped) {
      const res = await server.gql(VIEWER, {}, { auth: value });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.body.errors?.[0]?.message).toBe('Unknown credential');
    }

    // The real secrets still work (nothing above locked them out).
    expect((await server.gql(VIEWER, {}, { auth: secret })).status).toBe(200);
    expect((await server.gql(VIEWER, {}, { auth: `Bearer ${server.owner}` })).status).toBe(200);
  });

  it('a wrong checksum is refused before any database lookup; a right one is looked up', async () => {
    const server = await setupServer();
    const { secret } = await createToken(server, server.owner, { role: 'READER' });
    const forged = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    const refused = await countLookups(() => server.gql(VIEWER, {}, { auth: forged }));
    expect(refused.result.status).toBe(401);
    expect(refused.lookedUp).toEqual([]);
    // Control: a well-formed unknown secret does reach the lookup (by its digest), so the counter sees lookups.
    const unknown = withPrefix(secret.slice(0, 4) + 'Z'.repeat(SECRET_BODY_LENGTH) + 'AAAAAA', 'lkp_');
    const looked = await countLookups(() => server.gql(VIEWER, {}, { auth: unknown }));
    expect(looked.result.status).toBe(401);
    expect(looked.lookedUp).toContain(digestSecret(unknown));
  });

  it('two Authorization headers (Headers.append) are refused with 401', async () => {
    const server = await setupServer();
    const { secret } = await createToken(server, server.owner, { role: 'READER' });
    for (const [first, second] of [
      [secret, secret],
      [secret, server.owner],
      [`Bearer ${server.owner}`, `Bearer ${secret}`],
    ] as const) {
      const headers = new Headers();
      headers.append('authorization', first);
      headers.append('authorization', second);
      const res = await fetchWithHeaders(server, headers);
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  // SQLite only: reads SQLite's query plans
  itSqlite('secrets are found by their SHA-256 digest through a unique index, never by scanning or comparing in code', async () => {
    const server = await setupServer();
    const sqlite = sqliteOf(server.app);
    const plans = [
      'SELECT * FROM token_secrets WHERE secret_hash = ?',
      'SELECT * FROM sessions WHERE secret_hash = ?',
      'SELECT * FROM members WHERE invite_code_hash = ?',
    ].map((sql) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as Array<{ detail: string }>).map((r) => r.detail).join('; '));
    for (const plan of plans) expect(plan).toMatch(/SEARCH .* USING (INDEX|PRIMARY KEY)/);
    // What is stored is the digest, never the secret.
    const { secret } = await createToken(server, server.owner, { role: 'READER' });
    const stored = sqlite.prepare('SELECT secret_hash FROM token_secrets').all() as Array<{ secret_hash: string }>;
    expect(stored.map((r) => r.secret_hash)).toContain(digestSecret(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
  });
});

describe('passwords', () => {
  it('default to scrypt with N = 2^17 (LATCHKEY_SCRYPT_LOG_N), the parameters stored in each hash', async () => {
    expect(loadConfig({}).scryptLogN).toBeGreaterThanOrEqual(17);
    const hash = await hashPassword('a long enough password', loadConfig({}).scryptLogN);
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
  });

  it('raising the cost keeps old hashes working and makes new hashes at the new cost', async () => {
    const server = await setupServer({ scryptLogN: 4 });
    const member = await addMember(server, { role: 'reader' });
    const storedOf = async (email: string) =>
      (await server.app.db.select({ h: members.passwordHash }).from(members).where(eq(members.email, email)))[0]?.h ?? '';
    expect(await storedOf(member.email)).toMatch(/^scrypt\$4\$/);

    server.app.config.scryptLogN = 10;
    // Old hashes (cost 2^4) still verify: each hash carries its own parameters.
    await expect(server.login(member.email, MEMBER_PASSWORD)).resolves.toMatch(/^lku_/);
    await expect(server.login(OWNER_EMAIL, OWNER_PASSWORD)).resolves.toMatch(/^lku_/);
    // New hashes use the new cost.
    const invite = await server.gql<{ inviteMember: { inviteCode: string } }>(
      'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { inviteCode } }',
      { input: { email: 'raised@example.test', role: 'READER' } },
      { auth: server.owner },
    );
    const inviteCode = invite.body.data?.inviteMember.inviteCode;
    expect(inviteCode).toBeDefined();
    const accepted = await server.gql('mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret } }', {
      input: { inviteCode, name: 'Raised', password: 'a new password 123' },
    });
    expect(accepted.body.errors).toBeUndefined();
    expect(await storedOf('raised@example.test')).toMatch(/^scrypt\$10\$8\$1\$/);
    await expect(server.login('raised@example.test', 'a new password 123')).resolves.toMatch(/^lku_/);
  });

  it('a login re-hashes a password made at a lower cost, and the new hash verifies', async () => {
    const server = await setupServer({ scryptLogN: 4 });
    const member = await addMember(server, { role: 'reader' });
    const storedOf = async (email: string) =>
      (await server.app.db.select({ h: members.passwordHash }).from(members).where(eq(members.email, email)))[0]?.h ?? '';
    server.app.config.scryptLogN = 6;
    await server.login(member.email, MEMBER_PASSWORD);
    expect(await storedOf(member.email)).toMatch(/^scrypt\$6\$8\$1\$/);
    const failed = await server.gql('mutation($input: LoginInput!) { login(input: $input) { secret } }', {
      input: { email: member.email, password: 'not the password' },
    });
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await storedOf(member.email)).toMatch(/^scrypt\$6\$/);
    await expect(server.login(member.email, MEMBER_PASSWORD)).resolves.toMatch(/^lku_/);
  });

  it('a stored hash that is not a well-formed scrypt hash never verifies', async () => {
    for (const stored of ['', 'scrypt', 'scrypt$4$8$1$$', 'bcrypt$2b$10$abc', 'plain text password']) {
      expect(await verifyPassword('plain text password', stored)).toBe(false);
    }
  });
});
