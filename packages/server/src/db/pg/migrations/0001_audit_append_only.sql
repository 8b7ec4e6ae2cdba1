-- The audit log is append-only (issue 6): the PostgreSQL twin of the SQLite migration
-- 0001_audit_append_only.sql. Custom migration (drizzle-kit cannot generate triggers); it must stay
-- after the migration that creates audit_entries. Tampering outside the application (dropping
-- these triggers) is what the hash chain detects: `pnpm --filter @latchkey/server audit:verify`.
-- TRUNCATE fires no row trigger, so a statement trigger refuses it too.
CREATE FUNCTION "audit_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_entries is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_entries_no_update" BEFORE UPDATE ON "audit_entries"
	FOR EACH ROW EXECUTE FUNCTION "audit_entries_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_entries_no_delete" BEFORE DELETE ON "audit_entries"
	FOR EACH ROW EXECUTE FUNCTION "audit_entries_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_entries_no_truncate" BEFORE TRUNCATE ON "audit_entries"
	FOR EACH STATEMENT EXECUTE FUNCTION "audit_entries_append_only"();
