import type { App } from '../app.ts';
import type { Tx } from '../db/client.ts';
import type { Context } from '../context.ts';
import type { MemberRow, SessionRow } from '../db/schema/members.ts';
import { generateSecret, digestSecret } from '../auth/secrets.ts';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../errors.ts';
import { assertAllowed } from '../auth/authorize.ts';
import { newId } from '../ids.ts';
import { redact } from '../logger.ts';
import { findMemberByEmail, updateMemberRow } from '../store/members.ts';
import { findSession, insertSession, revokeOtherSessions, revokeSession } from '../store/sessions.ts';
import { recordAudit } from './audit.ts';
import { requirePassword } from './validation.ts';

const BAD_LOGIN = 'Invalid email or password';

/** Opens a session for a member inside an existing transaction; the secret is returned once. */
export async function openSession(app: App, context: Pick<Context, 'clientIp' | 'userAgent'>, tx: Tx, member: MemberRow) {
  const secret = generateSecret('session');
  const now = new Date();
  const session = await insertSession(tx, {
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
  const member = await findMemberByEmail(app.db, normalized);
  const hash = member?.passwordHash ?? (await app.dummyPasswordHash);
  const valid = await verifyPassword(password, hash);
  if (!member || !valid || member.status !== 'active') {
    if (member) {
      await app.transaction(async (tx) =>
        await recordAudit(tx, context, {
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
  const { secret } = await app.transaction(async (tx) => {
    if (upgraded) await updateMemberRow(tx, member.id, { passwordHash: upgraded });
    const opened = await openSession(app, context, tx, member);
    await recordAudit(tx, context, {
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
 * A member changes their own password: only through a session (a token, even a personal one, is
 * never a proof of knowing the password), with the current password (checked and throttled like a
 * login). Their other sessions end in the same transaction; the one making the request stays.
 */
export async function changePassword(context: Context, currentPassword: string, newPassword: string): Promise<MemberRow> {
  const caller = context.caller;
  if (!caller) throw unauthenticated('Authentication required');
  const resource = `member/${caller.member.id}`;
  if (caller.credential.kind !== 'session') {
    throw forbidden('changePassword', resource, 'only a session can change its password: log in, never through an access token');
  }
  const sessionId = caller.credential.sessionId;
  requirePassword('newPassword', newPassword);
  const { app } = context;
  const member = caller.member;
  await app.limiters.beginLogin(member.email, context.clientIp);
  if (!member.passwordHash || !(await verifyPassword(currentPassword, member.passwordHash))) {
    throw badInput('currentPassword', 'is not your current password');
  }
  await app.limiters.loginSucceeded(member.email, context.clientIp);
  const passwordHash = await hashPassword(newPassword, app.config.scryptLogN);
  const { updated, ended } = await app.transaction(async (tx) => {
    const now = new Date();
    const row = await updateMemberRow(tx, member.id, { passwordHash, updatedAt: now });
    if (!row) throw notFound('Member');
    const count = await revokeOtherSessions(tx, member.id, sessionId, now);
    await recordAudit(tx, context, {
      action: 'changePassword',
      resource,
      title: `${member.name} changed their password`,
      changes: { otherSessionsEnded: { after: count } },
    });
    return { updated: row, ended: count };
  });
  app.caches.invalidate({ kind: 'member', memberId: member.id });
  app.log.info('password changed', { memberId: member.id, otherSessionsEnded: ended });
  return updated;
}

/**
 * Ends a session of the caller's own (the current one by default). A personal token needs
 * revokeSessions on its owner (its scope may leave it out); a service token has no sessions: the
 * member who created it is not the token, so their sessions are not its to end.
 */
export async function endSession(context: Context, sessionId: string): Promise<SessionRow> {
  const caller = context.caller;
  if (!caller) throw unauthenticated('Authentication required');
  const resource = `member/${caller.member.id}`;
  if (caller.credential.kind === 'service') {
    throw forbidden('revokeSessions', resource, 'a service token has no sessions; those of the member who created it are not its own');
  }
  if (caller.credential.kind === 'personal') assertAllowed(context, { action: 'revokeSessions', resource });
  const { app } = context;
  const session = await findSession(app.db, caller.member.id, sessionId);
  if (!session) throw notFound('Session');
  await app.transaction(async (tx) => {
    await revokeSession(tx, session.id, new Date());
    await recordAudit(tx, context, {
      action: 'revokeSessions',
      resource,
      title: `${caller.member.name} ended a session`,
      changes: { session: { before: session.id } },
    });
  });
  app.caches.invalidate({ kind: 'session', sessionId: session.id });
  return session;
}
