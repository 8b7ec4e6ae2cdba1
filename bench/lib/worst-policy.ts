/**
 * The largest policies `validatePolicy` accepts, shaped to make the engine work hardest: every
 * limit of POLICY_LIMITS used to the full, keys that share long heads and tails so glob tests
 * run to the end, no inclusion between an allow and a deny (so every deny is tried), and all
 * statements on one resource type so every piece meets every other. Each family is within the
 * built-in role named in `within`, so `contains` accepts it and does all of its work (a refusal
 * stops at the first exceeding piece).
 */
import { POLICY_LIMITS, type BaseRole, type RoleAttributes, type Statement } from '../../packages/policy/src/index.ts';

export interface WorstPolicy {
  name: string;
  policy: Statement[];
  /** The smallest built-in role that contains it. */
  within: BaseRole;
  roleAttributes?: RoleAttributes;
  /** Requests that reach deep into the patterns: resource names built from the same runs. */
  resources: string[];
}

const L = POLICY_LIMITS;

/** A deterministic PRNG (mulberry32), so every run measures the same policies. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A key of `length` characters with the maximum number of globs: a shared head and tail, and
 * `globsPerName` stars between runs over {a, b} that differ by `variant` only near the end.
 */
function key(length: number, variant: number, effect: 'allow' | 'deny'): string {
  const stars = L.globsPerName;
  const mark = `${effect === 'allow' ? 'a' : 'b'}${variant.toString(2).replaceAll('0', 'a').replaceAll('1', 'b')}`;
  const body = length - stars - mark.length;
  const run = Math.max(1, Math.floor(body / (stars + 1)));
  const runs = Array.from({ length: stars + 1 }, (_, i) => (i === stars - 1 ? `${'ab'.repeat(run).slice(0, run - mark.length)}${mark}` : 'ab'.repeat(run).slice(0, run)));
  return runs.join('*').slice(0, length);
}

/** Spreads `total` specifiers over statements of at most `perStatement`, alternating allow and deny. */
function statements(total: number, spec: (i: number, effect: 'allow' | 'deny') => string, extra: Partial<Statement> = {}): Statement[] {
  const out: Statement[] = [];
  const perStatement = Math.min(L.resourcesPerStatement, Math.ceil(total / L.statements) * 2);
  for (let i = 0, n = 0; n < total && out.length < L.statements; i++) {
    const effect = i % 2 === 0 ? 'allow' : 'deny';
    const count = Math.min(perStatement, total - n);
    const resources = Array.from({ length: count }, (_, j) => spec(n + j, effect));
    out.push({ effect, actions: ['*'], resources, ...extra });
    n += count;
  }
  return out;
}

function request(prefix: string, random: () => number, length: number): string {
  let k = '';
  while (k.length < length) k += random() < 0.5 ? 'a' : 'b';
  return `${prefix}${k}`;
}

export function worstPolicies(self: string): WorstPolicy[] {
  const random = rng(42);
  const tokenPrefix = `member/${self}:token/`;
  const keyLength = L.specifierLength - tokenPrefix.length;
  const tokens: WorstPolicy = {
    name: `tokens: ${L.resourcesPerPolicy} keys of ${keyLength} characters and ${L.globsPerName} globs, 8 actions`,
    policy: statements(L.resourcesPerPolicy, (i, effect) => `${tokenPrefix}${key(keyLength, i, effect)}`),
    within: 'reader',
    resources: Array.from({ length: 200 }, () => request(tokenPrefix, random, keyLength)),
  };

  // Flags: three globbed keys and five globbed tags on the project and environment segments.
  const tags = Array.from({ length: L.tagsPerSegment }, (_, i) => `t${i}*a*b*a`).join(',');
  const flagKey = Math.floor((L.specifierLength - 'proj/;:env/;:flag/'.length - 2 * tags.length) / 3);
  const flags: WorstPolicy = {
    name: `flags: 3 globbed keys, ${L.tagsPerSegment} globbed tags on 2 segments, ${L.resourcesPerPolicy} specifiers`,
    policy: statements(L.resourcesPerPolicy, (i, effect) => `proj/${key(flagKey, i, effect)};${tags}:env/${key(flagKey, i, effect)};${tags}:flag/${key(flagKey, i, effect)}`),
    within: 'writer',
    resources: Array.from({ length: 200 }, () => `proj/${request('', random, flagKey)}:env/${request('', random, flagKey)}:flag/${request('', random, flagKey)}`),
  };

  // notResources: each statement excludes the most patterns, so region tests compare them all pairwise.
  const exceptStatements = Math.floor(L.resourcesPerPolicy / L.resourcesPerStatement);
  const except: WorstPolicy = {
    name: `notResources: ${exceptStatements} statements × ${L.resourcesPerStatement} exclusions`,
    policy: Array.from({ length: exceptStatements }, (_, s) => ({
      effect: s % 2 === 0 ? 'allow' : 'deny',
      actions: ['*'],
      notResources: Array.from({ length: L.resourcesPerStatement }, (_, j) => `${tokenPrefix}${key(keyLength, s * 100 + j, s % 2 === 0 ? 'allow' : 'deny')}`),
    })),
    within: 'admin',
    resources: Array.from({ length: 200 }, () => request(tokenPrefix, random, keyLength)),
  };

  // Role attributes: the per-grant pattern budget used up through two values per specifier.
  const values = 2;
  const attributeSpecifiers = Math.min(L.resourcesPerPolicy, Math.floor(POLICY_LIMITS.patternsPerGrant / values));
  const attributes: WorstPolicy = {
    name: `role attributes: ${attributeSpecifiers} specifiers × ${values} values`,
    policy: statements(attributeSpecifiers, (i, effect) => `${tokenPrefix}${key(keyLength - 30, i, effect)}\${roleAttribute/p}`),
    within: 'reader',
    roleAttributes: { p: Array.from({ length: values }, (_, v) => `v${v}${'ab'.repeat(8)}`) },
    resources: Array.from({ length: 200 }, () => request(tokenPrefix, random, keyLength)),
  };

  // Actions: the most action globs, each scanning deep into every catalogue name (8 globs, one match).
  const perStatement = Math.floor(L.actionsPerPolicy / L.statements);
  const actionGlob = (i: number) => (i % 2 === 0 ? '*c*c*e*s*s*T*o*n' : '*c*c*e*s*T*o*k*n');
  const actions: WorstPolicy = {
    name: `actions: ${L.actionsPerPolicy} action globs of ${L.globsPerName} stars`,
    policy: Array.from({ length: L.statements }, (_, s) => ({
      effect: s % 2 === 0 ? 'allow' : 'deny',
      actions: Array.from({ length: perStatement }, (_, i) => actionGlob(s + i)),
      resources: [`${tokenPrefix}${key(keyLength, s, s % 2 === 0 ? 'allow' : 'deny')}`, `${tokenPrefix}${key(keyLength, s + 50, s % 2 === 0 ? 'allow' : 'deny')}`],
    })),
    within: 'reader',
    resources: Array.from({ length: 200 }, () => request(tokenPrefix, random, keyLength)),
  };

  return [tokens, flags, except, attributes, actions];
}
