import { encodeGlobalID } from '@pothos/plugin-relay';
import { validatePolicy, type AccessRequest, type PolicyIssue, type Statement as PolicyStatement } from '@latchkey/policy';
import type { GraphQLResolveInfo } from 'graphql';
import type { Caller } from '../auth/caller.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import type { TokenRow } from '../db/schema/tokens.ts';
import { badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  checkNewToken,
  cloneToken,
  createToken,
  deleteToken,
  findVisibleToken,
  isTokenActive,
  newTokenResource,
  pendingTokenId,
  resetToken,
  tokenCustomRoles,
  tokenForOperation,
  tokenLastUsedAt,
  tokenOwner,
  tokenResource,
  updateActions,
  updateToken,
  visibleTokens,
  type ScopeCheck,
} from '../services/tokens.ts';
import { BaseRoleEnum, keysetConnection, rawId } from './common.ts';
import { Member } from './member.ts';
import { CustomRole } from './role.ts';
import { Viewer } from './viewer.ts';

type MaybePromise<T> = T | Promise<T>;

/**
 * Access tokens. Also the home of the policy-language GraphQL types (`Effect`, `Statement`,
 * `StatementInput`) and `toPolicyStatements`, which roles import from here.
 */

export const EffectEnum = builder.enumType('Effect', {
  description: 'What a statement does when it applies. Deny always wins over allow.',
  values: {
    ALLOW: { value: 'allow', description: 'Allows the actions on the resources (unless a deny applies too).' },
    DENY: { value: 'deny', description: 'Refuses the actions on the resources, whatever allows them.' },
  } as const,
});

/** One statement of a policy: an effect, exactly one of actions/notActions, exactly one of resources/notResources. */
export const Statement = builder.objectRef<PolicyStatement>('Statement').implement({
  description: 'Allows or denies actions on resources. Exactly one of actions/notActions and one of resources/notResources is set.',
  fields: (t) => ({
    effect: t.field({ description: 'Allow or deny.', type: EffectEnum, resolve: (s) => s.effect }),
    actions: t.stringList({ description: 'The actions it covers (globs like "update*"); or notActions.', nullable: true, resolve: (s) => s.actions ?? null }),
    notActions: t.stringList({ description: 'Every action except these; or actions.', nullable: true, resolve: (s) => s.notActions ?? null }),
    resources: t.stringList({ description: 'The resource specifiers it covers (proj/web:env/*, member/*, …); or notResources.', nullable: true, resolve: (s) => s.resources ?? null }),
    notResources: t.stringList({ description: 'Every resource except these; or resources.', nullable: true, resolve: (s) => s.notResources ?? null }),
  }),
});

export const StatementInput = builder.inputType('StatementInput', {
  description: 'A policy statement: give exactly one of actions/notActions and exactly one of resources/notResources.',
  fields: (t) => ({
    effect: t.field({ description: 'Allow or deny.', type: EffectEnum, required: true }),
    actions: t.stringList({ description: 'The actions it covers (globs allowed); give exactly one of actions and notActions.' }),
    notActions: t.stringList({ description: 'Every action except these.' }),
    resources: t.stringList({ description: 'The resource specifiers it covers; give exactly one of resources and notResources.' }),
    notResources: t.stringList({ description: 'Every resource except these.' }),
  }),
});

/** The GraphQL input shape of one statement (what `StatementInput` resolves to). */
export interface StatementInputValue {
  effect: 'allow' | 'deny';
  actions?: readonly string[] | null;
  notActions?: readonly string[] | null;
  resources?: readonly string[] | null;
  notResources?: readonly string[] | null;
}

/**
 * Validates statements given through GraphQL and returns them as a policy for the engine.
 * Throws BAD_USER_INPUT naming the first offending path, e.g. `inlinePolicy[1].resources`
 * (`field` is the input field the list came from); every issue is listed in `extensions.issues`.
 * An empty list is valid here (it grants nothing); callers that need a statement say so.
 */
