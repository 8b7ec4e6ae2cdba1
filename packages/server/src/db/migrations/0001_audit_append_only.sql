-- The audit log is append-only (issue 6): no code path updates or deletes an entry, and the
-- database refuses it too. Custom migration (drizzle-kit cannot generate triggers); it must stay
-- after the migration that creates audit_entries. Tampering outside the application (dropping
-- these triggers) is what the hash chain detects: `pnpm --filter @latchkey/server audit:verify`.
CREATE TRIGGER `audit_entries_no_update` BEFORE UPDATE ON `audit_entries`
BEGIN
	SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_entries_no_delete` BEFORE DELETE ON `audit_entries`
BEGIN
	SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
