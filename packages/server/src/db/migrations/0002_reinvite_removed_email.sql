DROP INDEX `members_email_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `members_email_uq` ON `members` (`email`) WHERE "members"."status" <> 'removed';