import { is } from 'drizzle-orm';
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { migratePg, openPgDb } from '../../src/db/pg/client.ts';
import { accounts as pgAccounts } from '../../src/db/pg/schema/accounts.ts';
import { customRoles as pgCustomRoles } from '../../src/db/pg/schema/roles.ts';
import * as pgSchema from '../../src/db/pg/schema/index.ts';
import * as sqliteSchema from '../../src/db/schema/index.ts';
import { createTestDatabase, describePg, type TestDatabase } from './pg-helpers.ts';

const sqliteTables = (Object.values(sqliteSchema) as unknown[])
  .filter((value): value is SQLiteTable => is(value, SQLiteTable))
  .map((table) => getSqliteTableConfig(table));
const pgTables = (Object.values(pgSchema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getPgTableConfig(table));

/** The PostgreSQL type a SQLite column must have there, from its Drizzle column type. */
/** Columns whose JSON is kept as the exact text written (db/pg/schema/columns.ts `jsonText`): the audit chain hashes it. */
const JSON_AS_TEXT = new Set(['audit_entries.changes']);

function expectedPgType(columnType: string, column = ''): string {
  if (JSON_AS_TEXT.has(column)) return 'text';
  switch (columnType) {
    case 'SQLiteText':
      return 'text';
    case 'SQLiteTextJson':
      return 'jsonb';
    case 'SQLiteTimestamp':
      return 'timestamp with time zone';
    case 'SQLiteBoolean':
      return 'boolean';
    case 'SQLiteInteger':
      return 'integer';
    default:
      throw new Error(`no PostgreSQL mapping for ${columnType}`);
  }
}

describePg('PostgreSQL migrations', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    await migratePg(database.url);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('the pg schema files declare the same tables, columns, indexes and keys as the SQLite schema', () => {
    expect(sqliteTables.length).toBeGreaterThan(10);
    const shape = (table: {
      name: string;
      columns: Array<{ name: string; notNull: boolean; primary: boolean }>;
      indexes: Array<{ config: { name?: string; unique: boolean; columns: unknown[]; where?: unknown } }>;
      primaryKeys: Array<{ columns: Array<{ name: string }> }>;
      foreignKeys: Array<{ reference(): { columns: Array<{ name: string }>; foreignColumns: Array<{ name: string }> } }>;
    }) => ({
      name: table.name,
      columns: table.columns.map((c) => [c.name, c.notNull, c.primary]).sort(),
      indexes: table.indexes
        .map((i) => [i.config.name, i.config.unique, (i.config.columns as Array<{ name: string }>).map((c) => c.name), Boolean(i.config.where)])
        .sort(),
      primaryKeys: table.primaryKeys.map((k) => k.columns.map((c) => c.name)),
      foreignKeys: table.foreignKeys
        .map((fk) => fk.reference())
        .map((r) => [r.columns.map((c) => c.name), r.foreignColumns.map((c) => c.name)])
        .sort(),
    });
    const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(pgTables.map(shape))).toEqual(byName(sqliteTables.map(shape)));
  });

  it('creates every table and column of the SQLite schema, with the mapped types and nullability', async () => {
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    for (const table of sqliteTables) {
      for (const column of table.columns) {
        const found = actual.get(`${table.name}.${column.name}`);
        expect(found, `${table.name}.${column.name}`).toBeDefined();
        expect(found?.data_type, `${table.name}.${column.name}`).toBe(expectedPgType(column.columnType, `${table.name}.${column.name}`));
        expect(found?.is_nullable, `${table.name}.${column.name}`).toBe(column.notNull ? 'NO' : 'YES');
      }
      const columnsThere = rows.filter((r) => r.table_name === table.name).map((r) => r.column_name);
      expect(columnsThere.sort(), table.name).toEqual(table.columns.map((c) => c.name).sort());
    }
  });

  it('creates every index of the SQLite schema, unique where it is, with the partial index on members.email', async () => {
    const { rows } = await client.query<{ tablename: string; indexname: string; indexdef: string }>(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const indexes = new Map(rows.map((r) => [r.indexname, r]));
    let checked = 0;
    for (const table of sqliteTables) {
      for (const index of table.indexes) {
        const found = indexes.get(index.config.name);
        expect(found, index.config.name).toBeDefined();
        expect(found?.tablename).toBe(table.name);
        expect(found?.indexdef.startsWith('CREATE UNIQUE INDEX'), index.config.name).toBe(Boolean(index.config.unique));
        const columns = (index.config.columns as Array<{ name: string }>).map((c) => c.name).join(', ');
        expect(found?.indexdef, index.config.name).toContain(`(${columns})`);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(indexes.get('members_email_uq')?.indexdef).toMatch(/WHERE \(status <> 'removed'::text\)$/);
  });

  it('enforces the partial unique index: one live member per email, a removed one can be invited again', async () => {
    const now = new Date();
    await client.query(`INSERT INTO accounts (id, name, created_at) VALUES ('a1', 'A', $1)`, [now]);
    const insertMember = (id: string, status: string) =>
      client.query(
        `INSERT INTO members (id, account_id, email, name, role, status, role_attributes, created_at, updated_at)
         VALUES ($1, 'a1', 'x@example.test', 'X', 'reader', $2, '{}', $3, $3)`,
        [id, status, now],
      );
    await insertMember('m1', 'removed');
    await insertMember('m2', 'active');
    await expect(insertMember('m3', 'invited')).rejects.toMatchObject({ code: '23505', constraint: 'members_email_uq' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit entries', async () => {
    await client.query(`INSERT INTO accounts (id, name, created_at) VALUES ('a2', 'B', now())`);
    await client.query(
      `INSERT INTO audit_entries (id, account_id, seq, date, credential_kind, action, resource, title, outcome, changes, prev_hash, hash)
       VALUES ('e1', 'a2', 1, now(), 'none', 'createToken', 'acct/a2', 'T', 'success', '{}', '', 'h1')`,
    );
    await expect(client.query(`UPDATE audit_entries SET title = 'forged' WHERE id = 'e1'`)).rejects.toThrow(/append-only/);
    await expect(client.query(`DELETE FROM audit_entries WHERE id = 'e1'`)).rejects.toThrow(/append-only/);
    await expect(client.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
    const { rows } = await client.query(`SELECT title FROM audit_entries WHERE id = 'e1'`);
    expect(rows).toEqual([{ title: 'T' }]);
  });

  it('round-trips millisecond dates and JSON through Drizzle over a pool of the configured size', async () => {
    const open = openPgDb(database.url, { poolSize: 3 });
    try {
      expect(open.pool.options.max).toBe(3);
      const createdAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
      const policy = [{ effect: 'allow' as const, actions: ['*'], resources: ['proj/*'] }];
      await open.db.insert(pgAccounts).values({ id: 'a3', name: 'C', createdAt });
      await open.db
        .insert(pgCustomRoles)
        .values({ id: 'r1', accountId: 'a3', key: 'k', name: 'R', policy, createdAt, updatedAt: createdAt });
      const [account] = await open.db.select().from(pgAccounts).where(eq(pgAccounts.id, 'a3'));
      expect(account).toEqual({ id: 'a3', name: 'C', serviceTokenLimit: 200, createdAt });
      const [role] = await open.db.select().from(pgCustomRoles).where(eq(pgCustomRoles.id, 'r1'));
      expect(role?.policy).toEqual(policy);
      expect(role?.basePermissions).toBeNull();
    } finally {
      await open.close();
    }
  });
});
