import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** The first page's JavaScript must stay under this (gzip), checked on every build. */
export const FIRST_PAGE_BUDGET_BYTES = 150 * 1024;

/**
 * Measures what the browser downloads for the first page: the entry chunk and every chunk it
 * imports statically (not the lazy ones), gzipped. Prints the figure, writes it to
 * dist/bundle-size.json and fails the build over the budget.
 */
function firstPageBudget(): Plugin {
  let outDir = 'dist';
  return {
    name: 'latchkey-first-page-budget',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry);
      if (!entry || entry.type !== 'chunk') return;
      const seen = new Set<string>();
      const visit = (fileName: string) => {
        if (seen.has(fileName)) return;
        seen.add(fileName);
        const chunk = bundle[fileName];
        if (chunk?.type === 'chunk') chunk.imports.forEach(visit);
      };
      visit(entry.fileName);
      let gzip = 0;
      let raw = 0;
      for (const fileName of seen) {
        const bytes = readFileSync(join(outDir, fileName));
        raw += bytes.length;
        gzip += gzipSync(bytes, { level: 9 }).length;
      }
      const report = { files: [...seen], rawBytes: raw, gzipBytes: gzip, budgetBytes: FIRST_PAGE_BUDGET_BYTES };
      writeFileSync(join(outDir, 'bundle-size.json'), JSON.stringify(report, null, 2) + '\n');
      console.log(`first-page JavaScript: ${(gzip / 1024).toFixed(1)} kB gzip (${(raw / 1024).toFixed(1)} kB raw), budget ${FIRST_PAGE_BUDGET_BYTES / 1024} kB`);
      if (gzip > FIRST_PAGE_BUDGET_BYTES) this.error(`first-page JavaScript is ${gzip} bytes gzip, over the ${FIRST_PAGE_BUDGET_BYTES}-byte budget`);
    },
  };
}

export default defineConfig({
  plugins: [react(), firstPageBudget()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline polyfill script: the console's CSP allows only its own files.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { proxy: { '/graphql': 'http://localhost:4000' } },
});
