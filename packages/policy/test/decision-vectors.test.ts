/** The shared decision vectors (spec/policy-decisions.json): every case must pass. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile, decide, decideToken, isAllowed, isTokenAllowed, validatePolicy, type AccessRequest, type Grant, type Policy } from '../src/index.ts';

interface Case {
  name: string;
  kind?: 'roles' | 'intersection';
  policy?: unknown;
  roles?: unknown[];
  token?: unknown;
  owner?: unknown;
  roleAttributes?: Record<string, string[]>;
  request: AccessRequest;
  expect: 'allow' | 'deny';
  refusedBy?: 'token' | 'owner';
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/policy-decisions.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

/**
 * Fixture policies go through validatePolicy. The one case that names an action in the wrong
 * case ("updateon") is rejected by validation, and the engine must still deny it when handed
 * the raw statements: evaluation never depends on validation for safety.
 */
const INVALID_ON_PURPOSE = new Set(['action names are case-sensitive']);
let current = '';
function valid(input: unknown): Policy {
  const result = validatePolicy(input);
  if (result.ok) return result.policy;
  if (!INVALID_ON_PURPOSE.has(current)) throw new Error(`fixture policy is invalid: ${JSON.stringify(result.issues)}`);
  return input as Policy;
}

describe('policy-decisions.json', () => {
  it('has cases', () => expect(fixture.cases.length).toBeGreaterThan(40));

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    current = c.name;
    const roleAttributes = c.roleAttributes ?? {};
    const expected = c.expect === 'allow';
    if (c.kind === 'intersection') {
      const token = compile([{ source: 'token', policy: valid(c.token), roleAttributes }]);
      const owner = compile([{ source: 'owner', policy: valid(c.owner), roleAttributes }]);
      const decision = decideToken(token, owner, c.request);
      expect(decision.allowed).toBe(expected);
      expect(isTokenAllowed(token, owner, c.request)).toBe(expected);
      if (c.refusedBy !== undefined) expect(decision.refusedBy).toBe(c.refusedBy);
      return;
    }
    const grants: Grant[] =
      c.kind === 'roles'
        ? (c.roles ?? []).map((policy, i) => ({ source: `role:${i}`, policy: valid(policy), roleAttributes }))
        : [{ source: 'inline', policy: valid(c.policy), roleAttributes }];
    const principal = compile(grants);
    expect(isAllowed(principal, c.request)).toBe(expected);
    expect(decide(principal, c.request).allowed).toBe(expected);
  });
});
