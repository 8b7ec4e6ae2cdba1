import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, render } from '../scripts/readme.ts';

describe('README.md', () => {
  it('documents the current action catalogue and built-in roles (run scripts/readme.ts to update)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(render(readme)).toBe(readme);
  });
});
