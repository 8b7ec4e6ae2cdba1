import { and, eq, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one, only } from './rows.ts';
import { type MemberRow, type SessionRow } from '../db/schema/members.ts';
import { members, sessions } from '../db/tables.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';
import { prepared } from './prepared.ts';

export async function findSessionBySecretHash(db: DbOrTx, secretHash: string): Promise<{ session: SessionRow; member: MemberRow } | undefined> {
  const query = prepared(db, 'findSessionBySecretHash', (d) =>
    d
      .select({ session: sessions, member: members })
      .from(sessions)
      .innerJoin(members, eq(members.id, sessions.memberId))
      .where(eq(sessions.secretHash, sql.placeholder('secretHash')))
      .prepare(),
  );
  return one(await query.execute({ secretHash }));
}

export async function insertSession(db: DbOrTx, row: typeof sessions.$inferInsert): Promise<SessionRow> {
  return await db.insert(sessions).values(row).returning().then(only);
}

export async function findSession(db: DbOrTx, memberId: string, id: string): Promise<SessionRow | undefined> {
  return await db.select().from(sessions).where(and(eq(sessions.memberId, memberId), eq(sessions.id, id))).then(one);
}

export async function revokeSession(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.update(sessions).set({ revokedAt: at }).where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
}

/** Ends every live session of a member except one (the caller's own); returns how many ended. */
export async function revokeOtherSessions(db: DbOrTx, memberId: string, exceptId: string, at: Date): Promise<number> {
  return await db
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt), ne(sessions.id, exceptId)))
    .returning({ id: sessions.id })
    .then((rows) => rows.length);
}

/** A member's live sessions, newest first, keyset-paginated. */
export async function listActiveSessions(db: DbOrTx, memberId: string, page: KeysetPage): Promise<SessionRow[]> {
  const { where, orderBy } = keysetBounds(sessions.id, page, true);
  return await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt), where))
    .orderBy(orderBy)
    .limit(page.limit)
    ;
}

/** Records when a session was last used; never moves the date back (flushes from several instances may cross). */
export async function recordSessionLastUsed(db: DbOrTx, sessionId: string, at: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ lastUsedAt: at })
    .where(and(eq(sessions.id, sessionId), or(isNull(sessions.lastUsedAt), lt(sessions.lastUsedAt, at))));
}
