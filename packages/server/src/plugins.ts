import { AsyncLocalStorage } from 'node:async_hooks';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { GraphQLError, getOperationAST } from 'graphql';
import type { App } from './app.ts';
import type { Context } from './context.ts';
import { storageUnavailable } from './errors.ts';
import { checkLimits, withTokenLimit } from './graphql-limits.ts';
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

/** By name, not instanceof: CommonJS plugins may raise errors from the CJS copy of graphql. */
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
        // As the GraphQL-over-HTTP spec asks: 400 for application/graphql-response+json, 200 for application/json.
        return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { spec: true, status: 400 } } });
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
        async onExecuteDone({ result }) {
          if (isAsyncIterable(result)) return;
          for (const error of result.errors ?? []) {
            const [field, ...below] = error.path ?? [];
            const { code, action, resource, reason } = error.extensions;
            if (below.length > 0 || code !== 'FORBIDDEN' || typeof action !== 'string' || typeof resource !== 'string') continue;
            await recordRefusal(context, { field: String(field), action, resource, reason: String(reason ?? '') });
          }
        },
      };
    },
  };
}

/** "Did you mean …?" in any message (fields, types, enum values, input fields; validation or variables). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Hides schema suggestions from every error message: fields and types (`Did you mean "x"?`), enum
 * values (`Did you mean the enum value "READER"?`) and the suggestions raised while coercing
 * variables during execution.
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

/**
 * The GraphQL limits (graphql-limits.ts): the token limit while parsing, aliases, directives,
 * depth and cost once the variables are known, before any resolver runs. A refusal is HTTP 400
 * with GRAPHQL_VALIDATION_FAILED and no `data`; a page over the largest is BAD_USER_INPUT.
 */
export function useGraphQLLimits(): Plugin<Context> {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn(withTokenLimit(parseFn));
    },
    onResultProcess({ result }) {
      // Yoga marks every parse error as the spec's (200 for application/json); a limit is a 400 always.
      if (isAsyncIterable(result) || Array.isArray(result)) return;
      for (const error of result.errors ?? []) {
        const extensions = error.extensions as Record<string, unknown> | undefined;
        if (extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && typeof extensions.limit === 'string') extensions.http = { status: 400 };
      }
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = checkLimits({
        schema: args.schema,
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues,
        context: args.contextValue,
      });
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/** Media types a browser cannot send cross-site without a CORS preflight. */
const PREFLIGHTED_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/**
 * CSRF without a custom header: credentials travel in the Authorization header, which no
 * cross-site form or simple request can set, and a POST is accepted only with a JSON body (a
 * cross-site `application/json` POST needs a preflight, which CORS refuses for unknown origins).
 * Form, multipart and text/plain bodies are refused (415) before anything runs; GET may only run
 * queries (Yoga refuses a mutation over GET with 405). So urql's GET queries and Apollo's POSTs work as they are.
 */
export function useCrossSiteGuard(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (PREFLIGHTED_TYPES.has(type)) return;
      endResponse(
        Response.json(
          { errors: [{ message: 'POST bodies must be application/json (a request a browser can send cross-site never runs an operation)', extensions: { code: 'BAD_REQUEST' } }] },
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } },
        ),
      );
    },
  };
}

/**
 * The GraphiQL page: no framing (clickjacking), and a CSP whose connect-src is this origin only,
 * so a secret pasted into the headers editor cannot be sent anywhere else by injected script.
 * GraphiQL ships inline scripts and styles and creates editor workers from blob: URLs.
 */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

export function usePlaygroundHeaders(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.get('content-type')?.startsWith('text/html')) return;
      response.headers.set('content-security-policy', PLAYGROUND_CSP);
      response.headers.set('x-frame-options', 'DENY');
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('referrer-policy', 'no-referrer');
    },
  };
}
