import { Client, fetchExchange, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { fromCombinedError, LatchkeyError } from './errors.js';

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** A session secret or an access token; omit (or undefined) for `login`, `signUp` and `acceptInvite`. */
  token?: string | undefined;
  /** Pin an API version for every request (sent as `Latchkey-API-Version`). */
  apiVersion?: number | undefined;
  /** A fetch implementation (defaults to the global one: Node 18+ and browsers). */
  fetch?: typeof fetch | undefined;
}

/**
 * A thin typed wrapper over urql's core client: no cache (every call reaches the server, as
 * scripts expect), the credential in the Authorization header, errors thrown as LatchkeyError.
 */
export class LatchkeyClient {
  readonly urql: Client;

  constructor(readonly options: ClientOptions) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = options.token;
    if (options.apiVersion) headers['latchkey-api-version'] = String(options.apiVersion);
    this.urql = new Client({
      url: options.url,
      exchanges: [fetchExchange],
      requestPolicy: 'network-only',
      preferGetMethod: false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      fetchOptions: () => ({ headers }),
    });
  }

  /**
   * Runs any typed document.
   * @returns the operation's data
   * @throws LatchkeyError with the first error's code when the server answered with errors
   */
  async request<TData, TVariables extends AnyVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<TData> {
    const isMutation = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation');
    const result = isMutation
      ? await this.urql.mutation(document, variables).toPromise()
      : await this.urql.query(document, variables).toPromise();
    if (result.error) throw fromCombinedError(result.error, this.options.url);
    if (!result.data) throw new LatchkeyError('INTERNAL_SERVER_ERROR', 'The server returned no data');
    return result.data;
  }
}
