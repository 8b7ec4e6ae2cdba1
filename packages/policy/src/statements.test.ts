import { describe, expect, it } from 'vitest';
import { validatePolicy, type PolicyIssue } from './index.ts';

/** The issues of a one-statement policy (with a harmless statement 0 so indexes are tested). */
function issuesOf(statement: unknown): PolicyIssue[] {
  const result = validatePolicy([{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }, statement]);
  return result.ok ? [] : result.issues;
}

const ok = { effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] };

describe('validatePolicy', () => {
  it('accepts a valid policy and returns it normalized', () => {
    const result = validatePolicy([{ effect: 'DENY', notActions: ['update*'], notResources: ['proj/a'], other: undefined }]);
    expect(result).toEqual({ ok: true, policy: [{ effect: 'deny', notActions: ['update*'], notResources: ['proj/a'] }] });
  });
  it('accepts an empty policy', () => expect(validatePolicy([])).toEqual({ ok: true, policy: [] }));
  it('refuses a non-list', () => expect(validatePolicy({ effect: 'allow' })).toMatchObject({ ok: false }));
  it('refuses a statement that is not an object', () =>
    expect(issuesOf('allow everything')).toEqual([{ statement: 1, field: 'statement', message: 'a statement must be an object' }]));
  it('refuses unknown fields', () =>
    expect(issuesOf({ ...ok, condition: 'x' })).toEqual([{ statement: 1, field: 'statement', message: 'unknown field "condition"' }]));
  it('refuses a missing or unknown effect', () => {
    expect(issuesOf({ ...ok, effect: 'permit' })).toEqual([{ statement: 1, field: 'effect', message: 'effect must be "allow" or "deny"' }]);
    expect(issuesOf({ actions: ['viewProject'], resources: ['proj/*'] })[0]?.field).toBe('effect');
  });
  it('refuses both actions and notActions', () =>
    expect(issuesOf({ ...ok, notActions: ['deleteProject'] })).toEqual([
      { statement: 1, field: 'notActions', message: 'give either actions or notActions, not both' },
    ]));
  it('refuses neither actions nor notActions', () =>
    expect(issuesOf({ effect: 'allow', resources: ['proj/*'] })).toEqual([
      { statement: 1, field: 'actions', message: 'one of actions or notActions is required' },
    ]));
  it('refuses both resources and notResources', () =>
    expect(issuesOf({ ...ok, notResources: ['proj/a'] })).toEqual([
      { statement: 1, field: 'notResources', message: 'give either resources or notResources, not both' },
    ]));
  it('refuses neither resources nor notResources', () =>
    expect(issuesOf({ effect: 'allow', actions: ['viewProject'] })).toEqual([
      { statement: 1, field: 'resources', message: 'one of resources or notResources is required' },
    ]));
  it('refuses empty lists', () => {
    expect(issuesOf({ ...ok, actions: [] })).toContainEqual({ statement: 1, field: 'actions', message: 'actions must not be empty' });
    expect(issuesOf({ ...ok, resources: [] })).toContainEqual({ statement: 1, field: 'resources', message: 'resources must not be empty' });
    expect(issuesOf({ effect: 'deny', notActions: [], resources: ['proj/*'] })).toContainEqual({
      statement: 1,
      field: 'notActions',
      message: 'notActions must not be empty',
    });
  });
  it('refuses non-string list items', () =>
    expect(issuesOf({ ...ok, resources: ['proj/*', 3] })).toEqual([{ statement: 1, field: 'resources', element: 1, message: 'resources[1] is not a string' }]));
  it('refuses an action unknown for the referenced resource types', () => {
    expect(issuesOf({ ...ok, actions: ['viewProject', 'updateOn'] })).toEqual([
      { statement: 1, field: 'actions', element: 1, message: 'actions[1]: unknown action "updateOn" for proj' },
    ]);
    expect(issuesOf({ ...ok, actions: ['updateOn'], resources: ['proj/*', 'proj/*:env/*:flag/*'] })).toEqual([]);
  });
  it('checks actions against every type when resources is * or notResources is used', () => {
    expect(issuesOf({ ...ok, actions: ['updateOn'], resources: ['*'] })).toEqual([]);
    expect(issuesOf({ effect: 'deny', actions: ['launchRocket'], notResources: ['proj/a'] })).toEqual([
      { statement: 1, field: 'actions', element: 0, message: 'actions[0]: unknown action "launchRocket" for any resource type' },
    ]);
  });
  it('action names are case-sensitive', () =>
    expect(issuesOf({ ...ok, actions: ['viewproject'] })[0]?.message).toBe('actions[0]: unknown action "viewproject" for proj'));
  it('accepts action globs that match a catalogue action, refuses those that match none', () => {
    expect(issuesOf({ ...ok, actions: ['view*', '*'] })).toEqual([]);
    expect(issuesOf({ ...ok, actions: ['updateOn*'] })).toEqual([
      { statement: 1, field: 'actions', element: 0, message: 'actions[0]: "updateOn*" matches no action of proj' },
    ]);
  });
  it('refuses malformed action names', () =>
    expect(issuesOf({ ...ok, notActions: ['view Project'], actions: undefined })).toEqual([
      { statement: 1, field: 'notActions', element: 0, message: 'notActions[0]: "view Project" is not an action name (letters and digits, "*" as a glob)' },
    ]));
  it('refuses an unknown resource type', () =>
    expect(issuesOf({ ...ok, resources: ['segment/*'] })).toEqual([
      { statement: 1, field: 'resources', element: 0, message: 'resources[0]: "segment/*": unknown resource type "segment"' },
    ]));
  it('refuses segment sequences that are not a resource type', () =>
    expect(issuesOf({ ...ok, resources: ['proj/*:flag/*'] })[0]?.message).toContain('"proj:flag" is not a resource type'));
  it.each([
    ['', 'resource specifier is empty'],
    ['proj/', 'the key of "proj" is empty'],
    ['proj', '"proj" needs a key'],
    ['acct/a', '"acct" has no key'],
    ['proj/a:', 'ends with ":"'],
    ['proj/a b', 'character " " is not allowed'],
    ['proj/a/b', 'character "/" is not allowed'],
    ['proj/*;', 'empty tag'],
    ['proj/*;a,,b', 'empty tag'],
    ['proj/*;a+b', 'tag "a+b" may only contain'],
    ['Proj/*', 'expected a resource type at position 0'],
    ['proj/${roleAttribute/}', 'has no attribute name'],
    ['proj/${foo/x}', 'unknown placeholder "${foo/x}"'],
    ['proj/${roleAttribute/x', 'unterminated "${"'],
    ['proj/${roleAttribute/a b}', 'role attribute name "a b"'],
    ['proj/$x', 'character "$" is not allowed'],
  ])('refuses the malformed specifier %j', (spec, message) => {
    const issues = issuesOf({ ...ok, resources: [spec] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ statement: 1, field: 'resources' });
    expect(issues[0]?.message).toContain(message);
  });
  it('reports malformed notResources under notResources', () =>
    expect(issuesOf({ effect: 'deny', actions: ['*'], notResources: ['proj/a', 'proj/'] })).toEqual([
      { statement: 1, field: 'notResources', element: 1, message: 'notResources[1]: "proj/": the key of "proj" is empty' },
    ]));
  it('accepts every specifier form of the language', () => {
    const specs = [
      '*',
      'acct',
      'member/*',
      'member/m1:token/*',
      'service-token/t-1',
      'role/*',
      'team/ops',
      'proj/*;mobile,beta',
      'proj/mob*-app:env/qa_*;qa_*',
      'proj/${roleAttribute/projects}:env/*:flag/*',
      'proj/${roleAttribute/team}-*:env/${roleAttribute/envs}',
    ];
    expect(issuesOf({ effect: 'allow', actions: ['*'], resources: specs })).toEqual([]);
  });
  it('reports every issue of every statement', () => {
    const result = validatePolicy([{ effect: 'x', actions: [], resources: ['nope'] }, ok, { effect: 'allow' }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => `${i.statement}:${i.field}`)).toEqual(['0:effect', '0:actions', '0:resources', '2:actions', '2:resources']);
  });
});
