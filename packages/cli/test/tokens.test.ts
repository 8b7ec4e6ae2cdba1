import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recognizeSecret } from '@latchkey/sdk/secrets';
import { describe, expect, it } from 'vitest';
import { json, latchkey, wellFormedSecret } from './run.ts';
import { addMember, OWNER_EMAIL, useServer } from './server.ts';

const server = useServer();

interface TokenJson {
  id: string;
  name: string;
  kind: string;
  role: string | null;
  obscuredSecret: string;
  active: boolean;
  expiresAt: string | null;
}

const TOKEN_KEYS = [
  'active', 'createdAt', 'customRoleKeys', 'defaultApiVersion', 'description', 'expiresAt', 'id', 'inlinePolicy',
  'kind', 'lastUsedAt', 'name', 'obscuredSecret', 'owner', 'role', 'updatedAt',
];

describe('tokens: create → use → reset → delete', { timeout: 60_000 }, () => {
  it('walks a reader token through its life, as a script would', async () => {
    const owner = server.env(server.owner);

    // --quiet: the secret alone on stdout, ready for a secret store.
    const created = await latchkey(['tokens', 'create', '--name', 'ci', '--role', 'reader', '--expires-in', '30d', '--description', 'for CI', '--quiet'], { env: owner });
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    const secret = created.stdout.trimEnd();
    expect(created.stdout).toBe(`${secret}\n`);
    expect(recognizeSecret(secret)).toBe('personal');

    // Use it: the token is the credential.
    const asToken = await latchkey(['whoami', '--json'], { env: server.env(secret) });
    expect(json(asToken)).toMatchObject({ credentialKind: 'PERSONAL', member: { email: OWNER_EMAIL }, token: { name: 'ci', role: 'READER', description: 'for CI' } });

    const list = await latchkey(['tokens', 'list', '--json'], { env: owner });
    const { tokens } = json<{ tokens: TokenJson[] }>(list);
    const token = tokens.find((t) => t.name === 'ci');
    expect(token).toMatchObject({ kind: 'PERSONAL', role: 'READER', active: true, obscuredSecret: `${secret.slice(0, 4)}…${secret.slice(-4)}` });
    expect(Object.keys(token ?? {}).sort()).toEqual(TOKEN_KEYS);
    expect(Date.parse(token?.expiresAt ?? '') - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const id = token?.id ?? '';

    // Reset with a grace period: both secrets work until it ends.
    const reset = await latchkey(['tokens', 'reset', id, '--old-expires-in', '1h', '--json'], { env: owner });
    expect(reset.code).toBe(0);
    const rotated = json<{ token: TokenJson; secret: string }>(reset);
    expect(Object.keys(rotated).sort()).toEqual(['secret', 'token']);
    expect(rotated.token.id).toBe(id);
    expect(rotated.secret).not.toBe(secret);
    expect((await latchkey(['whoami'], { env: server.env(secret) })).code).toBe(0);
    expect((await latchkey(['whoami'], { env: server.env(rotated.secret) })).code).toBe(0);

    // Reset without one: the previous secret stops at once.
    const hard = await latchkey(['tokens', 'reset', id, '-q'], { env: owner });
    const newest = hard.stdout.trimEnd();
    expect(recognizeSecret(newest)).toBe('personal');
    const stale = await latchkey(['whoami'], { env: server.env(rotated.secret) });
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/^UNAUTHENTICATED: /);

    const deleted = await latchkey(['tokens', 'delete', id, '--json'], { env: owner });
    expect(json(deleted)).toEqual({ deletedTokenId: id });
    expect((await latchkey(['whoami'], { env: server.env(newest) })).code).toBe(3);
    const gone = await latchkey(['tokens', 'show', id], { env: owner });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^NOT_FOUND: /);
  });

  it('show, update and clone print the token; a policy file scopes it', async () => {
    const owner = server.env(server.owner);
    const policy = join(server.dir, 'policy.json');
    writeFileSync(policy, JSON.stringify([{ effect: 'allow', actions: ['viewProject'], resources: ['proj/*'] }]));
    const created = json<{ token: TokenJson; secret: string }>(
      await latchkey(['tokens', 'create', '--name', 'deploy', '--policy-file', policy, '--service', '--json'], { env: owner }),
    );
    expect(created.token).toMatchObject({ kind: 'SERVICE', role: null, inlinePolicy: [{ effect: 'ALLOW', actions: ['viewProject'], resources: ['proj/*'] }] });

    const updated = await latchkey(['tokens', 'update', created.token.id, '--name', 'deploy-2', '--description', 'deploys', '--expires-in', '2w'], { env: owner });
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('name\tdeploy-2\n');
    expect(updated.stdout).toContain('scope\tinline policy (1 statement)\n');
    expect(updated.stdout).toContain('  statement 0\tallow viewProject on proj/*\n');

    const cloned = await latchkey(['tokens', 'clone', created.token.id, '--name', 'deploy-copy'], { env: owner });
    expect(cloned.code).toBe(0);
    const [summary, secret] = cloned.stdout.split('\n');
    expect(summary).toMatch(/^Cloned into service token "deploy-copy" \(.+\)\.$/);
    expect(recognizeSecret(secret ?? '')).toBe('service');
    expect(cloned.stderr).toContain('shown once');

    const services = json<{ tokens: TokenJson[] }>(await latchkey(['tokens', 'list', '--all', '--kind', 'service', '--json'], { env: owner }));
    expect(services.tokens.map((t) => t.name).sort()).toEqual(['deploy-2', 'deploy-copy']);
    const table = await latchkey(['tokens', 'list', '--kind', 'service'], { env: owner });
    expect(table.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(table.stdout).toMatch(/\tdeploy-2\tservice\tinline policy \(1 statement\)\tlks_…\w{4}\t/);
  });

  it('exit codes: 2 for usage, 3 for a bad token, 4 for forbidden', async () => {
    const owner = server.env(server.owner);
    const noScope = await latchkey(['tokens', 'create', '--name', 'x'], { env: owner });
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toMatch(/^USAGE: give the scope/);
    const twoScopes = await latchkey(['tokens', 'create', '--name', 'x', '--role', 'god', '--custom-role', 'a'], { env: owner });
    expect(twoScopes.code).toBe(2);
    expect(twoScopes.stderr).toMatch(/^USAGE: option '--role <role>' argument 'god' is invalid/);
    const badDuration = await latchkey(['tokens', 'create', '--name', 'x', '--role', 'reader', '--expires-in', 'soon'], { env: owner });
    expect(badDuration.code).toBe(2);

    const unknown = await latchkey(['tokens', 'list'], { env: server.env(wellFormedSecret()) });
    expect(unknown.code).toBe(3);

    const reader = await addMember(server, 'reader');
    const forbidden = await latchkey(['tokens', 'create', '--name', 'escalate', '--role', 'admin'], { env: server.env(reader.session) });
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toMatch(/^FORBIDDEN: /);
    expect(forbidden.stdout).toBe('');
  });
});
