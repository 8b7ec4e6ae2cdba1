/**
 * Containment: does everything `inner` allows stay within what `outer` allows?
 *
 * Sound (an `ok` is a proof) and conservative (a `not ok` may be a false alarm in exotic
 * cases). Actions are finite, so the check runs per catalogue (resource type, action); keys and
 * tags are globs, compared with exact glob inclusion and intersection. For each allow statement
 * of an inner grant, each of its patterns (a "piece") must be
 *   - wholly denied by a deny of the same inner grant, or
 *   - inside one allow of some outer grant, where every deny of that outer grant either misses
 *     the piece or is itself inside a deny of the inner grant.
 * What is not detected (refused although contained): a piece covered only by the union of
 * several outer allows, or only by different outer grants for different parts; an everything-
 * except (`notResources`) piece against outer allows that are not `*`; an outer deny that
 * overlaps the piece only where inner denies also overlap it, piecewise.
 */
import { ACTION_CATALOG, type ResourceType } from './actions.ts';
import {
  MATCH_ALL,
  MATCH_ANY,
  compileGrant,
  patternText,
  universalPattern,
  type CompiledGrant,
  type CompiledPattern,
  type SegmentMatcher,
  type TypedStatement,
} from './evaluate.ts';
import { globIncludes, globsIntersect, isStarGlob } from './glob.ts';
import { TYPE_ID } from './resources.ts';
import type { Grant } from './roles.ts';

export type Containment = { ok: true } | { ok: false; action: string; resource: string; reason: string };

/** A set of resources of one type: all of them, any of some patterns, or all but some patterns. */
type Region =
  | { kind: 'all' }
  | { kind: 'any'; patterns: readonly CompiledPattern[] }
  | { kind: 'none'; patterns: readonly CompiledPattern[] };

const ALL: Region = { kind: 'all' };

function regionOf(s: TypedStatement): Region {
  if (s.mode === MATCH_ALL) return ALL;
  return s.mode === MATCH_ANY ? { kind: 'any', patterns: s.patterns } : { kind: 'none', patterns: s.patterns };
}

/** A statement's region split into pieces that are checked one by one (one per pattern). */
function piecesOf(s: TypedStatement): Region[] {
  if (s.mode === MATCH_ANY) return s.patterns.map((p) => ({ kind: 'any', patterns: [p] }));
  return [regionOf(s)];
}

/** Every resource of its type: all keys `*` (or acct) and no tag filter. */
function isUniversal(p: CompiledPattern): boolean {
  return p.segments.every((s) => (s.type === 'acct' || isStarGlob(s.key.glob)) && s.tags.length === 0);
}

function isEmpty(r: Region): boolean {
  return r.kind === 'none' && r.patterns.some(isUniversal);
}

/** A memo of pair results keyed by object identity. */
class PairMemo<T extends object> {
  private readonly rows = new Map<T, Map<T, boolean>>();

  lookup(a: T, b: T): boolean | undefined {
    return this.rows.get(a)?.get(b);
  }

  store(a: T, b: T, value: boolean): boolean {
    let row = this.rows.get(a);
    if (row === undefined) {
      row = new Map();
      this.rows.set(a, row);
    }
    row.set(b, value);
    return value;
  }
}

/** L(p) ⊆ L(q): every key within q's key; each tag q requires is implied by one p requires. */
function patternWithin(p: CompiledPattern, q: CompiledPattern): boolean {
  for (let i = 0; i < p.segments.length; i++) {
    const ps = p.segments[i];
    const qs = q.segments[i];
    if (ps === undefined || qs === undefined || !globIncludes(qs.key.glob, ps.key.glob)) return false;
    for (const qt of qs.tags) {
      let implied = false;
      for (const pt of ps.tags) {
        if (globIncludes(qt.glob, pt.glob)) {
          implied = true;
          break;
        }
      }
      if (!implied) return false;
    }
  }
  return true;
}

/** Disjoint iff some segment's keys cannot meet (tag filters can always all be satisfied). */
function patternsDisjoint(p: CompiledPattern, q: CompiledPattern): boolean {
  for (let i = 0; i < p.segments.length; i++) {
    const ps = p.segments[i];
    const qs = q.segments[i];
    if (ps !== undefined && qs !== undefined && !globsIntersect(ps.key.glob, qs.key.glob)) return true;
  }
  return false;
}

/**
 * The region algebra for one `contains` call. Patterns and regions are shared by every action
 * of a resource type (a statement compiles once per type), so each pair is compared once per
 * call, not once per action: without this, the checks of up to eight actions of a type
 * repeated the same comparisons. Loops, not closures: this is the hot path of `contains`.
 */
