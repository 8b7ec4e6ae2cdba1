import type { CodegenConfig } from '@graphql-codegen/cli';

/** The SDK's types and documents come from schema.graphql and the SDK's own operation files. */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['packages/sdk/src/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'packages/sdk/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        documentMode: 'documentNode',
      },
    },
  },
  hooks: { afterAllFileWrite: [] },
};

export default config;
