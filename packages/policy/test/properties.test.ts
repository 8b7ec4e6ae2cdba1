/** Property tests: the engine against the reference evaluator, and the engine's guarantees. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RESOURCE_TYPES,
  actionsFor,
  compile,
  contains,
  decide,
  decideToken,
  isAllowed,
  isTokenAllowed,
  parseResourceName,
  resourceTypeOf,
  type Grant,
  type Statement,
} from '../src/index.ts';
import { KEYS, full, small } from './arbitraries.ts';

const { grantArb, grantsArb, requestArb, requestsArb } = full;
import { referenceAllowed } from './reference.ts';

describe('engine agrees with the reference evaluator', () => {
  it('on random grants and requests (isAllowed and decide)', () => {
    fc.assert(
      fc.property(grantsArb, requestsArb, (grants, requests) => {
        const p = compile(grants);
        for (const request of requests) {
          const expected = referenceAllowed(grants, request);
          expect(isAllowed(p, request)).toBe(expected);
          expect(decide(p, request).allowed).toBe(expected);
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('resource names', () => {
  // Names built from the grammar's own pieces: many valid, most of the rest near misses.
  const type = fc.constantFrom('proj', 'env', 'flag', 'member', 'token', 'service-token', 'team', 'role', 'acct', 'Proj', 'pro', '');
  const key = fc.constantFrom('a', 'b', 'x-1', '*', '', 'a/b', 'a;b', '/');
  const segment = fc.tuple(type, fc.constantFrom('/', '/', '/', ''), key).map(([t, slash, k]) => `${t}${slash}${k}`);
  const nameArb = fc
    .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom(':', ':', ':', '::', '/'))
    .map(([segments, joint]) => segments.join(joint));
  const everything = compile([
    {
      source: 'all',
      policy: [
        { effect: 'allow', actions: ['*'], resources: ['*'] },
        { effect: 'deny', actions: ['*'], resources: ['proj/b*:env/*', 'member/*:token/a'] },
      ],
    },
  ]);

  it('the hot-path scanner accepts exactly the names parseResourceName accepts', () => {
    fc.assert(
      fc.property(nameArb, (resource) => {
        const parsed = parseResourceName(resource);
        const type = parsed === null ? undefined : RESOURCE_TYPES[parsed.typeId];
        const action = type === undefined ? 'viewProject' : (actionsFor(type)[0]?.action ?? 'viewProject');
        const request = { action, resource };
        expect(isAllowed(everything, request)).toBe(decide(everything, request).allowed);
        if (parsed === null) expect(isAllowed(everything, request)).toBe(false);
        expect(resourceTypeOf(resource) === null || parsed === null || resourceTypeOf(resource) === type).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('guarantees', () => {
  it('deny wins: a matching deny refuses, whatever else the grant says', () => {
    fc.assert(
      fc.property(grantArb, requestArb(KEYS), (grant, request) => {
        const denied: Grant = { ...grant, policy: [...grant.policy, { effect: 'deny', actions: [request.action], resources: [request.resource] }] };
        expect(isAllowed(compile([denied]), request)).toBe(false);
        const d = decide(compile([denied]), request);
        expect(d.allowed).toBe(false);
        expect(d.statements.some((s) => s.effect === 'deny' && s.index === grant.policy.length)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("token ∩ owner never allows what the owner's permissions refuse", () => {
    fc.assert(
      fc.property(grantsArb, grantsArb, requestsArb, (tokenGrants, ownerGrants, requests) => {
        const token = compile(tokenGrants);
        const owner = compile(ownerGrants);
        for (const request of requests) {
          const both = isAllowed(token, request) && isAllowed(owner, request);
          const d = decideToken(token, owner, request);
          expect(isTokenAllowed(token, owner, request)).toBe(both);
          expect(d.allowed).toBe(both);
          if (!isAllowed(owner, request)) expect(d.allowed).toBe(false);
          if (!d.allowed) expect(d.refusedBy).toBe(isAllowed(token, request) ? 'owner' : 'token');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an allowed decision cites an allow statement of a grant with no matching deny', () => {
    fc.assert(
      fc.property(grantsArb, requestsArb, (grants, requests) => {
        const p = compile(grants);
        for (const request of requests) {
          const d = decide(p, request);
          if (!d.allowed) {
            expect(d.statements.every((s) => s.effect === 'deny')).toBe(true);
            continue;
          }
          const [cited] = d.statements;
          expect(cited?.effect).toBe('allow');
          const citedGrant = grants.find((g) => g.source === cited?.source && g.policy[cited.index] === cited.statement);
          expect(citedGrant).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Inner grants derived from outer ones: narrowing edits (so containment often holds) and
 * widening edits (so a containment check that overlooks something is caught).
 */
