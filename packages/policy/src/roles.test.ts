import { describe, expect, it } from 'vitest';
import { BASE_ROLES, baseRoleGrant, baseRolePolicy, baseRoleRank, compile, customRoleGrant, isAllowed, validatePolicy } from './index.ts';

const can = (role: (typeof BASE_ROLES)[number], action: string, resource: string) =>
  isAllowed(compile([baseRoleGrant(role, 'me')]), { action, resource });

describe('built-in roles', () => {
  it('are ordered no_access < reader < writer < admin < owner', () => {
    expect(BASE_ROLES).toEqual(['no_access', 'reader', 'writer', 'admin', 'owner']);
    expect(BASE_ROLES.map(baseRoleRank)).toEqual([0, 1, 2, 3, 4]);
  });
  it('are valid policies', () => {
    for (const role of BASE_ROLES) expect(validatePolicy(baseRolePolicy(role, 'me')).ok).toBe(true);
  });
  it('label their grant base:<role>', () => expect(baseRoleGrant('writer', 'me').source).toBe('base:writer'));
  it('no_access allows nothing', () => expect(can('no_access', 'viewProject', 'proj/a')).toBe(false));
  it('reader views projects and teams but changes nothing', () => {
    expect(can('reader', 'viewProject', 'proj/a')).toBe(true);
    expect(can('reader', 'viewTeam', 'team/ops')).toBe(true);
    expect(can('reader', 'viewAuditLog', 'acct')).toBe(true);
    expect(can('reader', 'updateOn', 'proj/a:env/test:flag/f')).toBe(false);
    expect(can('reader', 'deleteProject', 'proj/a')).toBe(false);
  });
  it('reader manages its own personal tokens, not others', () => {
    expect(can('reader', 'createAccessToken', 'member/me:token/new')).toBe(true);
    expect(can('reader', 'viewAccessToken', 'member/me:token/t')).toBe(true);
    expect(can('reader', 'viewAccessToken', 'member/you:token/t')).toBe(false);
    expect(can('reader', 'deleteAccessToken', 'member/you:token/t')).toBe(false);
  });
  it('reader sees service tokens but does not manage them', () => {
    expect(can('reader', 'viewAccessToken', 'service-token/s')).toBe(true);
    expect(can('reader', 'createAccessToken', 'service-token/s')).toBe(false);
  });
  it('reader revokes its own sessions only', () => {
    expect(can('reader', 'revokeSessions', 'member/me')).toBe(true);
    expect(can('reader', 'revokeSessions', 'member/you')).toBe(false);
  });
  it('writer changes projects, environments and flags but not members or roles', () => {
    expect(can('writer', 'updateOn', 'proj/a:env/production:flag/f')).toBe(true);
    expect(can('writer', 'createEnvironment', 'proj/a:env/e')).toBe(true);
    expect(can('writer', 'createProject', 'proj/new')).toBe(true);
    expect(can('writer', 'createMember', 'member/x')).toBe(false);
    expect(can('writer', 'updatePolicy', 'role/r')).toBe(false);
    expect(can('writer', 'viewAccessToken', 'member/you:token/t')).toBe(false);
  });
  it('admin does everything except owner-only actions', () => {
    expect(can('admin', 'updateRole', 'member/x')).toBe(true);
    expect(can('admin', 'viewAccessToken', 'member/you:token/t')).toBe(true);
    expect(can('admin', 'updateServiceTokenLimit', 'acct')).toBe(false);
  });
  it('owner does everything', () => expect(can('owner', 'updateServiceTokenLimit', 'acct')).toBe(true));
  it('refuse member ids that would act as globs or separators', () => {
    expect(() => baseRolePolicy('reader', '*')).toThrow();
    expect(() => baseRolePolicy('reader', 'a:b')).toThrow();
    expect(() => baseRolePolicy('reader', '')).toThrow();
  });
});

describe('customRoleGrant', () => {
  const role = { key: 'ci', basePermissions: null, policy: [{ effect: 'allow' as const, actions: ['updateOn'], resources: ['proj/${roleAttribute/p}:env/*:flag/*'] }] };
  it('labels its grant role:<key> unless told otherwise', () => {
    expect(customRoleGrant(role, {}, 'me').source).toBe('role:ci');
    expect(customRoleGrant(role, {}, 'me', 'team:ops/role:ci').source).toBe('team:ops/role:ci');
  });
  it("substitutes the member's role attributes", () => {
    const p = compile([customRoleGrant(role, { p: ['web'] }, 'me')]);
    expect(isAllowed(p, { action: 'updateOn', resource: 'proj/web:env/e:flag/f' })).toBe(true);
    expect(isAllowed(p, { action: 'updateOn', resource: 'proj/api:env/e:flag/f' })).toBe(false);
  });
  it('keeps the role statement indexes and appends the reader baseline', () => {
    const g = customRoleGrant({ ...role, basePermissions: 'reader' }, {}, 'me');
    expect(g.policy[0]).toBe(role.policy[0]);
    expect(g.policy.slice(1)).toEqual(baseRolePolicy('reader', 'me'));
  });
});
