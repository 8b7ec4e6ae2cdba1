// urql's React bindings with the SDK's typed documents (type-checked, and built by Vite).
import { createRoot } from 'react-dom/client';
import { Client, Provider, fetchExchange, useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';

function Viewer() {
  const [{ data, error }] = useQuery({ query: types.ViewerDocument });
  const [, createToken] = useMutation(types.CreateTokenDocument);
  if (error) return <p>{error.message}</p>;
  // data is typed from the document: data.viewer.member.email is a string (root fields are nullable).
  const email: string | undefined = data?.viewer?.member.email;
  return <button onClick={() => void createToken({ input: { name: 'from-react', role: 'READER' } })}>{email ?? '…'}</button>;
}

const client = new Client({
  url: '/graphql',
  exchanges: [fetchExchange],
  // urql's defaults (queries as GET) work; the credential travels in the Authorization header.
  fetchOptions: () => ({ headers: { authorization: sessionStorage.getItem('latchkey') ?? '' } }),
});
const root = document.getElementById('root');
if (root) createRoot(root).render(<Provider value={client}><Viewer /></Provider>);
