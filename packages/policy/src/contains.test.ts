import { describe, expect, it } from 'vitest';
import { allow, deny } from '../test/helpers.ts';
import { BASE_ROLES, baseRoleGrant, compile, contains, customRoleGrant, type Grant, type Statement } from './index.ts';

const inline = (policy: Statement[], source = 'inline'): Grant => ({ source, policy });
const flags = 'proj/*:env/*:flag/*';

describe('contains accepts', () => {
  it('a built-in role within every higher one (same member)', () => {
    BASE_ROLES.forEach((lower, i) => {
      for (const higher of BASE_ROLES.slice(i)) {
        expect([lower, higher, contains([baseRoleGrant(higher, 'm1')], [baseRoleGrant(lower, 'm1')])]).toEqual([lower, higher, { ok: true }]);
      }
    });
  });
  it('a policy restricted to fewer projects, environments or flags', () => {
    const outer = [inline([allow(['*'], [flags])])];
    expect(contains(outer, [inline([allow(['updateOn'], ['proj/web:env/test:flag/*'])])])).toEqual({ ok: true });
    expect(contains(outer, [inline([allow(['updateOn'], ['proj/web-*:env/qa*:flag/beta-*;mobile'])])])).toEqual({ ok: true });
    const narrowOuter = [inline([allow(['updateOn'], ['proj/web*:env/*:flag/*'])])];
    expect(contains(narrowOuter, [inline([allow(['updateOn'], ['proj/web-api:env/*:flag/*'])])])).toEqual({ ok: true });
  });
  it('an identical policy, including denies, notActions and notResources', () => {
    const policy: Statement[] = [
      allow(['*'], [flags, 'proj/*:env/*']),
      deny(['updateOn'], ['proj/*:env/production:flag/*']),
      { effect: 'allow', notActions: ['deleteProject'], resources: ['proj/*'] },
      { effect: 'allow', actions: ['viewAccessToken'], notResources: ['service-token/secret-*'] },
      { effect: 'deny', actions: ['*'], notResources: ['proj/sandbox:env/*:flag/*', 'proj/*:env/*', 'proj/*'] },
    ];
    expect(contains([inline(policy)], [inline(policy)])).toEqual({ ok: true });
  });
  it('a policy with an extra deny', () => {
    const outer = [inline([allow(['*'], [flags])])];
    expect(contains(outer, [inline([allow(['*'], [flags]), deny(['deleteFlag'], [flags])])])).toEqual({ ok: true });
  });
  it('several roles against their union', () => {
    const a = inline([allow(['*'], ['proj/a:env/*:flag/*']), deny(['updateOn'], ['proj/a:env/prod:flag/*'])], 'role:a');
    const b = inline([allow(['viewProject'], ['proj/*'])], 'role:b');
    expect(contains([a, b, baseRoleGrant('reader', 'm1')], [b, a])).toEqual({ ok: true });
    expect(contains([a, b], [a])).toEqual({ ok: true });
  });
  it('a custom role with role attributes against the same role with the same attributes', () => {
    const role = { key: 'ci', basePermissions: 'reader' as const, policy: [allow(['updateOn'], ['proj/${roleAttribute/p}:env/*:flag/*'])] };
    const attrs = { p: ['web', 'api'] };
    expect(contains([customRoleGrant(role, attrs, 'm1')], [customRoleGrant(role, attrs, 'm1')])).toEqual({ ok: true });
    expect(contains([customRoleGrant(role, attrs, 'm1')], [customRoleGrant(role, { p: ['web'] }, 'm1')])).toEqual({ ok: true });
  });
  it('an allow the inner grant denies itself', () => {
    const outer = [inline([allow(['updateOn'], ['proj/*:env/test:flag/*'])])];
    expect(contains(outer, [inline([allow(['updateOn'], ['proj/*:env/prod:flag/*']), deny(['*'], [flags])])])).toEqual({ ok: true });
  });
  it("an outer deny that the inner grant's own deny covers", () => {
    const outer = [inline([allow(['*'], [flags]), deny(['updateOn'], ['proj/*:env/production:flag/*'])])];
    expect(contains(outer, [inline([allow(['updateOn'], [flags]), deny(['*'], ['proj/*:env/prod*:flag/*'])])])).toEqual({ ok: true });
  });
  it('tag filters: a tagged pattern within the untagged one, and the same filter', () => {
    expect(contains([inline([allow(['viewProject'], ['proj/*'])])], [inline([allow(['viewProject'], ['proj/*;mobile'])])])).toEqual({ ok: true });
    expect(contains([inline([allow(['viewProject'], ['proj/*;mob*'])])], [inline([allow(['viewProject'], ['proj/a;beta,mobile'])])])).toEqual({ ok: true });
  });
  it('anything within * on *', () => {
    expect(contains([inline([allow(['*'], ['*'])])], [inline([{ effect: 'allow', notActions: ['viewProject'], notResources: ['proj/a'] }])])).toEqual({ ok: true });
  });
  it('nothing within anything', () => expect(contains([], [baseRoleGrant('no_access', 'm1')])).toEqual({ ok: true }));
});

