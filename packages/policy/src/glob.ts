/**
 * `*` globs over one key, tag or action name. A glob is kept as the literal runs between its
 * stars, so text substituted from role attributes stays literal even if it contains `*`.
 * Stars never cross `:` or `/` because keys are matched one segment at a time.
 */

/** Literal runs between stars: `a*b*c` is `['a', 'b', 'c']`; `*` is `['', '']`; no star: one run. */
export interface Glob {
  readonly parts: readonly string[];
}

/** Parses glob text where every `*` is a wildcard (action names, tag filters, plain keys). */
export function globFromText(text: string): Glob {
  return normalizeGlob(text.split('*'));
}

/** Drops empty middle runs: `a**b` is `a*b`. */
export function normalizeGlob(parts: readonly string[]): Glob {
  if (parts.length <= 2) return { parts: [...parts] };
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  return { parts: [first, ...middle, last] };
}

export function isStarGlob(g: Glob): boolean {
  return g.parts.length === 2 && g.parts[0] === '' && g.parts[1] === '';
}

export function isLiteralGlob(g: Glob): boolean {
  return g.parts.length === 1;
}

/** Text form for messages (a literal `*` from a role attribute prints like a wildcard). */
export function globToString(g: Glob): string {
  return g.parts.join('*');
}

const ANY = 0;
const EXACT = 1;
const PREFIX = 2;
const SUFFIX = 3;
const PREFIX_SUFFIX = 4;
const GENERAL = 5;

/** A glob compiled to the cheapest test that decides it: equality, prefix, suffix, or a scan. */
export class GlobMatcher {
  private readonly kind: number;
  private readonly head: string;
  private readonly tail: string;
  private readonly minLength: number;
  private readonly middle: readonly string[];

  constructor(readonly glob: Glob) {
    const parts = glob.parts;
    const n = parts.length;
    this.head = parts[0] ?? '';
    this.tail = n > 1 ? (parts[n - 1] ?? '') : '';
    this.middle = n > 2 ? parts.slice(1, -1) : [];
    this.minLength = parts.reduce((sum, p) => sum + p.length, 0);
    if (n === 1) this.kind = EXACT;
    else if (n === 2) {
      if (this.head === '' && this.tail === '') this.kind = ANY;
      else if (this.tail === '') this.kind = PREFIX;
      else if (this.head === '') this.kind = SUFFIX;
      else this.kind = PREFIX_SUFFIX;
    } else this.kind = GENERAL;
  }

  /** Whether `text` is in the glob's language. */
  test(text: string): boolean {
    switch (this.kind) {
      case ANY:
        return true;
      case EXACT:
        return text === this.head;
      case PREFIX:
        return text.startsWith(this.head);
      case SUFFIX:
        return text.endsWith(this.tail);
      case PREFIX_SUFFIX:
        return text.length >= this.minLength && text.startsWith(this.head) && text.endsWith(this.tail);
      default:
        return this.scan(text);
    }
  }

  /**
   * Whether `text.slice(start, end)` is in the glob's language, without slicing. Literal runs
   * are compared with charCodeAt loops: most keys differ in their first characters, and an
   * early exit beats the fixed cost of a startsWith call.
   */
  testRange(text: string, start: number, end: number): boolean {
    const length = end - start;
    switch (this.kind) {
      case ANY:
        return true;
      case EXACT:
        return length === this.head.length && hasAt(text, start, this.head);
      case PREFIX:
        return length >= this.head.length && hasAt(text, start, this.head);
      case SUFFIX:
        return length >= this.tail.length && hasAt(text, end - this.tail.length, this.tail);
      case PREFIX_SUFFIX:
        return length >= this.minLength && hasAt(text, start, this.head) && hasAt(text, end - this.tail.length, this.tail);
      default:
        return this.scanRange(text, start, end);
    }
  }

  /** Whether every string matches (a lone `*`). */
  get matchesAll(): boolean {
    return this.kind === ANY;
  }

  private scanRange(text: string, start: number, end: number): boolean {
    if (end - start < this.minLength || !hasAt(text, start, this.head) || !hasAt(text, end - this.tail.length, this.tail)) return false;
    let from = start + this.head.length;
    const stop = end - this.tail.length;
    for (const run of this.middle) {
      const at = text.indexOf(run, from);
      if (at < 0 || at + run.length > stop) return false;
      from = at + run.length;
    }
    return true;
  }

  /** Leftmost-first placement of the middle runs is optimal for star-only globs. */
  private scan(text: string): boolean {
    if (text.length < this.minLength || !text.startsWith(this.head) || !text.endsWith(this.tail)) return false;
    let from = this.head.length;
    const end = text.length - this.tail.length;
    for (const run of this.middle) {
      const at = text.indexOf(run, from);
      if (at < 0 || at + run.length > end) return false;
      from = at + run.length;
    }
    return true;
  }
}

/** `literal` occurs in `text` at `at` (the caller has checked the length fits). */
function hasAt(text: string, at: number, literal: string): boolean {
  for (let k = 0; k < literal.length; k++) if (text.charCodeAt(at + k) !== literal.charCodeAt(k)) return false;
  return true;
}

/** Glob as a symbol sequence: characters, and `null` for a star. */
function symbols(g: Glob): (string | null)[] {
  const out: (string | null)[] = [];
  g.parts.forEach((part, i) => {
    if (i > 0) out.push(null);
    for (const ch of part) out.push(ch);
  });
  return out;
}

/**
 * L(inner) ⊆ L(outer), exactly. Over an unbounded alphabet a star of `inner` can stand for
 * text `outer`'s literals never spell, so inclusion holds iff `outer` matches `inner` read as
 * symbols where `inner`'s stars can only be absorbed by `outer`'s stars.
 */
export function globIncludes(outer: Glob, inner: Glob): boolean {
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

/** L(a) ∩ L(b) ≠ ∅, exactly (a DP over positions in both globs). */
export function globsIntersect(a: Glob, b: Glob): boolean {
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
