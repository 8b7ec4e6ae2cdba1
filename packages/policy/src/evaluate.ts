/**
 * Compilation and decisions.
 *
 * `compile` resolves each statement's action globs against the catalogue per resource type,
 * expands role attributes, splits specifiers into per-segment glob matchers and indexes the
 * statements by (resource type, action). A decision then parses the resource name once, does
 * two lookups and tests only the statements that name that action on that type.
 *
 * Rules: default deny; inside one grant a matching deny wins over any allow, whatever the
 * order; across grants access is additive (one grant allowing is enough). An action that is
 * not in the catalogue for the resource's type is never allowed (fail closed).
 */
import { RESOURCE_TYPES, actionsFor, isKnownAction, type ResourceType } from './actions.ts';
import { GlobMatcher, globFromText, normalizeGlob, type Glob } from './glob.ts';
import { POLICY_LIMITS } from './limits.ts';
import {
  SEGMENTS_OF,
  TYPE_ID,
  attributeNames,
  parseResourceName,
  parseResourceSpecifier,
  keysHaveNoSlash,
  scanResourceName,
  type KeyToken,
  type ParsedResource,
  type ResourceName,
  type SegmentType,
} from './resources.ts';
import type { Grant, RoleAttributes } from './roles.ts';
import { describeStatement, type Effect, type Statement } from './statements.ts';

export interface AccessRequest {
  action: string;
  resource: string;
  /** Tags of the resource's segments, keyed by segment type: `{ proj: ['mobile'], env: ['critical'] }`. */
  tags?: Readonly<Record<string, readonly string[]>>;
}

export interface DecidingStatement {
  source: string;
  index: number;
  effect: Effect;
  statement: Statement;
}

export interface Decision {
  allowed: boolean;
  reason: string;
  statements: readonly DecidingStatement[];
}

export interface TokenDecision extends Decision {
  refusedBy?: 'token' | 'owner';
}

// ---------------------------------------------------------------------------------------
// Compiled form (shared with contains.ts)

/** One segment of a pattern: key glob plus all-of tag filter globs. */
export interface SegmentMatcher {
  readonly type: SegmentType;
  readonly key: GlobMatcher;
  readonly tags: readonly GlobMatcher[];
}

/** One specifier after role-attribute expansion, for one resource type. */
export interface CompiledPattern {
  readonly typeId: number;
  readonly segments: readonly SegmentMatcher[];
  readonly text: string;
}

export const MATCH_ALL = 0;
export const MATCH_ANY = 1;
export const MATCH_NONE = 2;

/** A statement as it applies to one resource type. */
export interface TypedStatement {
  readonly source: string;
  readonly index: number;
  readonly effect: Effect;
  readonly statement: Statement;
  /** MATCH_ALL: every resource of the type; MATCH_ANY: one of `patterns`; MATCH_NONE: none of them. */
  readonly mode: number;
  readonly patterns: readonly CompiledPattern[];
}

export interface ActionStatements {
  readonly allows: TypedStatement[];
  readonly denies: TypedStatement[];
}

export interface CompiledGrant {
  readonly source: string;
  /** Set when the grant's role-attribute expansion is over POLICY_LIMITS.patternsPerGrant: it then grants nothing. */
  readonly overLimit?: string;
  /** Indexed by type id (position in RESOURCE_TYPES), then by action name. */
  readonly byType: readonly ReadonlyMap<string, ActionStatements>[];
}

interface GrantEntry extends ActionStatements {
  readonly source: string;
}

/** One segment test of a pattern on the hot path; segments that match anything are left out. */
interface SegmentCheck {
  /** Index into the key spans: 2 × segment index. */
  readonly span: number;
  readonly key: GlobMatcher | null;
  readonly tags: readonly GlobMatcher[] | null;
  readonly type: SegmentType;
}

type FastPattern = readonly SegmentCheck[];

/** A grant's statements for one (type, action), flattened for isAllowed. */
interface FastGrant {
  readonly allowAll: boolean;
  readonly allowPatterns: readonly FastPattern[];
  /** notResources allows: each matches when none of its patterns does. */
  readonly allowExcept: readonly (readonly FastPattern[])[];
  readonly denyPatterns: readonly FastPattern[];
  readonly denyExcept: readonly (readonly FastPattern[])[];
}