export function toPolicyStatements(input: readonly StatementInputValue[], field = 'policy'): PolicyStatement[] {
  const result = validatePolicy(input);
  if (result.ok) return result.policy;
  // The path names the element at fault (`policy[0].resources[1]`); the message is what is wrong with it.
  const pathOf = (issue: PolicyIssue) => {
    if (issue.statement < 0) return field;
    if (issue.field === 'statement') return `${field}[${issue.statement}]`;
    const element = issue.element === undefined ? '' : `[${issue.element}]`;
    return `${field}[${issue.statement}].${issue.field}${element}`;
  };
  const messageOf = (issue: PolicyIssue) => {
    const prefix = `${issue.field}[${issue.element}]: `;
    return issue.element !== undefined && issue.message.startsWith(prefix) ? issue.message.slice(prefix.length) : issue.message;
  };
  const [first] = result.issues;
  if (!first) throw badInput(field, 'is not a valid policy');
  throw badInput(pathOf(first), messageOf(first), { issues: result.issues.map((i) => ({ path: pathOf(i), message: messageOf(i) })) });
}

// ---------------------------------------------------------------------------------------------
// Token

export const TokenKindEnum = builder.enumType('TokenKind', {
  description: 'Whom a token belongs to: a member (personal) or the account (service).',
  values: {
    PERSONAL: { value: 'personal', description: 'Belongs to a member; can never do more than that member can now.' },
    SERVICE: { value: 'service', description: 'Belongs to the account; its scope is fixed at creation.' },
  } as const,
});

/**
 * Rows a field may return without the viewAccessToken check: the token a mutation just created
 * or changed (its caller was allowed that), and the token making the request (Viewer.token).
 */
const grantedTokens = new WeakSet<TokenRow>();
function granted(token: TokenRow): TokenRow {
  grantedTokens.add(token);
  return token;
}

/** An access token: never its secret, only the obscured form (prefix…last four). */
export const Token = builder.objectRef<TokenRow>('Token');
builder.node(Token, {
  description: 'A personal or service access token. Its secret is shown once, by createToken, cloneToken or resetToken.',
  id: { resolve: (token) => token.id },
  authScopes: (token) =>
    grantedTokens.has(token) ? { authenticated: true } : { can: { action: 'viewAccessToken', resource: tokenResource(token) } },
  // Tokens of other accounts, deleted ones and those the caller may not view are simply not found.
  loadOne: async (id, ctx) => await findVisibleToken(ctx, id),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Its name (not unique).' }),
    description: t.exposeString('description', { nullable: true, description: 'What it is for (null if never said).' }),
    kind: t.field({ description: 'Personal or service.', type: TokenKindEnum, resolve: (token) => token.kind }),
    owner: t.field({
      type: Member,
      nullable: true,
      description: 'Personal: the member it belongs to. Service: the member who created it.',
      resolve: async (token, _args, ctx) => await tokenOwner(ctx, token) ?? null,
    }),
    role: t.field({ type: BaseRoleEnum, nullable: true, description: 'The scope, when it is a base role.', resolve: (token) => token.role }),
    customRoles: t.field({
      type: [CustomRole],
      description: 'The scope, when it is custom roles (additive; empty otherwise).',
      resolve: async (token, _args, ctx) => await tokenCustomRoles(ctx, token),
    }),
    customRoleKeys: t.stringList({
      description: 'The scope, when it is custom roles: their keys (empty otherwise).',
      resolve: async (token, _args, ctx) => (await tokenCustomRoles(ctx, token)).map((role) => role.key),
    }),
    inlinePolicy: t.field({
      type: [Statement],
      nullable: true,
      description: 'The scope, when it is an inline policy.',
      resolve: (token) => token.inlinePolicy,
    }),
    obscuredSecret: t.exposeString('obscuredSecret', { description: 'The prefix and last four characters of the current secret.' }),
    defaultApiVersion: t.exposeInt('defaultApiVersion', { description: 'Used when a request sends no latchkey-api-version header.' }),
    active: t.boolean({
      description: 'False when the token expired or (personal) its owner was removed from the account.',
      resolve: async (token, _args, ctx) => await isTokenActive(ctx, token),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed (name, description, expiry, scope or secret).' }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The last authenticated request made with the token.',
      resolve: (token, _args, ctx) => tokenLastUsedAt(ctx, token),
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'After this it is refused (HTTP 401); null: no expiry.' }),
  }),
});

export const TokenConnection = builder.connectionObject({ type: Token, name: 'TokenConnection' }, { name: 'TokenEdge' });

