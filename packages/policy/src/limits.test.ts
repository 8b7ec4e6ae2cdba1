import { describe, expect, it } from 'vitest';
import { allow, can } from '../test/helpers.ts';
import { POLICY_LIMITS as L, baseRoleGrant, compile, contains, decide, validatePolicy, type PolicyIssue, type Statement } from './index.ts';

function issues(policy: unknown[]): PolicyIssue[] {
  const result = validatePolicy(policy);
  return result.ok ? [] : result.issues;
}

const viewIn = (resources: string[]): Statement => allow(['viewProject'], resources);
const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

/** Each limit: a policy of size n, and the issue expected at n = limit + 1. */
const CASES: Array<{ name: string; at: number; policy: (n: number) => unknown[]; issue: (n: number) => PolicyIssue }> = [
  {
    name: 'statements per policy',
    at: L.statements,
    policy: (n) => many(n, (i) => viewIn([`proj/p${i}`])),
    issue: (n) => ({ statement: -1, field: 'statement', message: `at most ${L.statements} statements in a policy (found ${n})` }),
  },
  {
    name: 'resource specifiers per policy',
    at: L.resourcesPerPolicy,
    policy: (n) => many(Math.ceil(n / 20), (s) => viewIn(many(Math.min(20, n - s * 20), (i) => `proj/p${s}-${i}`))),
    issue: (n) => ({ statement: -1, field: 'statement', message: `at most ${L.resourcesPerPolicy} resource specifiers in a policy, resources and notResources together (found ${n})` }),
  },
  {
    name: 'action names per policy',
    at: L.actionsPerPolicy,
    policy: (n) => many(Math.ceil(n / 25), (s) => allow(many(Math.min(25, n - s * 25), () => 'viewProject'), [`proj/p${s}`])),
    issue: (n) => ({ statement: -1, field: 'statement', message: `at most ${L.actionsPerPolicy} action names in a policy, actions and notActions together (found ${n})` }),
  },
  {
    name: 'actions per statement',
    at: L.actionsPerStatement,
    policy: (n) => [allow(many(n, () => 'viewProject'), ['proj/a'])],
    issue: (n) => ({ statement: 0, field: 'actions', message: `at most ${L.actionsPerStatement} action names in actions of one statement (found ${n})` }),
  },
  {
    name: 'resources per statement',
    at: L.resourcesPerStatement,
    policy: (n) => [{ effect: 'deny', actions: ['*'], notResources: many(n, (i) => `proj/p${i}`) }],
    issue: (n) => ({ statement: 0, field: 'notResources', message: `at most ${L.resourcesPerStatement} resource specifiers in notResources of one statement (found ${n})` }),
  },
  {
    name: 'characters in a specifier',
    at: L.specifierLength,
    policy: (n) => [viewIn([`proj/${'x'.repeat(n - 5)}`])],
    issue: (n) => ({ statement: 0, field: 'resources', element: 0, message: `resources[0]: at most ${L.specifierLength} characters in a resource specifier (found ${n})` }),
  },
  {
    name: 'characters in an action name',
    at: L.actionLength,
    policy: (n) => [allow([`viewProject${'*'.repeat(n - 11)}`], ['proj/a'])],
    issue: (n) => ({ statement: 0, field: 'actions', element: 0, message: `actions[0]: at most ${L.actionLength} characters in an action name (found ${n})` }),
  },
  {
    name: 'globs in a key',
    at: L.globsPerName,
    policy: (n) => [viewIn([`proj/${'a*'.repeat(n)}`])],
    issue: (n) => ({ statement: 0, field: 'resources', element: 0, message: `resources[0]: at most ${L.globsPerName} "*" globs in one key (found ${n} in the key of "proj")` }),
  },
  {
    name: 'globs in a tag',
    at: L.globsPerName,
    policy: (n) => [viewIn([`proj/a;${'t*'.repeat(n)}`])],
    issue: (n) => ({ statement: 0, field: 'resources', element: 0, message: `resources[0]: at most ${L.globsPerName} "*" globs in one tag (found ${n} in a tag of "proj")` }),
  },
  {
    name: 'globs in an action name',
    at: L.globsPerName,
    policy: (n) => [allow([`${[...'viewProject'].slice(0, n).join('*')}*${'viewProject'.slice(n)}`], ['proj/a'])],
    issue: (n) => ({ statement: 0, field: 'actions', element: 0, message: `actions[0]: at most ${L.globsPerName} "*" globs in one action name (found ${n})` }),
  },
  {
    name: 'tags in a tag filter',
    at: L.tagsPerSegment,
    policy: (n) => [viewIn([`proj/a;${many(n, (i) => `t${i}`).join(',')}`])],
    issue: (n) => ({ statement: 0, field: 'resources', element: 0, message: `resources[0]: at most ${L.tagsPerSegment} tags in the tag filter of one segment (found ${n} on "proj")` }),
  },
  {
    name: 'role attribute references in a specifier',
    at: L.attributeReferencesPerSpecifier,
    policy: (n) => [viewIn([`proj/${many(n, (i) => `\${roleAttribute/a${i}}`).join('-')}`])],
    issue: (n) => ({ statement: 0, field: 'resources', element: 0, message: `resources[0]: at most ${L.attributeReferencesPerSpecifier} role attribute references in one resource specifier (found ${n})` }),
  },
];

