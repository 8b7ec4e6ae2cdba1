import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The console's real-browser tests (Debian's chromium via playwright-core): `pnpm test:browser`,
// run by .ci/browser.sh. Kept out of `pnpm test`, which must pass without a browser.
export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  test: {
    include: ['test/**/*.browser.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
