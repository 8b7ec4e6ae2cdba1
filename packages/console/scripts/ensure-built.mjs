/* global console, process */
// Builds the console when packages/console/dist is missing or older than its sources, so that
// `pnpm start` on a fresh clone serves it at / without a separate build step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(here, '..', '..');
const built = join(here, 'dist', 'index.html');

/** The newest modification time under these paths (files or folders). */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules' && entry !== 'dist') visit(join(path, entry));
    } else latest = Math.max(latest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return latest;
}

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
