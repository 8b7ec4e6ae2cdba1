/**
 * What a person at a terminal expects (issue 14, point 3): names where ids are asked, roles in
 * any case, tables that fit, a question before deleting, a placeholder secret caught offline,
 * an unreachable server named, audit ids that other commands take, one saved login for
 * localhost and 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { globalId } from '../src/commands/lookup.ts';
import { main } from '../src/main.ts';
import type { Streams } from '../src/output.ts';
import { json, latchkey, tempDir, wellFormedSecret } from './run.ts';
import { addMember, OWNER_EMAIL, OWNER_PASSWORD, useServer } from './server.ts';

const server = useServer();

interface TokenJson {
  id: string;
  name: string;
  role: string | null;
  kind: string;
}

async function createToken(name: string, role = 'reader', token = server.owner): Promise<{ token: TokenJson; secret: string }> {
  const created = await latchkey(['tokens', 'create', '--name', name, '--role', role, '--json'], { env: server.env(token) });
  expect(created.code, created.stderr).toBe(0);
  return json(created);
}

/** A terminal in-process: stdin, stdout and stderr are TTYs, stdout is `columns` wide. */
function terminal(env: NodeJS.ProcessEnv, columns = 80): Streams & { out(): string; err(): string; type(text: string): void } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns });
  // Like process.stderr, which a prompt's pipe never ends (Node special-cases it).
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns });
  stderr.end = () => stderr;
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdin, stdout, stderr, env: { NO_COLOR: '1', ...env }, out: () => out, err: () => err, type: (text) => void stdin.write(text) };
}

describe('names where an id is asked', { timeout: 60_000 }, () => {
  it('tokens by name: show, check --token, audit --token, reset and delete', async () => {
    const owner = server.env(server.owner);
    const { token } = await createToken('by-name-report');

    const shown = await latchkey(['tokens', 'show', 'by-name-report', '--json'], { env: owner });
    expect(json<TokenJson>(shown)).toMatchObject({ id: token.id, name: 'by-name-report' });
    const check = await latchkey(['check', 'viewProject', 'proj/web', '--token', 'by-name-report', '--json'], { env: owner });
    expect(json(check)).toMatchObject({ allowed: true });
    const reset = await latchkey(['tokens', 'reset', 'by-name-report', '--json'], { env: owner });
    expect(json<{ token: TokenJson }>(reset).token.id).toBe(token.id);
    const audit = await latchkey(['audit', 'list', '--token', 'by-name-report', '--json'], { env: owner });
    expect(audit.code, audit.stderr).toBe(0);

    const deleted = await latchkey(['tokens', 'delete', 'by-name-report', '--json'], { env: owner });
    expect(json(deleted)).toEqual({ deletedTokenId: token.id });
    const gone = await latchkey(['tokens', 'show', 'by-name-report'], { env: owner });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^NOT_FOUND: no token "by-name-report"/);
  });

  it('a name two tokens share is refused with both ids, and nothing is deleted', async () => {
    const owner = server.env(server.owner);
    const first = await createToken('twin');
    const second = await createToken('twin');
    const ambiguous = await latchkey(['tokens', 'delete', 'twin'], { env: owner });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^AMBIGUOUS: "twin" names 2 tokens: /);
    expect(ambiguous.stderr).toContain(first.token.id);
    expect(ambiguous.stderr).toContain(second.token.id);
    // Both still there; the id picks one.
    expect((await latchkey(['tokens', 'show', first.token.id], { env: owner })).code).toBe(0);
    expect(json(await latchkey(['tokens', 'delete', second.token.id, '--json'], { env: owner }))).toEqual({ deletedTokenId: second.token.id });
    expect(json<TokenJson>(await latchkey(['tokens', 'show', 'twin', '--json'], { env: owner })).id).toBe(first.token.id);
  });

  it('members by email or by name; a shared name is refused', async () => {
    const owner = server.env(server.owner);
    const reader = await addMember(server, 'reader');
    const byEmail = await latchkey(['members', 'show', reader.email.toUpperCase(), '--json'], { env: owner });
    expect(json(byEmail)).toMatchObject({ id: globalId('Member', reader.id), email: reader.email });
    // addMember names each member after its role: one writer is unique, two readers are not.
    const writer = await addMember(server, 'writer');
    expect(json(await latchkey(['members', 'show', 'writer', '--json'], { env: owner }))).toMatchObject({ id: globalId('Member', writer.id) });
    await addMember(server, 'reader');
    const ambiguous = await latchkey(['members', 'show', 'reader'], { env: owner });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^AMBIGUOUS: "reader" names 2 members: /);
  });
});

