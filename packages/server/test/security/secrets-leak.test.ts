import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digestSecret } from '../../src/auth/secrets.ts';
import { MEMBER_PASSWORD, OWNER_EMAIL, OWNER_PASSWORD, addMember, setupServer, type GqlResponse, type TestServer } from '../helpers.ts';
import { sqliteOf } from '../../src/app.ts';
import { count } from 'drizzle-orm';
import { auditEntries } from '../../src/db/tables.ts';
import { itSqlite } from '../backend.ts';

/**
 * Secrets never leak (OWASP API2/API8): after a realistic flow — logins, invitations, tokens
 * created, cloned, reset (with a grace period) and deleted, and failed attempts with secrets in the
 * wrong places — no secret issued during the run (nor any password or invite code) appears in the
 * server's log, in any column of the audit log, in any error message or response body other than
 * the one that issued it, or in the bytes of the database file and its WAL. Unexpected errors reach
 * clients masked, with a request id; the log has the detail under the same id.
 */

interface Recorder {
  server: TestServer;
  secrets: Set<string>;
  /** Every response body, except where a secret is legitimately handed out (login, create, clone, reset, accept). */
  bodies: string[];
  call<T>(query: string, variables?: Record<string, unknown>, options?: { auth?: string | null; headers?: Record<string, string> }, issues?: boolean): Promise<GqlResponse<T>>;
}

function recorder(server: TestServer): Recorder {
  const secrets = new Set<string>([server.owner, OWNER_PASSWORD, MEMBER_PASSWORD]);
  const bodies: string[] = [];
  return {
    server,
    secrets,
    bodies,
    async call(query, variables = {}, options = {}, issues = false) {
      const res = await server.gql(query, variables, options);
      const text = JSON.stringify(res.body);
      for (const found of text.matchAll(/lk[a-z]_[A-Za-z0-9_-]{20,}/g)) if (issues) secrets.add(found[0]);
      // The response that issues a secret shows it once; every other one must not.
      if (!issues) bodies.push(text);
      else bodies.push(text.replace(/"(secret|inviteCode)":"[^"]*"/g, '"$1":"<issued>"'));
      return res as GqlResponse<never>;
    },
  };
}

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { secret } }';
const CREATE = 'mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { id obscuredSecret } } }';

