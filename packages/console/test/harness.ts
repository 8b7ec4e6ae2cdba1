import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * A real Latchkey server (the `pnpm start` entry point, as a child process on a free port, with a
 * temporary database and a known owner password) and Debian's chromium driven by playwright-core.
 * Never a downloaded browser: the tests fail when /usr/bin/chromium is missing.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const MAIN = join(ROOT, 'packages', 'server', 'src', 'main.ts');
export const SCREENSHOTS = join(HERE, 'screenshots');
export const CHROMIUM = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';

export const OWNER = { email: 'owner@console.test', password: 'owner password for the console test' };

export interface RunningLatchkey {
  origin: string;
  graphql: string;
  output: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startLatchkey(env: Record<string, string> = {}): Promise<RunningLatchkey> {
  if (!existsSync(join(ROOT, 'packages', 'console', 'dist', 'index.html'))) {
    throw new Error('the console is not built: run `pnpm test:browser` (it builds first) or `pnpm build`');
  }
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-console-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      LATCHKEY_DB: join(dir, 'latchkey.db'),
      LATCHKEY_OWNER_EMAIL: OWNER.email,
      LATCHKEY_OWNER_PASSWORD: OWNER.password,
      LATCHKEY_SCRYPT_LOG_N: '4',
      LATCHKEY_LAST_USED_FLUSH_MS: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', () => {
      if (output.includes('Latchkey listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`server exited before listening:\n${output}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    graphql: `${origin}/graphql`,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The flags the issue asks for; a fresh profile per context. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function openBrowser(origin: string, viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (Debian's browser; no downloaded browser is used)`);
  const profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    permissions: ['clipboard-read', 'clipboard-write'],
    baseURL: origin,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A GraphQL request over HTTP with a credential; the status tells 401 from success. */
export async function callApi(graphql: string, secret: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(graphql, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: secret },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: response.status, ...body };
}
