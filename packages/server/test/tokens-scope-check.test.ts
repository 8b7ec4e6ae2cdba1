import { describe, expect, it } from 'vitest';
import { auditRows } from './audit-helpers.ts';
import { addCustomRole, addMember, errorCode, setupServer, type TestServer } from './helpers.ts';
import { createTokenRaw } from './tokens-fixtures.ts';
import { count } from 'drizzle-orm';
import { tokens } from '../src/db/tables.ts';

/**
 * checkTokenScope: a dry run of createToken for forms (the console's "Create an access token"),
 * decided by the same caps and no-escalation rule — so its answer is createToken's, and it
 * creates and records nothing.
 */

const CHECK = 'query($input: CreateTokenInput!) { checkTokenScope(input: $input) { allowed action resource reason } }';

interface Check {
  allowed: boolean;
  action: string | null;
  resource: string | null;
  reason: string | null;
}

async function check(server: TestServer, auth: string, input: Record<string, unknown>): Promise<Check> {
  const res = await server.gql<{ checkTokenScope: Check }>(CHECK, { input }, { auth });
  const answer = res.body.data?.checkTokenScope;
  if (!answer) throw new Error(JSON.stringify(res.body.errors));
  return answer;
}

const tokenCount = async (server: TestServer) => (await server.app.db.select({ n: count() }).from(tokens))[0]?.n ?? 0;

describe('checkTokenScope', () => {
  it('answers exactly as createToken would, and creates and records nothing', async () => {
    const server = await setupServer();
    await addCustomRole(server, { key: 'flags', policy: [{ effect: 'allow', actions: ['*'], resources: ['proj/*:env/*:flag/*'] }] });
    const reader = await addMember(server, { role: 'reader' });
    const writer = await addMember(server, { role: 'writer', customRoleKeys: ['flags'] });
    const admin = await addMember(server, { role: 'admin' });
    const inline = (actions: string[], resources: string[]) => ({ inlinePolicy: [{ effect: 'ALLOW', actions, resources }] });
    const inputs: Array<Record<string, unknown>> = [
      { role: 'READER' },
      { role: 'WRITER' },
      { role: 'OWNER' },
      { role: 'OWNER', serviceToken: true },
      { role: 'ADMIN', serviceToken: true },
      { customRoleKeys: ['flags'] },
      inline(['viewProject'], ['proj/*']),
      inline(['createProject'], ['proj/*']),
      inline(['updateServiceTokenLimit'], ['acct']),
    ];
    let refusals = 0;
    for (const caller of [reader.session, writer.session, admin.session, server.owner]) {
      for (const input of inputs) {
        const full = { name: 'dry', ...input };
        const before = { tokens: await tokenCount(server), audit: (await auditRows(server)).length };
        const answer = await check(server, caller, full);
        expect({ tokens: await tokenCount(server), audit: (await auditRows(server)).length }).toEqual(before);
        const real = await createTokenRaw(server, caller, full);
        const what = `${JSON.stringify(input)} by ${caller.slice(0, 8)}`;
        if (answer.allowed) {
          expect(real.body.errors, what).toBeUndefined();
        } else {
          refusals++;
          expect(errorCode(real), what).toBe('FORBIDDEN');
          // The same first exceeding action and resource as the refusal (a new token's id differs per request).
          const fresh = (resource: unknown) => String(resource).replace(/token\/[0-9a-z]+$/, 'token/new');
          const refused = real.body.errors?.[0]?.extensions ?? {};
          expect({ action: answer.action, resource: fresh(answer.resource) }, what).toEqual({ action: refused.action, resource: fresh(refused.resource) });
          expect(answer.reason).toBeTruthy();
        }
      }
    }
    expect(refusals).toBeGreaterThan(5);
  });

  it('names what a reader may not give: a WRITER token, an inline policy beyond their permissions', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    expect(await check(server, reader.session, { name: 'w', role: 'WRITER' })).toMatchObject({ allowed: false, reason: expect.stringMatching(/readers can create reader tokens only/) });
    const inline = await check(server, reader.session, { name: 'i', inlinePolicy: [{ effect: 'ALLOW', actions: ['createProject'], resources: ['proj/*'] }] });
    expect(inline).toMatchObject({ allowed: false, action: 'createProject', resource: 'proj/*' });
    expect(await check(server, reader.session, { name: 'r', role: 'READER' })).toEqual({ allowed: true, action: null, resource: null, reason: null });
  });

  it('bad input is still bad input', async () => {
    const server = await setupServer();
    const res = await server.gql(CHECK, { input: { name: '', role: 'READER' } }, { auth: server.owner });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});
