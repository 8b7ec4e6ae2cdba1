import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import type { AccessRequest } from '@latchkey/policy';
import type { Context } from './context.ts';
import { parseIsoDateTime } from './dates.ts';
import { forbidden, unauthenticated } from './errors.ts';
import { authorize, isAuthorized } from './auth/authorize.ts';

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
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
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
    nodeQueryOptions: { authScopes: { authenticated: true } },
    nodesQueryOptions: false,
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

builder.queryType({});
builder.mutationType({});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time, always in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value as string).toISOString()),
  parseValue: (value) => {
    const date = typeof value === 'string' ? parseIsoDateTime(value) : null;
    if (!date) throw new TypeError('DateTime must be a real ISO-8601 date-time (e.g. 2030-02-28T12:00:00Z)');
    return date;
  },
});
