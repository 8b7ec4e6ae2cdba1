import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { migratePg, pgMigrationsFolder } from '../../src/db/pg/client.ts';
import { createTestDatabase, describePg, type TestDatabase } from './pg-helpers.ts';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, '../../../../node_modules/.bin/tsx');
const journal = JSON.parse(readFileSync(join(pgMigrationsFolder, 'meta/_journal.json'), 'utf8')) as {
  entries: Array<{ tag: string; when: number }>;
};

async function appliedMigrations(url: string): Promise<Array<{ created_at: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ created_at: string }>('SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY id');
    return rows;
  } finally {
    await client.end();
  }
}

describePg('migratePg under an advisory lock', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('three processes starting at once migrate exactly once', async () => {
    database = await createTestDatabase();
    const url = database.url;
    const results = await Promise.all([1, 2, 3].map(() => run(tsx, [join(here, 'migrate-child.ts'), url], { timeout: 60_000 })));
    expect(results.map((r) => r.stdout.trim())).toEqual(['migrated', 'migrated', 'migrated']);
    const applied = await appliedMigrations(url);
    expect(applied.map((r) => Number(r.created_at))).toEqual(journal.entries.map((e) => e.when));
  });

  it('three pools in one process, concurrently, then once more: one journal row per migration', async () => {
    database = await createTestDatabase();
    const url = database.url;
    await Promise.all([migratePg(url), migratePg(url), migratePg(url)]);
    await migratePg(url); // a restart finds nothing to do
    const applied = await appliedMigrations(url);
    expect(applied).toHaveLength(journal.entries.length);
    expect(new Set(applied.map((r) => r.created_at)).size).toBe(journal.entries.length);
  });
});
