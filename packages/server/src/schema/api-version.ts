import { builder } from '../builder.ts';
import { API_VERSIONS } from '../services/api-versions.ts';

builder.queryField('apiVersions', (t) =>
  t.intList({
    description: 'Supported API versions, newest first. Send `Latchkey-API-Version: <version>` to choose one per request.',
    authScopes: { public: true },
    resolve: () => [...API_VERSIONS],
  }),
);