describe('contains refuses, naming the first exceeding action and resource', () => {
  it('a higher built-in role within a lower one', () => {
    expect(contains([baseRoleGrant('reader', 'm1')], [baseRoleGrant('writer', 'm1')])).toMatchObject({
      ok: false,
      action: 'createProject',
      resource: 'proj/*',
    });
    expect(contains([baseRoleGrant('admin', 'm1')], [baseRoleGrant('owner', 'm1')])).toMatchObject({
      ok: false,
      action: 'updateServiceTokenLimit',
      resource: 'acct',
    });
  });
  it("another member's sessions and tokens (member comes before member:token in the catalogue)", () => {
    expect(contains([baseRoleGrant('writer', 'm1')], [baseRoleGrant('reader', 'm2')])).toMatchObject({
      ok: false,
      action: 'revokeSessions',
      resource: 'member/m2',
    });
    expect(
      contains([baseRoleGrant('writer', 'm1')], [inline([allow(['*'], ['member/m2:token/*'])])]),
    ).toMatchObject({ ok: false, action: 'createAccessToken', resource: 'member/m2:token/*' });
  });
  it('a wider project glob', () =>
    expect(contains([inline([allow(['*'], ['proj/web*:env/*:flag/*'])])], [inline([allow(['updateOn'], ['proj/w*:env/*:flag/*'])])])).toMatchObject({
      ok: false,
      action: 'updateOn',
      resource: 'proj/w*:env/*:flag/*',
    }));
  it('an allow the outer grant denies, naming the overlap', () => {
    const outer = [inline([allow(['*'], [flags]), deny(['updateOn'], ['proj/*:env/production:flag/*'])], 'base:ops')];
    const result = contains(outer, [inline([allow(['updateOn'], [flags])])]);
    expect(result).toMatchObject({ ok: false, action: 'updateOn', resource: 'proj/*:env/production:flag/*' });
    if (!result.ok) expect(result.reason).toContain('base:ops statement 1 denies updateOn on proj/*:env/production:flag/*');
  });
  it('an allow outside the exceptions of an outer deny with notResources', () => {
    const outer = [inline([allow(['updateOn'], [flags]), { effect: 'deny', actions: ['updateOn'], notResources: ['proj/a:env/*:flag/*'] }])];
    expect(contains(outer, [inline([allow(['updateOn'], ['proj/b:env/*:flag/*'])])])).toMatchObject({ ok: false, resource: 'proj/b:env/*:flag/*' });
    expect(contains(outer, [inline([allow(['updateOn'], ['proj/a:env/test:flag/*'])])])).toEqual({ ok: true });
  });
  it('dropping a tag filter the outer requires', () =>
    expect(contains([inline([allow(['viewProject'], ['proj/*;mobile'])])], [inline([allow(['viewProject'], ['proj/*'])])])).toMatchObject({
      ok: false,
      resource: 'proj/*',
    }));
  it('a role attribute value the outer grant does not have', () => {
    const role = { key: 'ci', basePermissions: null, policy: [allow(['updateOn'], ['proj/${roleAttribute/p}:env/*:flag/*'])] };
    expect(contains([customRoleGrant(role, { p: ['web'] }, 'm1')], [customRoleGrant(role, { p: ['web', 'api'] }, 'm1')])).toMatchObject({
      ok: false,
      resource: 'proj/api:env/*:flag/*',
    });
  });
  it('an everything-except allow against a narrower outer', () =>
    expect(contains([inline([allow(['viewProject'], ['proj/a*'])])], [inline([{ effect: 'allow', actions: ['viewProject'], notResources: ['proj/b'] }])])).toMatchObject({
      ok: false,
      action: 'viewProject',
      resource: 'proj/* except proj/b',
    }));
  it('the same role attribute reference with a role attribute value that is a literal *', () => {
    const role = { key: 'ci', basePermissions: null, policy: [allow(['viewProject'], ['proj/${roleAttribute/p}'])] };
    expect(contains([customRoleGrant(role, { p: ['*'] }, 'm1')], [inline([allow(['viewProject'], ['proj/a'])])])).toMatchObject({ ok: false });
  });
  it('a pattern covered only by two outer grants together (conservative)', () => {
    const most = inline([allow(['viewProject'], ['proj/*']), deny(['viewProject'], ['proj/a'])], 'role:most');
    const rest = inline([allow(['viewProject'], ['proj/a'])], 'role:rest');
    expect(contains([most, rest], [inline([allow(['viewProject'], ['proj/*'])])])).toMatchObject({ ok: false, resource: 'proj/a' });
  });
});

describe('contains checks each pattern of a statement on its own', () => {
  it('patterns of one statement may be covered by different outer allows', () =>
    expect(
      contains(
        [inline([allow(['viewProject'], ['proj/a*']), allow(['viewProject'], ['proj/b*'])])],
        [inline([allow(['viewProject'], ['proj/a*', 'proj/b1'])])],
      ),
    ).toEqual({ ok: true }));
});

describe('contains on compiled principals', () => {
  it('gives the same answers as on the grants they were compiled from', () => {
    const outer = [baseRoleGrant('writer', 'm1'), inline([allow(['viewTeam'], ['team/ops'])], 'role:ops')];
    const inners = [
      [inline([allow(['updateOn'], ['proj/web:env/test:flag/*'])])],
      [inline([allow(['deleteTeam'], ['team/ops'])])],
      [baseRoleGrant('admin', 'm1')],
    ];
    for (const inner of inners) {
      const expected = contains(outer, inner);
      expect(contains(compile(outer), inner)).toEqual(expected);
      expect(contains(outer, compile(inner))).toEqual(expected);
      expect(contains(compile(outer), compile(inner))).toEqual(expected);
    }
    expect(contains(compile(outer), inners[1] ?? []).ok).toBe(false);
  });
});

