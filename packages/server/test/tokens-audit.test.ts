import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEntries } from '../src/db/tables.ts';
import { tokenSecrets } from '../src/db/tables.ts';
import { addMember, setupServer } from './helpers.ts';
import { CLONE, DELETE, RESET, UPDATE, createToken, createTokenRaw, expectOk, inTheFuture, rawTokenId, type Issued } from './tokens-fixtures.ts';

/** Every token change appends an audit entry: who, through which credential, what changed — never a secret or digest. */

describe('audit', () => {
  it('create, update, clone, reset and delete each record who did what to which token, without secrets', async () => {
    const server = await setupServer();
    const writer = await addMember(server, { role: 'writer', email: 'ada@example.test' });
    const created = await createToken(server, writer.session, { name: 'ci-deploy', role: 'READER' });
    const id = created.token.id;
    expectOk(await server.gql(UPDATE, { input: { id, name: 'ci-deploy-2', description: 'x' } }, { auth: writer.session }));
    const cloned = await server.gql<{ cloneToken: Issued }>(CLONE, { input: { id, name: 'ci-clone' } }, { auth: created.secret });
    expectOk(cloned);
    const reset = await server.gql<{ resetToken: Issued }>(RESET, { input: { id, oldSecretExpiresAt: inTheFuture() } }, { auth: writer.session });
    expectOk(reset);
    expectOk(await server.gql(DELETE, { input: { id } }, { auth: writer.session }));

    const entries = await server.app.db.select().from(auditEntries).where(eq(auditEntries.actorId, writer.id)).orderBy(asc(auditEntries.seq));
    const tokenEntries = entries.filter((e) => e.resource.includes(':token/'));
    expect(tokenEntries.map((e) => [e.action, e.title])).toEqual([
      ['createAccessToken', "ada created personal token 'ci-deploy'"],
      ['updateAccessTokenName', "ada updated token 'ci-deploy-2' (name, description)"],
      ['createAccessToken', "ada cloned token 'ci-deploy-2' as 'ci-clone'"],
      ['resetAccessToken', "ada reset token 'ci-deploy-2'"],
      ['deleteAccessToken', "ada deleted personal token 'ci-deploy-2'"],
    ]);
    const raw = rawTokenId(id);
    expect(tokenEntries[0]?.resource).toBe(`member/${writer.id}:token/${raw}`);
    expect(tokenEntries[1]?.changes).toMatchObject({ name: { before: 'ci-deploy', after: 'ci-deploy-2' }, description: { before: null, after: 'x' } });
    expect(tokenEntries[0]?.credentialKind).toBe('session');
    // The clone was made with the token itself: the entry names that token.
    expect(tokenEntries[2]).toMatchObject({ credentialKind: 'personal', tokenId: raw });

    const secrets = [created.secret, cloned.body.data?.cloneToken.secret ?? '', reset.body.data?.resetToken.secret ?? ''];
    const digests = (await server.app.db.select().from(tokenSecrets)).map((s) => s.secretHash);
    const text = JSON.stringify(entries);
    for (const value of [...secrets, ...digests]) expect(text).not.toContain(value);
  });

  it('a refused creation leaves no token and no change entry', async () => {
    const server = await setupServer();
    const reader = await addMember(server, { role: 'reader' });
    const before = (await server.app.db.select().from(auditEntries).where(eq(auditEntries.outcome, 'success'))).length;
    const res = await createTokenRaw(server, reader.session, { role: 'ADMIN' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await server.app.db.select().from(auditEntries).where(eq(auditEntries.outcome, 'success'))).length).toBe(before);
  });
});
