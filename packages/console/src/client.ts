import { Client, cacheExchange, fetchExchange, mapExchange } from 'urql';
import { isUnauthenticated } from './errors.ts';

/**
 * One urql client per sign-in: same-origin /graphql, the session secret in the Authorization
 * header (never a cookie), a fresh cache so nothing of a previous session is shown.
 */
export function createConsoleClient(secret: string | null, onUnauthenticated: () => void): Client {
  const headers: Record<string, string> = secret ? { authorization: secret } : {};
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    exchanges: [
      mapExchange({
        onError(error) {
          if (secret && isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
    fetchOptions: () => ({ headers }),
  });
}
