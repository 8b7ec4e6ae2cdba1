import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { type MemberRow } from '../db/schema/members.ts';
import { members } from '../db/tables.ts';
import { keysetBounds, type KeysetPage } from './keyset.ts';

/** An account's members in creation order, keyset-paginated. */
export async function listMembers(db: DbOrTx, accountId: string, page: KeysetPage): Promise<MemberRow[]> {
  const { where, orderBy } = keysetBounds(members.id, page);
  return await db.select().from(members).where(and(eq(members.accountId, accountId), where)).orderBy(orderBy).limit(page.limit);
}
