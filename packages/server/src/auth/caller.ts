import { decide, decideToken, isAllowed, isTokenAllowed, type AccessRequest, type TokenDecision } from '@latchkey/policy';
import type { Db } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { TokenRow } from '../db/schema/tokens.ts';
import type { Caches } from '../services/caches.ts';
import { memberPrincipal, tokenPrincipal } from '../services/permissions.ts';

export type Credential =
  | { kind: 'session'; sessionId: string }
  | { kind: 'personal'; token: TokenRow }
  | { kind: 'service'; token: TokenRow };

/**
 * Who is calling and what they may do. For a session: the member's permissions. For a personal
 * token: its scope AND its owner's current permissions. For a service token: its fixed scope.
 */
export class Caller {
  constructor(
    private readonly db: Db,
    private readonly caches: Caches,
    /** The member: session holder, personal token owner, or service token creator. */
    readonly member: MemberRow,
    readonly credential: Credential,
  ) {}

  get accountId(): string {
    return this.member.accountId;
  }

  get token(): TokenRow | undefined {
    return this.credential.kind === 'session' ? undefined : this.credential.token;
  }

  /** The hot path: a yes/no without building an explanation. */
  isAllowed(request: AccessRequest): boolean {
    const { credential } = this;
    if (credential.kind === 'session') return isAllowed(memberPrincipal(this.db, this.caches, this.member), request);
    const scope = tokenPrincipal(this.db, this.caches, credential.token, this.member);
    const owner = credential.kind === 'personal' ? memberPrincipal(this.db, this.caches, this.member) : null;
    return isTokenAllowed(scope, owner, request);
  }

  /** The decision with its explanation (deciding statements, which side refused). */
  decide(request: AccessRequest): TokenDecision {
    const { credential } = this;
    if (credential.kind === 'session') return decide(memberPrincipal(this.db, this.caches, this.member), request);
    const scope = tokenPrincipal(this.db, this.caches, credential.token, this.member);
    const owner = credential.kind === 'personal' ? memberPrincipal(this.db, this.caches, this.member) : null;
    return decideToken(scope, owner, request);
  }
}
