import { count, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { one, only } from './rows.ts';
import { type AccountRow } from '../db/schema/accounts.ts';
import { accounts } from '../db/tables.ts';
import { prepared } from './prepared.ts';

export async function countAccounts(db: DbOrTx): Promise<number> {
  return await db.select({ n: count() }).from(accounts).then((rows) => rows[0]?.n ?? 0);
}

export async function insertAccount(db: DbOrTx, row: typeof accounts.$inferInsert): Promise<AccountRow> {
  return await db.insert(accounts).values(row).returning().then(only);
}

export async function findAccount(db: DbOrTx, id: string): Promise<AccountRow | undefined> {
  const query = prepared(db, 'findAccount', (d) => d.select().from(accounts).where(eq(accounts.id, sql.placeholder('id'))).prepare());
  return one(await query.execute({ id }));
}

export async function updateAccountRow(db: DbOrTx, id: string, patch: Partial<typeof accounts.$inferInsert>): Promise<AccountRow | undefined> {
  return await db.update(accounts).set(patch).where(eq(accounts.id, id)).returning().then(one);
}
