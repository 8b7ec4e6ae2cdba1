import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { configPath } from '../src/config.ts';
import { normalizeUrl, sameServer } from '../src/context.ts';
import { exitCodeFor } from '../src/errors.ts';
import { main } from '../src/main.ts';
import { fitWidths, Output, type Streams } from '../src/output.ts';
import { readPolicyFile } from '../src/policy.ts';
import { parseDuration, parseWhen } from '../src/time.ts';
import { tempDir, wellFormedSecret } from './run.ts';

/** In-process streams: what a command wrote, and whether it "is" a terminal. */
function streams(tty: boolean, env: NodeJS.ProcessEnv = {}): Streams & { out(): string; err(): string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdin: new PassThrough(), stdout, stderr, env, out: () => out, err: () => err };
}

describe('output', () => {
  it('piped: rows as TSV without header or colour; on a terminal: an aligned table with a header', () => {
    const piped = streams(false);
    new Output(piped, false, undefined).table([{ header: 'ID' }, { header: 'NAME' }], [['1', 'a\tb'], ['22', 'c']]);
    expect(piped.out()).toBe('1\ta b\n22\tc\n');

    const tty = streams(true, { NO_COLOR: '1' });
    new Output(tty, false, undefined).table([{ header: 'ID' }, { header: 'NAME' }], [['1', 'ci'], ['22', 'deploy']]);
    expect(tty.out()).toBe('ID  NAME\n1   ci\n22  deploy\n');
  });

  it('colours only on a terminal, never with NO_COLOR or --no-color, always with FORCE_COLOR', () => {
    expect(new Output(streams(true), false, undefined).c.red('x')).not.toBe('x');
    expect(new Output(streams(false), false, undefined).c.red('x')).toBe('x');
    expect(new Output(streams(true, { NO_COLOR: '1' }), false, undefined).c.red('x')).toBe('x');
    expect(new Output(streams(true), false, false).c.red('x')).toBe('x');
    expect(new Output(streams(false, { FORCE_COLOR: '1' }), false, undefined).c.red('x')).not.toBe('x');
  });

  it('main() returns exit codes instead of exiting: 0 for help, 2 for usage', async () => {
    const help = streams(false);
    expect(await main(['tokens', '--help'], help)).toBe(0);
    expect(help.out()).toContain('Usage: latchkey tokens');
    const usage = streams(false);
    expect(await main(['tokens', 'create', '--name', 'x', '--role', 'reader', '--policy-file', 'p.json'], usage)).toBe(2);
    expect(usage.err()).toBe('USAGE: give one scope: --role, --custom-role or --policy-file\n');
  });
});