describe('roles and other choices in any case', { timeout: 60_000 }, () => {
  it('--role reader and --role READER are the same; --kind SERVICE too; anything else is a usage error', async () => {
    const lower = await createToken('case-lower', 'reader');
    const upper = await createToken('case-upper', 'READER');
    expect([lower.token.role, upper.token.role]).toEqual(['READER', 'READER']);
    const owner = server.env(server.owner);
    const services = await latchkey(['tokens', 'list', '--all', '--kind', 'SERVICE', '--json'], { env: owner });
    expect(services.code, services.stderr).toBe(0);
    const wrong = await latchkey(['tokens', 'create', '--name', 'x', '--role', 'Reviewer'], { env: owner });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^USAGE: option '--role <role>' argument 'Reviewer' is invalid\. Allowed choices are reader, writer, admin, owner\./);
  });
});

describe('tables on a terminal', { timeout: 60_000 }, () => {
  it('fit 80 columns, cutting long cells with …; --wide shows them whole', async () => {
    const longName = `quarterly-finance-export-for-the-${'very-'.repeat(6)}long-report`;
    await createToken(longName);
    const fitted = terminal({ LATCHKEY_URL: server.url, LATCHKEY_TOKEN: server.owner, LATCHKEY_CONFIG: join(server.dir, 'none.json') });
    expect(await main(['tokens', 'list'], fitted)).toBe(0);
    const lines = fitted.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +KIND +SCOPE +SECRET +OWNER +EXPIRES +LAST USED$/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(fitted.out()).toContain('…');
    expect(fitted.out()).not.toContain(longName);

    const wide = terminal({ LATCHKEY_URL: server.url, LATCHKEY_TOKEN: server.owner, LATCHKEY_CONFIG: join(server.dir, 'none.json') });
    expect(await main(['tokens', 'list', '--wide'], wide)).toBe(0);
    expect(wide.out()).toContain(longName);
    expect(Math.max(...wide.out().split('\n').map((l) => l.length))).toBeGreaterThan(80);
  });
});

describe('deleting asks on a terminal', { timeout: 60_000 }, () => {
  const env = () => ({ LATCHKEY_URL: server.url, LATCHKEY_TOKEN: server.owner, LATCHKEY_CONFIG: join(server.dir, 'none.json') });

  it('"no" (the default) keeps the token; "y" deletes it; --yes never asks', async () => {
    const { token } = await createToken('ask-first');
    const declined = terminal(env());
    const run = main(['tokens', 'delete', 'ask-first'], declined);
    await until(() => declined.err().includes('Delete token "ask-first"'));
    declined.type('\r');
    expect(await run).toBe(1);
    expect(declined.err()).toMatch(/CANCELLED: nothing was deleted/);
    expect((await latchkey(['tokens', 'show', token.id], { env: server.env(server.owner) })).code).toBe(0);

    const accepted = terminal(env());
    const yes = main(['tokens', 'delete', 'ask-first'], accepted);
    await until(() => accepted.err().includes('Delete token'));
    accepted.type('y\r');
    expect(await yes).toBe(0);
    expect(accepted.out()).toBe(`Deleted token ${token.id}.\n`);

    await createToken('no-question');
    const skipped = terminal(env());
    expect(await main(['tokens', 'delete', 'no-question', '--yes'], skipped)).toBe(0);
    expect(skipped.err()).toBe('');
  });

  it('never asks when stdin is not a terminal (scripts and CI)', async () => {
    const { token } = await createToken('piped-delete');
    const piped = await latchkey(['tokens', 'delete', 'piped-delete'], { env: server.env(server.owner) });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(`Deleted token ${token.id}.\n`);
    expect(piped.stderr).toBe('');
  });
});

