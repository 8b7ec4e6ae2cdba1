import { readFileSync } from 'node:fs';
import { recognizeSecret } from '@latchkey/sdk/secrets';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Config } from './config.ts';
import { secretFromHeader } from './auth/credentials.ts';
import { serverPath } from './paths.ts';

/**
 * Trusted documents: the SDK's operations, emitted by codegen (client preset `persistedDocuments`)
 * as a manifest `{ "<sha256>": "<document>" }`, can be sent by hash alone
 * (`extensions.persistedQuery.sha256Hash`, the format of Apollo's persisted-query link).
 */
const MANIFEST_URL = serverPath('..', 'sdk', 'src', 'gql', 'persisted-documents.json');

export function loadManifest(): ReadonlyMap<string, string> {
  const manifest = JSON.parse(readFileSync(MANIFEST_URL, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(manifest));
}

/** Whether this request's credential is an API access token (what `required` applies to). */
function usesAccessToken(request: Request): boolean {
  const header = request.headers.get('authorization');
  if (header === null) return false;
  const kind = recognizeSecret(secretFromHeader(header));
  return kind === 'personal' || kind === 'service';
}

/** The hash only when no document came with it: a document sent in full runs as sent (Apollo's retry). */
function hashOnly(params: GraphQLParams): string | null {
  if (params.query) return null;
  const persisted = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : null;
}

/**
 * Yoga's persisted-operations plugin over the manifest. An unknown hash is `PersistedQueryNotFound`
 * (Apollo's link then sends the document). With `LATCHKEY_TRUSTED_DOCUMENTS=required` a request made
 * with an access token (lkp_/lks_) must name a manifest document; sessions (the playground, the
 * console) and anonymous requests may still send any document.
 */
export function useTrustedDocuments(config: Pick<Config, 'trustedDocuments'>, manifest = loadManifest()): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (hash) => manifest.get(hash) ?? null,
    extractPersistedOperationId: hashOnly,
    allowArbitraryOperations: (request) => config.trustedDocuments !== 'required' || !usesAccessToken(request),
    customErrors: {
      notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 200 } } },
      keyNotFound: { message: 'Must provide query string', extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
      persistedQueryOnly: {
        message: 'This server accepts only trusted documents for access tokens (LATCHKEY_TRUSTED_DOCUMENTS=required): send extensions.persistedQuery.sha256Hash of a document in the SDK manifest',
        extensions: { code: 'PERSISTED_QUERY_REQUIRED', http: { status: 403 } },
      },
    },
  });
}
