import { complexityFromQuery, type FieldComplexityValue } from '@pothos/plugin-complexity';
import {
  type GraphQLError,
  Lexer,
  Source,
  TokenKind,
  getOperationAST,
  visit,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type ParseOptions,
} from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { badInput, LatchkeyError } from './errors.ts';

/**
 * What one GraphQL document may ask for, checked before any resolver runs (the rules are in this
 * file only). Cost follows GitHub's model: a connection multiplies the cost of what is selected
 * under it by its page size, so one full page of any list with its nested objects is admitted
 * and a page of pages of pages (100 × 100 × 100) is not.
 */
export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 2_000,
  maxDirectives: 10,
  maxCost: 100_000,
} as const;

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** A plain list (a token's custom roles, a policy's statements) is counted as this many items (they are short, and bounded by the account's limits). */
const LIST_MULTIPLIER = 5;

const n = (value: number) => value.toLocaleString('en-US');

/** A limit refusal: HTTP 400, GRAPHQL_VALIDATION_FAILED, a message naming the limit and the value found. */
export function limitError(message: string, limit: string, found: number, max: number): GraphQLError {
  // Yoga's own GraphQLError (its copy of graphql), so Yoga recognizes it wherever it is thrown.
  return createGraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, found, max, http: { status: 400 } },
  });
}

/** `first`/`last` as asked, refused (BAD_USER_INPUT naming the largest page) when out of range. */
export function pageSizeArg(field: string, value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw badInput(field, `must be between 0 and ${MAX_PAGE_SIZE} (the largest page is ${MAX_PAGE_SIZE})`, { max: MAX_PAGE_SIZE });
  }
  return value;
}

/**
 * The cost of one field (Pothos' complexity plugin): 1 per field; a connection multiplies what is
 * selected under it by the page asked for; `edges`/`nodes` do not multiply again; other lists by 10.
 */
export function fieldComplexity<C>(args: Record<string, unknown>, _context: C, field: GraphQLField<unknown, C>): FieldComplexityValue {
  if (field.args.some((arg) => arg.name === 'first')) {
    const size = pageSizeArg('first', args.first) ?? pageSizeArg('last', args.last) ?? DEFAULT_PAGE_SIZE;
    return { field: 1, multiplier: size };
  }
  if (field.name === 'edges' || field.name === 'nodes') return { field: 1, multiplier: 1 };
  // By the printed type ("[Statement!]"), not isListType: the schema may come from another copy of graphql.
  return String(field.type).startsWith('[') ? { field: 1, multiplier: LIST_MULTIPLIER } : 1;
}

/**
 * The parser with graphql's token limit; past it, says how many tokens the document has (counted
 * with the lexer: the body limit bounds the work) instead of graphql's "Syntax Error: … aborted".
 * `parse` is the server's own (Yoga's copy of graphql), so its syntax errors stay recognizable.
 */
export function withTokenLimit(parse: (source: string | Source, options?: ParseOptions) => DocumentNode) {
  return (source: string | Source, options?: ParseOptions): DocumentNode => {
    try {
      return parse(source, { ...options, maxTokens: GRAPHQL_LIMITS.maxTokens });
    } catch (error) {
      if (!(error instanceof Error) || !/Document contains more tha[nt] \d+ tokens/.test(error.message)) throw error;
      const found = countTokens(source);
      throw limitError(`Document has ${n(found)} tokens, over the limit of ${n(GRAPHQL_LIMITS.maxTokens)}`, 'tokens', found, GRAPHQL_LIMITS.maxTokens);
    }
  };
}

function countTokens(source: string | Source): number {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // A lexical error further on: the count so far is already over the limit.
  }
  return count;
}

/** Aliases and directives, counted over the whole document (fragments included). */
function countAliasesAndDirectives(document: DocumentNode): { aliases: number; directives: number } {
  let aliases = 0;
  let directives = 0;
  visit(document, {
    Field(node) {
      if (node.alias) aliases++;
    },
    Directive() {
      directives++;
    },
  });
  return { aliases, directives };
}

export interface LimitRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  context: object;
}

/**
 * What was found of a document (Yoga hands out the same DocumentNode for the same text, so most
 * requests find it here): its alias and directive counts, and which of its operations without
 * variables are within every limit (their depth and cost cannot change from one request to the next).
 */
interface DocumentLimits {
  aliases: number;
  directives: number;
  /** Operations without variables already found within every limit (a breach is measured again: it is rare, and its error is the request's own). */
  fixedOperations: Set<string>;
}
const documentLimits = new WeakMap<DocumentNode, DocumentLimits>();

/**
 * The first limit the operation breaks, as the error to answer with, or undefined. Depth and cost
 * depend on the variables (`first: $n`), so an operation with variables is measured per request;
 * one without is measured once per document.
 */
export function checkLimits(request: LimitRequest): GraphQLError | undefined {
  const { document, operationName } = request;
  let known = documentLimits.get(document);
  if (!known) {
    known = { ...countAliasesAndDirectives(document), fixedOperations: new Set() };
    documentLimits.set(document, known);
  }
  const key = operationName ?? '';
  if (known.fixedOperations.has(key)) return undefined;
  const error = measureLimits(request, known);
  const operation = getOperationAST(document, operationName);
  if (!error && operation && (operation.variableDefinitions?.length ?? 0) === 0) known.fixedOperations.add(key);
  return error;
}

function measureLimits({ schema, document, operationName, variables, context }: LimitRequest, { aliases, directives }: DocumentLimits): GraphQLError | undefined {
  if (aliases > GRAPHQL_LIMITS.maxAliases) {
    return limitError(`Document has ${n(aliases)} aliases, over the limit of ${n(GRAPHQL_LIMITS.maxAliases)}`, 'aliases', aliases, GRAPHQL_LIMITS.maxAliases);
  }
  if (directives > GRAPHQL_LIMITS.maxDirectives) {
    return limitError(`Document has ${n(directives)} directives, over the limit of ${n(GRAPHQL_LIMITS.maxDirectives)}`, 'directives', directives, GRAPHQL_LIMITS.maxDirectives);
  }
  // Only the operation that runs (with the fragments), measured by Pothos' complexity plugin in
  // the schema's own copy of graphql (vitest may load a second one).
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = document.definitions.filter((d) => d.kind === 'FragmentDefinition');
  let measured: { depth: number; complexity: number };
  try {
    measured = complexityFromQuery({ kind: document.kind, definitions: [operation, ...fragments] }, { schema, ctx: context, variables: variables ?? {} });
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    // Not measurable (variables that do not fit the operation, an unknown field): execution reports it.
    return undefined;
  }
  if (measured.depth > GRAPHQL_LIMITS.maxDepth) {
    return limitError(`Query depth ${n(measured.depth)} exceeds the limit of ${n(GRAPHQL_LIMITS.maxDepth)}`, 'depth', measured.depth, GRAPHQL_LIMITS.maxDepth);
  }
  if (measured.complexity > GRAPHQL_LIMITS.maxCost) {
    return limitError(`Query cost ${n(measured.complexity)} exceeds the limit of ${n(GRAPHQL_LIMITS.maxCost)}`, 'cost', measured.complexity, GRAPHQL_LIMITS.maxCost);
  }
  return undefined;
}
