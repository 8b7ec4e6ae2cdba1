/**
 * Resource specifiers (the patterns in policies) and resource names (what a request names).
 *
 *   specifier := '*' | segment (':' segment)*
 *   segment   := type ['/' key] [';' tag (',' tag)*]
 *   key       := (char | '*' | '${roleAttribute/' name '}')+
 *
 * The segment types, in order, must spell one of the resource types; `acct` has no key, every
 * other segment has one.
 */
import { RESOURCE_TYPES, type ResourceType } from './actions.ts';
import { globFromText, type Glob } from './glob.ts';

export type SegmentType = 'acct' | 'member' | 'token' | 'service-token' | 'role' | 'team' | 'proj' | 'env' | 'flag';

/** The segment types of each resource type, parent first. */
export const SEGMENTS_OF: Readonly<Record<ResourceType, readonly SegmentType[]>> = {
  acct: ['acct'],
  member: ['member'],
  'member:token': ['member', 'token'],
  'service-token': ['service-token'],
  role: ['role'],
  team: ['team'],
  proj: ['proj'],
  'proj:env': ['proj', 'env'],
  'proj:env:flag': ['proj', 'env', 'flag'],
};

const SEGMENT_TYPES: ReadonlySet<string> = new Set(Object.values(SEGMENTS_OF).flat());

export type KeyToken =
  | { kind: 'literal'; text: string }
  | { kind: 'star' }
  | { kind: 'attribute'; name: string };

export interface ParsedSegment {
  type: SegmentType;
  /** Empty for `acct`, which has no key. */
  key: readonly KeyToken[];
  /** Tag filter globs (all-of). */
  tags: readonly string[];
}

export type ParsedResource =
  | { kind: 'any' }
  | { kind: 'path'; resourceType: ResourceType; segments: readonly ParsedSegment[] };

export type ParseResult = { ok: true; value: ParsedResource } | { ok: false; message: string };

const ATTRIBUTE_PREFIX = 'roleAttribute/';
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const TAG = /^[A-Za-z0-9._*-]+$/;
/** Characters with a meaning in the grammar (or invisible) are not allowed inside keys. */
const KEY_FORBIDDEN = /[\s:/;,${}]/;
/** A run of key characters that are neither forbidden nor `*` (sticky: matches at lastIndex only). */
const LITERAL_RUN = /[^\s:/;,${}*]+/y;
const TYPE_CHAR = /[a-z-]/;

function isSegmentType(value: string): value is SegmentType {
  return SEGMENT_TYPES.has(value);
}

function resourceTypeOfSegments(types: readonly string[]): ResourceType | undefined {
  const joined = types.join(':');
  return RESOURCE_TYPES.find((t) => t === joined);
}

/** Parses a resource specifier; the message says what is wrong and where. */
export function parseResourceSpecifier(spec: string): ParseResult {
  if (spec === '*') return { ok: true, value: { kind: 'any' } };
  if (spec.length === 0) return { ok: false, message: 'resource specifier is empty' };
  const fail = (message: string): ParseResult => ({ ok: false, message: `"${spec}": ${message}` });
  const segments: ParsedSegment[] = [];
  let pos = 0;
  for (;;) {
    const typeStart = pos;
    while (pos < spec.length && TYPE_CHAR.test(spec.charAt(pos))) pos++;
    const type = spec.slice(typeStart, pos);
    if (type === '') return fail(`expected a resource type at position ${typeStart}`);
    if (!isSegmentType(type)) return fail(`unknown resource type "${type}"`);

    const key: KeyToken[] = [];
    if (spec.charAt(pos) === '/') {
      pos++;
      let literal = '';
      const flush = () => {
        if (literal !== '') key.push({ kind: 'literal', text: literal });
        literal = '';
      };
      while (pos < spec.length && spec.charAt(pos) !== ':' && spec.charAt(pos) !== ';') {
        // A run of plain characters at once (a regex per character made parsing the engine's slowest step).
        LITERAL_RUN.lastIndex = pos;
        const run = LITERAL_RUN.exec(spec);
        if (run !== null) {
          literal += run[0];
          pos += run[0].length;
          continue;
        }
        const ch = spec.charAt(pos);
        if (ch === '*') {
          flush();
          if (key[key.length - 1]?.kind !== 'star') key.push({ kind: 'star' });
          pos++;
        } else if (spec.startsWith('${', pos)) {
          const close = spec.indexOf('}', pos);
          if (close < 0) return fail(`unterminated "\${" at position ${pos}`);
          const inner = spec.slice(pos + 2, close);
          if (!inner.startsWith(ATTRIBUTE_PREFIX)) {
            return fail(`unknown placeholder "\${${inner}}"; only \${roleAttribute/<name>} is supported`);
          }
          const name = inner.slice(ATTRIBUTE_PREFIX.length);
          if (name === '') return fail(`role attribute reference "\${${inner}}" has no attribute name`);
          if (!ATTRIBUTE_NAME.test(name)) {
            return fail(`role attribute name "${name}" may only contain letters, digits, ".", "_" and "-"`);
          }
          flush();
          key.push({ kind: 'attribute', name });
          pos = close + 1;
        } else if (KEY_FORBIDDEN.test(ch)) {
          return fail(`character "${ch}" is not allowed in the key of "${type}" (position ${pos})`);
        } else {
          literal += ch;
          pos++;
        }
      }
      flush();
      if (key.length === 0) return fail(`the key of "${type}" is empty`);
    }

    const tags: string[] = [];
    if (spec.charAt(pos) === ';') {
      pos++;
      const end = spec.indexOf(':', pos);
      const text = spec.slice(pos, end < 0 ? spec.length : end);
      for (const tag of text.split(',')) {
        if (!TAG.test(tag)) {
          return fail(
            tag === ''
              ? `empty tag in the tag filter of "${type}"`
              : `tag "${tag}" may only contain letters, digits, ".", "_", "-" and "*"`,
          );
        }
        tags.push(tag);
      }
      pos += text.length;
    }

    if (type === 'acct' && key.length > 0) return fail('"acct" has no key (write just "acct")');
    if (type !== 'acct' && key.length === 0) return fail(`"${type}" needs a key, e.g. "${type}/*"`);
    segments.push({ type, key, tags });

    if (pos === spec.length) break;
    if (spec.charAt(pos) !== ':') return fail(`unexpected "${spec.charAt(pos)}" at position ${pos}`);
    pos++;
    if (pos === spec.length) return fail('ends with ":"');
  }
  const types = segments.map((s) => s.type);
  const resourceType = resourceTypeOfSegments(types);
  if (resourceType === undefined) {
    return fail(`"${types.join(':')}" is not a resource type; expected one of ${RESOURCE_TYPES.join(', ')}`);
  }
  return { ok: true, value: { kind: 'path', resourceType, segments } };
}

