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
 *
 * Cost: globs are compared in linear time (glob.ts), and each pair of regions once per inner
 * grant and type (TypeCheck), so the work is quadratic in the patterns of the two sides and
 * independent of how many actions share them; POLICY_LIMITS bounds the patterns.
 */
import { ACTION_CATALOG, type ResourceType } from './actions.ts';
import {
  CompiledPrincipal,
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
 * The region algebra for one `contains` call. Regions and pieces are made once per statement, so
 * they can key the per-piece facts of TypeCheck (which compares each pair of regions once).
 * Loops, not closures: this is the hot path of `contains`.
 */
class Regions {
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

  /** a ⊆ b (conservative: false when unsure). */
  within(a: Region, b: Region): boolean {
    if (b.kind === 'all' || isEmpty(a)) return true;
    if (a.kind === 'all') return b.kind === 'any' && b.patterns.some(isUniversal);
    if (a.kind === 'any') {
      // b = everything except b.patterns: every pattern of a misses all of them
      return b.kind === 'any' ? allWithinSome(a.patterns, b.patterns) : allDisjoint(a.patterns, b.patterns);
    }
    if (b.kind === 'any') return b.patterns.some(isUniversal);
    // both everything-except: what b leaves out, a leaves out too
    return allWithinSome(b.patterns, a.patterns);
  }

  /** a ∩ b = ∅ (conservative: false when unsure). */
  disjoint(a: Region, b: Region): boolean {
    if (isEmpty(a) || isEmpty(b)) return true;
    if (a.kind === 'any' && b.kind === 'any') return allDisjoint(a.patterns, b.patterns);
    // p ∩ (everything except ns) = ∅ iff p ⊆ ∪ns
    if (a.kind === 'any' && b.kind === 'none') return allWithinSome(a.patterns, b.patterns);
    if (a.kind === 'none' && b.kind === 'any') return allWithinSome(b.patterns, a.patterns);
    return false;
  }
}

/** Every pattern of `ps` is within one of `qs`. */
function allWithinSome(ps: readonly CompiledPattern[], qs: readonly CompiledPattern[]): boolean {
  for (const p of ps) {
    let found = false;
    for (const q of qs) {
      if (patternWithin(p, q)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** No pattern of `ps` meets one of `qs`. */
function allDisjoint(ps: readonly CompiledPattern[], qs: readonly CompiledPattern[]): boolean {
  for (const p of ps) for (const q of qs) if (!patternsDisjoint(p, q)) return false;
  return true;
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
/** A grant's statements of one type, for any action, in statement order. */
function typeStatements(grant: CompiledGrant, typeId: number): { allows: TypedStatement[]; denies: TypedStatement[] } {
  const allows = new Set<TypedStatement>();
  const denies = new Set<TypedStatement>();
  for (const entry of grant.byType[typeId]?.values() ?? []) {
    for (const a of entry.allows) allows.add(a);
    for (const d of entry.denies) denies.add(d);
  }
  const byIndex = (x: TypedStatement, y: TypedStatement) => x.index - y.index;
  return { allows: [...allows].sort(byIndex), denies: [...denies].sort(byIndex) };
}

interface DenyPiece {
  readonly d: TypedStatement;
  readonly dp: Region;
}

/** What holds for one inner piece whatever the action, filled in as actions ask. */
interface PieceFacts {
  /** Per outer grant: which of its allows contain the piece, and its deny pieces that meet it. */
  readonly outer: readonly { readonly contains: Map<TypedStatement, boolean>; meets?: readonly DenyPiece[] }[];
  /** The inner grant's denies that contain the piece (only computed when no outer grant covers it). */
  innerCover?: readonly TypedStatement[];
}

/**
 * One inner grant and one resource type against the outer grants. The region comparisons do not
 * depend on the action, so they are made once here, when a piece is first checked, and every
 * action of the type (up to eight) then only looks its own statements up in them. Whether an
 * outer deny piece lies inside the inner denies is likewise decided once per deny piece (checking
 * it for every inner piece made `contains` cubic).
 */
class TypeCheck {
  private readonly facts = new Map<Region, PieceFacts>();
  private readonly denyCovers = new Map<Region, readonly TypedStatement[]>();
  private readonly innerDenies: readonly TypedStatement[];
  private readonly outer: readonly { readonly denyPieces: readonly DenyPiece[] }[];

  constructor(
    private readonly algebra: Regions,
    inner: CompiledGrant,
    outer: readonly CompiledGrant[],
    typeId: number,
  ) {
    this.innerDenies = typeStatements(inner, typeId).denies;
    this.outer = outer.map((g) => ({ denyPieces: typeStatements(g, typeId).denies.flatMap((d) => algebra.pieces(d).map((dp) => ({ d, dp }))) }));
  }

  factsOf(piece: Region): PieceFacts {
    let f = this.facts.get(piece);
    if (f === undefined) {
      f = { outer: this.outer.map(() => ({ contains: new Map<TypedStatement, boolean>() })) };
      this.facts.set(piece, f);
    }
    return f;
  }

  /** Some of `allows` (one action's, of outer grant `o`) contains the piece; each pair is compared once. */
  allowedBy(piece: Region, facts: PieceFacts, o: number, allows: readonly TypedStatement[]): boolean {
    const seen = facts.outer[o]?.contains;
    if (seen === undefined) return false;
    for (const a of allows) {
      let hit = seen.get(a);
      if (hit === undefined) {
        hit = this.algebra.within(piece, this.algebra.of(a));
        seen.set(a, hit);
      }
      if (hit) return true;
    }
    return false;
  }

  /** Outer grant `o`'s deny pieces (of any action) that meet the piece, in statement order. */
  meets(piece: Region, facts: PieceFacts, o: number): readonly DenyPiece[] {
    const f = facts.outer[o];
    if (f === undefined) return [];
    f.meets ??= (this.outer[o]?.denyPieces ?? []).filter(({ dp }) => !this.algebra.disjoint(piece, dp));
    return f.meets;
  }

  /** The inner denies (of any action) that contain the region. */
  innerCover(r: Region): readonly TypedStatement[] {
    const f = this.facts.get(r);
    if (f?.innerCover !== undefined) return f.innerCover;
    let cover = this.denyCovers.get(r);
    if (cover === undefined) {
      cover = this.innerDenies.filter((e) => this.algebra.within(r, this.algebra.of(e)));
      this.denyCovers.set(r, cover);
    }
    if (f !== undefined) f.innerCover = cover;
    return cover;
  }
}

/** One outer grant's statements for the action being checked. */
interface OuterSide {
  readonly grant: CompiledGrant;
  readonly allows: readonly TypedStatement[];
  readonly denies: ReadonlySet<TypedStatement>;
}

function outerSide(grant: CompiledGrant, typeId: number, action: string): OuterSide {
  const { allows, denies } = statementsFor(grant, typeId, action);
  return { grant, allows, denies: new Set(denies) };
}

const hasAny = (list: readonly TypedStatement[], set: ReadonlySet<TypedStatement>) => list.some((s) => set.has(s));

/** Why no outer grant covers `piece` for this action (null when one does). */
function uncovered(
  check: TypeCheck,
  piece: Region,
  innerDenies: ReadonlySet<TypedStatement>,
  outer: readonly OuterSide[],
  type: ResourceType,
  action: string,
  origin: TypedStatement,
): Refusal | null {
  // Outer grants first: against a built-in role a piece is usually covered at once, and the
  // inner denies (pieces × denies) are then never compared.
  const facts = check.factsOf(piece);
  let blocking: (DenyPiece & { grant: CompiledGrant }) | undefined;
  for (let o = 0; o < outer.length; o++) {
    const side = outer[o];
    if (side === undefined || !check.allowedBy(piece, facts, o, side.allows)) continue;
    const found = check.meets(piece, facts, o).find(({ d, dp }) => side.denies.has(d) && !hasAny(check.innerCover(dp), innerDenies));
    if (found === undefined) return null;
    blocking ??= { ...found, grant: side.grant };
  }
  if (hasAny(check.innerCover(piece), innerDenies)) return null;
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

/** A side of `contains`: grants, or grants already compiled (e.g. a cached caller). */
export type ContainmentSide = readonly Grant[] | CompiledPrincipal;

const compiledGrants = (side: ContainmentSide): readonly CompiledGrant[] =>
  side instanceof CompiledPrincipal ? side.grants : side.map(compileGrant);

/**
 * Whether every request some inner grant allows is allowed by some outer grant. Requests are
 * catalogue actions on resources of the action's type (the engine refuses anything else).
 * On failure, names the first exceeding action and resource, in catalogue order. Either side
 * may be a CompiledPrincipal, so a caller compiled once (and cached) is not compiled again.
 */
export function contains(outer: ContainmentSide, inner: ContainmentSide): Containment {
  const outerCompiled = compiledGrants(outer);
  const innerCompiled = compiledGrants(inner);
  const algebra = new Regions();
  const checks = new Map<string, TypeCheck>();
  for (const { resourceType, action } of ACTION_CATALOG) {
    const typeId = TYPE_ID[resourceType];
    let outerSides: OuterSide[] | undefined;
    for (let g = 0; g < innerCompiled.length; g++) {
      const grant = innerCompiled[g];
      if (grant === undefined) continue;
      const { allows, denies } = statementsFor(grant, typeId, action);
      if (allows.length === 0) continue;
      outerSides ??= outerCompiled.map((o) => outerSide(o, typeId, action));
      let check = checks.get(`${g}:${typeId}`);
      if (check === undefined) {
        check = new TypeCheck(algebra, grant, outerCompiled, typeId);
        checks.set(`${g}:${typeId}`, check);
      }
      const innerDenies = new Set(denies);
      for (const allow of allows) {
        for (const piece of algebra.pieces(allow)) {
          const refusal = uncovered(check, piece, innerDenies, outerSides, resourceType, action, allow);
          if (refusal !== null) return { ok: false, action, ...refusal };
        }
      }
    }
  }
  return { ok: true };
}
