import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, latchkey } from './run.ts';
import { useServer } from './server.ts';

const server = useServer();

const ROLE_KEYS = ['basePermissions', 'createdAt', 'description', 'id', 'key', 'name', 'policy', 'updatedAt'];
const MEMBER_DETAIL_KEYS = ['createdAt', 'customRoleKeys', 'email', 'id', 'name', 'role', 'roleAttributes', 'status', 'teamKeys'];

interface RoleJson {
  key: string;
  name: string;
  basePermissions: string | null;
  policy: Array<{ effect: string; actions: string[] | null; resources: string[] | null }>;
}

describe('roles, members and check', { timeout: 60_000 }, () => {
  it('roles: create from a policy file, round-trip show --json into update, delete', async () => {
    const owner = server.env(server.owner);
    const policy = join(server.dir, 'flag-editors.json');
    writeFileSync(
      policy,
      JSON.stringify([
        { effect: 'allow', actions: ['updateOn'], resources: ['proj/*:env/test:flag/*'] },
        { effect: 'deny', actions: ['deleteFlag'], resources: ['proj/*:env/*:flag/*'] },
      ]),
    );
    const created = await latchkey(['roles', 'create', 'flag-editors', '--name', 'Flag editors', '--policy-file', policy, '--base', 'reader', '--json'], { env: owner });
    expect(created.code).toBe(0);
    const role = json<RoleJson>(created);
    expect(Object.keys(role).sort()).toEqual(ROLE_KEYS);
    expect(role).toMatchObject({ key: 'flag-editors', basePermissions: 'READER', policy: [{ effect: 'ALLOW', actions: ['updateOn'] }, { effect: 'DENY' }] });

    const throwaway = await latchkey(['roles', 'create', 'throwaway', '--name', 'T', '--policy-file', '-'], { env: owner, input: '[{"effect":"allow","actions":["viewProject"],"resources":["proj/*"]}]' });
    expect(throwaway.stdout).toContain('statement 0\tallow viewProject on proj/*\n');

    // The JSON of `roles show` is a valid policy file (its "policy" array).
    const shown = await latchkey(['roles', 'show', 'flag-editors', '--json'], { env: owner });
    const edited = join(server.dir, 'edited.json');
    writeFileSync(edited, shown.stdout);
    const updated = await latchkey(['roles', 'update', 'flag-editors', '--policy-file', edited, '--name', 'Flag Editors'], { env: owner });
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('name\tFlag Editors\n');

    const list = json<{ roles: RoleJson[] }>(await latchkey(['roles', 'list', '--json'], { env: owner }));
    expect(list.roles.map((r) => r.key).sort()).toEqual(['flag-editors', 'throwaway']);

    const deleted = await latchkey(['roles', 'delete', 'throwaway', '--json'], { env: owner });
    expect(json(deleted)).toEqual({ deletedRoleKey: 'throwaway' });
    const badFile = await latchkey(['roles', 'update', 'flag-editors', '--policy-file', join(server.dir, 'missing.json')], { env: owner });
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toMatch(/^USAGE: --policy-file .*missing\.json: /);
  });

  it('members: invite, accept, update, check access with explanations, forbidden, remove', async () => {
    const owner = server.env(server.owner);
    await ensureRole(owner);
    const invited = await latchkey(['members', 'invite', 'dev@cli.test', '--role', 'reader', '--name', 'Dev', '--quiet'], { env: owner });
    expect(invited.code).toBe(0);
    const inviteCode = invited.stdout.trimEnd();
    expect(invited.stdout).toBe(`${inviteCode}\n`);

    const { createClient } = await import('@latchkey/sdk');
    const { secret: devSession } = await createClient({ url: server.url }).acceptInvite({ inviteCode, name: 'Dev', password: 'dev password 123' });

    const updated = await latchkey(['members', 'update', 'dev@cli.test', '--custom-role', 'flag-editors', '--attribute', 'team=web,api', '--json'], { env: owner });
    expect(updated.code).toBe(0);
    const member = json<{ id: string }>(updated);
    expect(Object.keys(member).sort()).toEqual(MEMBER_DETAIL_KEYS);
    expect(member).toMatchObject({ email: 'dev@cli.test', role: 'READER', status: 'ACTIVE', customRoleKeys: ['flag-editors'], roleAttributes: [{ key: 'team', values: ['web', 'api'] }] });

    const listed = json<{ members: Array<{ email: string; status: string }> }>(await latchkey(['members', 'list', '--json'], { env: owner }));
    expect(listed.members.map((m) => m.email)).toContain('dev@cli.test');
    const shown = await latchkey(['members', 'show', member.id], { env: owner });
    expect(shown.stdout).toContain('custom roles\tflag-editors\n');
    expect(shown.stdout).toContain('attributes\tteam=web,api\n');

    const dev = server.env(devSession);
    const allowed = await latchkey(['check', 'updateOn', 'proj/web:env/test:flag/new-ui'], { env: dev });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^ALLOWED updateOn on proj\/web:env\/test:flag\/new-ui\n/);
    expect(allowed.stdout).toContain('allowed by\trole:flag-editors #0: allow updateOn on proj/*:env/test:flag/*\n');

    const denied = await latchkey(['check', 'deleteFlag', 'proj/web:env/test:flag/new-ui', '--json'], { env: dev });
    expect(denied.code).toBe(1);
    const decision = json<Record<string, unknown>>(denied);
    expect(Object.keys(decision).sort()).toEqual(['action', 'allowed', 'reason', 'refusedBy', 'resource', 'statements']);
    expect(decision).toMatchObject({ allowed: false, action: 'deleteFlag', statements: [{ source: 'role:flag-editors', index: 1, effect: 'DENY' }] });

    // A reader may not invite: FORBIDDEN is exit 4.
    const forbidden = await latchkey(['members', 'invite', 'nope@cli.test', '--role', 'admin'], { env: dev });
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toMatch(/^FORBIDDEN: /);

    const removed = await latchkey(['members', 'remove', member.id, '--json'], { env: owner });
    expect(json(removed)).toEqual({ removedMemberId: member.id });
    expect((await latchkey(['whoami'], { env: dev })).code).toBe(3);
  });

  it('check --token decides for one of your tokens and says what refused it', async () => {
    const owner = server.env(server.owner);
    const created = json<{ token: { id: string } }>(await latchkey(['tokens', 'create', '--name', 'viewer', '--role', 'reader', '--json'], { env: owner }));
    const result = await latchkey(['check', 'deleteFlag', 'proj/web:env/production:flag/x', '--token', created.token.id, '--json'], { env: owner });
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({ allowed: false, refusedBy: 'TOKEN' });
  });
});

/** The role the members test grants (created by the roles test when both run; here if alone). */
async function ensureRole(env: Record<string, string>): Promise<void> {
  const shown = await latchkey(['roles', 'show', 'flag-editors'], { env });
  if (shown.code === 0) return;
  const policy = join(server.dir, 'role.json');
  writeFileSync(policy, JSON.stringify([{ effect: 'allow', actions: ['updateOn'], resources: ['proj/*:env/test:flag/*'] }, { effect: 'deny', actions: ['deleteFlag'], resources: ['proj/*:env/*:flag/*'] }]));
  await latchkey(['roles', 'create', 'flag-editors', '--name', 'Flag editors', '--policy-file', policy], { env });
}
