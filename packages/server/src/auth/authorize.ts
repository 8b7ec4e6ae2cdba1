import type { AccessRequest, TokenDecision } from '@latchkey/policy';
import type { Context } from '../context.ts';
import { forbidden } from '../errors.ts';

/** Whether every listed request is allowed for the caller (hot path: no explanation built). */
export function isAuthorized(context: Pick<Context, 'caller'>, requests: AccessRequest | readonly AccessRequest[]): boolean {
  const caller = context.caller;
  if (!caller) return false;
  if (!Array.isArray(requests)) return caller.isAllowed(requests as AccessRequest);
  return (requests as readonly AccessRequest[]).every((request) => caller.isAllowed(request));
}

/**
 * The one place a permission is decided for a request: every listed request must be allowed
 * for the caller's credential. Returns the first refusal (with its explanation) or the last allow.
 */
export function authorize(context: Pick<Context, 'caller'>, requests: AccessRequest | readonly AccessRequest[]): TokenDecision {
  const caller = context.caller;
  if (!caller) return { allowed: false, reason: 'no credential', statements: [] };
  let last: TokenDecision = { allowed: true, reason: 'nothing to check', statements: [] };
  for (const request of ([] as AccessRequest[]).concat(requests)) {
    last = caller.decide(request);
    if (!last.allowed) return last;
  }
  return last;
}

/** For services that discover what to check while they run (e.g. after loading a row). */
export function assertAllowed(context: Pick<Context, 'caller'>, requests: AccessRequest | readonly AccessRequest[]): void {
  const list = ([] as AccessRequest[]).concat(requests);
  for (const request of list) {
    const decision = authorize(context, request);
    if (!decision.allowed) throw forbidden(request.action, request.resource, decision.reason);
  }
}
