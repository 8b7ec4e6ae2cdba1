import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Files the server reads at run time (migrations, the SDK's trusted-document manifest, the built
 * console), located from the package root rather than from `import.meta.url` of each module: from
 * the sources that is src/…, from the bundle `pnpm start` runs (scripts/build.mjs) it is dist/main.js.
 * The root is the nearest folder up from here whose package.json is @latchkey/server's.
 */
function findServerRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@latchkey/server') return dir;
    if (dirname(dir) === dir) throw new Error(`@latchkey/server: no package.json of @latchkey/server above ${from}`);
  }
}

/** packages/server */
export const SERVER_ROOT = findServerRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside packages/server, e.g. `serverPath('src', 'db', 'migrations')`. */
export function serverPath(...segments: string[]): string {
  return join(SERVER_ROOT, ...segments);
}
