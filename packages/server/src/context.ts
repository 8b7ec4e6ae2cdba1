import type { YogaInitialContext } from 'graphql-yoga';
import type { App } from './app.ts';
import { authenticate } from './auth/credentials.ts';
import type { Caller } from './auth/caller.ts';
import { apiVersionFor } from './services/api-versions.ts';
import { authorizationHeaderCount, clientAddress, requestIdOf } from './http.ts';
import { unauthenticated } from './errors.ts';

export interface Context {
  app: App;
  request: Request;
  requestId: string;
  clientIp: string;
  userAgent: string;
  /** null: no Authorization header (only `public` fields run). */
  caller: Caller | null;
  /** The API version in effect (token default, or the request header), echoed in a response header. */
  apiVersion: number;
  /** Benchmark baseline only (see createLatchkeyYoga): every scope passes. */
  withoutAuthorization?: boolean;
}

/**
 * The benchmark's baseline: the same server with Latchkey's authentication and authorization
 * switched off (a fixed caller, every scope passes). Only reachable from code, never from
 * configuration, so no deployment can turn it on.
 */
export function createContextWithoutAuth(app: App, initial: YogaInitialContext, caller: Caller): Context {
  const { request } = initial;
  return {
    app,
    request,
    requestId: requestIdOf(request),
    clientIp: clientAddress(app, initial),
    userAgent: request.headers.get('user-agent') ?? '',
    caller,
    apiVersion: apiVersionFor(request, undefined),
    withoutAuthorization: true,
  };
}

export async function createContext(app: App, initial: YogaInitialContext): Promise<Context> {
  const { request } = initial;
  const clientIp = clientAddress(app, initial);
  let caller: Caller | null;
  try {
    if (authorizationHeaderCount(initial) > 1) throw unauthenticated('More than one Authorization header: send exactly one credential');
    caller = await authenticate(app, request.headers.get('authorization'));
  } catch (error) {
    // Past the limit the address gets 429 instead of 401 (throws RATE_LIMITED).
    await app.limiters.recordBadCredential(clientIp);
    throw error;
  }
  if (caller?.token) await app.limiters.consumeTokenRequest(caller.token.id);
  return {
    app,
    request,
    requestId: requestIdOf(request),
    clientIp,
    userAgent: request.headers.get('user-agent') ?? '',
    caller,
    apiVersion: apiVersionFor(request, caller?.token),
  };
}

/** The caller of a field whose scopes already required a credential. */
export function callerOf(context: Pick<Context, 'caller'>): Caller {
  if (!context.caller) throw unauthenticated('Authentication required');
  return context.caller;
}
