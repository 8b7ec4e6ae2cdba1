/* global console, process */
// Builds the console when packages/console/dist is missing or older than its sources, so that
// `pnpm start` on a fresh clone serves it at / without a separate build step.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newest } from './newest-mtime.mjs';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(here, '..', '..');
const built = join(here, 'dist', 'index.html');

const sources = [
  join(here, 'src'),
  join(here, 'public'),
  join(here, 'index.html'),
  join(here, 'vite.config.ts'),
  join(here, 'package.json'),
  join(root, 'packages', 'sdk', 'src'),
];
const stale = !existsSync(built) || newest(sources) > statSync(built).mtimeMs;
if (!stale) {
  console.log('console: up to date (packages/console/dist)');
  process.exit(0);
}
console.log('console: building packages/console/dist …');
const result = spawnSync('pnpm', ['--filter', '@latchkey/console', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
