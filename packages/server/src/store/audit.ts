import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { auditEntries, type AuditEntryRow } from '../db/schema/audit.ts';

/** The newest entry of an account's chain (its hash is the next entry's prevHash). */
export function lastAuditEntry(db: DbOrTx, accountId: string): Pick<AuditEntryRow, 'seq' | 'hash'> | undefined {
  return db
    .select({ seq: auditEntries.seq, hash: auditEntries.hash })
    .from(auditEntries)
    .where(eq(auditEntries.accountId, accountId))
    .orderBy(desc(auditEntries.seq))
    .limit(1)
    .get();
}

/** The only write to the audit table: an insert. */
export function insertAuditEntry(db: DbOrTx, row: AuditEntryRow): void {
  db.insert(auditEntries).values(row).run();
}

export function findAuditEntry(db: DbOrTx, accountId: string, id: string): AuditEntryRow | undefined {
  return db.select().from(auditEntries).where(and(eq(auditEntries.accountId, accountId), eq(auditEntries.id, id))).get();
}
