import { useGraphQlJit, type JITCache } from '@envelop/graphql-jit';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
  type Source,
} from 'graphql';
import type { App } from './app.ts';
import type { Context } from './context.ts';
import { storageUnavailable } from './errors.ts';
import { checkLimits, withTokenLimit } from './graphql-limits.ts';
import { requestIdOf } from './http.ts';
import { redact, type Logger } from './logger.ts';
import { API_VERSION_HEADER } from './services/api-versions.ts';
import { recordRefusal } from './services/audit.ts';

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

/** Echoes the request id and the API version in effect. */
export function useResponseHeaders(): Plugin<{ apiVersion?: number }> {
  return {
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

/** The same error rebuilt with a new message or extensions, keeping where it happened (nodes, or source and positions). */
function rebuilt(error: GraphQLError, message: string, extensions: GraphQLError['extensions']): GraphQLError {
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}

const maskedMessage = (requestId: string) => `Unexpected error (request id ${requestId})`;

/**
 * A masked error's request id and log entry wait for the result: the request is not known where
 * errors are masked (Yoga's maskError gets the error alone), it is when the result is processed
 * (useMaskedErrorRequestIds), so no per-request AsyncLocalStorage is needed to find it.
 */
const pendingMasks = new WeakMap<GraphQLError, (requestId: string) => void>();

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
        return rebuilt(error, error.message, { ...error.extensions, code: 'BAD_USER_INPUT', http: { spec: true, status: 400 } });
      }
      if (isGraphQLError(original)) {
        // A GraphQLError thrown in a resolver: keep its message and extensions, with the field's path.
        return rebuilt(error, original.message, original.extensions);
      }
    }
    const original = isGraphQLError(error) ? error.originalError : error;
    // Where it happened (path, locations), never what.
    const where = isGraphQLError(error) ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path } : {};
    const unavailable = storageUnavailable(original);
    if (unavailable) {
      // Operational, not a bug: a clear answer for the client, a warning (with the detail) for the operator.
      const masked = new GraphQLError(unavailable.message, { ...where, extensions: { ...unavailable.extensions, requestId: UNKNOWN_REQUEST } });
      pendingMasks.set(masked, (requestId) => {
        masked.extensions.requestId = requestId;
        app.log.warn('storage unavailable', { requestId, code: unavailable.extensions.storage, error: original instanceof Error ? original.message : String(original) });
      });
      return masked;
    }
    const masked = new GraphQLError(maskedMessage(UNKNOWN_REQUEST), { ...where, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: UNKNOWN_REQUEST } });
    pendingMasks.set(masked, (requestId) => {
      masked.message = maskedMessage(requestId);
      masked.extensions.requestId = requestId;
      app.log.error('unexpected error', {
        requestId,
        error: original instanceof Error ? { name: original.name, message: original.message, stack: original.stack } : String(original),
      });
    });
    return masked;
  };
}
const UNKNOWN_REQUEST = 'unknown';

/** Gives the errors maskError masked their request id (message and extensions) and writes their log entries. */
export function useMaskedErrorRequestIds(): Plugin {
  return {
    onResultProcess({ request, result }) {
      if (isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) {
          const settle = pendingMasks.get(error);
          if (!settle) continue;
          pendingMasks.delete(error);
          settle(requestIdOf(request));
        }
      }
    },
  };
}

/** A document's operation when it holds exactly one (null otherwise), found once per parsed document. */
const soleOperations = new WeakMap<DocumentNode, OperationDefinitionNode | null>();
function soleOperation(document: DocumentNode): OperationDefinitionNode | null {
  let operation = soleOperations.get(document);
  if (operation === undefined) {
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    operation = operations.length === 1 ? operations[0]! : null;
    soleOperations.set(document, operation);
  }
  return operation;
}

/** The operation a request runs (getOperationAST, without the walk over the document for the usual one-operation document). */
function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | null {
  const sole = soleOperation(document);
  if (!sole) return getOperationAST(document, operationName) ?? null;
  return operationName == null || sole.name?.value === operationName ? sole : null;
}

/**
 * Which requests run compiled (graphql-jit); the others run on graphql-js:
 * - a document of several operations: the plugin keeps one compiled query per document (and per
 *   document text), not per operation, so one compiled for A would answer a request for B;
 * - an operation name the document does not hold: graphql-js answers it ("Unknown operation
 *   named"), and a failed compilation would be kept for the document;
 * - variables graphql-js cannot coerce: graphql-js's errors are the ones clients and tests know
 *   (graphql-jit's omit the scalar's own error, which maskError reads to answer BAD_USER_INPUT),
 *   and graphql-jit's coercion does not check `@oneOf` inputs (literals are checked by validation).
 */