class Regions {
  private readonly withinPatterns = new PairMemo<CompiledPattern>();
  private readonly disjointPatterns = new PairMemo<CompiledPattern>();
  private readonly withinRegions = new PairMemo<Region>();
  private readonly disjointRegions = new PairMemo<Region>();
  private readonly regions = new Map<TypedStatement, Region>();
  private readonly piecesMemo = new Map<TypedStatement, Region[]>();

  /** The statement's region (the same object every time it is asked). */
  of(s: TypedStatement): Region {
    let r = this.regions.get(s);
    if (r === undefined) {
      r = regionOf(s);
      this.regions.set(s, r);
    }
    return r;
  }

  pieces(s: TypedStatement): Region[] {
    let list = this.piecesMemo.get(s);
    if (list === undefined) {
      list = piecesOf(s);
      this.piecesMemo.set(s, list);
    }
    return list;
  }

  private patternWithin(p: CompiledPattern, q: CompiledPattern): boolean {
    return this.withinPatterns.lookup(p, q) ?? this.withinPatterns.store(p, q, patternWithin(p, q));
  }

  private patternsDisjoint(p: CompiledPattern, q: CompiledPattern): boolean {
    return this.disjointPatterns.lookup(p, q) ?? this.disjointPatterns.store(p, q, patternsDisjoint(p, q));
  }

