// `pnpm build` (and `prepack`): dist/esm and dist/cjs from the sources, with tsc.
// Both mirror src/ module for module, so a bundler drops every module a consumer does not import.
import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const config of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, config)], { stdio: 'inherit' });
}
// Node and TypeScript read dist/cjs/*.js and *.d.ts as CommonJS because of this file.
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
