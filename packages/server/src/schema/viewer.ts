import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Caller } from '../auth/caller.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { Member } from './member.ts';

/** The caller: the member, and through which credential (the token field is added in token.ts). */
export const Viewer = builder.objectRef<Caller>('Viewer').implement({
  description: 'Who is calling: the member (for a service token, its creator) and the credential used.',
  fields: (t) => ({
    id: t.id({
      description:
        'A stable id for this caller: the same member through the same credential always has the same id (caches such as Apollo key the viewer by it). Not a Node id.',
      resolve: (caller) => encodeGlobalID('Viewer', `${caller.member.id}:${caller.credential.kind === 'session' ? caller.credential.sessionId : caller.credential.token.id}`),
    }),
    member: t.field({ type: Member, description: 'The member calling: for a session or a personal token, its member; for a service token, the member who created it.', resolve: (caller) => caller.member }),
    credentialKind: t.string({
      description: 'SESSION, PERSONAL or SERVICE.',
      resolve: (caller) => caller.credential.kind.toUpperCase(),
    }),
    apiVersion: t.int({ description: 'The API version in effect for this request.', resolve: (_c, _a, ctx) => ctx.apiVersion }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'Who you are: the member and the credential of this request. Any valid credential may ask; without one, UNAUTHENTICATED.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => callerOf(ctx),
  }),
);