function fastPattern(pattern: CompiledPattern): FastPattern {
  const checks: SegmentCheck[] = [];
  pattern.segments.forEach((segment, i) => {
    const key = segment.type === 'acct' || segment.key.matchesAll ? null : segment.key;
    const tags = segment.tags.length > 0 ? segment.tags : null;
    if (key !== null || tags !== null) checks.push({ span: i * 2, key, tags, type: segment.type });
  });
  return checks;
}

/** Null when the grant can never allow this (type, action): no allow, or a deny of everything. */
function fastGrant({ allows, denies }: ActionStatements): FastGrant | null {
  const split = (statements: readonly TypedStatement[]) => {
    let all = false;
    const patterns: FastPattern[] = [];
    const except: FastPattern[][] = [];
    for (const s of statements) {
      const fast = s.patterns.map(fastPattern);
      if (s.mode === MATCH_ALL) all = true;
      else if (s.mode === MATCH_ANY) {
        if (fast.some((p) => p.length === 0)) all = true;
        else patterns.push(...fast);
      } else if (!fast.some((p) => p.length === 0)) except.push(fast);
    }
    return { all, patterns, except };
  };
  const allow = split(allows);
  const deny = split(denies);
  if (deny.all || (!allow.all && allow.patterns.length === 0 && allow.except.length === 0)) return null;
  return {
    allowAll: allow.all,
    allowPatterns: allow.patterns,
    allowExcept: allow.except,
    denyPatterns: deny.patterns,
    denyExcept: deny.except,
  };
}

/** A compiled set of grants. Build with {@link compile}; treat as opaque. */
export class CompiledPrincipal {
  /** @internal per type id, per action: the grants that have statements for it, in order. */
  readonly index: readonly ReadonlyMap<string, readonly GrantEntry[]>[];
  /** @internal the same, flattened for isAllowed; grants that cannot allow are left out. */
  readonly fast: readonly ReadonlyMap<string, readonly FastGrant[]>[];

  /** @internal */
  constructor(readonly grants: readonly CompiledGrant[]) {
    this.index = RESOURCE_TYPES.map((_, typeId) => {
      const byAction = new Map<string, GrantEntry[]>();
      for (const grant of grants) {
        for (const [action, { allows, denies }] of grant.byType[typeId] ?? []) {
          const list = byAction.get(action) ?? [];
          list.push({ source: grant.source, allows, denies });
          byAction.set(action, list);
        }
      }
      return byAction;
    });
    this.fast = this.index.map((byAction) => {
      const fast = new Map<string, FastGrant[]>();
      for (const [action, entries] of byAction) {
        const grants = entries.map(fastGrant).filter((g): g is FastGrant => g !== null);
        if (grants.length > 0) fast.set(action, grants);
      }
      return fast;
    });
  }

  /** The grant labels, in order. */
  get sources(): string[] {
    return this.grants.map((g) => g.source);
  }
}

// ---------------------------------------------------------------------------------------
// Compilation

function fail(grant: Grant, index: number, message: string): never {
  throw new Error(`${grant.source} statement ${index}: ${message} (validate policies with validatePolicy first)`);
}

/**
 * The member's values for a role attribute: own keys only, so `constructor` or `__proto__` is
 * an absent name like any other, never an Object.prototype property.
 */
export function attributeValues(attributes: RoleAttributes, name: string): readonly string[] {
  if (!Object.hasOwn(attributes, name)) return [];
  const values: unknown = attributes[name];
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Role-attribute expansion of one key: one glob per combination of values (values literal).
 * Each combination's runs are built once, in order (no copying per token: keys are short, but
 * a copy per star made a long key quadratic).
 */
function expandKey(tokens: readonly KeyToken[], attributes: RoleAttributes): Glob[] {
  // One combination per choice of value for each attribute token, in order.
  let choices: string[][] = [[]];
  for (const token of tokens) {
    if (token.kind !== 'attribute') continue;
    const values = attributeValues(attributes, token.name);
    choices = choices.flatMap((chosen) => values.map((value) => [...chosen, value]));
  }
  return choices.map((chosen) => {
    const parts: string[] = [];
    let run = '';
    let next = 0;
    for (const token of tokens) {
      if (token.kind === 'star') {
        parts.push(run);
        run = '';
      } else run += token.kind === 'literal' ? token.text : (chosen[next++] ?? '');
    }
    parts.push(run);
    return normalizeGlob(parts);
  });
}

export function patternText(segments: readonly SegmentMatcher[]): string {
  return segments
    .map((s) => {
      const key = s.type === 'acct' ? '' : `/${s.key.glob.parts.join('*')}`;
      const tags = s.tags.length > 0 ? `;${s.tags.map((t) => t.glob.parts.join('*')).join(',')}` : '';
      return `${s.type}${key}${tags}`;
    })
    .join(':');
}

