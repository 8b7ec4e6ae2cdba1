import { AsyncLocalStorage } from 'node:async_hooks';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { GraphQLError, getOperationAST } from 'graphql';
import type { App } from './app.ts';
import type { Context } from './context.ts';
import { storageUnavailable } from './errors.ts';
import { requestIdOf } from './http.ts';
import { redact } from './logger.ts';
import { API_VERSION_HEADER } from './services/api-versions.ts';
import { recordRefusal } from './services/audit.ts';

/** The request id of the request being handled, for logs written far from the request. */
export const currentRequestId = new AsyncLocalStorage<string>();

/**
 * Body-size limit without Yoga's streaming limiter (which halves throughput): a declared
 * Content-Length is checked up front (HTTP framing guarantees the body is no longer); only
 * bodies without one (chunked) are counted while read.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    createGraphQLError('Request body too large', { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } } });
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) throw createGraphQLError('Content-Length header is invalid', { extensions: { http: { status: 400 } } });
        if (Number(length) > maxBytes) throw tooLarge();
        return;
      }
      if (!request.body || !requestParser) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        const reader = req.body?.getReader();
        const chunks: Uint8Array[] = [];
        let size = 0;
        while (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel();
            throw tooLarge();
          }
          chunks.push(value);
        }
        return parse(new Request(req.url, { method: req.method, headers: req.headers, body: Buffer.concat(chunks) }));
      });
    },
  };
}

/** Echoes the request id and the API version in effect; keeps the request id for logs. */
export function useResponseHeaders(): Plugin<{ apiVersion?: number }> {
  return {
    onRequest({ request }) {
      currentRequestId.enterWith(requestIdOf(request));
    },
    onExecute({ args }) {
      const version = (args.contextValue as { apiVersion?: number }).apiVersion;
      const request = (args.contextValue as { request?: Request }).request;
      if (request && version) apiVersions.set(request, version);
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
      const version = apiVersions.get(request);
      if (version) response.headers.set(API_VERSION_HEADER, String(version));
    },
  };
}
const apiVersions = new WeakMap<Request, number>();

/** By name, not instanceof: CommonJS plugins (graphql-armor) raise errors from the CJS copy of graphql. */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/**
 * Expected errors (GraphQLErrors we or Yoga raised: validation, limits, LatchkeyError) pass; anything
 * else is logged with the request id and reaches the client as a masked message carrying only that id.
 */
export function maskError(app: App) {
  return (error: unknown): Error => {
    if (isGraphQLError(error)) {
      const original = error.originalError;
      if (!original || original === error) return error;
      if (!error.path && error.message.startsWith('Variable "$')) {
        // A variable's value could not be coerced (wrong type, unknown enum value, bad DateTime): bad
        // input, named by the outer message (variable and path), never an internal error.
        return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } });
      }
      if (isGraphQLError(original)) {
        // A GraphQLError thrown in a resolver: keep its message and extensions, with the field's path.
        return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: original.extensions });
      }
    }
    const original = isGraphQLError(error) ? error.originalError : error;
    const requestId = currentRequestId.getStore() ?? 'unknown';
    const path = isGraphQLError(error) ? error.path : undefined;
    const unavailable = storageUnavailable(original);
    if (unavailable) {
      // Operational, not a bug: a clear answer for the client, a warning (with the detail) for the operator.
      app.log.warn('storage unavailable', { requestId, code: unavailable.extensions.storage, error: original instanceof Error ? original.message : String(original) });
      return new GraphQLError(unavailable.message, { path, extensions: { ...unavailable.extensions, requestId } });
    }
    app.log.error('unexpected error', {
      requestId,
      error: original instanceof Error ? { name: original.name, message: original.message, stack: original.stack } : String(original),
    });
    return new GraphQLError(`Unexpected error (request id ${requestId})`, {
      path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    });
  };
}

/**
 * Refused attempts at changes are audit events: every FORBIDDEN on a root mutation field, whether
 * its scopes refused it or its service did (creation caps, owner-only rules), is recorded with
 * outcome 'refused' once the operation is done, in a transaction of its own (the mutation's own
 * rolled back, so a refused attempt never leaves a 'success' entry). Refused reads are not recorded.
 */
export function useRefusalAudit(): Plugin<Context> {
  return {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      const context = args.contextValue;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          for (const error of result.errors ?? []) {
            const [field, ...below] = error.path ?? [];
            const { code, action, resource, reason } = error.extensions;
            if (below.length > 0 || code !== 'FORBIDDEN' || typeof action !== 'string' || typeof resource !== 'string') continue;
            recordRefusal(context, { field: String(field), action, resource, reason: String(reason ?? '') });
          }
        },
      };
    },
  };
}

/** "Did you mean …?" in any message (fields, types, enum values, input fields; validation or variables). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Hides schema suggestions from every error message: graphql-armor's blockFieldSuggestion masks
 * only `Did you mean "x"?`, not enum values (`Did you mean the enum value "READER"?`) nor the
 * suggestions raised while coercing variables during execution.
 */
export function useHiddenSuggestions(): Plugin {
  return {
    onResultProcess({ result }) {
      if (isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) {
          if (error.message.includes('Did you mean')) error.message = `${error.message.replace(SUGGESTION, '')} [Suggestion hidden]`;
        }
      }
    },
  };
}

/** Every string inside a value, with Latchkey secrets obscured (prefix…last four). */
function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  return value;
}

/**
 * No error message carries a secret, not even the caller's own echoed back (a secret pasted as a
 * resource name, a key or a variable of the wrong type): secrets in messages and extensions are
 * obscured before the response is sent, wherever the error was raised.
 */
export function useRedactedErrors(): Plugin {
  return {
    onResultProcess({ result }) {
      if (isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) {
          if (!SECRET_HINT.test(JSON.stringify([error.message, error.extensions]))) continue;
          error.message = redact(error.message);
          const extensions = error.extensions as Record<string, unknown> | undefined;
          if (extensions) for (const [key, value] of Object.entries(extensions)) extensions[key] = redactDeep(value);
        }
      }
    },
  };
}
const SECRET_HINT = /lk[psu]_/;
