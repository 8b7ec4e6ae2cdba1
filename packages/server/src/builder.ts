import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import type { AccessRequest } from '@latchkey/policy';
import type { Context } from './context.ts';
import { parseIsoDateTime } from './dates.ts';
import { forbidden, unauthenticated } from './errors.ts';
import { authorize, isAuthorized } from './auth/authorize.ts';
import { fieldComplexity } from './graphql-limits.ts';
import { isPlausibleId } from './ids.ts';
import './schema-descriptions.ts';

/** Root fields that cannot fail on their own stay non-null; every other root field is nullable. */
const NEVER_FAILS = new Set(['apiVersions']);

/**
 * Every root field is nullable (unless in NEVER_FAILS): one refused field of a query that asked
 * for several answers null with its error, and the others still answer (data is not nulled whole).
 */
class RootFieldsNullablePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if ((fieldConfig.kind !== 'Query' && fieldConfig.kind !== 'Mutation') || NEVER_FAILS.has(fieldConfig.name)) return fieldConfig;
    return { ...fieldConfig, type: { ...fieldConfig.type, nullable: true } };
  }
}
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      rootFieldsNullable: RootFieldsNullablePlugin<Types>;
    }
  }
}
SchemaBuilder.registerPlugin('rootFieldsNullable', RootFieldsNullablePlugin);

/**
 * Scopes every field declares:
 * - `public`: anyone, even without a credential (login, signUp, acceptInvite, apiVersions);
 * - `authenticated`: any valid credential of an account;
 * - `can`: the policy engine allows every listed request for the caller's credential.
 */
export interface AuthScopes {
  public: boolean;
  authenticated: boolean;
  can: AccessRequest | readonly AccessRequest[];
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: AuthScopes;
  Scalars: { DateTime: { Input: Date; Output: Date }; ID: { Input: string; Output: string } };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  /** totalCount is computed only when the field is selected. */
  Connection: { totalCount: () => Promise<number> };
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin, ComplexityPlugin, 'rootFieldsNullable', 'structuralDescriptions'],
  defaultFieldNullability: false,
  // Costs only: the limit is checked per request (graphql-limits.ts), before execution starts.
  complexity: { fieldComplexity },
  scopeAuth: {
    // The policy engine decides; this only asks it. Results are cached per request and parameter.
    authScopes: (context) =>
      context.withoutAuthorization
        ? { public: true, authenticated: true, can: true }
        : {
            public: true,
            authenticated: context.caller !== null,
            can: (request) => isAuthorized(context, request),
          },
    cacheKey: (value) => JSON.stringify(value),
    unauthorizedError: (_parent, context, info, result) => refusal(context, info.parentType.name, info.fieldName, result.failure),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A malformed global id ("nope", or one naming no Node type) is simply nothing: null, not an
    // internal error, so no client can write error lines at will.
    decodeGlobalID: (globalID) => {
      try {
        const decoded = decodeGlobalID(globalID);
        return isPlausibleId(decoded.id) ? decoded : { typename: '', id: '' };
      } catch {
        return { typename: '', id: '' };
      }
    },
    nodeTypeOptions: { description: 'An object with a global id (Relay): Token, Member, CustomRole, Team, Project, Environment, Flag, AuditEntry, Session, Account.' },
    nodeQueryOptions: {
      args: { id: { description: 'A global id, as any `id` field returns it.' } },
      description: 'Any object by its global id (null when it does not exist, is not yours to see, or the id is malformed).',
      authScopes: { authenticated: true },
      resolve: (_root, { id }, _context, info, resolveNode) => {
        const type = id.typename ? info.schema.getType(id.typename) : undefined;
        const isNode = type && 'getInterfaces' in type && type.getInterfaces().some((i) => i.name === 'Node');
        return isNode && id.id ? resolveNode(id) : null;
      },
    },
    nodesQueryOptions: false,
    nodesOnConnection: true,
  },
});

/** Turns a scope failure into the error the spec asks for: 401 without a credential, FORBIDDEN otherwise. */
function refusal(context: Context, typeName: string, fieldName: string, failure: AuthFailure) {
  if (!context.caller) return unauthenticated('Authentication required: send a session secret or an access token in the Authorization header');
  const request = firstRefusedRequest(context, failure);
  if (!request) return forbidden(fieldName, typeName, 'not allowed for this credential');
  const decision = authorize(context, request);
  return forbidden(request.action, request.resource, decision.reason);
}

function firstRefusedRequest(context: Context, failure: AuthFailure): AccessRequest | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope: {
      if (failure.scope !== 'can') return undefined;
      const requests = ([] as AccessRequest[]).concat(failure.parameter as AccessRequest | AccessRequest[]);
      return requests.find((r) => !authorize(context, r).allowed);
    }
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      for (const inner of failure.failures) {
        const found = firstRefusedRequest(context, inner);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

builder.queryType({ description: 'What you can read. Each field says who may see it and which action guards it.' });
builder.mutationType({ description: 'What you can change. Every change is recorded in the audit log; a refused one too.' });

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole list holds for you (all pages), counted only when asked for.',
    resolve: (connection) => connection.totalCount(),
  }),
);

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time, always in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value as string).toISOString()),
  parseValue: (value) => {
    const date = typeof value === 'string' ? parseIsoDateTime(value) : null;
    if (!date) throw new TypeError('DateTime must be a real ISO-8601 date-time (e.g. 2030-02-28T12:00:00Z)');
    return date;
  },
});