describe('credentials and servers', { timeout: 60_000 }, () => {
  it('a placeholder or mistyped secret is refused before any request', async () => {
    let requests = 0;
    const counter = createServer((_req, res) => {
      requests++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(counter.address() as AddressInfo).port}/graphql`;
      const valid = wellFormedSecret();
      const mistyped = valid.slice(0, -1) + (valid.endsWith('a') ? 'b' : 'a');
      for (const secret of ['lkp_…', 'lkp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', mistyped]) {
        const result = await latchkey(['tokens', 'list'], { env: { LATCHKEY_URL: url, LATCHKEY_TOKEN: secret } });
        expect(result.code).toBe(3);
        expect(result.stderr).toMatch(/^UNAUTHENTICATED: LATCHKEY_TOKEN is not a Latchkey secret/);
        expect(result.stderr).not.toContain(secret.slice(4, -4) || '\u0000');
      }
      expect(requests).toBe(0);
      // A well-formed secret is sent (and this fake server is reached).
      await latchkey(['whoami'], { env: { LATCHKEY_URL: url, LATCHKEY_TOKEN: valid } });
      expect(requests).toBe(1);
    } finally {
      counter.close();
    }
  });

  it('an unreachable server: the message names the URL that failed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
    await new Promise((resolve) => closed.close(resolve));
    const result = await latchkey(['whoami'], { env: { LATCHKEY_URL: url, LATCHKEY_TOKEN: wellFormedSecret() } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`NETWORK_ERROR: could not reach ${url}: fetch failed (ECONNREFUSED)\n`);
  });

  it('ids in audit entries (and raw ids in their resources) are ids the other commands take', async () => {
    const owner = server.env(server.owner);
    const { token, secret } = await createToken('audited');
    // A request made with the token is audited with the token's id.
    expect((await latchkey(['tokens', 'create', '--name', 'child', '--role', 'reader', '--quiet'], { env: server.env(secret) })).code).toBe(0);
    const { entries } = json<{ entries: Array<{ action: string; tokenId: string | null; resource: string; actor: { id: string } | null }> }>(
      await latchkey(['audit', 'list', '--json', '--action', 'createAccessToken', '--limit', '1'], { env: owner }),
    );
    const entry = entries[0];
    expect(entry?.tokenId).toBe(token.id);
    const [, memberRaw, tokenRaw] = /^member\/(\w+):token\/(\w+)$/.exec(entry?.resource ?? '') ?? [];
    expect(json<TokenJson>(await latchkey(['tokens', 'show', entry?.tokenId ?? '', '--json'], { env: owner })).name).toBe('audited');
    expect(json<TokenJson>(await latchkey(['tokens', 'show', tokenRaw ?? '', '--json'], { env: owner })).name).toBe('child');
    expect(json(await latchkey(['members', 'show', memberRaw ?? '', '--json'], { env: owner }))).toMatchObject({ id: entry?.actor?.id, email: OWNER_EMAIL });
  });

  it('the saved login is found whether the URL says localhost or 127.0.0.1', async () => {
    const config = { LATCHKEY_CONFIG: join(tempDir(), 'config.json') };
    const loopback = server.url; // http://127.0.0.1:<port>/graphql
    const localhost = loopback.replace('127.0.0.1', 'localhost');
    const login = await latchkey(['login', '--url', loopback, '--email', OWNER_EMAIL, '--password-stdin'], { env: config, input: OWNER_PASSWORD });
    expect(login.code, login.stderr).toBe(0);
    const whoami = await latchkey(['whoami', '--json'], { env: { ...config, LATCHKEY_URL: localhost } });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(json(whoami)).toMatchObject({ credentialKind: 'SESSION', member: { email: OWNER_EMAIL } });
    // Another host (or port) is still another server: the session is not sent there.
    const other = await latchkey(['whoami'], { env: { ...config, LATCHKEY_URL: loopback.replace(/:\d+\//, ':9/') } });
    expect(other.code).toBe(3);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the prompt');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
