import type { Latchkey } from '@latchkey/sdk';
import { obscureSecret, recognizeSecret } from '@latchkey/sdk/secrets';
import { configPath, readConfig, type StoredConfig } from './config.ts';
import { CliError, EXIT, usageError } from './errors.ts';
import { Output, type Streams } from './output.ts';

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  json?: boolean;
  url?: string;
  /** false with --no-color. */
  color?: boolean;
  /** Tables at full width instead of fitted to the terminal. */
  wide?: boolean;
}

export const DEFAULT_URL = 'http://localhost:4000/graphql';

/**
 * What a command runs with: its output, the config file and the credentials. Precedence for the
 * server: `--url`, then LATCHKEY_URL, then the URL stored by `login`, then localhost:4000. For the
 * credential: LATCHKEY_TOKEN, then the stored session — only when it belongs to that same server,
 * so a session secret is never sent to another host.
 */
export class Cli {
  readonly out: Output;
  readonly configPath: string;
  #config: StoredConfig | undefined;

  constructor(
    readonly streams: Streams,
    readonly globals: GlobalOptions,
  ) {
    this.out = new Output(streams, globals.json === true, globals.color, globals.wide === true);
    this.configPath = configPath(streams.env);
  }

  get env(): NodeJS.ProcessEnv {
    return this.streams.env;
  }

  config(): StoredConfig {
    this.#config ??= readConfig(this.configPath);
    return this.#config;
  }

  /** The GraphQL endpoint to talk to. */
  url(): string {
    const given = this.globals.url ?? (this.env.LATCHKEY_URL || undefined);
    return normalizeUrl(given ?? this.config().url ?? DEFAULT_URL);
  }

  /** The credential for `url()`, or undefined when there is none. */
  token(): string | undefined {
    const fromEnv = this.env.LATCHKEY_TOKEN;
    if (fromEnv) return checkedSecret(fromEnv, 'LATCHKEY_TOKEN');
    const stored = this.config();
    if (stored.token && stored.url && sameServer(stored.url, this.url())) return checkedSecret(stored.token, this.configPath);
    return undefined;
  }

  /** A client with the caller's credential; UNAUTHENTICATED (exit 3) before any request when there is none. */
  async client(): Promise<Latchkey> {
    const token = this.token();
    if (!token) {
      throw new CliError('UNAUTHENTICATED', `no credential for ${this.url()}: run \`latchkey login\` or set LATCHKEY_TOKEN`, EXIT.unauthenticated);
    }
    return connect(this.url(), token, this.timeoutMs());
  }

  /** A client for `url` with the given credential, or none (login). */
  async anonymous(url = this.url(), token?: string): Promise<Latchkey> {
    return connect(url, token, this.timeoutMs());
  }

  /** How long one request may take: LATCHKEY_TIMEOUT seconds, default 120 (a CI job never hangs on a dead server). */
  timeoutMs(): number {
    const raw = this.env.LATCHKEY_TIMEOUT;
    if (raw === undefined || raw === '') return 120_000;
    const seconds = Number(raw);
    if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`LATCHKEY_TIMEOUT: expected a number of seconds, got "${raw}"`);
    return seconds * 1000;
  }
}

/** Accepts `https://host` or `https://host/` for `https://host/graphql`; anything else is kept as given. */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`not an http(s) URL: ${raw}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  return url.toString();
}

/** Loopback names for one machine: a login saved for `localhost` is found for `127.0.0.1`. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether two endpoints are the same server: equal once normalised, counting `localhost`,
 * `127.0.0.1` and `[::1]` as one host (same scheme, port and path). Anything else must match
 * exactly, so a saved session is never sent to another host.
 */
export function sameServer(a: string, b: string): boolean {
  const [x, y] = [new URL(normalizeUrl(a)), new URL(normalizeUrl(b))];
  if (LOOPBACK.has(x.hostname) && LOOPBACK.has(y.hostname)) x.hostname = y.hostname;
  return x.toString() === y.toString();
}

/**
 * A credential must look like one before it is sent anywhere: a placeholder copied from the docs
 * (`lkp_…`) or a mistyped secret fails its checksum offline, and is refused (exit 3) without a
 * request. Only the obscured form is printed.
 */
function checkedSecret(secret: string, source: string): string {
  const kind = recognizeSecret(secret);
  if (kind === 'personal' || kind === 'service' || kind === 'session') return secret;
  const shown = secret.length > 8 ? obscureSecret(secret) : '…';
  throw new CliError('UNAUTHENTICATED', `${source} is not a Latchkey secret (${shown}): use the secret printed by \`latchkey tokens create\`, or \`latchkey login\``, EXIT.unauthenticated);
}

/** The SDK is loaded on first use: scan and --help never pay for graphql-js. */
async function connect(url: string, token: string | undefined, timeoutMs: number): Promise<Latchkey> {
  const { createClient } = await import('@latchkey/sdk');
  const timed: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  return createClient({ url, token, fetch: timed });
}
