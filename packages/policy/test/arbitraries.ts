/** fast-check generators over a small alphabet, so random patterns and requests collide often. */
import fc from 'fast-check';
import { ACTION_CATALOG, type AccessRequest, type Grant, type ResourceType, type Statement } from '../src/index.ts';

const SEGMENTS: Record<ResourceType, string[]> = {
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
const TYPES = Object.keys(SEGMENTS) as ResourceType[];
/** Types weighted towards the nested ones, where segment matching is interesting. */
const TYPE_WEIGHTS: ResourceType[] = [...TYPES, 'proj', 'proj:env', 'proj:env:flag', 'proj:env:flag', 'member:token'];

export const KEYS = ['a', 'b', 'ab', 'prod', 'production', 'test', 'x-1'];
const REQUEST_KEYS = [...KEYS, '*', 'a*'];
const KEY_GLOBS = ['*', '*', 'a*', '*b', 'a*b', '*o*', 'p*n', 'prod*', ...KEYS, '${roleAttribute/p}', '${roleAttribute/p}*', '*${roleAttribute/q}'];
const TAG_FILTERS = ['mobile', 'beta', 'qa_*', '*', 'mob*'];
const REQUEST_TAGS = ['mobile', 'beta', 'qa_eu', 'x'];
const ATTRIBUTE_VALUES = ['a', 'b', '*', 'a*', 'prod', ''];
const ACTION_GLOBS = [...new Set(ACTION_CATALOG.map((a) => a.action)), '*', '*', 'update*', 'view*', '*Flag', 'delete*', '*Access*'];

const segmentSpec = (type: string) =>
  type === 'acct'
    ? fc.constant('acct')
    : fc
        .tuple(fc.constantFrom(...KEY_GLOBS), fc.subarray(TAG_FILTERS, { maxLength: 2 }), fc.nat(3))
        .map(([key, tags, n]) => `${type}/${key}${n === 0 && tags.length > 0 ? `;${tags.join(',')}` : ''}`);

/**
 * Generators over a universe of resource types (weighted list) and action globs. The full
 * universe exercises every type; a small one (two types, few actions) makes statements collide
 * on the same (type, action) much more often, which is where containment bugs hide.
 */
export function universe(types: readonly ResourceType[], actionGlobs: readonly string[], notResourcesOneIn = 5) {
  const catalog = ACTION_CATALOG.filter((a) => types.includes(a.resourceType) && actionGlobs.some((g) => new RegExp(`^${g.replaceAll('*', '.*')}$`).test(a.action)));

  const specifierArb: fc.Arbitrary<string> = fc.oneof(
    { weight: 1, arbitrary: fc.constant('*') },
    {
      weight: 12,
      arbitrary: fc.constantFrom(...types).chain((t) => fc.tuple(...SEGMENTS[t].map(segmentSpec)).map((segs) => segs.join(':'))),
    },
  );

  const statementArb: fc.Arbitrary<Statement> = fc
    .record({
      effect: fc.constantFrom('allow' as const, 'allow' as const, 'deny' as const),
      actions: fc.array(fc.constantFrom(...actionGlobs), { minLength: 1, maxLength: 3 }),
      negateActions: fc.nat(5),
      resources: fc.array(specifierArb, { minLength: 1, maxLength: 3 }),
      negateResources: fc.nat(notResourcesOneIn - 1),
    })
    .map(({ effect, actions, negateActions, resources, negateResources }) => ({
      effect,
      ...(negateActions === 0 ? { notActions: actions } : { actions }),
      ...(negateResources === 0 ? { notResources: resources } : { resources }),
    }));

  const grantArb: fc.Arbitrary<Grant> = fc
    .tuple(fc.array(statementArb, { maxLength: 5 }), attributesArb, fc.nat(1000))
    .map(([policy, roleAttributes, n]) => ({ source: `role:${n}`, policy, roleAttributes }));

  /** A catalogue action on a well-formed resource name of its type, with random segment tags. */
  const requestArb = (keys: readonly string[] = REQUEST_KEYS): fc.Arbitrary<AccessRequest> =>
    fc.constantFrom(...catalog).chain(({ resourceType, action }) =>
      fc
        .tuple(
          fc.tuple(
            ...SEGMENTS[resourceType].map((seg) => (seg === 'acct' ? fc.constant('acct') : fc.constantFrom(...keys).map((k) => `${seg}/${k}`))),
          ),
          fc.dictionary(fc.constantFrom('proj', 'env', 'flag', 'member', 'token'), fc.subarray(REQUEST_TAGS), { maxKeys: 3 }),
        )
        .map(([segs, tags]) => ({ action, resource: segs.join(':'), tags })),
    );

  return {
    specifierArb,
    statementArb,
    grantArb,
    grantsArb: fc.array(grantArb, { minLength: 1, maxLength: 3 }),
    requestArb,
    requestsArb: fc.array(requestArb(), { minLength: 20, maxLength: 40 }),
  };
}

export const attributesArb = fc.record(
  { p: fc.subarray(ATTRIBUTE_VALUES, { maxLength: 3 }), q: fc.subarray(ATTRIBUTE_VALUES, { maxLength: 2 }) },
  { requiredKeys: [] },
);

/** Every type (nested ones weighted up) and every action. */
export const full = universe(TYPE_WEIGHTS, ACTION_GLOBS);
/** Projects and flags only, four actions: dense collisions. */
export const small = universe(['proj', 'proj:env:flag'], ['viewProject', 'updateOn', 'deleteFlag', '*', 'update*'], 3);
