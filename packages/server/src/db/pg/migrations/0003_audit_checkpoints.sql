CREATE TABLE "audit_checkpoints" (
	"account_id" text PRIMARY KEY NOT NULL,
	"seq" integer NOT NULL,
	"entry_id" text NOT NULL,
	"hash" text NOT NULL,
	"verified_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;