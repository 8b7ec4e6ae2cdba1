import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { types } from '@latchkey/sdk';
import { ErrorList, Field } from '../components.tsx';

export function Login({ onSignIn }: { onSignIn: (secret: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [result, login] = useMutation(types.LoginDocument);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const res = await login({ input: { email, password } });
    const secret = res.data?.login?.secret;
    if (secret) onSignIn(secret);
  };
  return (
    <main id="main" className="login">
      <h1>Log in to Latchkey</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="Log in">
        <Field label="Email">{(p) => <input {...p} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
        <Field label="Password">
          {(p) => <input {...p} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <ErrorList error={result.error} />
        <button type="submit" className="primary" disabled={result.fetching}>
          Log in
        </button>
      </form>
      <p className="hint">
        Scripts and tools use the GraphQL API at <a href="/graphql">/graphql</a>.
      </p>
    </main>
  );
}
