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
