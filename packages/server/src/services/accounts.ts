import { randomBytes } from 'node:crypto';
import type { App } from '../app.ts';
import type { AccountRow } from '../db/schema/accounts.ts';
import type { MemberRow } from '../db/schema/members.ts';
import { hashPassword } from '../auth/passwords.ts';
import { conflict, LatchkeyError, notFound, storageUnavailable } from '../errors.ts';
import { newId } from '../ids.ts';
import { countAccounts, insertAccount } from '../store/accounts.ts';
import { findMemberByEmail, insertMember, revokeSessionsOfMember, updateMemberRow } from '../store/members.ts';
import type { Context } from '../context.ts';
import { recordAudit, type AuditSource } from './audit.ts';
import { openSession } from './sessions.ts';
import { requireEmail, requireName, requirePassword } from './validation.ts';

export interface NewAccount {
  accountName: string;
  email: string;
  name: string;
  password: string;
}

/**
 * A new account and its owner, in one transaction (signUp and the first start). With
 * `openSessionFor`, the owner's first session is opened in the same transaction (signUp) and the
 * audit entry names it.
 */
export async function createAccountWithOwner(
  app: App,
  source: AuditSource,
  input: NewAccount,
  openSessionFor?: Pick<Context, 'clientIp' | 'userAgent'>,
): Promise<{ account: AccountRow; owner: MemberRow; secret?: string }> {
  const email = requireEmail('email', input.email);
  const name = requireName('name', input.name);
  const accountName = requireName('accountName', input.accountName);
  requirePassword('password', input.password);
  const passwordHash = await hashPassword(input.password, app.config.scryptLogN);
  return await app.transaction(async (tx) => {
    if (await findMemberByEmail(tx, email)) throw conflict('A member with this email already exists', { field: 'email' });
    const now = new Date();
    const account = await insertAccount(tx, { id: newId(), name: accountName, createdAt: now });
    const owner = await insertMember(tx, {
      id: newId(),
      accountId: account.id,
      email,
      name,
      role: 'owner',
      status: 'active',
      roleAttributes: {},
      passwordHash,
      createdAt: now,
      updatedAt: now,
    });
    const session = openSessionFor ? await openSession(app, openSessionFor, tx, owner) : undefined;
    await recordAudit(tx, source, {
      accountId: account.id,
      actor: owner,
      ...(session ? { sessionId: session.session.id } : {}),
      action: 'createAccount',
      resource: 'acct',
      title: `${owner.name} created account '${account.name}'`,
      changes: { name: { after: account.name }, owner: { after: owner.email } },
    });
    return { account, owner, ...(session ? { secret: session.secret } : {}) };
  });
}

/**
 * `signUp` (only with LATCHKEY_SIGNUP=open): throttled per client address before anything is
 * checked, like login, so its CONFLICT for a taken email is no oracle for testing many emails.
 */
export async function signUp(context: Context, input: NewAccount): Promise<{ secret: string; member: MemberRow }> {
  if (!context.app.config.signupOpen) {
    throw new LatchkeyError('FORBIDDEN', 'Sign-up is closed on this server (LATCHKEY_SIGNUP=open enables it)', {
      action: 'signUp',
      resource: 'server',
      reason: 'sign-up closed',
    });
  }
  await context.app.limiters.beginSignUp(context.clientIp);
  const { owner, secret } = await createAccountWithOwner(context.app, context, input, context);
  if (!secret) throw new Error('signUp opened no session');
  return { secret, member: owner };
}

/**
 * The operator's password reset (`pnpm --filter @latchkey/server admin reset-password`), run on the
 * server host: sets a new password for the member with this email (a generated one when none is
 * given, returned to be printed once), ends all their sessions and records the reset in the audit
 * log (no actor: the operator is not a member). The password is never logged.
 */
export async function resetPassword(app: App, email: string, password?: string): Promise<{ member: MemberRow; generatedPassword: string | null; sessionsEnded: number }> {
  const member = await findMemberByEmail(app.db, email.trim().toLowerCase());
  if (!member || member.status === 'removed') throw notFound(`Member with email ${email}`);
  const generatedPassword = password === undefined ? randomBytes(15).toString('base64url') : null;
  const chosen = password ?? generatedPassword ?? '';
  requirePassword('password', chosen);
  const passwordHash = await hashPassword(chosen, app.config.scryptLogN);
  const source: AuditSource = { caller: null, requestId: 'admin-reset-password', clientIp: 'local', userAgent: 'latchkey-admin' };
  const { updated, sessionsEnded } = await app.transaction(async (tx) => {
    const now = new Date();
    const row = await updateMemberRow(tx, member.id, { passwordHash, updatedAt: now });
    if (!row) throw notFound('Member');
    const ended = await revokeSessionsOfMember(tx, member.id, now);
    await recordAudit(tx, source, {
      accountId: member.accountId,
      actor: null,
      action: 'resetPassword',
      resource: `member/${member.id}`,
      title: `An operator reset the password of ${member.email} on the server host`,
      changes: { sessionsEnded: { after: ended } },
    });
    return { updated: row, sessionsEnded: ended };
  });
  app.caches.invalidate({ kind: 'member', memberId: member.id });
  return { member: updated, generatedPassword, sessionsEnded };
}

/**
 * First start: on an empty database, create an account and its owner. Returns the generated
 * password (to print once) when none was configured; returns null when there was nothing to do.
 */
export async function bootstrapOwner(app: App): Promise<{ email: string; generatedPassword: string | null } | null> {
  if (await countAccounts(app.db) > 0) return null;
  const generatedPassword = app.config.ownerPassword ? null : randomBytes(15).toString('base64url');
  const password = app.config.ownerPassword ?? generatedPassword ?? '';
  const source: AuditSource = { caller: null, requestId: 'bootstrap', clientIp: 'local', userAgent: 'latchkey-server' };
  try {
    await createAccountWithOwner(app, source, { accountName: 'Latchkey', email: app.config.ownerEmail, name: 'Owner', password });
  } catch (error) {
    // Several instances starting at once on one empty PostgreSQL: the owner's email is unique, so
    // one of them creates the account and the others find it made.
    const code = error instanceof LatchkeyError ? error.code : storageUnavailable(error)?.code;
    if (code === 'CONFLICT' && (await countAccounts(app.db)) > 0) return null;
    throw error;
  }
  return { email: app.config.ownerEmail, generatedPassword };
}
