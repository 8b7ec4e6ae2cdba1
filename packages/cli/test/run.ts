/**
 * Running `latchkey` as a subprocess, the way scripts run it.
 *
 * Most runs use the bundle that ships in the package (scripts/build.ts), built once per test
 * file: it starts in about a third of the CPU time of the tsx loader, which keeps the suite
 * fast on a 2-core machine.
 * Tests that pass `bin: 'tsx'` run the real bin/latchkey.mjs (tsx, no build), so what users
 * run is covered too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE62, SECRET_BODY_LENGTH, secretChecksum } from '@latchkey/sdk/secrets';
import { afterAll } from 'vitest';
import { bundle } from '../scripts/build.ts';

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
  const entry = options.bin === 'tsx' ? BIN : await bundleOnce();
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

/**
 * A secret of the right shape (prefix, length, checksum) that no server issued: passes the
 * CLI's offline check, so the server is what refuses it.
 */
export function wellFormedSecret(prefix = 'lkp_', seed = 7): string {
  const body = Array.from({ length: SECRET_BODY_LENGTH }, (_, i) => BASE62[(i * seed) % 62]).join('');
  return prefix + body + secretChecksum(prefix + body);
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

/** The published bundle (scripts/build.ts), built once per test file into its temporary directory. */
function bundleOnce(): Promise<string> {
  bundled ??= bundle(join(bundleDir, 'latchkey.mjs'));
  return bundled;
}
