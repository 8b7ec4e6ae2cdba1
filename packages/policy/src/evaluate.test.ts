import { describe, expect, it } from 'vitest';
import { allow, can, deny } from '../test/helpers.ts';
import { baseRoleGrant, compile, customRoleGrant, decide, decideToken, isTokenAllowed } from './index.ts';

describe('default deny', () => {
  it('an empty policy allows nothing', () => expect(can([], 'viewProject', 'proj/a')).toBe(false));
  it('an allow for the action and resource allows it', () =>
    expect(can([allow(['viewProject'], ['proj/a'])], 'viewProject', 'proj/a')).toBe(true));
  it('an allow for another action does not allow this one', () =>
    expect(can([allow(['viewProject'], ['proj/a'])], 'deleteProject', 'proj/a')).toBe(false));
});

describe('rule precedence', () => {
  const policy = [allow(['*'], ['proj/*:env/*:flag/*']), deny(['updateOn'], ['proj/*:env/production:flag/*'])];
  it('a single deny overrides any allow', () => expect(can(policy, 'updateOn', 'proj/a:env/production:flag/f')).toBe(false));
  it('a deny elsewhere leaves the allow', () => expect(can(policy, 'updateOn', 'proj/a:env/test:flag/f')).toBe(true));
  it('a deny listed first still wins', () =>
    expect(can([...policy].reverse(), 'updateOn', 'proj/a:env/production:flag/f')).toBe(false));
  it('a deny for another action leaves this action allowed', () =>
    expect(can(policy, 'deleteFlag', 'proj/a:env/production:flag/f')).toBe(true));
});

describe('roles are additive', () => {
  const limited = { source: 'role:limited', policy: [allow(['*'], ['proj/*:env/*:flag/*']), deny(['*'], ['proj/*:env/production:flag/*'])] };
  const full = { source: 'role:full', policy: [allow(['*'], ['proj/*:env/*:flag/*'])] };
  it('another role allowing overrides a deny in one role', () =>
    expect(can([limited, full], 'updateOn', 'proj/a:env/production:flag/f')).toBe(true));
  it('a deny limits the role it is written in', () =>
    expect(can([limited], 'updateOn', 'proj/a:env/production:flag/f')).toBe(false));
  it("basePermissions reader adds the reader baseline into the role, so the role's denies cut it", () => {
    const role = customRoleGrant(
      { key: 'hide-secret', basePermissions: 'reader', policy: [deny(['viewProject'], ['proj/secret'])] },
      {},
      'm1',
    );
    expect(can([role], 'viewProject', 'proj/web')).toBe(true);
    expect(can([role], 'viewProject', 'proj/secret')).toBe(false);
    expect(can([baseRoleGrant('reader', 'm1'), role], 'viewProject', 'proj/secret')).toBe(true);
  });
  it('basePermissions no_access adds nothing', () => {
    const role = customRoleGrant({ key: 'r', basePermissions: 'no_access', policy: [] }, {}, 'm1');
    expect(can([role], 'viewProject', 'proj/web')).toBe(false);
  });
});

describe('resource matching', () => {
  it('segment count must be equal: proj/* names projects only', () => {
    expect(can([allow(['*'], ['proj/*'])], 'updateTags', 'proj/a')).toBe(true);
    expect(can([allow(['*'], ['proj/*'])], 'updateTags', 'proj/a:env/b')).toBe(false);
  });
  it('segment types must be equal', () => {
    expect(can([allow(['*'], ['member/*:token/*'])], 'deleteAccessToken', 'member/m:token/t')).toBe(true);
    expect(can([allow(['*'], ['member/*:token/*'])], 'deleteAccessToken', 'service-token/t')).toBe(false);
  });
  it('a key glob never crosses a segment boundary', () => {
    expect(can([allow(['*'], ['proj/a*'])], 'viewProject', 'proj/abc')).toBe(true);
    expect(can([allow(['*'], ['proj/a*'])], 'viewProject', 'proj/a:env/b')).toBe(false);
  });
  it('globs in the middle, at the ends and several in one key', () => {
    const p = [allow(['viewProject'], ['proj/*-api-*'])];
    expect(can(p, 'viewProject', 'proj/pay-api-eu')).toBe(true);
    expect(can(p, 'viewProject', 'proj/-api-')).toBe(true);
    expect(can(p, 'viewProject', 'proj/pay-api')).toBe(false);
    expect(can([allow(['viewProject'], ['proj/*app'])], 'viewProject', 'proj/webapp')).toBe(true);
    expect(can([allow(['viewProject'], ['proj/*app'])], 'viewProject', 'proj/apps')).toBe(false);
  });
  it('the bare * matches every resource of every type', () => {
    expect(can([allow(['*'], ['*'])], 'viewAuditLog', 'acct')).toBe(true);
    expect(can([allow(['*'], ['*'])], 'updateOn', 'proj/a:env/b:flag/c')).toBe(true);
  });
  it('acct has no key', () => {
    expect(can([allow(['viewAuditLog'], ['acct'])], 'viewAuditLog', 'acct')).toBe(true);
    expect(can([allow(['viewAuditLog'], ['acct'])], 'viewAuditLog', 'acct/x')).toBe(false);
  });
  it('keys are case-sensitive', () => {
    expect(can([allow(['viewProject'], ['proj/Web'])], 'viewProject', 'proj/Web')).toBe(true);
    expect(can([allow(['viewProject'], ['proj/Web'])], 'viewProject', 'proj/web')).toBe(false);
  });
  it('a malformed resource name is never allowed, even by *', () => {
    const bad = ['', 'proj', 'proj/', 'proj/a:', 'proj/a/b', 'proj/a:flag/f', 'segment/x', 'acct/', '*', 'acct:proj/a', 'Proj/a'];
    bad.push('proj/a:env/b/c:flag/f', 'proj/a:env/b:flag/f/g', 'member/m:token/a/b', 'member/m/x:token/t', 'team/a:b', 'proj/a::env/b');
    for (const name of bad) {
      const action = name.split(':').length === 3 ? 'updateOn' : name.includes('token') ? 'deleteAccessToken' : 'viewProject';
      expect([name, can([allow(['*'], ['*'])], action, name)]).toEqual([name, false]);
    }
  });
});