builder.queryFields((t) => ({
  token: t.field({
    type: Token,
    nullable: true,
    description: 'One token you may view; NOT_FOUND for any other id.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ description: 'The token\'s global id.', required: true }) },
    resolve: async (_root, args, ctx) => {
      const token = await findVisibleToken(ctx, rawId(args.id, 'Token'));
      if (!token) throw notFound('Token');
      return token;
    },
  }),
  tokens: t.connection(
    {
      type: Token,
      description:
        'Your personal tokens and the service tokens you created, in creation order; with showAll, every token you may view (viewAccessToken). Never a secret.',
      authScopes: { authenticated: true },
      args: {
        showAll: t.arg.boolean({ description: 'Every token you may view, not only your own.' }),
        kind: t.arg({ description: 'Only tokens of this kind.', type: TokenKindEnum }),
      },
      resolve: (_root, args, ctx) =>
        keysetConnection('tokens', args, async (page) => await visibleTokens(ctx, { showAll: args.showAll, kind: args.kind }, page)),
    },
    TokenConnection,
  ),
}));

builder.objectField(Member, 'tokens', (t) =>
  t.connection(
    {
      type: Token,
      description: "This member's personal tokens and the service tokens they created, those you may view.",
      authScopes: { authenticated: true },
      args: { kind: t.arg({ description: 'Only tokens of this kind.', type: TokenKindEnum }) },
      resolve: (member, args, ctx) => keysetConnection('tokens', args, async (page) => await visibleTokens(ctx, { ownerId: member.id, kind: args.kind }, page)),
    },
    TokenConnection,
  ),
);

builder.objectField(Viewer, 'token', (t) =>
  t.field({
    type: Token,
    nullable: true,
    description: 'The access token making this request (null for a session).',
    resolve: (caller) => (caller.token ? granted({ ...caller.token }) : null),
  }),
);

// ---------------------------------------------------------------------------------------------
// Mutations

const CreateTokenInput = builder.inputType('CreateTokenInput', {
  description: 'A new token: its name and exactly one scope (role, customRoleKeys or inlinePolicy), never more than you can do.',
  fields: (t) => ({
    name: t.string({ description: 'A name to recognize it by (not unique).', required: true }),
    description: t.string({ description: 'What it is for.' }),
    role: t.field({ type: BaseRoleEnum, description: 'Scope: a base role. Give exactly one of role, customRoleKeys, inlinePolicy.' }),
    customRoleKeys: t.stringList({ description: 'Scope: custom roles (additive).' }),
    inlinePolicy: t.field({ type: [StatementInput], description: 'Scope: a policy of its own.' }),
    serviceToken: t.boolean({ description: 'A service token (belongs to the account) instead of a personal one. Default false.' }),
    defaultApiVersion: t.int({ description: 'One of apiVersions; default the newest.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'After this the token is refused (HTTP 401). Must be in the future.' }),
  }),
});

const UpdateTokenInput = builder.inputType('UpdateTokenInput', {
  description: "Only the fields given change. A service token's scope can never change (FORBIDDEN).",
  fields: (t) => ({
    id: t.id({ description: 'The token\'s global id.', required: true }),
    name: t.string({ description: 'A new name.' }),
    description: t.string({ description: 'null clears it.' }),
    role: t.field({ description: 'A new scope: a base role (personal tokens only; never above your own).', type: BaseRoleEnum }),
    customRoleKeys: t.stringList({ description: 'A new scope: custom roles you hold (personal tokens only).' }),
    inlinePolicy: t.field({ description: 'A new scope: an inline policy contained in your permissions (personal tokens only).', type: [StatementInput] }),
    expiresAt: t.field({ type: 'DateTime', description: 'null clears it.' }),
  }),
});

const CloneTokenInput = builder.inputType('CloneTokenInput', {
  description: 'Which token to copy, and the name of the copy.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The global id of the token to copy (you must be able to create its scope)." }),
    name: t.string({ description: 'Default: "<name> (copy)".' }),
  }),
});

const ResetTokenInput = builder.inputType('ResetTokenInput', {
  description: 'Which token gets a new secret, and how long the old one keeps working.',
  fields: (t) => ({
    id: t.id({ description: 'The token\'s global id.', required: true }),
    oldSecretExpiresAt: t.field({
      type: 'DateTime',
      description: 'Keep the old secret working until then (in the future); without it the old secret stops at once.',
    }),
  }),
});

