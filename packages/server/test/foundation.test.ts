import { describe, expect, it } from 'vitest';
import { errorCode, OWNER_EMAIL, OWNER_PASSWORD, setupServer } from './helpers.ts';

const VIEWER = '{ viewer { member { email role status } credentialKind } }';

describe('sessions', () => {
  it('login returns a session secret that authenticates viewer', async () => {
    const { gql, owner } = await setupServer();
    expect(owner).toMatch(/^lku_[0-9A-Za-z]{38}$/);
    const res = await gql(VIEWER, {}, { auth: owner });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ viewer: { member: { email: OWNER_EMAIL, role: 'OWNER', status: 'ACTIVE' }, credentialKind: 'SESSION' } });
  });

  it('accepts the Bearer form of the Authorization header', async () => {
    const { gql, owner } = await setupServer();
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await gql(VIEWER, {}, { auth: `${scheme} ${owner}` });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
    }
    const noSpace = await gql(VIEWER, {}, { auth: `Bearer${owner}` });
    expect(noSpace.status).toBe(401);
  });

  it('wrong password and unknown email get the same UNAUTHENTICATED error', async () => {
    const { gql } = await setupServer();
    const q = 'mutation($input: LoginInput!) { login(input: $input) { secret } }';
    const wrong = await gql(q, { input: { email: OWNER_EMAIL, password: 'not the password' } });
    const unknown = await gql(q, { input: { email: 'nobody@example.test', password: 'not the password' } });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(unknown.body.errors?.[0]?.message).toBe(wrong.body.errors?.[0]?.message);
    expect(unknown.status).toBe(wrong.status);
  });

  it('an unknown, malformed or missing secret gets HTTP 401 UNAUTHENTICATED', async () => {
    const { gql, owner } = await setupServer();
    const forged = owner.slice(0, -6) + 'AAAAAA';
    for (const auth of [forged, 'nonsense', `${owner}\n`, `${owner} `]) {
      const res = await gql(VIEWER, {}, { auth });
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    const none = await gql(VIEWER);
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the session at once', async () => {
    const { gql, login } = await setupServer();
    const secret = await login(OWNER_EMAIL, OWNER_PASSWORD);
    const out = await gql<{ logout: boolean }>('mutation { logout }', {}, { auth: secret });
    expect(out.body.data?.logout).toBe(true);
    const after = await gql(VIEWER, {}, { auth: secret });
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.message).toMatch(/revoked/);
  });

  it('a member lists their sessions and revokes another one', async () => {
    const { gql, owner, login } = await setupServer();
    const second = await login(OWNER_EMAIL, OWNER_PASSWORD);
    const list = await gql<{ viewer: { sessions: { edges: Array<{ node: { id: string; current: boolean } }> } } }>(
      '{ viewer { sessions(first: 10) { edges { node { id current } } } } }', {}, { auth: owner });
    const nodes = list.body.data?.viewer.sessions.edges.map((e) => e.node) ?? [];
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(nodes.filter((n) => n.current)).toHaveLength(1);
    const other = nodes.find((n) => !n.current);
    // The newest non-current session is the second login.
    const revoke = await gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: other?.id }, { auth: owner });
    expect(revoke.body.errors).toBeUndefined();
    expect((await gql(VIEWER, {}, { auth: second })).status).toBe(401);
    expect((await gql(VIEWER, {}, { auth: owner })).status).toBe(200);
  });
});

describe('baseline protection', () => {
  it('refuses an oversized body with 413 before parsing', async () => {
    const { yoga } = await setupServer({ maxBodyBytes: 1000 });
    const res = await yoga.fetch('http://latchkey.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ apiVersions } # ${'x'.repeat(2000)}` }),
    });
    expect(res.status).toBe(413);
  });

  it('refuses a query deeper than the limit before any resolver runs', async () => {
    const { gql, owner } = await setupServer();
    let q = 'id';
    for (let i = 0; i < 5; i++) q = `owner { tokens(first: 1) { nodes { ${q} } } }`;
    const res = await gql(`{ viewer { member { tokens(first: 1) { nodes { ${q} } } } } }`, {}, { auth: owner });
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('refuses too many aliases', async () => {
    const { gql, owner } = await setupServer();
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: apiVersions`).join(' ');
    const res = await gql(`{ ${aliases} }`, {}, { auth: owner });
    expect(res.body.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('serves GraphiQL without any CDN asset', async () => {
    const { yoga } = await setupServer();
    const res = await yoga.fetch('http://latchkey.test/graphql', { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Latchkey');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
  });

  it('echoes the API version in effect', async () => {
    const { gql, owner } = await setupServer();
    const res = await gql('{ apiVersions viewer { apiVersion } }', {}, { auth: owner, headers: { 'latchkey-api-version': '20220603' } });
    expect(res.headers.get('latchkey-api-version')).toBe('20220603');
    expect(res.body.data).toMatchObject({ viewer: { apiVersion: 20220603 } });
  });
});