describe('action matching', () => {
  it('an action glob matches catalogue actions of the type', () => {
    expect(can([allow(['update*'], ['proj/*:env/*:flag/*'])], 'updateOn', 'proj/a:env/b:flag/c')).toBe(true);
    expect(can([allow(['update*'], ['proj/*:env/*:flag/*'])], 'deleteFlag', 'proj/a:env/b:flag/c')).toBe(false);
  });
  it('an action is read together with its resource type', () => {
    // updateName exists on roles, environments and flags; allowed on roles it says nothing about flags.
    expect(can([allow(['updateName'], ['role/*'])], 'updateName', 'role/r')).toBe(true);
    expect(can([allow(['updateName'], ['role/*', 'proj/*'])], 'updateName', 'proj/p')).toBe(false);
  });
  it('an action not in the catalogue for the type is never allowed (fail closed)', () => {
    expect(can([allow(['*'], ['*'])], 'viewProject', 'proj/a')).toBe(true);
    expect(can([allow(['*'], ['*'])], 'viewProjects', 'proj/a')).toBe(false);
    expect(can([allow(['*'], ['*'])], 'updateOn', 'proj/a')).toBe(false);
    const p = compile([{ source: 'inline', policy: [allow(['*'], ['*'])] }]);
    expect(decide(p, { action: 'updateOn', resource: 'proj/a' }).reason).toContain('not an action on proj');
  });
  it('notActions applies to every other action', () => {
    const p = [{ effect: 'allow' as const, notActions: ['deleteFlag'], resources: ['proj/*:env/*:flag/*'] }];
    expect(can(p, 'updateOn', 'proj/a:env/b:flag/c')).toBe(true);
    expect(can(p, 'deleteFlag', 'proj/a:env/b:flag/c')).toBe(false);
  });
});

describe('notResources', () => {
  const fence = [allow(['*'], ['*']), { effect: 'deny' as const, actions: ['*'], notResources: ['proj/sandbox:env/*:flag/*'] }];
  it('a deny with notResources spares the named resources', () => expect(can(fence, 'updateOn', 'proj/sandbox:env/p:flag/f')).toBe(true));
  it('a deny with notResources denies every other resource, of every type', () => {
    expect(can(fence, 'updateOn', 'proj/web:env/p:flag/f')).toBe(false);
    expect(can(fence, 'viewAuditLog', 'acct')).toBe(false);
  });
  it('an allow with notResources allows every other resource', () => {
    const p = [{ effect: 'allow' as const, actions: ['viewProject'], notResources: ['proj/secret'] }];
    expect(can(p, 'viewProject', 'proj/web')).toBe(true);
    expect(can(p, 'viewProject', 'proj/secret')).toBe(false);
  });
  it('notResources with * excludes everything', () => {
    const p = [{ effect: 'allow' as const, actions: ['*'], notResources: ['*'] }];
    expect(can(p, 'viewProject', 'proj/web')).toBe(false);
  });
});

describe('tag filters', () => {
  const p = [allow(['viewProject'], ['proj/*;mobile,beta'])];
  it('all listed tags present allows', () => expect(can(p, 'viewProject', 'proj/a', { proj: ['beta', 'mobile', 'x'] })).toBe(true));
  it('one tag missing refuses', () => expect(can(p, 'viewProject', 'proj/a', { proj: ['mobile'] })).toBe(false));
  it('untagged refuses', () => expect(can(p, 'viewProject', 'proj/a')).toBe(false));
  it('tags of another segment type do not count', () =>
    expect(can(p, 'viewProject', 'proj/a', { env: ['mobile', 'beta'] })).toBe(false));
  it('tag filters may be globs', () => {
    const q = [allow(['updateOn'], ['proj/*:env/*;qa_*:flag/*'])];
    expect(can(q, 'updateOn', 'proj/a:env/e:flag/f', { env: ['qa_eu'] })).toBe(true);
    expect(can(q, 'updateOn', 'proj/a:env/e:flag/f', { env: ['prod'] })).toBe(false);
  });
});