const DeleteTokenInput = builder.inputType('DeleteTokenInput', {
  description: 'Which token to delete.',
  fields: (t) => ({ id: t.id({ required: true, description: "The token's global id." }) }),
});

interface IssuedTokenShape {
  token: TokenRow;
  secret: string;
}

const CreateTokenPayload = builder.objectRef<IssuedTokenShape>('CreateTokenPayload').implement({
  description: 'A new token and its secret: the only time the secret is shown. Store it now.',
  fields: (t) => ({
    token: t.field({ description: 'The new token.', type: Token, resolve: (p) => p.token }),
    secret: t.exposeString('secret', { description: 'The secret (lkp_… or lks_…), shown only here: it is stored as a digest. Send it as `Authorization: <secret>`.' }),
  }),
});

const UpdateTokenPayload = builder.objectRef<{ token: TokenRow }>('UpdateTokenPayload').implement({
  description: 'The result of updateToken.',
  fields: (t) => ({ token: t.field({ description: 'The token with the change applied.', type: Token, resolve: (p) => p.token }) }),
});

const ResetTokenPayload = builder.objectRef<IssuedTokenShape>('ResetTokenPayload').implement({
  description: 'The new secret: the only time it is shown.',
  fields: (t) => ({
    token: t.field({ description: 'The token, with its new secret in effect.', type: Token, resolve: (p) => p.token }),
    secret: t.exposeString('secret', { description: 'The new secret, shown only here.' }),
  }),
});

const DeleteTokenPayload = builder.objectRef<{ deletedTokenId: string }>('DeleteTokenPayload').implement({
  description: 'The result of deleteToken.',
  fields: (t) => ({ deletedTokenId: t.id({ description: "The deleted token's global id.", resolve: (p) => encodeGlobalID('Token', p.deletedTokenId) }) }),
});

/** Scopes that need the caller; without one the field simply requires authentication (HTTP 401). */
function withCaller(ctx: Context, scopes: (caller: Caller) => MaybePromise<{ can: AccessRequest | AccessRequest[] }>) {
  return ctx.caller ? scopes(ctx.caller) : { authenticated: true };
}

/** Tells apart several creations in one request (aliases), so each keeps the id its scopes were decided for. */
const newTokenId = (ctx: Context, info: GraphQLResolveInfo) => pendingTokenId(ctx, String(info.path.key), newId);

const policyOf = (input: readonly StatementInputValue[] | null | undefined) =>
  input === null || input === undefined ? input : toPolicyStatements(input, 'inlinePolicy');

const issued = ({ token, secret }: IssuedTokenShape): IssuedTokenShape => ({ token: granted(token), secret });

