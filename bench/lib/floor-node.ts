/**
 * Floor 1: plain node:http doing the token check Latchkey's request path starts with — the
 * Authorization header's checksum (recognizeSecret), a SHA-256 digest and a Map lookup — and a
 * small JSON answer. No GraphQL at all: what one request costs at the very least.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recognizeSecret } from '../../packages/sdk/src/secrets.ts';
import { reportCpuOverIpc } from './cpu-report.ts';

const secret = process.env.BENCH_SECRET ?? '';
const known = new Map([[createHash('sha256').update(secret).digest('base64url'), { id: 'member-1' }]]);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const header = req.headers.authorization ?? '';
    const value = header.startsWith('Bearer ') ? header.slice(7) : header;
    const member = recognizeSecret(value) ? known.get(createHash('sha256').update(value).digest('base64url')) : undefined;
    res.writeHead(member ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(member ? { data: { viewer: { member: { id: member.id } } } } : { errors: [{ message: 'unauthenticated' }] }));
  });
});
server.listen(0, '127.0.0.1', () => {
  reportCpuOverIpc();
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
});
process.on('message', (m) => m === 'stop' && server.close(() => process.exit(0)));
