/**
 * The quadratic dynamic programmes src/glob.ts used before its linear algorithms, kept as
 * oracles for the property tests (test/glob.test.ts). Exact, obviously correct, and slow:
 * O(|outer| × |inner|) cells.
 */
import { isStarGlob, type Glob } from '../src/glob.ts';

/** Glob as a symbol sequence: characters, and `null` for a star. */
function symbols(g: Glob): (string | null)[] {
  const out: (string | null)[] = [];
  g.parts.forEach((part, i) => {
    if (i > 0) out.push(null);
    for (const ch of part) out.push(ch);
  });
  return out;
}

/** L(inner) ⊆ L(outer): outer matches inner read as symbols, inner's stars absorbed only by outer's. */
export function globIncludesDP(outer: Glob, inner: Glob): boolean {
  if (isStarGlob(outer)) return true;
  const q = symbols(outer);
  const p = symbols(inner);
  const m = q.length;
  const n = p.length;
  // row[j] = q[i..] matches p[j..], filled from the last row up.
  let next: boolean[] = new Array<boolean>(n + 1).fill(false);
  next[n] = true;
  for (let i = m - 1; i >= 0; i--) {
    const row: boolean[] = new Array<boolean>(n + 1).fill(false);
    const qi = q[i];
    for (let j = n; j >= 0; j--) {
      if (qi === null) row[j] = (next[j] ?? false) || (j < n && (row[j + 1] ?? false));
      else row[j] = j < n && p[j] === qi && (next[j + 1] ?? false);
    }
    next = row;
  }
  return next[0] ?? false;
}

/** L(a) ∩ L(b) ≠ ∅ (a DP over positions in both globs). */
export function globsIntersectDP(a: Glob, b: Glob): boolean {
  if (isStarGlob(a) || isStarGlob(b)) return true;
  const p = symbols(a);
  const q = symbols(b);
  const n = p.length;
  const m = q.length;
  // ok[i][j]: some word is matched by both p[i..] and q[j..]
  const ok: boolean[][] = Array.from({ length: n + 1 }, () => new Array<boolean>(m + 1).fill(false));
  const at = (i: number, j: number): boolean => ok[i]?.[j] ?? false;
  for (let i = n; i >= 0; i--) {
    const row = ok[i];
    if (row === undefined) continue;
    for (let j = m; j >= 0; j--) {
      if (i === n && j === m) {
        row[j] = true;
        continue;
      }
      const pi = i < n ? p[i] : undefined;
      const qj = j < m ? q[j] : undefined;
      let r = false;
      if (pi === null) r = at(i + 1, j) || (j < m && at(i, j + 1));
      if (!r && qj === null) r = at(i, j + 1) || (i < n && at(i + 1, j));
      if (!r && typeof pi === 'string' && typeof qj === 'string') r = pi === qj && at(i + 1, j + 1);
      row[j] = r;
    }
  }
  return at(0, 0);
}
