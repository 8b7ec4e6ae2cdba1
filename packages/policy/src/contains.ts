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
function pieces(s: TypedStatement): Region[] {
  if (s.mode === MATCH_ANY) return s.patterns.map((p) => ({ kind: 'any', patterns: [p] }));
  return [regionOf(s)];
}

/** L(p) ⊆ L(q): every key within q's key; each tag q requires is implied by one p requires. */
function patternWithin(p: CompiledPattern, q: CompiledPattern): boolean {
  return p.segments.every((ps, i) => {
    const qs = q.segments[i];
    if (qs === undefined || !globIncludes(qs.key.glob, ps.key.glob)) return false;
    return qs.tags.every((qt) => ps.tags.some((pt) => globIncludes(qt.glob, pt.glob)));
  });
}

/** Disjoint iff some segment's keys cannot meet (tag filters can always all be satisfied). */
function patternsDisjoint(p: CompiledPattern, q: CompiledPattern): boolean {
  return p.segments.some((ps, i) => {
    const qs = q.segments[i];
    return qs !== undefined && !globsIntersect(ps.key.glob, qs.key.glob);
  });
}

/** Every resource of its type: all keys `*` (or acct) and no tag filter. */
function isUniversal(p: CompiledPattern): boolean {
  return p.segments.every((s) => (s.type === 'acct' || isStarGlob(s.key.glob)) && s.tags.length === 0);
}

function isEmpty(r: Region): boolean {
  return r.kind === 'none' && r.patterns.some(isUniversal);
}

/** a ⊆ b (conservative: false when unsure). */
function regionWithin(a: Region, b: Region): boolean {
  if (b.kind === 'all' || isEmpty(a)) return true;
  if (a.kind === 'all') return b.kind === 'any' && b.patterns.some(isUniversal);
  if (a.kind === 'any') {
    return a.patterns.every((p) =>
      b.kind === 'any' ? b.patterns.some((q) => patternWithin(p, q)) : b.patterns.every((n) => patternsDisjoint(p, n)),
    );
  }
  // a = everything except a.patterns
  if (b.kind === 'any') return b.patterns.some(isUniversal);
  return b.patterns.every((m) => a.patterns.some((n) => patternWithin(m, n)));
}

/** a ∩ b = ∅ (conservative: false when unsure). */
function regionsDisjoint(a: Region, b: Region): boolean {
  if (isEmpty(a) || isEmpty(b)) return true;
  if (a.kind === 'any' && b.kind === 'any') return a.patterns.every((p) => b.patterns.every((q) => patternsDisjoint(p, q)));
  // p ∩ (everything except ns) = ∅ iff p ⊆ ∪ns
  if (a.kind === 'any' && b.kind === 'none') return regionWithin(a, { kind: 'any', patterns: b.patterns });
  if (a.kind === 'none' && b.kind === 'any') return regionWithin(b, { kind: 'any', patterns: a.patterns });
  return false;
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

  constructor(denies: readonly TypedStatement[]) {
    this.regions = denies.map(regionOf);
  }

  covers(r: Region): boolean {
    return this.regions.some((e) => regionWithin(r, e));
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

function outerSide(grant: CompiledGrant, typeId: number, action: string): OuterSide {
  const { allows, denies } = statementsFor(grant, typeId, action);
  return { grant, allows: allows.map(regionOf), denyPieces: denies.flatMap((d) => pieces(d).map((dp) => ({ d, dp }))) };
}

/** Why no outer grant covers `piece` (null when one does). */
function uncovered(
  piece: Region,
  innerDenies: InnerDenies,
  outer: readonly OuterSide[],
  type: ResourceType,
  action: string,
  origin: TypedStatement,
): Refusal | null {
  if (innerDenies.covers(piece)) return null;
  const shown = showPiece(piece, type);
  let blocked: Refusal | null = null;
  for (const { grant, allows, denyPieces } of outer) {
    if (!allows.some((a) => regionWithin(piece, a))) continue;
    const blocking = denyPieces.find(({ dp }) => !regionsDisjoint(piece, dp) && !innerDenies.coversOuterDeny(dp));
    if (blocking === undefined) return null;
    if (blocked === null) {
      const overlap = blocking.dp.kind === 'any' && blocking.dp.patterns[0] !== undefined ? narrow(shown.pattern, blocking.dp.patterns[0]) : shown.pattern;
      blocked = {
        resource: overlap.text,
        reason: `${origin.source} statement ${origin.index} allows ${action} on ${shown.text}, but ${grant.source} statement ${blocking.d.index} denies ${action} on ${showPiece(blocking.dp, type).text}`,
      };
    }
  }
  return (
    blocked ?? {
      resource: shown.text,
      reason: `${origin.source} statement ${origin.index} allows ${action} on ${shown.text}, which ${
        outer.length === 0 ? 'nothing' : outer.map((o) => o.grant.source).join(', ')
      } does not allow`,
    }
  );
}

/**
 * Whether every request some inner grant allows is allowed by some outer grant. Requests are
 * catalogue actions on resources of the action's type (the engine refuses anything else).
 * On failure, names the first exceeding action and resource, in catalogue order.
 */
export function contains(outer: readonly Grant[], inner: readonly Grant[]): Containment {
  const outerCompiled = outer.map(compileGrant);
  const innerCompiled = inner.map(compileGrant);
  for (const { resourceType, action } of ACTION_CATALOG) {
    const typeId = TYPE_ID[resourceType];
    let outerSides: OuterSide[] | undefined;
    for (const grant of innerCompiled) {
      const { allows, denies } = statementsFor(grant, typeId, action);
      if (allows.length === 0) continue;
      outerSides ??= outerCompiled.map((g) => outerSide(g, typeId, action));
      const innerDenies = new InnerDenies(denies);
      for (const allow of allows) {
        for (const piece of pieces(allow)) {
          const refusal = uncovered(piece, innerDenies, outerSides, resourceType, action, allow);
          if (refusal !== null) return { ok: false, action, ...refusal };
        }
      }
    }
  }
  return { ok: true };
}
