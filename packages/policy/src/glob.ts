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

/** Whether `text` is in L(g): head, tail, then the middle runs leftmost-first (optimal for star-only globs). */
export function globMatches(g: Glob, text: string): boolean {
  const parts = g.parts;
  const n = parts.length;
  const head = parts[0] ?? '';
  if (n === 1) return text === head;
  const tail = parts[n - 1] ?? '';
  if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
  let from = head.length;
  const stop = text.length - tail.length;
  for (let k = 1; k < n - 1; k++) {
    const run = parts[k] ?? '';
    const at = text.indexOf(run, from);
    if (at < 0 || at + run.length > stop) return false;
    from = at + run.length;
  }
  return true;
}

/**
 * L(inner) ⊆ L(outer), exactly, in time linear in the globs (up to native indexOf). Over an
 * unbounded alphabet a star of `inner` can stand for text `outer`'s literals never spell, so
 * inclusion holds iff `outer` matches `inner` read as symbols where `inner`'s stars can only be
 * absorbed by `outer`'s stars: `outer`'s head and tail must lie in `inner`'s first and last runs,
 * and each middle run of `outer`, placed leftmost-first, inside one run of `inner` (never across
 * an inner star). Leftmost-first placement leaves the most room for the runs after it, so a
 * greedy scan decides what the old quadratic DP did (test/glob-oracle.ts checks they agree).
 */
export function globIncludes(outer: Glob, inner: Glob): boolean {
  const q = outer.parts;
  const p = inner.parts;
  const qn = q.length;
  const pn = p.length;
  if (qn === 1) return pn === 1 && p[0] === q[0];
  if (pn === 1) return globMatches(outer, p[0] ?? '');
  const head = q[0] ?? '';
  const tail = q[qn - 1] ?? '';
  const first = p[0] ?? '';
  const last = p[pn - 1] ?? '';
  if (!first.startsWith(head) || !last.endsWith(tail)) return false;
  let run = 0;
  let from = head.length;
  for (let k = 1; k < qn - 1; k++) {
    const literal = q[k] ?? '';
    for (;;) {
      const text = p[run] ?? '';
      const stop = run === pn - 1 ? text.length - tail.length : text.length;
      const at = text.indexOf(literal, from);
      if (at >= 0 && at + literal.length <= stop) {
        from = at + literal.length;
        break;
      }
      // Not in this run: the outer star before `literal` absorbs the rest of it and the inner star after it.
      if (run === pn - 1) return false;
      run++;
      from = 0;
    }
  }
  return true;
}

/**
 * L(a) ∩ L(b) ≠ ∅, exactly, in linear time. A literal glob is one word: test it against the
 * other. Two globs with stars meet iff their heads are prefix-compatible (one starts the other)
 * and their tails suffix-compatible: the word longer head + a's middles + b's middles + longer
 * tail is in both.
 */
export function globsIntersect(a: Glob, b: Glob): boolean {
  const p = a.parts;
  const q = b.parts;
  if (p.length === 1) return globMatches(b, p[0] ?? '');
  if (q.length === 1) return globMatches(a, q[0] ?? '');
  const ha = p[0] ?? '';
  const hb = q[0] ?? '';
  const ta = p[p.length - 1] ?? '';
  const tb = q[q.length - 1] ?? '';
  const heads = ha.length <= hb.length ? hb.startsWith(ha) : ha.startsWith(hb);
  return heads && (ta.length <= tb.length ? tb.endsWith(ta) : ta.endsWith(tb));
}
