import { randomBytes } from 'node:crypto';
import type { App } from '../app.ts';
import type { AccountRow } from '../db/schema/accounts.ts';
import type { MemberRow } from '../db/schema/members.ts';
import { hashPassword } from '../auth/passwords.ts';
import { conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { countAccounts, insertAccount } from '../store/accounts.ts';
import { findMemberByEmail, insertMember } from '../store/members.ts';
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
  return app.db.transaction((tx) => {
    if (findMemberByEmail(tx, email)) throw conflict('A member with this email already exists', { field: 'email' });
    const now = new Date();
    const account = insertAccount(tx, { id: newId(), name: accountName, createdAt: now });
    const owner = insertMember(tx, {
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
    const session = openSessionFor ? openSession(app, openSessionFor, tx, owner) : undefined;
    recordAudit(tx, source, {
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
 * First start: on an empty database, create an account and its owner. Returns the generated
 * password (to print once) when none was configured; returns null when there was nothing to do.
 */
export async function bootstrapOwner(app: App): Promise<{ email: string; generatedPassword: string | null } | null> {
  if (countAccounts(app.db) > 0) return null;
  const generatedPassword = app.config.ownerPassword ? null : randomBytes(15).toString('base64url');
  const password = app.config.ownerPassword ?? generatedPassword ?? '';
  const source: AuditSource = { caller: null, requestId: 'bootstrap', clientIp: 'local', userAgent: 'latchkey-server' };
  await createAccountWithOwner(app, source, { accountName: 'Latchkey', email: app.config.ownerEmail, name: 'Owner', password });
  return { email: app.config.ownerEmail, generatedPassword };
}