/** Every concrete pattern a parsed specifier stands for, given the member's role attributes. */
export function expandSpecifier(parsed: ParsedResource & { kind: 'path' }, attributes: RoleAttributes): CompiledPattern[] {
  let combos: SegmentMatcher[][] = [[]];
  for (const segment of parsed.segments) {
    const keys = segment.type === 'acct' ? [{ parts: [''] }] : expandKey(segment.key, attributes);
    const tags = segment.tags.map((t) => new GlobMatcher(globFromText(t)));
    const matchers = keys.map((key) => ({ type: segment.type, key: new GlobMatcher(key), tags }));
    combos = combos.flatMap((prefix) => matchers.map((m) => [...prefix, m]));
  }
  const typeId = TYPE_ID[parsed.resourceType];
  return combos.map((segments) => ({ typeId, segments, text: patternText(segments) }));
}

/** The pattern for every resource of a type (what `*` means for that type). */
export function universalPattern(type: ResourceType): CompiledPattern {
  const star = new GlobMatcher({ parts: ['', ''] });
  const segments = SEGMENTS_OF[type].map((t) => ({
    type: t,
    key: t === 'acct' ? new GlobMatcher({ parts: [''] }) : star,
    tags: [],
  }));
  return { typeId: TYPE_ID[type], segments, text: patternText(segments) };
}

interface ResourceSide {
  mode: number;
  patterns: CompiledPattern[];
}

/** Per type id: how the statement's resource side applies to that type (absent: not at all). */
function resourceSides(grant: Grant, index: number, statement: Statement, specs: readonly ParsedResource[]): (ResourceSide | undefined)[] {
  const negated = statement.resources === undefined;
  let any = false;
  const byType: CompiledPattern[][] = RESOURCE_TYPES.map(() => []);
  for (const parsed of specs) {
    if (parsed.kind === 'any') any = true;
    else byType[TYPE_ID[parsed.resourceType]]?.push(...expandSpecifier(parsed, grant.roleAttributes ?? {}));
  }
  return byType.map((patterns) => {
    if (!negated) {
      if (any) return { mode: MATCH_ALL, patterns: [] };
      return patterns.length > 0 ? { mode: MATCH_ANY, patterns } : undefined;
    }
    if (any) return undefined;
    return patterns.length > 0 ? { mode: MATCH_NONE, patterns } : { mode: MATCH_ALL, patterns: [] };
  });
}

/** The catalogue actions of `type` the statement's action side covers. */
function actionsCovered(grant: Grant, index: number, statement: Statement, type: ResourceType): string[] {
  const globs = statement.actions ?? statement.notActions;
  if (globs === undefined || (statement.actions !== undefined && statement.notActions !== undefined)) {
    fail(grant, index, 'needs exactly one of actions or notActions');
  }
  const matchers = globs.map((a) => new GlobMatcher(globFromText(a)));
  const negated = statement.actions === undefined;
  return actionsFor(type)
    .map((a) => a.action)
    .filter((action) => matchers.some((m) => m.test(action)) !== negated);
}

/**
 * How many patterns the grant's specifiers expand to (each specifier: the product of its
 * attributes' value counts), counting only up to just over the limit.
 */
function expandedPatterns(grant: Grant, parsed: readonly (readonly ParsedResource[])[]): number {
  const attributes = grant.roleAttributes ?? {};
  let total = 0;
  for (const specs of parsed) {
    for (const spec of specs) {
      let n = 1;
      for (const name of attributeNames(spec)) {
        n *= attributeValues(attributes, name).length;
        if (n > POLICY_LIMITS.patternsPerGrant) break;
      }
      total += n;
      if (total > POLICY_LIMITS.patternsPerGrant) return total;
    }
  }
  return total;
}

