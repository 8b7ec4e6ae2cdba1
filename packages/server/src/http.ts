import { randomUUID } from 'node:crypto';
import type { YogaInitialContext } from 'graphql-yoga';
import type { App } from './app.ts';
import { findSecrets } from '@latchkey/sdk/secrets';

/** Node's http adapter puts the socket on the server context Yoga passes along. */
interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string }; rawHeaders?: string[] };
}

/**
 * How many Authorization headers the client sent. Node's parser keeps only the first, so two
 * would pass unseen; the raw header list (Node adapter) shows them. Without it (in-process
 * fetch), the Fetch API would have joined them with ", ", which is no valid secret either.
 */
export function authorizationHeaderCount(initial: YogaInitialContext): number {
  const raw = (initial as YogaInitialContext & NodeServerContext).req?.rawHeaders;
  if (!raw) return initial.request.headers.has('authorization') ? 1 : 0;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') count++;
  return count;
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
const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;

export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    // A client's id is echoed in a header, logged and audited: only a short printable one that
    // holds no secret is kept; anything else gets an id of ours.
    const given = request.headers.get('x-request-id');
    id = given && REQUEST_ID.test(given) && findSecrets(given).length === 0 ? given : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}
