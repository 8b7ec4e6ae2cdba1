import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

/** SHA-256 in hex with the Web Crypto API (browsers and Node 20 alike). */
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Apollo Client 4 with its defaults, plus the persisted-query link: a query is first sent by hash;
 * when the server does not know the hash (PersistedQueryNotFound) the link sends the document.
 */
export function latchkeyApollo(url: string, secret: string): ApolloClient {
  return new ApolloClient({
    link: new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: url, headers: { authorization: secret } })),
    cache: new InMemoryCache(),
  });
}

export const Viewer = gql`
  query Viewer {
    viewer {
      id
      member { id email role }
    }
  }
`;

export const CreateProject = gql`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      project { id key name }
    }
  }
`;

// const client = latchkeyApollo('http://localhost:4000/graphql', process.env.LATCHKEY_TOKEN ?? '');
// const { data } = await client.query({ query: Viewer });
// await client.mutate({ mutation: CreateProject, variables: { input: { key: 'web', name: 'Web shop' } } });
