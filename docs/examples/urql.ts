import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';

/**
 * urql with its defaults: queries go as GET, mutations as POST, the credential in the
 * Authorization header (a session secret or an access token).
 */
export function latchkeyUrql(url: string, secret: string): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: () => ({ headers: { authorization: secret } }),
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

// const client = latchkeyUrql('http://localhost:4000/graphql', process.env.LATCHKEY_TOKEN ?? '');
// const { data, error } = await client.query(Viewer, {}).toPromise();
// await client.mutation(CreateProject, { input: { key: 'web', name: 'Web shop' } }).toPromise();
