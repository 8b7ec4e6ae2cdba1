import { recognizeSecret } from '@latchkey/sdk/secrets';
import type { App } from '../app.ts';
import { unauthenticated, type LatchkeyError } from '../errors.ts';
import type { CachedCredential } from '../services/caches.ts';
import { findSessionBySecretHash } from '../store/sessions.ts';
import { findTokenBySecretHash } from '../store/tokens-auth.ts';
import { Caller } from './caller.ts';
import { digestSecret } from './secrets.ts';

/** `Authorization: <secret>` or `Authorization: Bearer <secret>` (api.md; the scheme is case-insensitive, RFC 9110). */
export function secretFromHeader(header: string): string {
  return header.length > 7 && header.charCodeAt(6) === 32 && header.slice(0, 6).toLowerCase() === 'bearer' ? header.slice(7) : header;
}

/**
 * Resolves the Authorization header to a caller, or null when there is none.
 * Every bad credential is an UNAUTHENTICATED error (HTTP 401) whose message says what is wrong
 * with this credential only. The checksum is checked before any lookup, so random strings never
 * reach the database.
 */
export async function authenticate(app: App, header: string | null, now = new Date()): Promise<Caller | null> {
  if (header === null) return null;
  const secret = secretFromHeader(header);
  const kind = recognizeSecret(secret);
  if (!kind) throw unauthenticated('Malformed credential: not a Latchkey secret');
  // An invite code is a secret but no credential: never looked up as one.
  if (kind === 'invite') throw unauthenticated('An invite code is not a credential: accept it with acceptInvite');
  const digest = digestSecret(secret);
  let credential = app.caches.getCredential(digest);
  if (!credential) {
    const ticket = app.caches.ticket();
    credential = await loadCredential(app, digest);
    if (!credential) throw unauthenticated('Unknown credential');
    app.caches.putCredential(digest, credential, ticket);
  }
  const refusal = checkCredential(credential, kind, now);
  if (refusal) throw refusal;
  if (credential.kind === 'session') {
    app.lastUsed.session(credential.session.id, now);
    return Caller.load(app.db, app.caches, credential.member, { kind: 'session', sessionId: credential.session.id });
  }
  app.lastUsed.token(credential.token.id, now);
  const { token } = credential;
  return Caller.load(app.db, app.caches, credential.owner, token.kind === 'personal' ? { kind: 'personal', token } : { kind: 'service', token });
}

async function loadCredential(app: App, digest: string): Promise<CachedCredential | undefined> {
  const token = await findTokenBySecretHash(app.db, digest);
  if (token) return { kind: 'token', ...token };
  const session = await findSessionBySecretHash(app.db, digest);
  if (session) return { kind: 'session', ...session };
  return undefined;
}

function checkCredential(credential: CachedCredential, kind: string, now: Date): LatchkeyError | undefined {
  if (credential.kind === 'session') {
    if (kind !== 'session') return unauthenticated('Unknown credential');
    if (credential.session.revokedAt) return unauthenticated('Session has been revoked');
    if (credential.session.expiresAt <= now) return unauthenticated('Session has expired');
    if (credential.member.status !== 'active') return unauthenticated('Member has been removed');
    return undefined;
  }
  const { token, secret, owner } = credential;
  if (kind !== token.kind) return unauthenticated('Unknown credential');
  if (token.deletedAt) return unauthenticated('Access token has been deleted');
  if (secret.validUntil && secret.validUntil <= now) return unauthenticated('Access token secret has been reset');
  if (token.expiresAt && token.expiresAt <= now) {
    return unauthenticated(`Access token expired at ${token.expiresAt.toISOString()}`);
  }
  if (token.kind === 'personal' && owner.status !== 'active') {
    return unauthenticated("Access token is inactive: its owner was removed from the account");
  }
  return undefined;
}