export function compileGrant(grant: Grant): CompiledGrant {
  const byType = RESOURCE_TYPES.map(() => new Map<string, ActionStatements>());
  // Every specifier parsed once, for the size check and the compilation.
  const parsed = grant.policy.map((statement, index) => {
    const specs = statement.resources ?? statement.notResources;
    if (specs === undefined || (statement.resources !== undefined && statement.notResources !== undefined)) {
      fail(grant, index, 'needs exactly one of resources or notResources');
    }
    return specs.map((spec) => {
      const result = parseResourceSpecifier(spec);
      if (!result.ok) fail(grant, index, result.message);
      return result.value;
    });
  });
  if (expandedPatterns(grant, parsed) > POLICY_LIMITS.patternsPerGrant) {
    return {
      source: grant.source,
      byType,
      overLimit: `${grant.source} grants nothing: with these role attributes its specifiers stand for more than ${POLICY_LIMITS.patternsPerGrant} patterns`,
    };
  }
  grant.policy.forEach((statement, index) => {
    if (statement.effect !== 'allow' && statement.effect !== 'deny') fail(grant, index, 'effect must be allow or deny');
    const sides = resourceSides(grant, index, statement, parsed[index] ?? []);
    sides.forEach((side, typeId) => {
      const type = RESOURCE_TYPES[typeId];
      const actions = byType[typeId];
      if (side === undefined || type === undefined || actions === undefined) return;
      const typed: TypedStatement = {
        source: grant.source,
        index,
        effect: statement.effect,
        statement,
        mode: side.mode,
        patterns: side.patterns,
      };
      for (const action of actionsCovered(grant, index, statement, type)) {
        let entry = actions.get(action);
        if (entry === undefined) {
          entry = { allows: [], denies: [] };
          actions.set(action, entry);
        }
        (statement.effect === 'allow' ? entry.allows : entry.denies).push(typed);
      }
    });
  });
  return { source: grant.source, byType };
}

/**
 * Compiles grants once for many decisions. Throws on a statement that does not parse (policies
 * are validated with validatePolicy before they are stored).
 */
export function compile(grants: readonly Grant[]): CompiledPrincipal {
  return new CompiledPrincipal(grants.map(compileGrant));
}

// ---------------------------------------------------------------------------------------
// Matching

type Tags = Readonly<Record<string, readonly string[]>> | undefined;

