#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step, so a fresh
// `pnpm install --frozen-lockfile` is all it takes.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
