/**
 * The published `latchkey`: src/bin.ts and everything it imports (the SDK, commander, the
 * prompts, …) in one ESM file for Node 20, so the package has no dependencies to install — no
 * workspace package, nothing native. Also used by the tests (test/run.ts) to run what ships.
 *
 *   pnpm --filter @latchkey/cli build   → dist/latchkey.mjs (also run by `pnpm pack`)
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle(outfile = join(PACKAGE, 'dist', 'latchkey.mjs')): Promise<string> {
  await build({
    entryPoints: [join(PACKAGE, 'src', 'bin.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies (commander, cli-table3) call require(): give the ESM file one.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`built ${await bundle()}`);
}
