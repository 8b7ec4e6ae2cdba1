/**
 * Revocation: after deleteToken, resetToken (no grace) and removeMember return, the very next
 * request with the old secret must get 401. Each secret is used first so it sits in the
 * server's credential cache; counts the requests that wrongly succeed (goal: 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphql, loginAs, status } from './lib/graphql.ts';
import { startServerProcess } from './lib/server-process.ts';

export interface RevocationResult {
  attempts: { deleteToken: number; resetToken: number; removeMember: number };
  wronglySucceeded: { deleteToken: number; resetToken: number; removeMember: number };
}

const PROBE = '{ viewer { member { id } } }';
const CREATE = 'mutation($i: CreateTokenInput!) { createToken(input: $i) { token { id } secret } }';

export async function benchRevocation(rounds = Number(process.env.BENCH_REVOCATION_ROUNDS ?? 100)): Promise<RevocationResult> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-revocation-'));
  const server = await startServerProcess({ BENCH_DB: join(dir, 'revocation.db') });
  const wrong = { deleteToken: 0, resetToken: 0, removeMember: 0 };
  try {
    const owner = await loginAs(server.url, server.ownerEmail, server.ownerPassword);
    const create = async (auth: string, name: string) =>
      (await graphql<{ createToken: { token: { id: string }; secret: string } }>(server.url, CREATE, { i: { name, role: 'READER' } }, auth)).createToken;
    const used = async (secret: string) => (await status(server.url, PROBE, secret)) === 200;

    for (let i = 0; i < rounds; i++) {
      const deleted = await create(owner, `delete ${i}`);
      if (!(await used(deleted.secret))) throw new Error('a fresh token must work');
      await graphql(server.url, 'mutation($id: ID!) { deleteToken(input: { id: $id }) { deletedTokenId } }', { id: deleted.token.id }, owner);
      if (await used(deleted.secret)) wrong.deleteToken++;

      const reset = await create(owner, `reset ${i}`);
      await used(reset.secret);
      await graphql(server.url, 'mutation($id: ID!) { resetToken(input: { id: $id }) { secret } }', { id: reset.token.id }, owner);
      if (await used(reset.secret)) wrong.resetToken++;
    }

    const removals = Math.max(1, Math.floor(rounds / 5));
    for (let i = 0; i < removals; i++) {
      const email = `member-${i}-${Date.now()}@bench.test`;
      const invited = await graphql<{ inviteMember: { member: { id: string }; inviteCode: string } }>(
        server.url,
        'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { member { id } inviteCode } }',
        { i: { email, role: 'READER' } },
        owner,
      );
      const session = (await graphql<{ acceptInvite: { secret: string } }>(
        server.url,
        'mutation($i: AcceptInviteInput!) { acceptInvite(input: $i) { secret } }',
        { i: { inviteCode: invited.inviteMember.inviteCode, name: `Member ${i}`, password: 'member-password-1' } },
      )).acceptInvite.secret;
      const token = await create(session, `member token ${i}`);
      await used(token.secret);
      await graphql(server.url, 'mutation($id: ID!) { removeMember(input: { id: $id }) { removedMemberId } }', { id: invited.inviteMember.member.id }, owner);
      if (await used(token.secret)) wrong.removeMember++;
      if (await used(session)) wrong.removeMember++;
    }
    return { attempts: { deleteToken: rounds, resetToken: rounds, removeMember: removals * 2 }, wronglySucceeded: wrong };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchRevocation(), null, 2));
}
