import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The SDK's types and documents come from schema.graphql and the SDK's own operation files.
 * `persistedDocuments` also writes `gql/persisted-documents.json` (hash → document), the manifest
 * the server accepts by hash; the hash is the plain hex SHA-256 of the printed document, the
 * format of `extensions.persistedQuery.sha256Hash` (Apollo's persisted-query link).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['packages/sdk/src/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'packages/sdk/src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex') },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
  hooks: { afterAllFileWrite: [] },
};

export default config;
