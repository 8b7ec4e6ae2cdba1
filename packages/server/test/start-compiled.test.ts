import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** `pnpm start` runs dist/main.js, the bundle scripts/build.mjs makes, not the TypeScript sources. */

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(SERVER, '..', '..');
const scripts = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('pnpm start (compiled)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-start-compiled-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the start scripts run the bundle with plain node under NODE_ENV=production', () => {
    for (const script of [scripts(ROOT).start, scripts(SERVER).start]) {
      expect(script).toMatch(/build\.mjs --if-stale && NODE_ENV=production exec node (packages\/server\/)?dist\/main\.js$/);
      expect(script).not.toContain('tsx');
    }
  });

  it('builds dist/main.js, which migrates, serves GraphQL, the playground and the console, and stops with exit 0 on SIGTERM', async () => {
    execFileSync(process.execPath, [join(SERVER, 'scripts', 'build.mjs')], { cwd: SERVER, stdio: 'pipe' });
    const bundle = readFileSync(join(SERVER, 'dist', 'main.js'), 'utf8');
    // Workspace packages are bundled in (they export TypeScript); npm dependencies stay external.
    expect(bundle).not.toMatch(/from "@latchkey\//);
    expect(bundle).toContain('from "better-sqlite3"');
    expect(execFileSync(process.execPath, [join(SERVER, 'scripts', 'build.mjs'), '--if-stale'], { cwd: SERVER }).toString()).toContain('up to date');

    const child = spawn(process.execPath, [join(SERVER, 'dist', 'main.js')], {
      cwd: SERVER,
      env: { ...process.env, NODE_ENV: 'production', LATCHKEY_DB: join(dir, 'latchkey.db'), PORT: '0', HOST: '127.0.0.1', LATCHKEY_SCRYPT_LOG_N: '4', LATCHKEY_OWNER_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /Latchkey listening on (http\S+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        };
        child.stdout.on('data', check);
        void exited.then((code) => reject(new Error(`the compiled server exited (${code}) before listening:\n${output}`)));
      });
      // The first owner was created: the migrations were found from the bundle.
      expect(output).toContain('Created the first account and its owner');

      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });

      // GraphiQL (imported on the first playground page) resolves from the bundle.
      const playground = await fetch(url, { headers: { accept: 'text/html' } });
      expect(playground.status).toBe(200);
      expect(await playground.text()).toMatch(/"shouldPersistHeaders":false/);

      // The console folder is found from the bundle too: the built console, or the "not built" page.
      const page = await (await fetch(new URL('/', url))).text();
      if (existsSync(join(ROOT, 'packages', 'console', 'dist', 'index.html'))) expect(page).not.toContain('has not been built');
      else expect(page).toContain('has not been built');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Latchkey stopped cleanly.');
  });
});