/** The role attributes a parsed specifier refers to. */
export function attributeNames(parsed: ParsedResource): string[] {
  if (parsed.kind === 'any') return [];
  return parsed.segments.flatMap((s) =>
    s.key.flatMap((t) => (t.kind === 'attribute' ? [t.name] : [])),
  );
}

/** Tag filter text to globs. */
export function tagGlobs(tags: readonly string[]): Glob[] {
  return tags.map(globFromText);
}

// ---------------------------------------------------------------------------------------
// Resource names in requests: `proj/a:env/production:flag/f`. Parsed on every decision, so
// this is a hand-written scanner that yields the type as an index into RESOURCE_TYPES.

export const TYPE_ID: Readonly<Record<ResourceType, number>> = Object.fromEntries(
  RESOURCE_TYPES.map((t, i) => [t, i]),
) as Record<ResourceType, number>;

const ACCT = 0;
const MEMBER = 1;
const MEMBER_TOKEN = 2;
const SERVICE_TOKEN = 3;
const ROLE = 4;
const TEAM = 5;
const PROJ = 6;
const PROJ_ENV = 7;
const PROJ_ENV_FLAG = 8;

/** Resource type after appending segment `seg` to a resource of type `prev` (-1: none yet). */
function nextTypeId(prev: number, seg: string): number {
  switch (prev) {
    case -1:
      switch (seg) {
        case 'proj':
          return PROJ;
        case 'member':
          return MEMBER;
        case 'service-token':
          return SERVICE_TOKEN;
        case 'acct':
          return ACCT;
        case 'role':
          return ROLE;
        case 'team':
          return TEAM;
        default:
          return -1;
      }
    case PROJ:
      return seg === 'env' ? PROJ_ENV : -1;
    case PROJ_ENV:
      return seg === 'flag' ? PROJ_ENV_FLAG : -1;
    case MEMBER:
      return seg === 'token' ? MEMBER_TOKEN : -1;
    default:
      return -1;
  }
}

/** A concrete resource: its type (index into RESOURCE_TYPES) and one key per segment. */
export interface ResourceName {
  typeId: number;
  keys: string[];
}

/**
 * Parses a concrete resource name; null when it is not one (unknown type, missing key, a key
 * on `acct`, an empty or slash-containing key). Keys are taken literally.
 */
export function parseResourceName(resource: string): ResourceName | null {
  const len = resource.length;
  const keys: string[] = [];
  let typeId = -1;
  let i = 0;
  for (;;) {
    let colon = resource.indexOf(':', i);
    if (colon < 0) colon = len;
    const slash = resource.indexOf('/', i);
    let key = '';
    if (slash < 0 || slash > colon) {
      typeId = nextTypeId(typeId, resource.slice(i, colon));
    } else {
      typeId = nextTypeId(typeId, resource.slice(i, slash));
      key = resource.slice(slash + 1, colon);
      if (key.length === 0 || key.indexOf('/') >= 0) return null;
    }
    if (typeId < 0 || (typeId === ACCT) !== (key.length === 0)) return null;
    keys.push(key);
    if (colon === len) return { typeId, keys };
    i = colon + 1;
  }
}

