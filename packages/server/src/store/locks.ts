import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { accounts, currentDialect } from '../db/tables.ts';

/**
 * Serialises the transactions of one account that must not race: appends to its audit chain
 * (each entry names the previous one's hash) and the service-token limit (count, then insert).
 * On PostgreSQL a row lock on the account, held until the transaction ends, so transactions on
 * several instances take turns; on SQLite the single writer already runs one transaction at a time.
 * Re-entrant within a transaction.
 */
export async function lockAccount(tx: Tx, accountId: string): Promise<void> {
  if (currentDialect() !== 'postgres') return;
  // `FOR UPDATE` is PostgreSQL's; the builder is typed as SQLite's (db/client.ts).
  const query = tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)) as unknown as {
    for(strength: 'update'): PromiseLike<unknown>;
  };
  await query.for('update');
}
