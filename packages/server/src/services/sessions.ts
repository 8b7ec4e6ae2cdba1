import type { App } from '../app.ts';
import type { Tx } from '../db/client.ts';
import type { Context } from '../context.ts';
import type { MemberRow, SessionRow } from '../db/schema/members.ts';
import { generateSecret, digestSecret } from '../auth/secrets.ts';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords.ts';
import { forbidden, notFound, unauthenticated } from '../errors.ts';
import { assertAllowed } from '../auth/authorize.ts';
import { newId } from '../ids.ts';
import { redact } from '../logger.ts';
import { findMemberByEmail, updateMemberRow } from '../store/members.ts';
import { findSession, insertSession, revokeSession } from '../store/sessions.ts';
import { recordAudit } from './audit.ts';

const BAD_LOGIN = 'Invalid email or password';

/** Opens a session for a member inside an existing transaction; the secret is returned once. */
export function openSession(app: App, context: Pick<Context, 'clientIp' | 'userAgent'>, tx: Tx, member: MemberRow) {
  const secret = generateSecret('session');
  const now = new Date();
  const session = insertSession(tx, {
    id: newId(),
    memberId: member.id,
    secretHash: digestSecret(secret),
    createdAt: now,
    expiresAt: new Date(now.getTime() + app.config.sessionTtlMs),
    ip: context.clientIp,
    // Kept for "Managing sessions"; a secret pasted into it by a client is obscured, never stored.
    userAgent: redact(context.userAgent.slice(0, 512)),
  });
  return { secret, session };
}

/**
 * Email + password → a session secret. Unknown email and wrong password give the same error
 * after the same work (a dummy hash is verified), and attempts are throttled per account and address
 * (counted before the hash is verified; a success gives its attempt back).
 */
export async function login(context: Context, email: string, password: string): Promise<{ secret: string; member: MemberRow }> {
  const { app } = context;
  const normalized = email.trim().toLowerCase();
  await app.limiters.beginLogin(normalized, context.clientIp);
  const member = findMemberByEmail(app.db, normalized);
  const hash = member?.passwordHash ?? (await app.dummyPasswordHash);
  const valid = await verifyPassword(password, hash);
  if (!member || !valid || member.status !== 'active') {
    if (member) {
      app.db.transaction((tx) =>
        recordAudit(tx, context, {
          accountId: member.accountId,
          actor: member,
          action: 'login',
          resource: `member/${member.id}`,
          title: `Failed login for ${member.email}`,
          outcome: 'refused',
        }),
      );
    }
    throw unauthenticated(BAD_LOGIN);
  }
  await app.limiters.loginSucceeded(normalized, context.clientIp);
  // The cost was raised since this hash was made: the password is at hand now, so upgrade it.
  const upgraded = member.passwordHash && needsRehash(member.passwordHash, app.config.scryptLogN)
    ? await hashPassword(password, app.config.scryptLogN)
    : undefined;
  const { secret } = app.db.transaction((tx) => {
    if (upgraded) updateMemberRow(tx, member.id, { passwordHash: upgraded });
    const opened = openSession(app, context, tx, member);
    recordAudit(tx, context, {
      accountId: member.accountId,
      actor: member,
      sessionId: opened.session.id,
      action: 'login',
      resource: `member/${member.id}`,
      title: `${member.name} logged in`,
    });
    return opened;
  });
  return { secret, member };
}

/**
 * Ends a session of the caller's own (the current one by default). A personal token needs
 * revokeSessions on its owner (its scope may leave it out); a service token has no sessions: the
 * member who created it is not the token, so their sessions are not its to end.
 */
export function endSession(context: Context, sessionId: string): SessionRow {
  const caller = context.caller;
  if (!caller) throw unauthenticated('Authentication required');
  const resource = `member/${caller.member.id}`;
  if (caller.credential.kind === 'service') {
    throw forbidden('revokeSessions', resource, 'a service token has no sessions; those of the member who created it are not its own');
  }
  if (caller.credential.kind === 'personal') assertAllowed(context, { action: 'revokeSessions', resource });
  const { app } = context;
  const session = findSession(app.db, caller.member.id, sessionId);
  if (!session) throw notFound('Session');
  app.db.transaction((tx) => {
    revokeSession(tx, session.id, new Date());
    recordAudit(tx, context, {
      action: 'revokeSessions',
      resource,
      title: `${caller.member.name} ended a session`,
      changes: { session: { before: session.id } },
    });
  });
  app.caches.invalidate({ kind: 'session', sessionId: session.id });
  return session;
}
