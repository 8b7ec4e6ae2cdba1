import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { currentDialect } from '../db/tables.ts';

/**
 * Serialises the transactions of one account that must not race: appends to its audit chain
 * (each entry names the previous one's hash) and the service-token limit (count, then insert).
 * On PostgreSQL a transaction-scoped advisory lock on the account, held until commit or rollback,
 * so transactions on several instances take turns. Not a row lock on the account: every insert
 * referencing the account takes a KEY SHARE lock on its row (the foreign key check), and two
 * transactions upgrading from that to FOR UPDATE would deadlock each other. On SQLite the single
 * writer already runs one transaction at a time. Re-entrant within a transaction.
 */
export async function lockAccount(tx: Tx, accountId: string): Promise<void> {
  if (currentDialect() !== 'postgres') return;
  // `execute` is node-postgres Drizzle's; the handle is typed as the SQLite builder (db/client.ts).
  const pgTx = tx as unknown as { execute(query: ReturnType<typeof sql>): Promise<unknown> };
  await pgTx.execute(sql`SELECT pg_advisory_xact_lock(${ACCOUNT_LOCK_SPACE}, hashtext(${accountId}))`);
}

/** The first key of the two-key advisory lock: "lk" (0x6c6b), apart from the migration lock's key. */
const ACCOUNT_LOCK_SPACE = 0x6c6b;
