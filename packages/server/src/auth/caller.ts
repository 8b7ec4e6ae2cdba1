import { decide, decideToken, isAllowed, isTokenAllowed, type AccessRequest, type CompiledPrincipal, type TokenDecision } from '@latchkey/policy';
import type { Db } from '../db/client.ts';
import type { MemberRow } from '../db/schema/members.ts';
import type { TokenRow } from '../db/schema/tokens.ts';
import type { Caches } from '../services/caches.ts';
import { memberPrincipal, tokenPrincipal } from '../services/permissions.ts';

export type Credential =
  | { kind: 'session'; sessionId: string }
  | { kind: 'personal'; token: TokenRow }
  | { kind: 'service'; token: TokenRow };

/** The compiled policies a caller's decisions are made with, loaded once per request. */
interface Principals {
  /** The member's own permissions (sessions and personal tokens). */
  member: CompiledPrincipal | null;
  /** The token's scope (tokens). */
  scope: CompiledPrincipal | null;
}

/**
 * Who is calling and what they may do. For a session: the member's permissions. For a personal
 * token: its scope AND its owner's current permissions. For a service token: its fixed scope.
 * The policies are loaded when the request is authenticated (`Caller.load`), so every decision
 * after that is synchronous and the same for the whole request.
 */
export class Caller {
  private constructor(
    /** The member: session holder, personal token owner, or service token creator. */
    readonly member: MemberRow,
    readonly credential: Credential,
    private readonly principals: Principals,
  ) {}

  static async load(db: Db, caches: Caches, member: MemberRow, credential: Credential): Promise<Caller> {
    const principals: Principals =
      credential.kind === 'session'
        ? { member: await memberPrincipal(db, caches, member), scope: null }
        : {
            scope: await tokenPrincipal(db, caches, credential.token, member),
            member: credential.kind === 'personal' ? await memberPrincipal(db, caches, member) : null,
          };
    return new Caller(member, credential, principals);
  }

  get accountId(): string {
    return this.member.accountId;
  }

  get token(): TokenRow | undefined {
    return this.credential.kind === 'session' ? undefined : this.credential.token;
  }

  /** The hot path: a yes/no without building an explanation. */
  isAllowed(request: AccessRequest): boolean {
    const { member, scope } = this.principals;
    if (!scope) return member !== null && isAllowed(member, request);
    return isTokenAllowed(scope, member, request);
  }

  /** The decision with its explanation (deciding statements, which side refused). */
  decide(request: AccessRequest): TokenDecision {
    const { member, scope } = this.principals;
    if (!scope) return member ? decide(member, request) : { allowed: false, reason: 'no permissions', statements: [] };
    return decideToken(scope, member, request);
  }
}
