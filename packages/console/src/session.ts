/**
 * The session secret lives in this tab's sessionStorage only (never localStorage, never a
 * cookie): closing the tab forgets it, and other sites cannot send it for us.
 */
const KEY = 'latchkey.session';

export function readSession(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function writeSession(secret: string | null): void {
  try {
    if (secret) sessionStorage.setItem(KEY, secret);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled: the session then lasts as long as the page (kept in memory by the app).
  }
}
