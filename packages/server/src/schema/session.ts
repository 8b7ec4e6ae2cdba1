import type { MemberRow, SessionRow } from '../db/schema/members.ts';
import { builder } from '../builder.ts';
import { callerOf } from '../context.ts';
import { LatchkeyError } from '../errors.ts';
import { signUp } from '../services/accounts.ts';
import { changePassword, endSession, login } from '../services/sessions.ts';
import { listActiveSessions } from '../store/sessions.ts';
import { Member } from './member.ts';
import { keysetConnection, rawId } from './common.ts';
import { Viewer } from './viewer.ts';

/** Sign-in, sessions ("Managing sessions") and sign-up. */

export const LoginPayload = builder.objectRef<{ secret: string; member: MemberRow }>('LoginPayload').implement({
  description: 'A new session (login, acceptInvite, signUp): the secret is shown this once.',
  fields: (t) => ({
    secret: t.exposeString('secret', {
      description: 'The session secret (lku_…), shown only here: send it as `Authorization: <secret>`. It is stored only as a digest.',
    }),
    member: t.field({ type: Member, description: 'The member now logged in.', resolve: (p) => p.member }),
  }),
});

export const Session = builder.objectRef<SessionRow>('Session');
builder.node(Session, {
  description: 'One of your login sessions ("Managing sessions"). Only you see your own sessions (Viewer.sessions); never their secrets.',
  id: { resolve: (s) => s.id },
  loadOne: () => null,
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the session was opened (login).' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the session ends by itself (LATCHKEY_SESSION_TTL_HOURS after login).' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'When it was last used (coalesced: a few seconds behind); null if never.' }),
    ip: t.exposeString('ip', { nullable: true, description: 'The client address that logged in.' }),
    userAgent: t.exposeString('userAgent', { nullable: true, description: 'The User-Agent that logged in (a secret pasted into it is obscured).' }),
    current: t.boolean({
      description: 'Whether this is the session making the request.',
      resolve: (s, _a, ctx) => ctx.caller?.credential.kind === 'session' && ctx.caller.credential.sessionId === s.id,
    }),
  }),
});

builder.objectField(Viewer, 'sessions', (t) =>
  t.connection({
    type: Session,
    description: 'Your own live sessions, newest first.',
    resolve: (caller, args, ctx) =>
      keysetConnection('sessions', args, async (page) => await listActiveSessions(ctx.app.db, caller.member.id, page)),
  }, { name: 'SessionConnection' }, { name: 'SessionEdge' }),
);

const LoginInput = builder.inputType('LoginInput', {
  description: 'Email and password of a member.',
  fields: (t) => ({
    email: t.string({ required: true, description: "The member's email (case does not matter)." }),
    password: t.string({ required: true, description: "The member's password. Never logged or stored in clear." }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  description: 'A new account and its first owner.',
  fields: (t) => ({
    accountName: t.string({ required: true, description: "The new account's name." }),
    email: t.string({ required: true, description: "The owner's email; must not belong to a member already (CONFLICT)." }),
    name: t.string({ required: true, description: "The owner's display name." }),
    password: t.string({ required: true, description: "The owner's password, 8 to 1024 characters." }),
  }),
});

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  description: 'Your current password and the new one (8 to 1024 characters).',
  fields: (t) => ({
    currentPassword: t.string({ required: true, description: 'Your password now, to prove it is you and not someone holding your session.' }),
    newPassword: t.string({ required: true, description: 'The new password, 8 to 1024 characters.' }),
  }),
});

const ChangePasswordPayload = builder.objectRef<{ member: MemberRow }>('ChangePasswordPayload').implement({
  description: 'The result of changePassword.',
  fields: (t) => ({ member: t.field({ type: Member, description: 'You, with the new password in effect.', resolve: (p) => p.member }) }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginPayload,
    description:
      'Email + password → a new session. Anyone may call it (no credential needed). A wrong email or password is UNAUTHENTICATED (the same answer for both); ten failures lock the account for 15 minutes (RATE_LIMITED, HTTP 429, saying when the lockout ends).',
    authScopes: { public: true },
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: async (_root, { input }, ctx) => await login(ctx, input.email, input.password),
  }),
  logout: t.boolean({
    description: 'Ends the session making the request (a token cannot log out).',
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => {
      const caller = callerOf(ctx);
      if (caller.credential.kind !== 'session') {
        throw new LatchkeyError('BAD_USER_INPUT', 'logout ends a session; delete or reset an access token instead', { field: 'Authorization' });
      }
      await endSession(ctx, caller.credential.sessionId);
      return true;
    },
  }),
  revokeSession: t.boolean({
    description: 'Ends one of your own sessions (a personal token needs revokeSessions on its owner; a service token has none). NOT_FOUND for any other id.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: "The session's global id (Viewer.sessions)." }) },
    resolve: async (_root, args, ctx) => {
      await endSession(ctx, rawId(args.id, 'Session'));
      return true;
    },
  }),
  signUp: t.field({
    type: LoginPayload,
    description: 'A new account and its owner. Refused (FORBIDDEN) unless the server runs with LATCHKEY_SIGNUP=open.',
    authScopes: { public: true },
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => await signUp(ctx, input),
  }),
  changePassword: t.field({
    type: ChangePasswordPayload,
    description:
      'Changes your own password and ends your other sessions (this one stays). Sessions only: through an access token it is FORBIDDEN; without a credential UNAUTHENTICATED. A wrong current password is BAD_USER_INPUT and counts as a failed login. Recorded in the audit log (action changePassword on member/<id>); passwords are never logged.',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ member: await changePassword(ctx, input.currentPassword, input.newPassword) }),
  }),
}));
