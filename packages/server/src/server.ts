import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { App } from './app.ts';
import type { Caller } from './auth/caller.ts';
import { withConsole } from './console.ts';
import { createContext, createContextWithoutAuth, type Context } from './context.ts';
import { maskError, useBodyLimit, useHiddenSuggestions, useRedactedErrors, useRefusalAudit, useResponseHeaders } from './plugins.ts';
import { schema } from './schema/index.ts';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

/** GraphQL limits (graphql-armor): checked during validation, before any resolver runs. */
export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 2_000,
  maxDirectives: 10,
  maxCost: 5_000,
} as const;

export interface YogaOptions {
  /** Benchmark baseline only: serve every request as this caller with authorization off. */
  withoutAuthAs?: Caller;
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
    graphiql: { title: 'Latchkey', defaultQuery: '{ viewer { member { email role } } }' },
    renderGraphiQL,
    maskedErrors: { maskError: maskError(app) },
    maxRequestBodySize: false,
    batching: false,
    logging: false,
    plugins: [
      useBodyLimit(app.config.maxBodyBytes),
      useResponseHeaders(),
      useRefusalAudit(),
      useHiddenSuggestions(),
      useRedactedErrors(),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      EnvelopArmorPlugin({
        maxDepth: { n: GRAPHQL_LIMITS.maxDepth, exposeLimits: true },
        maxAliases: { n: GRAPHQL_LIMITS.maxAliases, exposeLimits: true },
        maxTokens: { n: GRAPHQL_LIMITS.maxTokens, exposeLimits: true },
        maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives, exposeLimits: true },
        costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, exposeLimits: true },
        blockFieldSuggestion: { enabled: true },
      }),
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
          app.close();
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