function compilable(args: ExecutionArgs): boolean {
  const operation = soleOperation(args.document);
  if (!operation) return false;
  if (args.operationName != null && operation.name?.value !== args.operationName) return false;
  const definitions = operation.variableDefinitions;
  if (definitions?.length && 'errors' in getVariableValues(args.schema, definitions, args.variableValues ?? {})) return false;
  return true;
}

type CompiledEntry = Parameters<JITCache['set']>[1];

/** At most `max` compiled documents by text, the least recently used dropped first. */
function lruCache(max: number): JITCache {
  const entries = new Map<string, CompiledEntry>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry) {
        entries.delete(key);
        entries.set(key, entry);
      }
      return entry;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
  };
}

/**
 * graphql-jit's errors are not quite graphql-js's: `locations` only (Yoga rebuilds errors from nodes,
 * or source and positions, when it sends them, so they would be lost) and no `extensions` when the
 * original error had none (plugins read `error.extensions.code`). Rebuilt as graphql-js's.
 */
function asGraphQLJsError(error: GraphQLError, source: Source | undefined): GraphQLError {
  let positions: number[] | undefined;
  if (source && !error.nodes && !error.positions && error.locations?.length) {
    const lineStarts = [0];
    for (const match of source.body.matchAll(/\r\n|[\n\r]/g)) lineStarts.push(match.index + match[0].length);
    positions = error.locations.map(({ line, column }) => (lineStarts[line - 1] ?? 0) + column - 1);
  }
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: positions ? source : error.source,
    positions: positions ?? error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

const fromJit = (error: GraphQLError) =>
  (error.extensions as GraphQLError['extensions'] | undefined) === undefined || (!error.nodes && !error.positions && (error.locations?.length ?? 0) > 0);

/** Must come before any plugin reading a result's errors (the refusal audit, and Yoga's masking, which comes after user plugins). */
const GRAPHQL_JS_ERRORS = {
  onExecuteDone({ args, result, setResult }: { args: ExecutionArgs; result: ExecutionResult | AsyncIterable<ExecutionResult>; setResult: (result: ExecutionResult) => void }) {
    if (isAsyncIterable(result) || !result.errors?.some(fromJit)) return;
    const source = args.document.loc?.source;
    setResult({ ...result, errors: result.errors.map((error) => (fromJit(error) ? asGraphQLJsError(error, source) : error)) });
  },
};

/**
 * Compiled queries: each document is compiled once by graphql-jit into one function (resolvers,
 * null propagation, variable coercion), kept for the parsed document and, by text, in an LRU of
 * `max` documents; requests that must not run compiled (see `compilable`) run on graphql-js.
 * Its errors are rebuilt as graphql-js's before other plugins see them: place it before them.
 */
export function useCompiledQueries(log: Logger, max = 1000): Plugin[] {
  // A document graphql-jit cannot compile answers with the compiler's errors (kept for the document): to the log, not the console.
  const onError = (result: ExecutionResult) => log.error('query compilation failed', { errors: result.errors?.map((e) => e.message) });
  return [useGraphQlJit({}, { enableIf: compilable, cache: lruCache(max), onError }) as Plugin, { onExecute: () => GRAPHQL_JS_ERRORS }];
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
      if (operationOf(args.document, args.operationName)?.operation !== 'mutation') return;
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

type ParseFn = Parameters<typeof withTokenLimit>[0];

/**
 * The GraphQL limits (graphql-limits.ts): the token limit while parsing, aliases, directives,
 * depth and cost once the variables are known, before any resolver runs. A refusal is HTTP 400
 * with GRAPHQL_VALIDATION_FAILED and no `data`; a page over the largest is BAD_USER_INPUT.
 */
export function useGraphQLLimits(): Plugin<Context> {
  // One wrapper per parse function (the same one on every request), not one per request.
  const limited = new WeakMap<ParseFn, ParseFn>();
  return {
    onParse({ parseFn, setParseFn }) {
      let parse = limited.get(parseFn);
      if (!parse) {
        parse = withTokenLimit(parseFn);
        limited.set(parseFn, parse);
      }
      setParseFn(parse);
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
