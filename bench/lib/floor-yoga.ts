/**
 * Floor 2: bare graphql-yoga over node:http answering `{ viewer { id } }` from memory — the
 * framework's own cost per request, with no plugin, no authentication and no database.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportCpuOverIpc } from './cpu-report.ts';

// The server's own copy of Yoga (the bench has no dependency of its own on it).
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const { createSchema, createYoga } = require('graphql-yoga') as typeof import('../../packages/server/node_modules/graphql-yoga');

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Viewer { id: ID! } type Query { viewer: Viewer! }',
    resolvers: { Query: { viewer: () => ({ id: 'member-1' }) } },
  }),
  logging: false,
  landingPage: false,
  graphiql: false,
});
const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  reportCpuOverIpc();
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
});
process.on('message', (m) => m === 'stop' && server.close(() => process.exit(0)));
