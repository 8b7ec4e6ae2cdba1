import type { DecidingStatement as PolicyDecidingStatement } from '@latchkey/policy';
import { builder } from '../builder.ts';
import { checkAccess, type AccessDecisionResult } from '../services/access.ts';
import { rawId } from './common.ts';
import { EffectEnum, Statement } from './token.ts';

/** checkAccess: any decision, explained (which statement decided; for a personal token, which side refused). */

const RefusedByEnum = builder.enumType('RefusedBy', {
  description: "For a token's refusal: its own scope (TOKEN) or its owner's current permissions (OWNER).",
  values: {
    TOKEN: { value: 'token', description: "The token's own scope refused it." },
    OWNER: { value: 'owner', description: "The token's scope allows it, but its owner's current permissions do not." },
  } as const,
});

const DecidingStatement = builder.objectRef<PolicyDecidingStatement>('DecidingStatement').implement({
  description: 'A statement that decided: the grant it belongs to, its position there, and the statement.',
  fields: (t) => ({
    source: t.exposeString('source', {
      description: 'The grant: `base:writer`, `role:<key>`, `team:<key>/role:<key>`, `token:<role>`, `inline`…',
    }),
    index: t.exposeInt('index', { description: 'Position of the statement in that grant\'s policy (0-based).' }),
    effect: t.field({ description: 'Whether the statement allows or denies.', type: EffectEnum, resolve: (s) => s.effect }),
    statement: t.field({ description: 'The statement itself.', type: Statement, resolve: (s) => s.statement }),
  }),
});

const AccessDecision = builder.objectRef<AccessDecisionResult>('AccessDecision').implement({
  description: 'Whether a request would be allowed, and why.',
  fields: (t) => ({
    action: t.exposeString('action', { description: 'The action asked about.' }),
    resource: t.exposeString('resource', { description: 'The resource asked about.' }),
    allowed: t.exposeBoolean('allowed', { description: 'Whether the credential may do it.' }),
    reason: t.exposeString('reason', { description: 'Why, in words ("allowed", "denied", "no matching allow", …).' }),
    statements: t.field({
      type: [DecidingStatement],
      description: 'The allowing statement(s), or every statement that denied; empty when nothing matched.',
      resolve: (d) => [...d.statements],
    }),
    refusedBy: t.field({
      type: RefusedByEnum,
      nullable: true,
      description: 'For a refused token request: TOKEN (its scope) or OWNER (a personal token\'s owner). Null when allowed or for a session.',
      resolve: (d) => d.refusedBy ?? null,
    }),
  }),
});

builder.queryField('checkAccess', (t) =>
  t.field({
    type: AccessDecision,
    description:
      "Explains a decision for your own credential, or for a token you may view (tokenId). Project and environment tags are the real ones.",
    args: {
      action: t.arg.string({ description: 'An action of the catalogue, e.g. updateOn.', required: true }),
      resource: t.arg.string({ required: true, description: 'A resource name, e.g. proj/web:env/production:flag/new-ui.' }),
      tokenId: t.arg.id({ description: 'Ask for this token (one you may view) instead of your own credential.' }),
    },
    authScopes: { authenticated: true },
    resolve: async (_root, args, ctx) =>
      await checkAccess(ctx, {
        action: args.action,
        resource: args.resource,
        tokenId: args.tokenId === null || args.tokenId === undefined ? undefined : rawId(args.tokenId, 'Token'),
      }),
  }),
);
