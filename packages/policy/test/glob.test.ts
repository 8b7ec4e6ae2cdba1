/**
 * The linear glob algorithms of src/glob.ts against the quadratic DPs they replaced
 * (test/glob-oracle.ts) and against brute-force matching over a small alphabet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globIncludes, globMatches, globsIntersect, normalizeGlob, type Glob } from '../src/glob.ts';
import { globIncludesDP, globsIntersectDP } from './glob-oracle.ts';

/** Globs over {a, b}: literal runs of up to 3 characters between up to 4 stars (empty runs included: `a**b`). */
const rawGlob: fc.Arbitrary<Glob> = fc.array(fc.stringMatching(/^[ab]{0,3}$/), { minLength: 1, maxLength: 5 }).map((parts) => ({ parts }));
const glob = fc.oneof(rawGlob, rawGlob.map((g) => normalizeGlob(g.parts)));
/** Smaller ones, for brute force over every word up to their total literal length. */
const smallGlob: fc.Arbitrary<Glob> = fc.array(fc.stringMatching(/^[ab]{0,2}$/), { minLength: 1, maxLength: 4 }).map((parts) => ({ parts }));

const regexOf = (g: Glob) => new RegExp(`^${g.parts.join('.*')}$`, 's');
/** Every word over `alphabet` of length 0..max. */
function words(alphabet: string, max: number): string[] {
  const out = [''];
  let layer = [''];
  for (let n = 1; n <= max; n++) {
    layer = layer.flatMap((w) => [...alphabet].map((c) => w + c));
    for (const w of layer) out.push(w);
  }
  return out;
}
const SHORT_WORDS = words('abz', 6);
const literalLength = (g: Glob) => g.parts.reduce((sum, p) => sum + p.length, 0);

describe('glob algorithms', () => {
  it('globMatches agrees with a regular expression', () => {
    fc.assert(
      fc.property(glob, fc.stringMatching(/^[abz]{0,8}$/), (g, text) => {
        expect(globMatches(g, text)).toBe(regexOf(g).test(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('globIncludes agrees with the quadratic DP', () => {
    fc.assert(
      fc.property(glob, glob, (outer, inner) => {
        expect(globIncludes(outer, inner)).toBe(globIncludesDP(outer, inner));
      }),
      { numRuns: 10_000 },
    );
  });

  it('globsIntersect agrees with the quadratic DP', () => {
    fc.assert(
      fc.property(glob, glob, (a, b) => {
        expect(globsIntersect(a, b)).toBe(globsIntersectDP(a, b));
        expect(globsIntersect(b, a)).toBe(globsIntersect(a, b));
      }),
      { numRuns: 10_000 },
    );
  });

  it('globIncludes is exact: no short word escapes an inclusion, and a refusal has a witness', () => {
    fc.assert(
      fc.property(glob, glob, (outer, inner) => {
        const o = regexOf(outer);
        const i = regexOf(inner);
        if (globIncludes(outer, inner)) {
          for (const w of SHORT_WORDS) if (i.test(w)) expect(o.test(w), w).toBe(true);
        } else {
          // Each inner star as a letter outer's literals never use: inner has it, outer cannot.
          const witness = inner.parts.join('z');
          expect(i.test(witness)).toBe(true);
          expect(o.test(witness)).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('globsIntersect is exact: a word in both exists iff it says so (witnesses are short)', () => {
    fc.assert(
      fc.property(smallGlob, smallGlob, (a, b) => {
        // A common word, if any, needs no more letters than both globs' literals together.
        const candidates = words('ab', literalLength(a) + literalLength(b));
        const x = regexOf(a);
        const y = regexOf(b);
        expect(globsIntersect(a, b)).toBe(candidates.some((w) => x.test(w) && y.test(w)));
      }),
      { numRuns: 2000 },
    );
  });

  it('stay linear on the globs that made the DP quadratic', () => {
    // Not a timing assertion: answers on 20,000-star globs (the issue's `a*a*…`), which the DP took minutes for.
    const a = { parts: [...Array.from({ length: 20_000 }, () => 'a'), ''] };
    const b = { parts: [...Array.from({ length: 20_000 }, () => 'b'), ''] };
    const ab = { parts: ['', ...Array.from({ length: 20_000 }, () => 'ab'), ''] };
    expect(globIncludes(b, a)).toBe(false);
    expect(globIncludes(a, a)).toBe(true);
    expect(globIncludes(ab, a)).toBe(false);
    expect(globIncludes(a, ab)).toBe(false);
    expect(globsIntersect(a, b)).toBe(false);
    expect(globsIntersect(a, ab)).toBe(true);
  });
});
