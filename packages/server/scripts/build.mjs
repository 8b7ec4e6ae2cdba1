/* global console, process */
// `pnpm start` runs the server as plain JavaScript: src/main.ts bundled by esbuild into dist/main.js,
// with the workspace packages (@latchkey/policy, @latchkey/sdk, which export TypeScript sources)
// bundled in and every npm dependency left external (better-sqlite3 is native). Without the tsx loader
// the idle process is ~100 MiB smaller. `pnpm dev` still runs the sources.
//
//   node scripts/build.mjs             build dist/main.js
//   node scripts/build.mjs --if-stale  only when dist/main.js is missing or older than the sources
//                                      (so a fresh clone's `pnpm install && pnpm start` needs no step)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newest } from '../../console/scripts/newest-mtime.mjs';
import { build } from 'esbuild';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(here, '..', '..');
const outfile = join(here, 'dist', 'main.js');

const sources = [
  join(here, 'src'),
  join(here, 'package.json'),
  fileURLToPath(import.meta.url),
  join(root, 'tsconfig.json'),
  join(root, 'packages', 'policy', 'src'),
  join(root, 'packages', 'policy', 'package.json'),
  join(root, 'packages', 'sdk', 'src'),
  join(root, 'packages', 'sdk', 'package.json'),
];

if (process.argv.includes('--if-stale') && existsSync(outfile) && newest(sources) <= statSync(outfile).mtimeMs) {
  console.log('server: up to date (packages/server/dist)');
  process.exit(0);
}

// What the bundle may import at run time: Node's modules and the server's own dependencies,
// resolved from packages/server/node_modules. Workspace packages are bundled instead.
const { dependencies } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const runtime = new Set([...builtinModules, ...Object.keys(dependencies).filter((name) => !name.startsWith('@latchkey/'))]);
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const undeclared = new Set();
const externalDependencies = {
  name: 'external-dependencies',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
      if (path.startsWith('@latchkey/')) return undefined;
      const name = packageName(path.replace(/^node:/, ''));
      if (!path.startsWith('node:') && !runtime.has(name)) undeclared.add(`${name} (imported by ${relative(root, importer)})`);
      return { path, external: true };
    });
  },
};

console.log('server: building packages/server/dist …');
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  keepNames: true,
  logLevel: 'warning',
  plugins: [externalDependencies],
});
if (undeclared.size > 0) {
  console.error(`server: the bundle imports packages that are not dependencies of @latchkey/server: ${[...undeclared].join(', ')}`);
  process.exit(1);
}
