/**
 * Prints the Pothos schema to schema.graphql (the contract the SDK is generated from).
 * With --check, fails instead when the committed file differs from the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '../../../schema.graphql');
const printed = `# Generated from the Pothos schema by \`pnpm schema:print\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing file: stale
  }
  if (current !== printed) {
    console.error('schema.graphql is stale: run `pnpm schema:print` (then `pnpm codegen`) and commit the result.');
    process.exit(1);
  }
  console.log('schema.graphql is up to date.');
} else {
  writeFileSync(target, printed);
  console.log(`Wrote ${target}`);
}
