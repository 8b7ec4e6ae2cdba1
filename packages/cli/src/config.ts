import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.ts';

/** What `latchkey login` keeps between runs. The token is a session secret: the file is 0600. */
export interface StoredConfig {
  /** The GraphQL endpoint logged in to. */
  url?: string;
  /** The session secret (`lku_…`). */
  token?: string;
  /** Who logged in, to say so in `whoami` and the next `login` prompt. */
  email?: string;
}

/** `LATCHKEY_CONFIG`, else `$XDG_CONFIG_HOME/latchkey/config.json`, else `~/.config/latchkey/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.LATCHKEY_CONFIG) return env.LATCHKEY_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'latchkey', 'config.json');
}

/** The stored config, `{}` when there is none. */
export function readConfig(path: string): StoredConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError('CONFIG', `${path} is not valid JSON: fix or delete it`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('CONFIG', `${path} must hold a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  const out: StoredConfig = {};
  for (const key of ['url', 'token', 'email'] as const) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}

/**
 * Writes the config so that no other user can ever read the secret: the directory is created
 * 0700, the file is written to a sibling created 0600 and renamed over the old one (a reader
 * never sees a half-written file, and an old file with looser permissions is replaced).
 */
export function writeConfig(path: string, config: StoredConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600); // in case the umask took bits away we rely on; never adds any
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Removes the stored session; keeps the server URL so the next `login` knows where to go. */
export function forgetSession(path: string, config: StoredConfig): void {
  if (config.url) writeConfig(path, { url: config.url });
  else rmSync(path, { force: true });
}

/** The file's permission bits, or null when it does not exist (for warnings and tests). */
export function configMode(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