async function realisticFlow(r: Recorder): Promise<void> {
  const { server } = r;
  const auth = server.owner;
  const data = <T>(res: GqlResponse<T>): T => {
    if (!res.body.data) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  // Sessions and members.
  await r.call(LOGIN, { input: { email: OWNER_EMAIL, password: OWNER_PASSWORD } }, {}, true);
  const writer = await addMember(server, { role: 'writer', email: 'writer@leak.test' });
  r.secrets.add(writer.session);
  const invite = data(await r.call<{ inviteMember: { inviteCode: string } }>('mutation { inviteMember(input: { email: "new@leak.test", role: WRITER }) { inviteCode } }', {}, { auth }, true));
  r.secrets.add(invite.inviteMember.inviteCode);
  const newcomerPassword = 'newcomer password 456';
  r.secrets.add(newcomerPassword);
  await r.call('mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret } }', { input: { inviteCode: invite.inviteMember.inviteCode, name: 'New', password: newcomerPassword } }, {}, true);

  // Tokens: create, clone, reset (now and with a grace period), update, delete.
  const personal = data(await r.call<{ createToken: { secret: string; token: { id: string } } }>(CREATE, { input: { name: 'ci', role: 'WRITER' } }, { auth }, true));
  const service = data(await r.call<{ createToken: { secret: string; token: { id: string } } }>(CREATE, { input: { name: 'svc', role: 'READER', serviceToken: true } }, { auth }, true));
  const writerToken = data(await r.call<{ createToken: { secret: string; token: { id: string } } }>(CREATE, { input: { name: 'mine', role: 'READER' } }, { auth: writer.session }, true));
  await r.call('mutation($id: ID!) { cloneToken(input: { id: $id }) { secret token { id } } }', { id: personal.createToken.token.id }, { auth }, true);
  await r.call('mutation($id: ID!) { cloneToken(input: { id: $id }) { secret token { id } } }', { id: service.createToken.token.id }, { auth }, true);
  await r.call('mutation($id: ID!) { resetToken(input: { id: $id }) { secret } }', { id: personal.createToken.token.id }, { auth }, true);
  const later = new Date(Date.now() + 3_600_000).toISOString();
  await r.call('mutation($id: ID!, $at: DateTime) { resetToken(input: { id: $id, oldSecretExpiresAt: $at }) { secret } }', { id: service.createToken.token.id, at: later }, { auth }, true);
  await r.call('mutation($id: ID!) { updateToken(input: { id: $id, name: "renamed", description: "rotated" }) { token { id } } }', { id: service.createToken.token.id }, { auth });
  // Tokens used for real requests (so credentials are cached and last-used dates recorded).
  for (const secret of [service.createToken.secret, writerToken.createToken.secret]) {
    await r.call('{ viewer { member { id } token { obscuredSecret lastUsedAt } } tokens(first: 10) { edges { node { obscuredSecret } } } }', {}, { auth: secret });
  }
  await r.call('mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }', { id: writerToken.createToken.token.id }, { auth });

  // Failed attempts with secrets in the wrong places.
  const stray = writerToken.createToken.secret;
  await r.call(LOGIN, { input: { email: OWNER_EMAIL, password: service.createToken.secret } });
  await r.call(LOGIN, { input: { email: server.owner, password: OWNER_PASSWORD } });
  await r.call('mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { secret } }', { input: { inviteCode: personal.createToken.secret, name: 'X', password: 'some password 1' } });
  await r.call('mutation($key: String!) { createProject(input: { key: $key, name: "P" }) { project { id } } }', { key: stray }, { auth });
  await r.call(CREATE, { input: { name: stray, role: 'READER', customRoleKeys: ['x'] } }, { auth });
  await r.call(CREATE, { input: { name: 'bad scope', inlinePolicy: [{ effect: 'ALLOW', actions: [stray], resources: [stray] }] } }, { auth });
  await r.call('query($r: String!) { checkAccess(action: "viewProject", resource: $r) { allowed } }', { r: stray }, { auth });
  await r.call('query($r: String!) { checkAccess(action: $r, resource: "acct") { allowed } }', { r: stray }, { auth });
  await r.call('query($k: String!) { role(key: $k) { id } }', { k: stray }, { auth });
  await r.call('query($id: ID!) { token(id: $id) { id } }', { id: stray }, { auth });
  await r.call('query($q: String!) { auditLog(first: 5, filter: { q: $q, resource: $q }) { edges { cursor } } }', { q: stray }, { auth });
  await r.call('query($n: Int) { tokens(first: $n) { edges { cursor } } }', { n: stray }, { auth });
  await r.call('{ viewer { member { id } } }', {}, { auth: `${stray}x` });
  await r.call('{ viewer { member { id } } }', {}, { auth: `Bearer ${stray}` });
  // Secrets in headers: request id and user agent (on a request that writes an audit entry, and a login).
  await r.call('mutation { createProject(input: { key: "hdr", name: "H" }) { project { id } } }', {}, { auth, headers: { 'x-request-id': stray, 'user-agent': `agent ${stray}` } });
  await r.call(LOGIN, { input: { email: OWNER_EMAIL, password: OWNER_PASSWORD } }, { headers: { 'user-agent': `curl ${stray}`, 'x-request-id': stray } }, true);
  // A removed member's session.
  await r.call('mutation($id: ID!) { removeMember(input: { id: $id }) { removedMemberId } }', { id: writer.globalId }, { auth });
  await r.call('{ viewer { member { id } } }', {}, { auth: writer.session });
}

function hits(haystack: string | Buffer, needles: Iterable<string>): string[] {
  const found: string[] = [];
  for (const needle of needles) if (haystack.includes(needle)) found.push(needle.length > 12 ? `${needle.slice(0, 8)}…` : needle);
  return found;
}

describe('secrets never leak', () => {
  // SQLite only: checkpoints and scans the SQLite database file
  itSqlite('after a realistic flow, no secret is in the log, the audit log, an error message or the database file', async () => {
    const server = await setupServer();
    const r = recorder(server);
    await realisticFlow(r);
    await server.app.lastUsed.flush();
    sqliteOf(server.app).pragma('wal_checkpoint(PASSIVE)');
    const secrets = [...r.secrets];
    expect(secrets.length).toBeGreaterThanOrEqual(15);
    const digests = secrets.map(digestSecret);

    const logs = server.logs.join('\n');
    expect(hits(logs, secrets), 'log').toEqual([]);
    expect(hits(logs, digests), 'digests in the log').toEqual([]);

    const audit = JSON.stringify(sqliteOf(server.app).prepare('SELECT * FROM audit_entries').all());
    expect(audit.length).toBeGreaterThan(1000);
    expect(hits(audit, secrets), 'audit log').toEqual([]);
    expect(hits(audit, digests), 'digests in the audit log').toEqual([]);

    const bodies = r.bodies.join('\n');
    expect(bodies).toMatch(/"errors"/);
    expect(hits(bodies, secrets), 'responses').toEqual([]);

    const { dbPath } = server.app.config;
    for (const file of [dbPath, `${dbPath}-wal`].filter(existsSync)) {
      expect(hits(readFileSync(file), secrets), file).toEqual([]);
    }
  });

  it('a secret pasted into a key, name, description, tag or email is refused, not stored, and not echoed', async () => {
    const server = await setupServer();
    const secret = server.owner;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['mutation($v: String!) { createProject(input: { key: $v, name: "P" }) { project { id } } }', { v: secret }],
      ['mutation($v: String!) { createProject(input: { key: "p1", name: $v }) { project { id } } }', { v: `prod ${secret}` }],
      ['mutation($v: String!) { createProject(input: { key: "p2", name: "P", tags: [$v] }) { project { id } } }', { v: secret }],
      ['mutation($v: String!) { createToken(input: { name: $v, role: READER }) { secret } }', { v: secret }],
      ['mutation($v: String!) { createToken(input: { name: "t", description: $v, role: READER }) { secret } }', { v: `was ${secret}` }],
      ['mutation($v: String!) { inviteMember(input: { email: $v, role: READER }) { inviteCode } }', { v: `${secret}@example.test` }],
      ['mutation($v: String!) { createTeam(input: { key: "t", name: $v }) { team { id } } }', { v: secret }],
    ];
    const before = (await server.app.db.select({ n: count() }).from(auditEntries))[0]?.n;
    for (const [query, variables] of cases) {
      const res = await server.gql(query, variables, { auth: server.owner });
      expect(res.body.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    expect((await server.app.db.select({ n: count() }).from(auditEntries))[0]?.n).toBe(before);
  });

  // SQLite only: renames a table through the SQLite writer to force an error
  itSqlite('an unexpected error reaches the client masked, with a request id; the log has the detail under that id', async () => {
    const server = await setupServer();
    const sqlite = sqliteOf(server.app);
    await server.gql('mutation { createProject(input: { key: "p", name: "P" }) { project { id } } }', {}, { auth: server.owner });
    sqlite.exec('ALTER TABLE flags RENAME TO flags_moved');
    try {
      const res = await server.gql('{ project(key: "p") { key flags { key } } }', {}, { auth: server.owner, headers: { 'x-request-id': 'req-forced-1' } });
      const error = res.body.errors?.[0];
      expect(error?.message).toBe('Unexpected error (request id req-forced-1)');
      expect(error?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-forced-1' });
      expect(JSON.stringify([error?.message, error?.extensions])).not.toMatch(/no such table|SQLITE|select|stack|\.ts/i);
      expect(res.headers.get('x-request-id')).toBe('req-forced-1');
      const logged = server.logs.map((line) => JSON.parse(line) as { level: string; requestId?: string; error?: { message?: string; stack?: string } });
      const entry = logged.find((l) => l.requestId === 'req-forced-1');
      expect(entry?.level).toBe('error');
      expect(entry?.error?.message).toMatch(/no such table: flags/);
      expect(entry?.error?.stack).toMatch(/\.ts/);
    } finally {
      sqlite.exec('ALTER TABLE flags_moved RENAME TO flags');
    }
  });
});
