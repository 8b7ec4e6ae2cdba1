/**
 * Running `latchkey` as a subprocess, the way scripts run it.
 *
 * Most runs use an esbuild bundle of src/bin.ts, built once per test file: it starts in about
 * a third of the CPU time of the tsx loader, which keeps the suite fast on a 2-core machine.
 * Tests that pass `bin: 'tsx'` run the real bin/latchkey.mjs (tsx, no build), so what users
 * run is covered too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll } from 'vitest';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(PACKAGE, 'bin', 'latchkey.mjs');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra environment (LATCHKEY_URL, LATCHKEY_TOKEN, …); the parent's LATCHKEY_* never leaks in. */
  env?: Record<string, string | undefined>;
  /** Written to the CLI's stdin, then closed (stdin is always a pipe, never a terminal). */
  input?: string;
  cwd?: string;
  /** `tsx`: the real bin through tsx's loader; default: the bundle (same sources). */
  bin?: 'bundle' | 'tsx';
}

/** One directory per test file for everything it writes; removed after the file. */
const fileRoot = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
afterAll(() => rmSync(fileRoot, { recursive: true, force: true }));

/** A fresh temporary directory (safe to call inside a test: it lives under the file's root). */
export function tempDir(prefix = 'tmp-'): string {
  return mkdtempSync(join(fileRoot, prefix));
}

/**
 * Runs the real `latchkey` bin as a subprocess (async: the server runs in this process, so a
 * blocking spawnSync would deadlock it). Colours are off unless the test asks for them.
 */
export async function latchkey(args: string[], options: RunOptions = {}): Promise<Result> {
  const entry = options.bin === 'tsx' ? BIN : await bundle();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('LATCHKEY_') && key !== 'FORCE_COLOR' && key !== 'NO_COLOR' && key !== 'XDG_CONFIG_HOME') env[key] = value;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value !== undefined) env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Parses a run's stdout as JSON, failing with its stderr when it is not. */
export function json<T = unknown>(result: Result): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}


const bundleDir = tempDir('bundle-');
let bundled: Promise<string> | undefined;

/** src/bin.ts and everything it imports in one ESM file (CommonJS dependencies get a require). */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(bundleDir, 'latchkey.mjs');
    await build({
      entryPoints: [join(PACKAGE, 'src', 'bin.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    return outfile;
  })();
  return bundled;
}
