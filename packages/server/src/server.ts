import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { App } from './app.ts';
import type { Caller } from './auth/caller.ts';
import { withConsole } from './console.ts';
import { createContext, createContextWithoutAuth, type Context } from './context.ts';
import { GRAPHQL_LIMITS } from './graphql-limits.ts';
import { useTrustedDocuments } from './persisted-documents.ts';
import {
  maskError,
  useBodyLimit,
  useCompiledQueries,
  useCrossSiteGuard,
  useGraphQLLimits,
  useHiddenSuggestions,
  useMaskedErrorRequestIds,
  usePlaygroundHeaders,
  useRedactedErrors,
  useRefusalAudit,
  useResponseHeaders,
} from './plugins.ts';
import { schema } from './schema/index.ts';
import { API_VERSION_HEADER } from './services/api-versions.ts';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export { GRAPHQL_LIMITS };

export interface YogaOptions {
  /** Benchmark baseline only: serve every request as this caller with authorization off. */
  withoutAuthAs?: Caller;
}

/** GraphiQL's first tab: log in (a single named operation, so pasted operations run beside it). */
const PLAYGROUND = {
  title: 'Latchkey',
  // Session secrets are typed into the headers editor: never kept in the browser's localStorage.
  shouldPersistHeaders: false,
  defaultEditorToolsVisibility: true,
  defaultTabs: [
    {
      query: [
        '# 1. Run Login. 2. Copy data.login.secret into the Authorization header (Headers tab below).',
        '# 3. Replace this tab with any operation: the Docs explorer (book icon) describes every field.',
        'mutation Login($input: LoginInput!) {',
        '  await login(input: $input) {',
        '    secret',
        '    member { id email role }',
        '  }',
        '}',
        '',
      ].join('\n'),
      variables: JSON.stringify({ input: { email: 'owner@localhost', password: '' } }, null, 2),
      headers: JSON.stringify({ Authorization: 'paste the session secret (lku_…) or an access token here' }, null, 2),
    },
  ],
};

/** Response headers a cross-origin browser client may read. */
const EXPOSED_HEADERS = ['x-request-id', API_VERSION_HEADER, 'retry-after'];

/**
 * CORS from LATCHKEY_CORS_ORIGINS only: an allowed origin is echoed, any other gets no CORS headers
 * (same origin only by default). Never `Allow-Credentials`: credentials are an Authorization header,
 * not cookies, so no origin is ever granted the browser's ambient credentials.
 */
function corsFor(origins: readonly string[]) {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !(origins.includes(origin) || origins.includes('*'))) return false;
    return {
      origin: origins.includes(origin) ? origin : '*',
      credentials: false,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', API_VERSION_HEADER],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    };
  };
}

export function createLatchkeyYoga(app: App, options: YogaOptions = {}): Yoga {
  const { withoutAuthAs } = options;
  return createYoga<Record<string, unknown>, Context>({
    schema,
    context: withoutAuthAs
      ? (initial) => createContextWithoutAuth(app, initial, withoutAuthAs)
      : (initial) => createContext(app, initial),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL assets are bundled by @graphql-yoga/render-graphiql: the playground works offline.
    // Imported on the first playground page only: the module holds ~28 MB of them as strings.
    graphiql: app.config.playground ? PLAYGROUND : false,
    renderGraphiQL: (options) => import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)),
    maskedErrors: { maskError: maskError(app) },
    maxRequestBodySize: false,
    batching: false,
    logging: false,
    cors: corsFor(app.config.corsOrigins),
    plugins: [
      useCrossSiteGuard(),
      usePlaygroundHeaders(),
      useBodyLimit(app.config.maxBodyBytes),
      useTrustedDocuments(app.config),
      useResponseHeaders(),
      useMaskedErrorRequestIds(),
      ...useCompiledQueries(app.log),
      useRefusalAudit(),
      useHiddenSuggestions(),
      useRedactedErrors(),
      useGraphQLLimits(),
      ...(app.config.introspection ? [] : [useDisableIntrospection()]),
    ],
  });
}

export interface RunningServer {
  server: Server;
  yoga: Yoga;
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server; `close` stops accepting, finishes requests, flushes and closes the database. */
export async function startServer(app: App, port = app.config.port, host = app.config.host, options: YogaOptions = {}): Promise<RunningServer> {
  const yoga = createLatchkeyYoga(app, options);
  // Everything but /graphql is the web console (or, with LATCHKEY_CONSOLE=off, a pointer to the playground).
  const server = createServer(withConsole((req, res) => yoga(req, res), { enabled: app.config.console }));
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    server,
    yoga,
    url: `http://${shownHost}:${address.port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          void app.close().finally(resolve);
        });
        server.closeIdleConnections();
      }),
  };
}