/** Every tag filter glob matches at least one of the segment's tags. */
function tagsMatch(filters: readonly GlobMatcher[], have: readonly string[] | undefined): boolean {
  if (have === undefined) return false;
  for (const filter of filters) {
    let found = false;
    for (const tag of have) {
      if (filter.test(tag)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Segment by segment: key glob and tag filters (types already agree: patterns are per type). */
export function patternMatches(pattern: CompiledPattern, keys: readonly string[], tags: Tags): boolean {
  let i = 0;
  for (const segment of pattern.segments) {
    const key = keys[i++];
    if (key === undefined || !segment.key.test(key)) return false;
    if (segment.tags.length > 0 && !tagsMatch(segment.tags, tags?.[segment.type])) return false;
  }
  return true;
}

/** The statement's resource side covers the resource (its action side is known to). */
export function statementMatches(statement: TypedStatement, keys: readonly string[], tags: Tags): boolean {
  if (statement.mode === MATCH_ALL) return true;
  let hit = false;
  for (const pattern of statement.patterns) {
    if (patternMatches(pattern, keys, tags)) {
      hit = true;
      break;
    }
  }
  return statement.mode === MATCH_ANY ? hit : !hit;
}

// Hot path. The resource name is scanned into key spans (no substrings, no arrays); patterns
// test those spans in place. SPANS is scratch space reused by every call: decisions are
// synchronous and call nothing that could re-enter, so sharing it is safe.
const SPANS = new Int32Array(6);

/** The request's tags of one segment type; named loads stay monomorphic, a keyed load would not. */
function segmentTags(tags: Tags, type: SegmentType): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  switch (type) {
    case 'proj':
      return tags['proj'];
    case 'env':
      return tags['env'];
    case 'flag':
      return tags['flag'];
    default:
      return tags[type];
  }
}

function fastPatternMatches(checks: FastPattern, resource: string, tags: Tags): boolean {
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    if (check === undefined) return false;
    if (check.key !== null && !check.key.testRange(resource, SPANS[check.span] ?? 0, SPANS[check.span + 1] ?? 0)) return false;
    if (check.tags !== null && !tagsMatch(check.tags, segmentTags(tags, check.type))) return false;
  }
  return true;
}

function anyFastPattern(patterns: readonly FastPattern[], resource: string, tags: Tags): boolean {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    if (p !== undefined && fastPatternMatches(p, resource, tags)) return true;
  }
  return false;
}

/** Some notResources statement applies: none of its patterns matches. */
function anyExcept(statements: readonly (readonly FastPattern[])[], resource: string, tags: Tags): boolean {
  for (const patterns of statements) if (!anyFastPattern(patterns, resource, tags)) return true;
  return false;
}

/** The decision for a resource name already scanned into SPANS as type `typeId`. */
function allowedScanned(principal: CompiledPrincipal, typeId: number, request: AccessRequest): boolean {
  const grants = principal.fast[typeId]?.get(request.action);
  if (grants === undefined) return false;
  const resource = request.resource;
  const tags = request.tags;
  for (let i = 0; i < grants.length; i++) {
    const g = grants[i];
    if (g === undefined) break;
    if (!(g.allowAll || anyFastPattern(g.allowPatterns, resource, tags) || (g.allowExcept.length > 0 && anyExcept(g.allowExcept, resource, tags)))) continue;
    if (anyFastPattern(g.denyPatterns, resource, tags) || (g.denyExcept.length > 0 && anyExcept(g.denyExcept, resource, tags))) continue;
    return keysHaveNoSlash(resource, typeId, SPANS);
  }
  return false;
}

/** Allowed when some grant has a matching allow and no matching deny. Allocates nothing. */
export function isAllowed(principal: CompiledPrincipal, request: AccessRequest): boolean {
  const typeId = scanResourceName(request.resource, SPANS);
  return typeId >= 0 && allowedScanned(principal, typeId, request);
}

// ---------------------------------------------------------------------------------------
// Explained decisions

function deciding(s: TypedStatement): DecidingStatement {
  return { source: s.source, index: s.index, effect: s.effect, statement: s.statement };
}

function cite(s: DecidingStatement): string {
  return `${s.source} statement ${s.index} (${describeStatement(s.statement)})`;
}

function noAllowReason(request: AccessRequest, name: ResourceName): string {
  const type = RESOURCE_TYPES[name.typeId];
  if (type !== undefined && !isKnownAction(type, request.action)) {
    return `"${request.action}" is not an action on ${type} resources, so nothing allows it`;
  }
  return `no statement allows ${request.action} on ${request.resource}`;
}

/** Like isAllowed, with the deciding statements and a readable reason. */
export function decide(principal: CompiledPrincipal, request: AccessRequest): Decision {
  const name = parseResourceName(request.resource);
  if (name === null) {
    return { allowed: false, reason: `"${request.resource}" is not a resource name (e.g. proj/<key>:env/<key>)`, statements: [] };
  }
  const entries = principal.index[name.typeId]?.get(request.action) ?? [];
  const denied: DecidingStatement[] = [];
  for (const grant of entries) {
    const allow = grant.allows.find((s) => statementMatches(s, name.keys, request.tags));
    const denies = grant.denies.filter((s) => statementMatches(s, name.keys, request.tags));
    if (allow !== undefined && denies.length === 0) {
      const statement = deciding(allow);
      return { allowed: true, reason: `allowed by ${cite(statement)}`, statements: [statement] };
    }
    denied.push(...denies.map(deciding));
  }
  if (denied.length > 0) {
    return { allowed: false, reason: `denied by ${denied.map(cite).join('; ')}`, statements: denied };
  }
  const dropped = principal.grants.flatMap((g) => (g.overLimit === undefined ? [] : [g.overLimit]));
  return { allowed: false, reason: [noAllowReason(request, name), ...dropped].join('; '), statements: [] };
}

/**
 * A token's decision. `owner` null: a service token, judged by its own scope. Otherwise a
 * personal token: its scope and its owner's current permissions must both allow; `refusedBy`
 * names the side that refused (`token` when both do).
 */
export function decideToken(token: CompiledPrincipal, owner: CompiledPrincipal | null, request: AccessRequest): TokenDecision {
  const scope = decide(token, request);
  if (!scope.allowed) {
    return { allowed: false, reason: `token scope: ${scope.reason}`, statements: scope.statements, refusedBy: 'token' };
  }
  if (owner === null) return scope;
  const member = decide(owner, request);
  if (!member.allowed) {
    return { allowed: false, reason: `owner's permissions: ${member.reason}`, statements: member.statements, refusedBy: 'owner' };
  }
  return {
    allowed: true,
    reason: `token scope: ${scope.reason}; owner's permissions: ${member.reason}`,
    statements: [...scope.statements, ...member.statements],
  };
}

/** Hot-path form of decideToken; the resource name is scanned once for both sides. */
export function isTokenAllowed(token: CompiledPrincipal, owner: CompiledPrincipal | null, request: AccessRequest): boolean {
  const typeId = scanResourceName(request.resource, SPANS);
  return typeId >= 0 && allowedScanned(token, typeId, request) && (owner === null || allowedScanned(owner, typeId, request));
}
