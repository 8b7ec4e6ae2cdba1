import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/persisted-documents.ts';
import { startHttpServer, type HttpServer } from './http.ts';

/**
 * Issue 13 point 6, over real HTTP: the SDK's documents are a persisted-document manifest (codegen,
 * client preset `persistedDocuments`); the server runs them by hash; with
 * LATCHKEY_TRUSTED_DOCUMENTS=required, access tokens may only run documents of the manifest.
 */

const manifest = loadManifest();
/** The SDK's `query ApiVersions` (any manifest query without variables would do). */
const [apiVersionsHash, apiVersionsDocument] = [...manifest].find(([, doc]) => /^query ApiVersions\b/.test(doc)) ?? [];

async function send(url: string, body: Record<string, unknown>, auth?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}
const byHash = (hash: string | undefined) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

async function tokenFor(server: HttpServer): Promise<string> {
  const res = await server.post<{ createToken: { secret: string } }>('mutation { createToken(input: { name: "ci", role: READER }) { secret } }', {}, server.owner);
  const secret = res.body.data?.createToken.secret;
  if (!secret) throw new Error(JSON.stringify(res.body));
  return secret;
}

describe('the manifest', () => {
  it('holds every SDK operation, keyed by the SHA-256 of its text', () => {
    expect(manifest.size).toBeGreaterThan(30);
    for (const [hash, document] of manifest) expect(createHash('sha256').update(document).digest('hex')).toBe(hash);
    expect(apiVersionsDocument).toBeDefined();
  });
});

describe('by default (LATCHKEY_TRUSTED_DOCUMENTS=off)', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });

  it('a manifest document runs by its hash alone', async () => {
    const res = await send(server.url, byHash(apiVersionsHash), server.owner);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ apiVersions: expect.any(Array) });
  });

  it('an unknown hash is PersistedQueryNotFound (what Apollo’s link answers by sending the document)', async () => {
    const res = await send(server.url, byHash('0'.repeat(64)), server.owner);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
  });

  it('a document sent in full with a hash runs as sent', async () => {
    const res = await send(server.url, { query: '{ viewer { credentialKind } }', ...byHash('0'.repeat(64)) }, server.owner);
    expect(res.body.data).toEqual({ viewer: { credentialKind: 'SESSION' } });
  });

  it('any document runs for an access token too', async () => {
    const res = await send(server.url, { query: '{ viewer { credentialKind } }' }, await tokenFor(server));
    expect(res.body.data).toEqual({ viewer: { credentialKind: 'PERSONAL' } });
  });
});

describe('LATCHKEY_TRUSTED_DOCUMENTS=required', () => {
  let server: HttpServer;
  let token: string;
  beforeAll(async () => {
    server = await startHttpServer({ trustedDocuments: 'required' });
    token = await tokenFor(server);
  });

  it('an access token sending a document is refused (403 PERSISTED_QUERY_REQUIRED) and nothing runs', async () => {
    const before = await send(server.url, { query: '{ projects { totalCount } }' }, server.owner);
    const res = await send(server.url, { query: 'mutation { createProject(input: { key: "untrusted", name: "U" }) { project { id } } }' }, token);
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
    expect(await send(server.url, { query: '{ projects { totalCount } }' }, server.owner)).toEqual(before);
  });

  it('even the text of a manifest document is refused: the hash is the proof', async () => {
    const res = await send(server.url, { query: apiVersionsDocument }, token);
    expect(res.status).toBe(403);
  });

  it('an access token naming a manifest document by hash runs it', async () => {
    const res = await send(server.url, byHash(apiVersionsHash), token);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ apiVersions: expect.any(Array) });
  });

  it('sessions (the playground, the console) and anonymous requests may still send documents', async () => {
    expect((await send(server.url, { query: '{ viewer { credentialKind } }' }, server.owner)).body.data).toEqual({ viewer: { credentialKind: 'SESSION' } });
    expect((await send(server.url, { query: '{ apiVersions }' })).body.data).toEqual({ apiVersions: expect.any(Array) });
  });
});
