// Vite production builds of urql-core-only.js, viewer-only.js, everything.js and react.tsx; prints the gzip sizes
// and fails when importing one operation bundles the others.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

async function bundle(entry) {
  const outDir = join('dist', entry.replace(/\.\w+$/, ''));
  await build({
    configFile: false,
    logLevel: 'warn',
    esbuild: { jsx: 'automatic' },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: entry } },
  });
  const js = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
  const code = js.map((f) => readFileSync(join(outDir, 'assets', f), 'utf8')).join('\n');
  return { code, raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const baseline = await bundle('urql-core-only.js');
const viewerOnly = await bundle('viewer-only.js');
const everything = await bundle('everything.js');
const react = await bundle('react.tsx');

console.log('Vite production build of the packed SDK (minified; gzip -9):');
console.log(`  @urql/core alone (the baseline)     ${kb(baseline.raw).padStart(9)}   gzip ${kb(baseline.gzip).padStart(8)}`);
console.log(`  import { LatchkeyClient, viewer }   ${kb(viewerOnly.raw).padStart(9)}   gzip ${kb(viewerOnly.gzip).padStart(8)}`);
console.log(`  import * as sdk (everything)        ${kb(everything.raw).padStart(9)}   gzip ${kb(everything.gzip).padStart(8)}`);
console.log(`  urql React app (react, react-dom)   ${kb(react.raw).padStart(9)}   gzip ${kb(react.gzip).padStart(8)}`);

// Other operations' documents must not be in the viewer-only bundle.
for (const name of ['CreateToken', 'AuditLog', 'CheckAccess', 'InviteMember', 'CustomRoleFields']) {
  assert.ok(everything.code.includes(name), `the full bundle holds ${name}`);
  assert.ok(!viewerOnly.code.includes(name), `the viewer-only bundle must not hold ${name}`);
}
assert.ok(viewerOnly.code.includes('Viewer'));
assert.ok(viewerOnly.raw * 3 < everything.raw, 'importing viewer alone is less than a third of everything');
assert.ok(viewerOnly.gzip - baseline.gzip < 3 * 1024, 'viewer adds less than 3 kB gzip to @urql/core');
