import { PrincipalCache } from '@latchkey/policy';
import type { MemberRow, SessionRow } from '../db/schema/members.ts';
import type { TokenRow, TokenSecretRow } from '../db/schema/tokens.ts';

/** A credential found by its digest, as the database had it when it was cached. */
export type CachedCredential =
  | { kind: 'session'; session: SessionRow; member: MemberRow }
  | { kind: 'token'; secret: TokenSecretRow; token: TokenRow; owner: MemberRow };

/**
 * What changed, so caches can forget what depended on it. This is the ONE entry point for
 * invalidation: with several instances, the same events will be published to the others.
 */
export type InvalidationEvent =
  | { kind: 'token'; tokenId: string }
  | { kind: 'member'; memberId: string }
  | { kind: 'session'; sessionId: string }
  | { kind: 'roles' };

const MAX_CREDENTIALS = 100_000;

export class Caches {
  readonly principals = new PrincipalCache<string>(50_000);
  private readonly credentials = new Map<string, CachedCredential>();
  private readonly listeners: Array<(event: InvalidationEvent) => void> = [];

  getCredential(digest: string): CachedCredential | undefined {
    return this.credentials.get(digest);
  }

  putCredential(digest: string, credential: CachedCredential): void {
    if (this.credentials.size >= MAX_CREDENTIALS) {
      // Map iteration order is insertion order: drop the oldest entry.
      const oldest = this.credentials.keys().next().value;
      if (oldest !== undefined) this.credentials.delete(oldest);
    }
    this.credentials.set(digest, credential);
  }

  /** Subscribe to invalidations (e.g. to forward them to other instances). */
  onInvalidate(listener: (event: InvalidationEvent) => void): void {
    this.listeners.push(listener);
  }

  invalidate(event: InvalidationEvent): void {
    switch (event.kind) {
      case 'token':
        this.principals.invalidate(`token:${event.tokenId}`);
        this.dropCredentials((c) => c.kind === 'token' && c.token.id === event.tokenId);
        break;
      case 'member':
        // Personal tokens take their owner's role attributes, so every compiled policy may depend on the member.
        this.principals.clear();
        this.dropCredentials((c) => (c.kind === 'token' ? c.owner.id : c.member.id) === event.memberId);
        break;
      case 'session':
        this.dropCredentials((c) => c.kind === 'session' && c.session.id === event.sessionId);
        break;
      case 'roles':
        this.principals.clear();
        break;
    }
    for (const listener of this.listeners) listener(event);
  }

  private dropCredentials(matches: (c: CachedCredential) => boolean): void {
    for (const [digest, credential] of this.credentials) {
      if (matches(credential)) this.credentials.delete(digest);
    }
  }
}