describe('policy limits', () => {
  it.each(CASES)('$name: the limit is accepted, one more is one issue naming it', ({ at, policy, issue }) => {
    expect(issues(policy(at))).toEqual([]);
    expect(issues(policy(at + 1))).toEqual([issue(at + 1)]);
  });

  it('a run of stars counts as one glob (`a**b` is `a*b`)', () => {
    expect(issues([viewIn([`proj/${'a**'.repeat(L.globsPerName)}`])])).toEqual([]);
  });

  it('checks the length before parsing, so a huge specifier is never echoed in the message', () => {
    const [issue] = issues([viewIn([`proj/${'a*'.repeat(50_000)}`])]);
    expect(issue?.message).toBe(`resources[0]: at most ${L.specifierLength} characters in a resource specifier (found 100005)`);
  });

  it('over the statement count, nothing else is examined', () => {
    expect(issues(many(L.statements + 1, () => ({ effect: 'permit' })))).toHaveLength(1);
  });
});

describe('pattern budget per grant (role attributes are the member\'s, so it is checked at compile time)', () => {
  const perValue = (values: number) => ({ p: many(values, (i) => `v${i}`) });
  const policy = [viewIn([`proj/\${roleAttribute/p}-\${roleAttribute/p}`]), viewIn(['proj/plain'])];
  const within = Math.floor(Math.sqrt(L.patternsPerGrant - 1));

  it('a grant within the budget expands every combination', () => {
    expect(can(policy, 'viewProject', `proj/v0-v${within - 1}`, undefined, perValue(within))).toBe(true);
    expect(can(policy, 'viewProject', 'proj/plain', undefined, perValue(within))).toBe(true);
  });

  it('a grant over it grants nothing, says so, and is never contained by accident', () => {
    const over = within + 1;
    expect(can(policy, 'viewProject', 'proj/plain', undefined, perValue(over))).toBe(false);
    const p = compile([{ source: 'role:wide', policy, roleAttributes: perValue(over) }]);
    expect(decide(p, { action: 'viewProject', resource: 'proj/plain' }).reason).toContain(`role:wide grants nothing: with these role attributes its specifiers stand for more than ${L.patternsPerGrant} patterns`);
    // As inner it grants nothing (contained); as outer it allows nothing (a refusal, never an unsound ok).
    expect(contains([baseRoleGrant('no_access', 'm1')], [{ source: 'inline', policy, roleAttributes: perValue(over) }])).toEqual({ ok: true });
    expect(contains([{ source: 'role:wide', policy, roleAttributes: perValue(over) }], [{ source: 'inline', policy: [viewIn(['proj/plain'])] }]).ok).toBe(false);
  });
});