builder.mutationFields((t) => ({
  createToken: t.field({
    type: CreateTokenPayload,
    description: 'A personal token (or a service token with serviceToken: true), within your own permissions (action createAccessToken on member/<you>:token/* or service-token/*). Returns the secret once.',
    args: { input: t.arg({ type: CreateTokenInput, required: true }) },
    authScopes: (_root, { input }, ctx, info) =>
      withCaller(ctx, (caller) => ({
        can: { action: 'createAccessToken', resource: newTokenResource(caller, input.serviceToken ? 'service' : 'personal', newTokenId(ctx, info)) },
      })),
    resolve: async (_root, { input }, ctx, info) =>
      issued(await createToken(ctx, newTokenId(ctx, info), { ...input, inlinePolicy: policyOf(input.inlinePolicy) })),
  }),
  updateToken: t.field({
    type: UpdateTokenPayload,
    description:
      "Changes a token's name (action updateAccessTokenName), description (updateAccessTokenDescription), expiry (updateAccessTokenExpiry) or scope (updateAccessTokenPolicy; personal tokens only, never beyond your own permissions). Audited.",
    args: { input: t.arg({ type: UpdateTokenInput, required: true }) },
    authScopes: (_root, { input }, ctx) =>
      withCaller(ctx, async () => {
        const actions = updateActions(input);
        const token = await tokenForOperation(ctx, rawId(input.id, 'Token'), actions);
        const resource = tokenResource(token);
        return { can: (actions.length > 0 ? actions : ['viewAccessToken']).map((action) => ({ action, resource })) };
      }),
    resolve: async (_root, { input }, ctx) => {
      const token = await tokenForOperation(ctx, rawId(input.id, 'Token'), updateActions(input));
      return { token: granted(await updateToken(ctx, token, { ...input, inlinePolicy: policyOf(input.inlinePolicy) })) };
    },
  }),
  cloneToken: t.field({
    type: CreateTokenPayload,
    description: 'A new token with the same scope, kind and API version (action createAccessToken, under the creation caps for you). Returns the secret once.',
    args: { input: t.arg({ type: CloneTokenInput, required: true }) },
    authScopes: (_root, { input }, ctx, info) =>
      withCaller(ctx, async (caller) => {
        const source = await tokenForOperation(ctx, rawId(input.id, 'Token'), []);
        return {
          can: [
            { action: 'viewAccessToken', resource: tokenResource(source) },
            { action: 'createAccessToken', resource: newTokenResource(caller, source.kind, newTokenId(ctx, info)) },
          ],
        };
      }),
    resolve: async (_root, { input }, ctx, info) =>
      issued(await cloneToken(ctx, await tokenForOperation(ctx, rawId(input.id, 'Token'), []), newTokenId(ctx, info), input)),
  }),
  resetToken: t.field({
    type: ResetTokenPayload,
    description: 'A new secret (action resetAccessToken; returned once); the old one stops now or at oldSecretExpiresAt.',
    args: { input: t.arg({ type: ResetTokenInput, required: true }) },
    authScopes: (_root, { input }, ctx) =>
      withCaller(ctx, async () => {
        const token = await tokenForOperation(ctx, rawId(input.id, 'Token'), ['resetAccessToken']);
        return { can: { action: 'resetAccessToken', resource: tokenResource(token) } };
      }),
    resolve: async (_root, { input }, ctx) => issued(await resetToken(ctx, await tokenForOperation(ctx, rawId(input.id, 'Token'), ['resetAccessToken']), input)),
  }),
  deleteToken: t.field({
    type: DeleteTokenPayload,
    description: 'Deletes a token (action deleteAccessToken): every later request with it gets HTTP 401.',
    args: { input: t.arg({ type: DeleteTokenInput, required: true }) },
    authScopes: (_root, { input }, ctx) =>
      withCaller(ctx, async () => {
        const token = await tokenForOperation(ctx, rawId(input.id, 'Token'), ['deleteAccessToken']);
        return { can: { action: 'deleteAccessToken', resource: tokenResource(token) } };
      }),
    resolve: async (_root, { input }, ctx) => ({
      deletedTokenId: await deleteToken(ctx, await tokenForOperation(ctx, rawId(input.id, 'Token'), ['deleteAccessToken'])),
    }),
  }),
}));

/** The answer of checkTokenScope: allowed, or the first action and resource that exceed. */
const TokenScopeCheck = builder.objectRef<ScopeCheck>('TokenScopeCheck').implement({
  description: 'Whether createToken would accept a token for you, decided by the same creation caps and no-escalation rule.',
  fields: (t) => ({
    allowed: t.exposeBoolean('allowed', { description: 'True when createToken with this input would succeed now (a full service-token limit answers LIMIT_EXCEEDED here too).' }),
    action: t.string({ nullable: true, description: 'When refused: the first action the token would have that you do not.', resolve: (c) => (c.allowed ? null : c.action) }),
    resource: t.string({ nullable: true, description: 'When refused: the resource of that action.', resolve: (c) => (c.allowed ? null : c.resource) }),
    reason: t.string({ nullable: true, description: 'When refused: why, in words.', resolve: (c) => (c.allowed ? null : c.reason) }),
  }),
});

builder.queryFields((t) => ({
  checkTokenScope: t.field({
    type: TokenScopeCheck,
    description:
      'A dry run of createToken: the same guard, caps and no-escalation rule, nothing created or recorded. For forms that show the first exceeding action and resource before saving. Any member may ask about themselves.',
    args: { input: t.arg({ type: CreateTokenInput, required: true, description: 'Exactly what createToken would be given.' }) },
    authScopes: { authenticated: true },
    resolve: async (_root, { input }, ctx, info) => await checkNewToken(ctx, newTokenId(ctx, info), { ...input, inlinePolicy: policyOf(input.inlinePolicy) }),
  }),
}));