describe('requests', () => {
  it('give up after LATCHKEY_TIMEOUT seconds on a server that never answers (exit 1)', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const io = streams(false, { LATCHKEY_TIMEOUT: '0.2', LATCHKEY_TOKEN: wellFormedSecret(), LATCHKEY_CONFIG: '/nonexistent/config.json' });
      expect(await main(['whoami', '--url', `http://127.0.0.1:${port}`], io)).toBe(1);
      expect(io.err()).toMatch(/^NETWORK_ERROR: .*timeout/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('arguments', () => {
  it('durations: s m h d w, and nothing else', () => {
    expect(parseDuration('90s', '--x')).toBe(90_000);
    expect(parseDuration('30d', '--x')).toBe(30 * 86_400_000);
    expect(parseDuration('2w', '--x')).toBe(14 * 86_400_000);
    expect(parseDuration('0', '--x')).toBe(0);
    for (const bad of ['30', '1y', '-1h', '1.5h', 'soon', '']) {
      expect(() => parseDuration(bad, '--expires-in')).toThrow(/^--expires-in: expected a duration/);
    }
  });

  it('points in time: ISO dates or a duration ago', () => {
    const now = Date.parse('2025-06-01T00:00:00Z');
    expect(parseWhen('7d', '--since', now)).toBe('2025-05-25T00:00:00.000Z');
    expect(parseWhen('2025-01-31', '--since', now)).toBe('2025-01-31T00:00:00.000Z');
    expect(parseWhen('2025-01-31T12:30:00+02:00', '--since', now)).toBe('2025-01-31T10:30:00.000Z');
    expect(() => parseWhen('yesterday', '--since', now)).toThrow(/^--since: expected an ISO date/);
    expect(() => parseWhen('2025-13-45', '--since', now)).toThrow(/^--since/);
  });

  it('policy files: arrays or { policy }, effect in any case, shape errors name the statement', () => {
    const dir = tempDir();
    const write = (name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
      return path;
    };
    expect(readPolicyFile(write('a.json', [{ effect: 'Allow', actions: ['viewProject'], resources: ['proj/*'] }]))).toEqual([
      { effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] },
    ]);
    expect(readPolicyFile(write('b.json', { key: 'r', policy: [{ effect: 'DENY', notActions: null, resources: ['*'] }] }))).toEqual([{ effect: 'DENY', resources: ['*'] }]);
    expect(() => readPolicyFile(write('c.json', '{not json'))).toThrow(/not valid JSON/);
    expect(() => readPolicyFile(write('d.json', { statements: [] }))).toThrow(/expected a JSON array of statements/);
    expect(() => readPolicyFile(write('e.json', [{ effect: 'maybe' }]))).toThrow(/statement 0: "effect" must be "allow" or "deny"/);
    expect(() => readPolicyFile(write('f.json', [{ effect: 'allow' }, { effect: 'allow', actions: 'viewProject' }]))).toThrow(/statement 1: "actions" must be an array of strings/);
    expect(() => readPolicyFile(write('g.json', [{ effect: 'allow', action: ['x'] }]))).toThrow(/statement 0: unknown field\(s\) "action"/);
  });

  it('server URLs get /graphql when they have no path; anything but http(s) is refused', () => {
    expect(normalizeUrl('https://latchkey.example.com')).toBe('https://latchkey.example.com/graphql');
    expect(normalizeUrl('http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000/graphql');
    expect(normalizeUrl('http://host/api/graphql')).toBe('http://host/api/graphql');
    expect(() => normalizeUrl('ftp://host')).toThrow(/not an http\(s\) URL/);
    expect(() => normalizeUrl('localhost:4000')).toThrow();
  });

  it('localhost, 127.0.0.1 and [::1] are one server; any other host, port or scheme is another', () => {
    expect(sameServer('http://localhost:4000/graphql', 'http://127.0.0.1:4000')).toBe(true);
    expect(sameServer('http://[::1]:4000/graphql', 'http://localhost:4000/graphql')).toBe(true);
    expect(sameServer('http://localhost:4000/graphql', 'http://localhost:4001/graphql')).toBe(false);
    expect(sameServer('http://localhost:4000/graphql', 'https://localhost:4000/graphql')).toBe(false);
    expect(sameServer('http://localhost:4000/graphql', 'http://localhost.example.com:4000/graphql')).toBe(false);
    expect(sameServer('https://lk.example.com', 'https://lk.example.com/graphql')).toBe(true);
  });

  it('table widths: kept columns stay whole, the widest others are cut to fit, headers never', () => {
    const columns = [{ header: 'ID' }, { header: 'KIND', keep: true }, { header: 'NAME' }];
    expect(fitWidths(columns, [10, 10, 10], 40)).toEqual([10, 10, 10]);
    expect(fitWidths(columns, [40, 10, 60], 50)).toEqual([20, 10, 20]);
    expect(fitWidths(columns, [40, 10, 12], 50)).toEqual([28, 10, 12]);
    expect(fitWidths(columns, [40, 10, 60], 10)).toEqual([4, 10, 6]);
  });

  it('config path: LATCHKEY_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configPath({ LATCHKEY_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/xdg', HOME: '/h' })).toBe('/x/c.json');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/h' })).toBe('/xdg/latchkey/config.json');
    expect(configPath({ HOME: '/h' })).toBe('/h/.config/latchkey/config.json');
  });

  it('API error codes map onto the documented exit codes', () => {
    expect(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'LIMIT_EXCEEDED', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR', 'NETWORK_ERROR'].map(exitCodeFor)).toEqual([
      3, 4, 2, 1, 1, 1, 1, 1, 1,
    ]);
  });
});