function derive(outer: readonly Grant[], choices: readonly number[]): Grant[] {
  let i = 0;
  const next = () => choices[i++ % Math.max(choices.length, 1)] ?? 0;
  const edit = (list: readonly string[], f: (s: string) => string) => {
    const at = next() % list.length;
    return list.map((s, j) => (j === at ? f(s) : s));
  };
  /** Applies f to one specifier of `resources` or `notResources`, whichever the statement has. */
  const editSpecs = (s: Statement, f: (spec: string) => string): Statement =>
    s.resources !== undefined
      ? { ...s, resources: edit(s.resources, f) }
      : { ...s, notResources: edit(s.notResources ?? ['*'], f) };
  return outer
    .filter(() => next() % 4 !== 0)
    .map((g) => {
      let policy: Statement[] = [...g.policy];
      for (let edits = next() % 3; edits >= 0; edits--) {
        const at = policy.length > 0 ? next() % policy.length : 0;
        const target = policy[at];
        switch (next() % 10) {
          case 0: // drop a statement (an allow narrows, a deny widens)
            if (target !== undefined) policy.splice(at, 1);
            break;
          case 1: // extra deny
            policy.push({ effect: 'deny', actions: ['*'], resources: ['proj/*:env/prod*:flag/*'] });
            break;
          case 2: // a key glob to a literal key (narrows resources, widens notResources)
            if (target !== undefined) policy[at] = editSpecs(target, (r) => r.replace('/*', `/${KEYS[next() % KEYS.length] ?? 'a'}`));
            break;
          case 3: // fewer actions
            if (target?.actions !== undefined) policy[at] = { ...target, actions: [target.actions[0] ?? '*'] };
            break;
          case 4: // add a tag filter
            if (target !== undefined) policy[at] = editSpecs(target, (r) => (r.includes(';') || r === '*' ? r : `${r};mobile`));
            break;
          case 5: // drop tag filters
            if (target !== undefined) policy[at] = editSpecs(target, (r) => r.replace(/;[^:]*/g, ''));
            break;
          case 6: // a literal key to *
            if (target !== undefined) policy[at] = editSpecs(target, (r) => r.replace(/(^|:)([a-z-]+)\/[a-z0-9-]+(?=[:;]|$)/, '$1$2/*'));
            break;
          case 7: // exclude fewer (notResources)
            if (target?.notResources !== undefined && target.notResources.length > 1) {
              policy[at] = { ...target, notResources: target.notResources.slice(1) };
            }
            break;
          case 8: // exclude more (notResources)
            if (target?.notResources !== undefined) policy[at] = { ...target, notResources: [...target.notResources, 'proj/a*:env/*'] };
            break;
          case 9: // no denies at all
            policy = policy.filter((s) => s.effect === 'allow');
            break;
        }
      }
      return { ...g, policy };
    });
}

describe('containment', () => {
  it.each([
    ['every resource type', full, 1500],
    ['projects and flags only (dense collisions)', small, 2500],
  ] as const)('is sound over %s: when contains says ok, no request allowed by inner is refused by outer', (_name, u, numRuns) => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(u.grantsArb, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), fc.nat(5), u.grantsArb, u.requestsArb, (outer, choices, pick, other, requests) => {
        runs++;
        const inner = pick === 0 ? other : derive(outer, choices);
        const result = contains(outer, inner);
        if (!result.ok) return;
        accepted++;
        const o = compile(outer);
        const n = compile(inner);
        for (const request of requests) {
          if (isAllowed(n, request)) expect(isAllowed(o, request), JSON.stringify({ outer, inner, request })).toBe(true);
        }
      }),
      { numRuns },
    );
    // The property only bites when contains accepts; make sure it does so often.
    expect(accepted / runs).toBeGreaterThan(0.2);
  });

  it('a refusal names a catalogue action and a resource of its type', () => {
    fc.assert(
      fc.property(grantsArb, grantsArb, (outer, inner) => {
        const result = contains(outer, inner);
        if (result.ok) return;
        expect(result.action).toMatch(/^[A-Za-z]+$/);
        expect(result.resource.length).toBeGreaterThan(0);
        expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every policy within itself', () => {
    fc.assert(
      fc.property(grantsArb, (grants) => {
        expect(contains(grants, grants)).toEqual({ ok: true });
      }),
      { numRuns: 500 },
    );
  });
});
