#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step, so a fresh
// `pnpm install --frozen-lockfile` is all it takes.
import process from 'node:process';
import { register } from 'tsx/esm/api';

// `latchkey tokens list | head -1`: the reader went away, which is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