/**
 * The allocation-free form of parseResourceName for the hot path: writes the [start, end) of
 * each segment's key into `spans` (start0, end0, start1, end1, ...) and returns the type id,
 * or -1. It checks everything parseResourceName does except that keys are free of '/':
 * that costs a pass over every key, and only matters for a name that would be allowed, so
 * callers check {@link keysHaveNoSlash} just before allowing.
 */
export function scanResourceName(resource: string, spans: Int32Array): number {
  // Measured: inline charCodeAt compares for the type names and indexOf for the colons beat
  // startsWith calls and per-character loops on names this short.
  const len = resource.length;
  let typeId: number;
  let i: number;
  switch (resource.charCodeAt(0)) {
    case 112: // proj/
      if (resource.charCodeAt(1) !== 114 || resource.charCodeAt(2) !== 111 || resource.charCodeAt(3) !== 106 || resource.charCodeAt(4) !== 47) return -1;
      typeId = PROJ;
      i = 5;
      break;
    case 109: // member/
      if (
        resource.charCodeAt(1) !== 101 ||
        resource.charCodeAt(2) !== 109 ||
        resource.charCodeAt(3) !== 98 ||
        resource.charCodeAt(4) !== 101 ||
        resource.charCodeAt(5) !== 114 ||
        resource.charCodeAt(6) !== 47
      ) {
        return -1;
      }
      typeId = MEMBER;
      i = 7;
      break;
    case 115: // service-token/
      if (!resource.startsWith('service-token/')) return -1;
      typeId = SERVICE_TOKEN;
      i = 14;
      break;
    case 114: // role/
      if (resource.charCodeAt(1) !== 111 || resource.charCodeAt(2) !== 108 || resource.charCodeAt(3) !== 101 || resource.charCodeAt(4) !== 47) return -1;
      typeId = ROLE;
      i = 5;
      break;
    case 116: // team/
      if (resource.charCodeAt(1) !== 101 || resource.charCodeAt(2) !== 97 || resource.charCodeAt(3) !== 109 || resource.charCodeAt(4) !== 47) return -1;
      typeId = TEAM;
      i = 5;
      break;
    case 97: // acct, which has no key
      if (resource !== 'acct') return -1;
      spans[0] = 4;
      spans[1] = 4;
      return ACCT;
    default:
      return -1;
  }
  let span = 0;
  for (;;) {
    let end = resource.indexOf(':', i);
    if (end < 0) end = len;
    if (end === i) return -1; // empty key
    spans[span] = i;
    spans[span + 1] = end;
    span += 2;
    if (end === len) return typeId;
    i = end + 1;
    if (typeId === PROJ) {
      // env/
      if (resource.charCodeAt(i) !== 101 || resource.charCodeAt(i + 1) !== 110 || resource.charCodeAt(i + 2) !== 118 || resource.charCodeAt(i + 3) !== 47) return -1;
      typeId = PROJ_ENV;
      i += 4;
    } else if (typeId === PROJ_ENV) {
      // flag/
      if (
        resource.charCodeAt(i) !== 102 ||
        resource.charCodeAt(i + 1) !== 108 ||
        resource.charCodeAt(i + 2) !== 97 ||
        resource.charCodeAt(i + 3) !== 103 ||
        resource.charCodeAt(i + 4) !== 47
      ) {
        return -1;
      }
      typeId = PROJ_ENV_FLAG;
      i += 5;
    } else if (
      typeId === MEMBER &&
      resource.charCodeAt(i) === 116 &&
      resource.charCodeAt(i + 1) === 111 &&
      resource.charCodeAt(i + 2) === 107 &&
      resource.charCodeAt(i + 3) === 101 &&
      resource.charCodeAt(i + 4) === 110 &&
      resource.charCodeAt(i + 5) === 47
    ) {
      // token/
      typeId = MEMBER_TOKEN;
      i += 6;
    } else return -1;
  }
}

const SEGMENT_COUNT = [1, 1, 2, 1, 1, 1, 1, 2, 3];

/** The keys scanned into `spans` by scanResourceName contain no '/'. */
export function keysHaveNoSlash(resource: string, typeId: number, spans: Int32Array): boolean {
  const segments = SEGMENT_COUNT[typeId] ?? 0;
  for (let s = 0; s < segments; s++) {
    const slash = resource.indexOf('/', spans[s * 2] ?? 0);
    if (slash >= 0 && slash < (spans[s * 2 + 1] ?? 0)) return false;
  }
  return true;
}

/**
 * The resource type of a resource name or specifier: `proj/a:env/b` is `proj:env`,
 * `member/m1:token/t1` is `member:token`, `acct` is `acct`; null for `*` and non-resources.
 */
export function resourceTypeOf(resource: string): ResourceType | null {
  const types = resource.split(':').map((segment) => {
    const cut = segment.search(/[/;]/);
    return cut < 0 ? segment : segment.slice(0, cut);
  });
  return resourceTypeOfSegments(types) ?? null;
}
