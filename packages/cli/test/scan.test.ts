import { randomInt } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE62, obscureSecret, secretChecksum, SECRET_BODY_LENGTH } from '@latchkey/sdk/secrets';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanText } from '../src/scan.ts';
import { json, latchkey, tempDir } from './run.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'scan');

/** A secret that passes the checksum, as the server would mint it. */
function mint(prefix: 'lkp_' | 'lks_' | 'lku_'): string {
  let body = prefix;
  for (let i = 0; i < SECRET_BODY_LENGTH; i++) body += BASE62[randomInt(62)];
  return body + secretChecksum(body);
}

/** The same shape with a random checksum: what a scanner must not report. */
function lookAlike(prefix: string): string {
  let text = prefix;
  for (let i = 0; i < SECRET_BODY_LENGTH + 6; i++) text += BASE62[randomInt(62)];
  return text;
}

describe('scan (offline)', { timeout: 60_000 }, () => {
  const personal = mint('lkp_');
  const service = mint('lks_');
  const session = mint('lku_');
  const dir = tempDir();
  const leaky = join(dir, 'leaky');

  beforeAll(() => {
    cpSync(FIXTURES, dir, { recursive: true });
    const fill = (path: string) => {
      if (statSync(path).isDirectory()) return readdirSync(path).forEach((name) => fill(join(path, name)));
      const text = readFileSync(path, 'utf8').replaceAll('__PERSONAL__', personal).replaceAll('__SERVICE__', service).replaceAll('__SESSION__', session);
      writeFileSync(path, text);
    };
    fill(leaky);
    // Never searched: dependencies and git's own files.
    for (const skipped of ['node_modules/dep', '.git']) {
      mkdirSync(join(leaky, skipped), { recursive: true });
      writeFileSync(join(leaky, skipped, 'leak.txt'), `${mint('lkp_')}\n`);
    }
  });

  it('finds nothing among look-alikes: exit 0', async () => {
    const randoms = Array.from({ length: 300 }, (_, i) => lookAlike(['lkp_', 'lks_', 'lku_'][i % 3] ?? 'lkp_'));
    writeFileSync(join(dir, 'clean', 'random.txt'), randoms.join('\n') + '\n');
    const result = await latchkey(['scan', join(dir, 'clean')]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('No Latchkey secrets in 3 files.\n');
    expect(result.code).toBe(0);
  });

  it('reports file:line:column with the secret obscured, exit 1, skipping node_modules and .git', async () => {
    const result = await latchkey(['scan', join(dir, 'clean'), leaky], { cwd: dir, bin: 'tsx' });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `${join(leaky, 'config.json')}:2:15: ${obscureSecret(service)} (service token)`,
      `${join(leaky, 'deploy.sh')}:4:23: ${obscureSecret(personal)} (personal token)`,
      `${join(leaky, 'nested', 'session.log')}:2:23: ${obscureSecret(session)} (session)`,
      `${join(leaky, 'nested', 'session.log')}:2:72: ${obscureSecret(personal)} (personal token)`,
    ]);
    expect(result.stderr).toMatch(/^Found 4 Latchkey secrets in 3 files/);
    for (const secret of [personal, service, session]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  });

  it('--json lists every finding with a stable shape', async () => {
    const result = await latchkey(['scan', '--json', 'leaky/deploy.sh', 'clean'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(json(result)).toEqual({
      secrets: [{ file: 'leaky/deploy.sh', line: 4, column: 23, kind: 'personal', obscured: obscureSecret(personal) }],
      filesScanned: 4,
    });
  });

  it('reads stdin for "-" (git diff --cached | latchkey scan -)', async () => {
    const result = await latchkey(['scan', '-'], { input: `+token = "${service}"\n` });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`-:1:11: ${obscureSecret(service)} (service token)\n`);
  });

  it('a path that does not exist is a usage error (exit 2); no path at all too', async () => {
    const missing = await latchkey(['scan', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^USAGE: .*nope: no such file or directory/);
    const none = await latchkey(['scan']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^USAGE: missing required argument 'paths'/);
  });

  it('locates secrets by line and column in the text itself', () => {
    const secret = mint('lkp_');
    expect(scanText('f', `a\nbb\n  ${secret} ${lookAlike('lkp_')}\n${secret}`)).toEqual([
      { file: 'f', line: 3, column: 3, kind: 'personal', obscured: obscureSecret(secret) },
      { file: 'f', line: 4, column: 1, kind: 'personal', obscured: obscureSecret(secret) },
    ]);
  });
});
