/**
 * A minimal round-robin HTTP proxy (node:http, keep-alive agents) for `BENCH_ONLY=cluster`: each
 * request goes to the next backend in turn, the client address appended to X-Forwarded-For (the
 * instances run with LATCHKEY_TRUST_PROXY=true). Run as a script it serves in its own process, so
 * its work does not share the load generator's event loop:
 *   tsx bench/lib/round-robin.ts http://127.0.0.1:4001 http://127.0.0.1:4002 …
 * prints `round-robin listening on <url>` (and sends { url } over IPC when forked).
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  /** http://127.0.0.1:<port> (append /graphql) */
  origin: string;
  server: Server;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** Starts the proxy on 127.0.0.1:`port` (0: any free port) in front of `backends` (origins). */
export async function startRoundRobin(backends: string[], port = 0): Promise<RoundRobin> {
  if (backends.length === 0) throw new Error('round-robin: no backend');
  const targets = backends.map((origin) => ({ url: new URL(origin), agent: new Agent({ keepAlive: true, maxSockets: 256 }) }));
  let next = 0;
  const server = createServer((req, res) => {
    const target = targets[next++ % targets.length] as (typeof targets)[number];
    const headers = forwardable(req.headers);
    const client = req.socket.remoteAddress ?? 'unknown';
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${client}` : client;
    const upstream = request(
      { host: target.url.hostname, port: target.url.port, method: req.method, path: req.url, headers, agent: target.agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`round-robin: ${target.url.origin}: ${error.message}`);
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const target of targets) target.agent.destroy();
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const proxy = await startRoundRobin(process.argv.slice(2));
  console.log(`round-robin listening on ${proxy.origin}`);
  process.send?.({ origin: proxy.origin });
  process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
  process.on('disconnect', () => void proxy.close().then(() => process.exit(0)));
}
