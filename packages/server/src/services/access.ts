import { decideToken, parseResourceName, RESOURCE_TYPES, type AccessRequest, type TokenDecision } from '@latchkey/policy';
import type { Context } from '../context.ts';
import { callerOf } from '../context.ts';
import type { App } from '../app.ts';
import { badInput, notFound } from '../errors.ts';
import { findMemberById } from '../store/members.ts';
import { findTokenById } from '../store/tokens.ts';
import { tokenResource } from './tokens.ts';
import type { KeysetPage } from '../store/keyset.ts';
import { requireKey } from './validation.ts';
import { memberPrincipal, tokenPrincipal } from './permissions.ts';
import { cachedEnvironmentsOfProjects, cachedProjectByKey } from './cached-reads.ts';

// ---------------------------------------------------------------------------------------
// Resource tags and project-wide requests.

/** The real tags of a project/environment resource name (none for other types or unknown keys). */
export async function resourceTags(app: Pick<App, 'db' | 'caches'>, accountId: string, resource: string): Promise<Record<string, string[]> | undefined> {
  const name = parseResourceName(resource);
  if (!name) return undefined;
  const type = RESOURCE_TYPES[name.typeId];
  if (type !== 'proj' && type !== 'proj:env' && type !== 'proj:env:flag') return undefined;
  const [projectKey, environmentKey] = name.keys;
  if (projectKey === undefined) return undefined;
  const project = await cachedProjectByKey(app, accountId, projectKey);
  if (!project) return undefined;
  const tags: Record<string, string[]> = { proj: project.tags };
  if (environmentKey !== undefined) {
    const environment = (await cachedEnvironmentsOfProjects(app, [project.id])).find((env) => env.key === environmentKey);
    if (environment) tags.env = environment.tags;
  }
  return tags;
}

// ---------------------------------------------------------------------------------------
// checkAccess: a decision with its explanation.

export interface AccessDecisionResult extends TokenDecision {
  action: string;
  resource: string;
}

/**
 * The decision for (action, resource), for the caller's own credential or for one of the
 * account's tokens the caller may see (`viewAccessToken`; others are NOT_FOUND like unknown
 * ids). Tags of projects and environments are the real ones.
 */
export async function checkAccess(context: Context, input: { action: string; resource: string; tokenId?: string | undefined }, now = new Date()): Promise<AccessDecisionResult> {
  const caller = callerOf(context);
  const { db, caches } = context.app;
  if (input.action.length === 0 || input.action.length > 200) throw badInput('action', 'must be an action name');
  // A concrete resource: the engine's name parser, and no glob, tag filter or placeholder in a key
  // (a whole key `*`, as in `member/*` for createMember, names "a new one").
  const concrete = input.resource.replace(/\/\*(?=:|$)/g, '/new');
  if (parseResourceName(input.resource) === null || /[\s*;,${}]/.test(concrete)) {
    throw badInput('resource', `"${input.resource.slice(0, 200)}" is not a resource name (e.g. proj/<key>:env/<key>:flag/<key>)`);
  }
  const { action, resource } = input;
  const request: AccessRequest = { action, resource };
  const tags = await resourceTags(context.app, caller.accountId, resource);
  if (tags) request.tags = tags;
  if (input.tokenId === undefined) return { action, resource, ...caller.decide(request) };

  const token = await findTokenById(db, caller.accountId, input.tokenId);
  if (!token) throw notFound('Token');
  if (!caller.decide({ action: 'viewAccessToken', resource: tokenResource(token) }).allowed) throw notFound('Token');
  const owner = await findMemberById(db, caller.accountId, token.ownerId);
  if (!owner) throw notFound('Token');
  if (token.expiresAt && token.expiresAt <= now) {
    return { action, resource, allowed: false, reason: `the token expired at ${token.expiresAt.toISOString()}`, statements: [], refusedBy: 'token' };
  }
  if (token.kind === 'personal' && owner.status !== 'active') {
    return { action, resource, allowed: false, reason: 'the token is inactive: its owner was removed', statements: [], refusedBy: 'owner' };
  }
  const scope = await tokenPrincipal(db, caches, token, owner);
  const ownerPrincipal = token.kind === 'personal' ? await memberPrincipal(db, caches, owner) : null;
  return { action, resource, ...decideToken(scope, ownerPrincipal, request) };
}

/** Whether a key is well formed (so a resource can be named from it before the service validates). */
export function isKey(value: string): boolean {
  try {
    requireKey('key', value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A keyset page of only the rows the caller may see: loads further batches (never OFFSET) until
 * the page is full or the list ends.
 */
export async function visiblePage<T extends { id: string }>(page: KeysetPage, load: (page: KeysetPage) => Promise<T[]>, visible: (row: T) => boolean): Promise<T[]> {
  const out: T[] = [];
  let bounds = { after: page.after, before: page.before };
  for (;;) {
    const batch = await load({ ...page, ...bounds });
    for (const row of batch) {
      if (!visible(row)) continue;
      out.push(row);
      if (out.length === page.limit) return out;
    }
    const last = batch[batch.length - 1];
    if (batch.length < page.limit || last === undefined) return out;
    bounds = page.inverted ? { after: page.after, before: last.id } : { after: last.id, before: page.before };
  }
}