describe('role attributes', () => {
  const p = [allow(['viewProject'], ['proj/${roleAttribute/projects}'])];
  it('expand to one pattern per value', () => {
    expect(can(p, 'viewProject', 'proj/b', undefined, { projects: ['a', 'b'] })).toBe(true);
    expect(can(p, 'viewProject', 'proj/c', undefined, { projects: ['a', 'b'] })).toBe(false);
  });
  it('values are literal, never globs', () => {
    expect(can(p, 'viewProject', 'proj/*', undefined, { projects: ['*'] })).toBe(true);
    expect(can(p, 'viewProject', 'proj/x', undefined, { projects: ['*'] })).toBe(false);
  });
  it('with no value an allow grants nothing', () => expect(can(p, 'viewProject', 'proj/a', undefined, {})).toBe(false));
  it('with no value a deny denies nothing', () => {
    const q = [allow(['*'], ['proj/*']), deny(['*'], ['proj/${roleAttribute/frozen}'])];
    expect(can(q, 'viewProject', 'proj/a', undefined, {})).toBe(true);
    expect(can(q, 'viewProject', 'proj/a', undefined, { frozen: ['a'] })).toBe(false);
  });
  it('several references in one specifier expand to every combination', () => {
    const q = [allow(['updateOn'], ['proj/${roleAttribute/p}:env/${roleAttribute/e}:flag/*'])];
    const attrs = { p: ['a', 'b'], e: ['test', 'dev'] };
    expect(can(q, 'updateOn', 'proj/b:env/dev:flag/f', undefined, attrs)).toBe(true);
    expect(can(q, 'updateOn', 'proj/b:env/prod:flag/f', undefined, attrs)).toBe(false);
  });
});

describe('explain', () => {
  const grants = [
    { source: 'base:reader', policy: [allow(['viewProject'], ['proj/*'])] },
    { source: 'role:ops', policy: [allow(['*'], ['proj/*:env/*:flag/*']), deny(['updateOn'], ['proj/*:env/production:flag/*'])] },
  ];
  const p = compile(grants);
  it('an allow names the allowing statement of the first grant that allows', () => {
    const d = decide(p, { action: 'updateOn', resource: 'proj/a:env/test:flag/f' });
    expect(d).toMatchObject({ allowed: true, statements: [{ source: 'role:ops', index: 0, effect: 'allow' }] });
    expect(d.reason).toContain('role:ops statement 0');
  });
  it('a deny names the denying statement', () => {
    const d = decide(p, { action: 'updateOn', resource: 'proj/a:env/production:flag/f' });
    expect(d).toMatchObject({ allowed: false, statements: [{ source: 'role:ops', index: 1, effect: 'deny' }] });
    expect(d.reason).toContain('denied by role:ops statement 1');
  });
  it('no matching statement says so', () => {
    const d = decide(p, { action: 'deleteProject', resource: 'proj/a' });
    expect(d).toMatchObject({ allowed: false, statements: [] });
    expect(d.reason).toBe('no statement allows deleteProject on proj/a');
  });
});

describe('tokens', () => {
  const owner = compile([baseRoleGrant('reader', 'm1')]);
  const writerToken = compile([baseRoleGrant('writer', 'm1')]);
  const req = { action: 'updateOn', resource: 'proj/a:env/test:flag/f' };
  it("a personal token is limited by its owner's current permissions", () => {
    expect(decideToken(writerToken, owner, req)).toMatchObject({ allowed: false, refusedBy: 'owner' });
    expect(isTokenAllowed(writerToken, owner, req)).toBe(false);
  });
  it('a personal token within its owner is allowed', () => {
    const writer = compile([baseRoleGrant('writer', 'm1')]);
    expect(decideToken(writerToken, writer, req)).toMatchObject({ allowed: true });
    expect(decideToken(writerToken, writer, req).refusedBy).toBeUndefined();
  });
  it('the token side is reported first when both refuse', () => {
    const none = compile([baseRoleGrant('no_access', 'm1')]);
    expect(decideToken(none, none, req)).toMatchObject({ allowed: false, refusedBy: 'token' });
  });
  it('a service token is judged by its own scope', () => {
    expect(decideToken(writerToken, null, req)).toMatchObject({ allowed: true });
    expect(isTokenAllowed(writerToken, null, req)).toBe(true);
    expect(decideToken(owner, null, req)).toMatchObject({ allowed: false, refusedBy: 'token' });
  });
});
