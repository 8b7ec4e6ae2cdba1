/** Test boilerplate: build a principal from bare statements and ask it one question. */
import { compile, decide, isAllowed, type AccessRequest, type Grant, type RoleAttributes, type Statement } from '../src/index.ts';

export const allow = (actions: string[], resources: string[]): Statement => ({ effect: 'allow', actions, resources });
export const deny = (actions: string[], resources: string[]): Statement => ({ effect: 'deny', actions, resources });

export function principal(policy: Statement[], roleAttributes: RoleAttributes = {}) {
  return compile([{ source: 'inline', policy, roleAttributes }]);
}

/** isAllowed and decide must agree; returns the verdict. */
export function can(
  policyOrGrants: Statement[] | Grant[],
  action: string,
  resource: string,
  tags?: AccessRequest['tags'],
  roleAttributes: RoleAttributes = {},
): boolean {
  const grants: Grant[] = policyOrGrants.every((g) => 'source' in g)
    ? (policyOrGrants as Grant[])
    : [{ source: 'inline', policy: policyOrGrants as Statement[], roleAttributes }];
  const p = compile(grants);
  const request: AccessRequest = tags === undefined ? { action, resource } : { action, resource, tags };
  const fast = isAllowed(p, request);
  const explained = decide(p, request).allowed;
  if (fast !== explained) throw new Error(`isAllowed (${fast}) and decide (${explained}) disagree on ${action} ${resource}`);
  return fast;
}
