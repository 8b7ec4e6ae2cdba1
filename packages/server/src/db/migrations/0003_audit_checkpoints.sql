CREATE TABLE `audit_checkpoints` (
	`account_id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`entry_id` text NOT NULL,
	`hash` text NOT NULL,
	`verified_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
