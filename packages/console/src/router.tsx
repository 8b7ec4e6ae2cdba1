import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A few client routes with the History API; the server answers index.html for each of them. */
export type Route = '/tokens' | '/members' | '/roles' | '/teams' | '/audit' | '/check-access';
export const ROUTES: ReadonlyArray<{ path: Route; label: string }> = [
  { path: '/tokens', label: 'Access tokens' },
  { path: '/members', label: 'Members' },
  { path: '/roles', label: 'Roles' },
  { path: '/teams', label: 'Teams' },
  { path: '/audit', label: 'Audit log' },
  { path: '/check-access', label: 'Check access' },
];

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path !== location.pathname) history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** A real link (keyboard, middle-click) that navigates in place. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