  /** Every pattern of `ps` is within one of `qs`. */
  private allWithinSome(ps: readonly CompiledPattern[], qs: readonly CompiledPattern[]): boolean {
    for (const p of ps) {
      let found = false;
      for (const q of qs) {
        if (this.patternWithin(p, q)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  /** No pattern of `ps` meets one of `qs`. */
  private allDisjoint(ps: readonly CompiledPattern[], qs: readonly CompiledPattern[]): boolean {
    for (const p of ps) for (const q of qs) if (!this.patternsDisjoint(p, q)) return false;
    return true;
  }

  /** a ⊆ b (conservative: false when unsure). */
  within(a: Region, b: Region): boolean {
    if (b.kind === 'all' || isEmpty(a)) return true;
    if (a.kind === 'all') return b.kind === 'any' && b.patterns.some(isUniversal);
    const known = this.withinRegions.lookup(a, b);
    if (known !== undefined) return known;
    let result: boolean;
    if (a.kind === 'any' && b.kind === 'any') result = this.allWithinSome(a.patterns, b.patterns);
    else if (a.kind === 'any') {
      // b = everything except b.patterns: every pattern of a misses all of them
      result = this.allDisjoint(a.patterns, b.patterns);
    } else if (b.kind === 'any') result = b.patterns.some(isUniversal);
    // both everything-except: what b leaves out, a leaves out too
    else result = this.allWithinSome(b.patterns, a.patterns);
    return this.withinRegions.store(a, b, result);
  }

  /** a ∩ b = ∅ (conservative: false when unsure). */
  disjoint(a: Region, b: Region): boolean {
    if (isEmpty(a) || isEmpty(b)) return true;
    if (a.kind === 'all' || b.kind === 'all') return false;
    const known = this.disjointRegions.lookup(a, b);
    if (known !== undefined) return known;
    let result = false;
    if (a.kind === 'any' && b.kind === 'any') result = this.allDisjoint(a.patterns, b.patterns);
    // p ∩ (everything except ns) = ∅ iff p ⊆ ∪ns
    else if (a.kind === 'any' && b.kind === 'none') result = this.allWithinSome(a.patterns, b.patterns);
    else if (a.kind === 'none' && b.kind === 'any') result = this.allWithinSome(b.patterns, a.patterns);
    return this.disjointRegions.store(a, b, result);
  }
}

/** Per type id and action: the grant's allows and denies (empty when it has none). */
function statementsFor(grant: CompiledGrant, typeId: number, action: string): { allows: TypedStatement[]; denies: TypedStatement[] } {
  return grant.byType[typeId]?.get(action) ?? { allows: [], denies: [] };
}

/** Narrows a pattern towards another where one key glob includes the other (for messages). */
function narrow(p: CompiledPattern, q: CompiledPattern): CompiledPattern {
  const segments: SegmentMatcher[] = p.segments.map((ps, i) => {
    const qs = q.segments[i];
    if (qs === undefined) return ps;
    const key = globIncludes(ps.key.glob, qs.key.glob) ? qs.key : ps.key;
    const tags = [...ps.tags, ...qs.tags.filter((t) => !ps.tags.some((pt) => globIncludes(t.glob, pt.glob)))];
    return { type: ps.type, key, tags };
  });
  return { typeId: p.typeId, segments, text: patternText(segments) };
}

function showPiece(piece: Region, type: ResourceType): { pattern: CompiledPattern; text: string } {
  const pattern = piece.kind === 'any' && piece.patterns[0] !== undefined ? piece.patterns[0] : universalPattern(type);
  if (piece.kind !== 'none') return { pattern, text: pattern.text };
  return { pattern, text: `${pattern.text} except ${piece.patterns.map((p) => p.text).join(', ')}` };
}

interface Refusal {
  resource: string;
  reason: string;
}

/** One outer grant's statements for the (type, action) being checked, prepared once for every piece. */
interface OuterSide {
  readonly grant: CompiledGrant;
  readonly allows: readonly Region[];
  readonly denyPieces: readonly { readonly d: TypedStatement; readonly dp: Region }[];
}

/**
 * The denies of one inner grant for one (type, action). Whether an outer deny piece lies inside
 * them does not depend on the inner piece being checked, so it is decided once per deny piece
 * (without this, pieces × outer denies × inner denies made `contains` cubic).
 */
class InnerDenies {
  private readonly regions: readonly Region[];
  private readonly covered = new Map<Region, boolean>();

  constructor(
    private readonly algebra: Regions,
    denies: readonly TypedStatement[],
  ) {
    this.regions = denies.map((d) => algebra.of(d));
  }

  covers(r: Region): boolean {
    return this.regions.some((e) => this.algebra.within(r, e));
  }

  coversOuterDeny(dp: Region): boolean {
    let known = this.covered.get(dp);
    if (known === undefined) {
      known = this.covers(dp);
      this.covered.set(dp, known);
    }
    return known;
  }
}

function outerSide(algebra: Regions, grant: CompiledGrant, typeId: number, action: string): OuterSide {
  const { allows, denies } = statementsFor(grant, typeId, action);
  return { grant, allows: allows.map((a) => algebra.of(a)), denyPieces: denies.flatMap((d) => algebra.pieces(d).map((dp) => ({ d, dp }))) };
}

/** Why no outer grant covers `piece` (null when one does). */
function uncovered(
  algebra: Regions,
  piece: Region,
  innerDenies: InnerDenies,
  outer: readonly OuterSide[],
  type: ResourceType,
  action: string,
  origin: TypedStatement,
): Refusal | null {
  // Outer grants first: against a built-in role a piece is usually covered at once, and the
  // inner denies (pieces × denies) are then never compared.
  let blocking: { d: TypedStatement; dp: Region; grant: CompiledGrant } | undefined;
  for (const { grant, allows, denyPieces } of outer) {
    if (!allows.some((a) => algebra.within(piece, a))) continue;
    const found = denyPieces.find(({ dp }) => !algebra.disjoint(piece, dp) && !innerDenies.coversOuterDeny(dp));
    if (found === undefined) return null;
    blocking ??= { ...found, grant };
  }
  if (innerDenies.covers(piece)) return null;
  const shown = showPiece(piece, type);
  if (blocking !== undefined) {
    const { d, dp, grant } = blocking;
    const overlap = dp.kind === 'any' && dp.patterns[0] !== undefined ? narrow(shown.pattern, dp.patterns[0]) : shown.pattern;
    return {
      resource: overlap.text,
      reason: `${origin.source} statement ${origin.index} allows ${action} on ${shown.text}, but ${grant.source} statement ${d.index} denies ${action} on ${showPiece(dp, type).text}`,
    };
  }
  return {
    resource: shown.text,
    reason: `${origin.source} statement ${origin.index} allows ${action} on ${shown.text}, which ${
      outer.length === 0 ? 'nothing' : outer.map((o) => o.grant.source).join(', ')
    } does not allow`,
  };
}

/**
 * Whether every request some inner grant allows is allowed by some outer grant. Requests are
 * catalogue actions on resources of the action's type (the engine refuses anything else).
 * On failure, names the first exceeding action and resource, in catalogue order.
 */
export function contains(outer: readonly Grant[], inner: readonly Grant[]): Containment {
  const outerCompiled = outer.map(compileGrant);
  const innerCompiled = inner.map(compileGrant);
  const algebra = new Regions();
  for (const { resourceType, action } of ACTION_CATALOG) {
    const typeId = TYPE_ID[resourceType];
    let outerSides: OuterSide[] | undefined;
    for (const grant of innerCompiled) {
      const { allows, denies } = statementsFor(grant, typeId, action);
      if (allows.length === 0) continue;
      outerSides ??= outerCompiled.map((g) => outerSide(algebra, g, typeId, action));
      const innerDenies = new InnerDenies(algebra, denies);
      for (const allow of allows) {
        for (const piece of algebra.pieces(allow)) {
          const refusal = uncovered(algebra, piece, innerDenies, outerSides, resourceType, action, allow);
          if (refusal !== null) return { ok: false, action, ...refusal };
        }
      }
    }
  }
  return { ok: true };
}
