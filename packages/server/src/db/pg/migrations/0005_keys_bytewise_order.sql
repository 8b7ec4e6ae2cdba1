-- Custom migration: keys sort byte by byte, as on SQLite, whatever the database's default
-- collation (a locale collation ignores '-' and '_' at first, so 'a-b' and 'ab' would list in
-- another order than on SQLite). Ids need nothing: they are lower-case base36, in the same order
-- under every collation.
ALTER TABLE "custom_roles" ALTER COLUMN "key" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "teams" ALTER COLUMN "key" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "projects" ALTER COLUMN "key" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "environments" ALTER COLUMN "key" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "flags" ALTER COLUMN "key" SET DATA TYPE text COLLATE "C";
