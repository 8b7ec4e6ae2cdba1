import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { members, sessions, type MemberRow, type SessionRow } from '../db/schema/members.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';
import { prepared } from './prepared.ts';

export function findSessionBySecretHash(db: DbOrTx, secretHash: string): { session: SessionRow; member: MemberRow } | undefined {
  const query = prepared(db, 'findSessionBySecretHash', (d) =>
    d
      .select({ session: sessions, member: members })
      .from(sessions)
      .innerJoin(members, eq(members.id, sessions.memberId))
      .where(eq(sessions.secretHash, sql.placeholder('secretHash')))
      .prepare(),
  );
  return query.get({ secretHash });
}

export function insertSession(db: DbOrTx, row: typeof sessions.$inferInsert): SessionRow {
  return db.insert(sessions).values(row).returning().get();
}

export function findSession(db: DbOrTx, memberId: string, id: string): SessionRow | undefined {
  return db.select().from(sessions).where(and(eq(sessions.memberId, memberId), eq(sessions.id, id))).get();
}

export function revokeSession(db: DbOrTx, id: string, at: Date): void {
  db.update(sessions).set({ revokedAt: at }).where(and(eq(sessions.id, id), isNull(sessions.revokedAt))).run();
}

/** Ends every live session of a member except one (the caller's own); returns how many ended. */
export function revokeOtherSessions(db: DbOrTx, memberId: string, exceptId: string, at: Date): number {
  return db
    .update(sessions)
    .set({ revokedAt: at })
    .where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt), ne(sessions.id, exceptId)))
    .run().changes;
}

/** A member's live sessions, newest first, keyset-paginated. */
export function listActiveSessions(db: DbOrTx, memberId: string, page: KeysetPage): SessionRow[] {
  const { where, orderBy } = keysetBounds(sessions.id, page, true);
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt), where))
    .orderBy(orderBy)
    .limit(page.limit)
    .all();
}
