import { count, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { accounts, type AccountRow } from '../db/schema/accounts.ts';
import { prepared } from './prepared.ts';

export function countAccounts(db: DbOrTx): number {
  return db.select({ n: count() }).from(accounts).get()?.n ?? 0;
}

export function insertAccount(db: DbOrTx, row: typeof accounts.$inferInsert): AccountRow {
  return db.insert(accounts).values(row).returning().get();
}

export function findAccount(db: DbOrTx, id: string): AccountRow | undefined {
  const query = prepared(db, 'findAccount', (d) => d.select().from(accounts).where(eq(accounts.id, sql.placeholder('id'))).prepare());
  return query.get({ id });
}

export function updateAccountRow(db: DbOrTx, id: string, patch: Partial<typeof accounts.$inferInsert>): AccountRow | undefined {
  return db.update(accounts).set(patch).where(eq(accounts.id, id)).returning().get();
}
