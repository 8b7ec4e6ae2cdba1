import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serverPath } from './paths.ts';

/**
 * The web console (packages/console, built by Vite) served by the server itself: same origin as
 * /graphql, no CDN, works offline. Everything that is not /graphql comes here.
 *
 * - Hashed files under /assets/ never change: cached for a year, `immutable`.
 * - index.html (and any other unhashed file) is revalidated on every load (`no-cache`), so a new
 *   build is picked up at once.
 * - Paths without an extension are client routes (/tokens, /members…): they get index.html.
 * - Nothing outside the build folder is ever read (decoded, normalised, then checked to be inside).
 * - Text files go gzipped to browsers that accept it, with an ETag (a revalidation is a 304).
 */

/** Where `pnpm --filter @latchkey/console build` writes the console. */
export const CONSOLE_DIST = serverPath('..', 'console', 'dist') + sep;

const HTML = 'text/html; charset=utf-8';
const CONTENT_TYPES: Record<string, string> = {
  '.html': HTML,
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The console runs only its own scripts and styles and talks only to its own origin; it is
 * never framed. (No inline script or style: React sets no style attributes in this console.)
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export interface ConsoleOptions {
  /** false with LATCHKEY_CONSOLE=off: `/` then only points to the playground. */
  enabled: boolean;
  /** The built console (defaults to packages/console/dist). */
  root?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** True for the API's own paths, which stay with Yoga. */
export function isApiPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path === '/graphql' || path.startsWith('/graphql/');
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, head: boolean): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(head ? undefined : body);
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>` +
  `<body><main><h1>${title}</h1>${text}</main></body></html>`;

const OFF_PAGE = page(
  'Latchkey',
  '<p>The web console is turned off on this server (LATCHKEY_CONSOLE=off).</p><p>Use the GraphQL playground at <a href="/graphql">/graphql</a>, the SDK or the CLI.</p>',
);

const NOT_BUILT_PAGE = page(
  'Latchkey',
  '<p>The web console has not been built. Run <code>pnpm --filter @latchkey/console build</code> (or <code>pnpm start</code>, which builds it), then reload.</p><p>Meanwhile the GraphQL playground is at <a href="/graphql">/graphql</a>.</p>',
);

/** The file a request path names inside `root`, or null when it would leave it (or is malformed). */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = resolve(root);
  const target = resolve(base, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded));
  if (target !== base && !target.startsWith(base + sep)) return null;
  return target;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The handler for every non-/graphql request. */
export function createConsoleHandler(options: ConsoleOptions): Handler {
  const root = resolve(options.root ?? CONSOLE_DIST);
  return (req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      send(res, 405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method Not Allowed\n', head);
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!options.enabled) {
      if (path === '/' || path === '/index.html') send(res, 200, { 'content-type': HTML, 'cache-control': 'no-cache' }, OFF_PAGE, head);
      else send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n', head);
      return;
    }
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      send(res, 503, { 'content-type': HTML, 'cache-control': 'no-store' }, NOT_BUILT_PAGE, head);
      return;
    }
    const target = resolveInside(root, path);
    if (target === null) {
      send(res, 400, { 'content-type': 'text/plain; charset=utf-8' }, 'Bad Request\n', head);
      return;
    }
    const extension = extname(target);
    let file = target;
    if (!isFile(target)) {
      // A client route (no extension) is the single-page app; a missing file is a 404, never
      // index.html served as JavaScript.
      if (extension !== '' && path !== '/') {
        send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found\n', head);
        return;
      }
      file = index;
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const hashed = path.startsWith('/assets/') && file !== index;
    const loaded = load(file, type);
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': type,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: loaded.etag,
      vary: 'accept-encoding',
    };
    // `no-cache` means "revalidate": an unchanged index.html costs a 304, not a download.
    if (req.headers['if-none-match'] === loaded.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = loaded.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) ? loaded.gzip : null;
    const body = gzip ?? loaded.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(head ? undefined : body);
  };
}

interface Loaded {
  mtimeMs: number;
  size: number;
  body: Buffer;
  /** Text files, gzipped once: the console is a few hundred kB of JavaScript that compresses 4:1. */
  gzip: Buffer | null;
  etag: string;
}

const loadedFiles = new Map<string, Loaded>();

/** The file's bytes (and gzip), read and compressed once per version of the file. */
function load(file: string, type: string): Loaded {
  const stat = statSync(file);
  const cached = loadedFiles.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached;
  const body = readFileSync(file);
  const compressible = /^text\/|javascript|json|svg/.test(type);
  const loaded: Loaded = {
    mtimeMs: stat.mtimeMs,
    size: stat.size,
    body,
    gzip: compressible ? gzipSync(body) : null,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
  loadedFiles.set(file, loaded);
  return loaded;
}

/** Routes /graphql to Yoga and everything else to the console. */
export function withConsole(api: Handler, options: ConsoleOptions): Handler {
  const serveConsole = createConsoleHandler(options);
  return (req, res) => (isApiPath(req.url) ? api(req, res) : serveConsole(req, res));
}
