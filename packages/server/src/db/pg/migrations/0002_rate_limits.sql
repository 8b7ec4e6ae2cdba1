-- PostgreSQL only: the counters of the shared abuse limits (services/limits-shared.ts), in the
-- layout rate-limiter-flexible's RateLimiterPostgres reads and writes (key, points, expire as
-- epoch milliseconds). Created here rather than by the library at start, so that instances
-- starting together do not race to create it; `text` rather than the library's varchar(255),
-- since a key is a prefix plus an email address of up to 254 characters.
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
CREATE INDEX "rate_limits_expire_ix" ON "rate_limits" USING btree ("expire");
