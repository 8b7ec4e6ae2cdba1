import { randomUUID } from 'node:crypto';
import type { YogaInitialContext } from 'graphql-yoga';
import type { App } from './app.ts';
import { redact } from './logger.ts';

/** Node's http adapter puts the socket on the server context Yoga passes along. */
interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string } };
}

/**
 * The client's address. Behind a proxy (LATCHKEY_TRUST_PROXY=true) it is the LAST X-Forwarded-For
 * entry: the one our proxy appended. Entries before it were sent by the client and can be anything,
 * so taking the first would let a client pick a new address per request and evade per-address limits.
 */
export function clientAddress(app: App, initial: YogaInitialContext): string {
  if (app.config.trustProxy) {
    const forwarded = initial.request.headers.get('x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    if (last) return last;
  }
  const node = initial as YogaInitialContext & NodeServerContext;
  return node.req?.socket?.remoteAddress ?? 'local';
}

const requestIds = new WeakMap<Request, string>();

/** One id per request, shared by the context, logs, audit entries and masked errors. */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    // A client's id is echoed and logged: a secret pasted into it is obscured first.
    const given = request.headers.get('x-request-id');
    id = (given ? redact(given) : '').slice(0, 64) || randomUUID();
    requestIds.set(request, id);
  }
  return id;
}
