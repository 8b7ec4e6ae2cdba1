import { useCallback, useEffect, useMemo, useState } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { types } from '@latchkey/sdk';
import { PermissionsProvider } from './access.tsx';
import { createConsoleClient } from './client.ts';
import { ErrorList } from './components.tsx';
import { Login } from './pages/Login.tsx';
import { AuditLog } from './pages/AuditLog.tsx';
import { CheckAccess } from './pages/CheckAccess.tsx';
import { Members } from './pages/Members.tsx';
import { Roles } from './pages/Roles.tsx';
import { Teams } from './pages/Teams.tsx';
import { Tokens } from './pages/Tokens.tsx';
import { Link, navigate, ROUTES, usePath } from './router.tsx';
import { readSession, writeSession } from './session.ts';

export function App() {
  const [secret, setSecret] = useState<string | null>(() => readSession());
  const signOut = useCallback(() => {
    writeSession(null);
    setSecret(null);
  }, []);
  const signIn = useCallback((value: string) => {
    writeSession(value);
    setSecret(value);
    if (location.pathname === '/' || location.pathname === '/login') navigate('/tokens');
  }, []);
  const client = useMemo(() => createConsoleClient(secret, signOut), [secret, signOut]);
  return (
    <Provider value={client}>
      {secret ? <SignedIn onSignOut={signOut} /> : <Login onSignIn={signIn} />}
    </Provider>
  );
}

function SignedIn({ onSignOut }: { onSignOut: () => void }) {
  const [viewer] = useQuery({ query: types.ViewerDocument, requestPolicy: 'network-only' });
  const [, logout] = useMutation(types.LogoutDocument);
  const path = usePath();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    if (path === '/' || path === '/login') navigate('/tokens');
    setMenuOpen(false);
  }, [path]);
  const member = viewer.data?.viewer?.member;
  const signOut = async () => {
    await logout({});
    onSignOut();
  };
  const current = ROUTES.find((r) => path.startsWith(r.path)) ?? ROUTES[0];
  return (
    <div className="shell">
      <header className="topbar">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <span className="brand">Latchkey</span>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <span className="whoami">
          {member ? (
            <>
              {member.name || member.email} <span className="badge">{member.role}</span>
            </>
          ) : null}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Log out
        </button>
      </header>
      <nav id="nav" aria-label="Account settings" className={menuOpen ? 'open' : undefined}>
        <ul>
          {ROUTES.map((r) => (
            <li key={r.path}>
              <Link href={r.path} aria-current={current?.path === r.path ? 'page' : undefined}>
                {r.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <ErrorList error={viewer.error} />
        {member && (
          <PermissionsProvider memberId={member.id}>
            {current?.path === '/tokens' && <Tokens me={member} />}
            {current?.path === '/members' && <Members me={member} />}
            {current?.path === '/roles' && <Roles />}
            {current?.path === '/teams' && <Teams />}
            {current?.path === '/audit' && <AuditLog />}
            {current?.path === '/check-access' && <CheckAccess />}
          </PermissionsProvider>
        )}
      </main>
    </div>
  );
}
