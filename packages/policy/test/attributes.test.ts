/**
 * Role attribute names are looked up as the member's own keys only: names that every object
 * inherits from Object.prototype are ordinary names, absent unless the member has them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, contains, decide, isAllowed, validatePolicy, type Grant, type RoleAttributes, type Statement } from '../src/index.ts';
import { referenceAllowed } from './reference.ts';

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).filter((n) => /^[A-Za-z0-9_.-]+$/.test(n));
const nameArb = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/));
const valueArb = fc.constantFrom('web', 'api', 'constructor', '__proto__', 'x-1');

/** Attributes as the server stores them (parsed JSON), so even `__proto__` can be an own key. */
const attributesArb = (name: string): fc.Arbitrary<RoleAttributes> =>
  fc
    .record({ own: fc.boolean(), values: fc.array(valueArb, { maxLength: 3 }), other: fc.array(valueArb, { maxLength: 2 }) })
    .map(({ own, values, other }) => JSON.parse(JSON.stringify(own ? { [name]: values, other } : { other })) as RoleAttributes);

function policyFor(name: string): Statement[] {
  return [
    { effect: 'allow', actions: ['viewProject', 'updateProjectName'], resources: [`proj/\${roleAttribute/${name}}`, `proj/x-\${roleAttribute/${name}}*`] },
    { effect: 'deny', actions: ['updateProjectName'], resources: [`proj/\${roleAttribute/${name}}-locked`, `proj/x-\${roleAttribute/${name}}-live`] },
    { effect: 'allow', actions: ['viewProject'], notResources: [`proj/\${roleAttribute/${name}}`] },
  ];
}

describe('role attribute names', () => {
  it('Object.prototype names are accepted as attribute names and are not "given twice"', () => {
    for (const name of PROTOTYPE_NAMES) expect(validatePolicy(policyFor(name)).ok).toBe(true);
  });

  it.each(PROTOTYPE_NAMES)('${roleAttribute/%s} with no such own attribute matches nothing (and never throws)', (name) => {
    const p = compile([{ source: 'role:odd', policy: policyFor(name).slice(0, 2), roleAttributes: { other: ['web'] } }]);
    for (const resource of ['proj/web', `proj/${name}`, 'proj/x-web', 'proj/function Object() { [native code] }'.replace(/\s/g, '')]) {
      expect(isAllowed(p, { action: 'viewProject', resource })).toBe(false);
      expect(decide(p, { action: 'viewProject', resource }).allowed).toBe(false);
    }
  });

  it('own attributes with any name (prototype names included) expand to their values, as the reference evaluator says', () => {
    fc.assert(
      fc.property(
        nameArb.chain((name) => fc.tuple(fc.constant(name), attributesArb(name))),
        fc.array(fc.tuple(fc.constantFrom('viewProject', 'updateProjectName'), valueArb, fc.constantFrom('', '-locked', '-live', 'x-')), { minLength: 1, maxLength: 10 }),
        ([name, roleAttributes], requests) => {
          const grants: Grant[] = [{ source: 'role:odd', policy: policyFor(name), roleAttributes }];
          const p = compile(grants);
          for (const [action, value, affix] of requests) {
            const resource = affix === 'x-' ? `proj/x-${value}${affix}` : `proj/${value}${affix}`;
            const request = { action, resource };
            const expected = referenceAllowed(grants, request);
            expect(isAllowed(p, request)).toBe(expected);
            expect(decide(p, request).allowed).toBe(expected);
          }
          expect(contains(grants, grants)).toEqual({ ok: true });
          const own = Object.hasOwn(roleAttributes, name) ? (roleAttributes[name] ?? []) : [];
          if (own.length === 0) expect(isAllowed(p, { action: 'updateProjectName', resource: `proj/${name}` })).toBe(false);
          else expect(isAllowed(p, { action: 'updateProjectName', resource: `proj/${own[0]}` })).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
