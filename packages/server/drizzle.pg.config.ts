import { defineConfig } from 'drizzle-kit';

// The PostgreSQL dialect (issue 15): `pnpm --filter @latchkey/server db:generate:pg`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/schema/index.ts',
  out: './src/db/pg/migrations',
});
