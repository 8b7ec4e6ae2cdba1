import { createHash } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { Caches } from '../../src/services/caches.ts';
import type { GqlResponse, TestServer } from '../helpers.ts';
import { count, eq } from 'drizzle-orm';
import { sqliteOf } from '../../src/app.ts';
import * as tables from '../../src/db/tables.ts';
import { auditEntries } from '../../src/db/tables.ts';
import type { Db } from '../../src/db/client.ts';
import * as schema from '../../src/db/schema/index.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';

/**
 * Shared tools of the security tests: checksums of what the database holds (to prove "no write"),
 * statement counting (to prove "no database lookup"), and a rollback scope that lets one fixture
 * serve many independent cells of a matrix or runs of a property.
 */

/** Columns that change on reads (coalesced "last used" dates): not a write for our purposes. */
const VOLATILE_COLUMNS = new Set(['last_used_at']);
/** Tables that are not the application's data. */
const IGNORED_TABLES = new Set(['__drizzle_migrations', 'sqlite_sequence']);

function tableNames(server: TestServer): string[] {
  const rows = sqliteOf(server.app)
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name).filter((name) => !IGNORED_TABLES.has(name));
}

function hashRows(rows: unknown[]): string {
  const hash = createHash('sha256');
  for (const row of rows) {
    const entries = Object.entries(row as Record<string, unknown>).filter(([column]) => !VOLATILE_COLUMNS.has(column));
    hash.update(JSON.stringify(entries));
  }
  return hash.digest('hex');
}

/** A checksum of every application table except the audit log (which refusals append to). */
export async function dataChecksum(server: TestServer): Promise<string> {
  if (server.app.database.dialect !== 'sqlite') return portableDataChecksum(server);
  const sqlite = sqliteOf(server.app);
  const parts = tableNames(server)
    .filter((name) => name !== 'audit_entries')
    .map((name) => `${name}:${hashRows(sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all())}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** The same on any backend, over the tables the store knows (rows in a canonical order, as there is no rowid). */
async function portableDataChecksum(server: TestServer): Promise<string> {
  const parts: string[] = [];
  for (const [name, table] of Object.entries(tables)) {
    if (typeof table !== 'object' || name === 'auditEntries') continue;
    const rows = (await server.app.db.select().from(table as typeof tables.accounts)) as Array<Record<string, unknown>>;
    const stable = rows.map((row) => JSON.stringify(Object.entries(row).filter(([column]) => column !== 'lastUsedAt'))).sort();
    parts.push(`${name}:${createHash('sha256').update(stable.join('\n')).digest('hex')}`);
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** How the rows of each table are tied to an account; tables not listed count as a whole. */
const ACCOUNT_ROWS: Record<string, string> = {
  accounts: 'SELECT x.* FROM accounts x WHERE x.id = ?',
  members: 'SELECT x.* FROM members x WHERE x.account_id = ?',
  sessions: 'SELECT x.* FROM sessions x JOIN members m ON m.id = x.member_id WHERE m.account_id = ?',
  custom_roles: 'SELECT x.* FROM custom_roles x WHERE x.account_id = ?',
  member_custom_roles: 'SELECT x.* FROM member_custom_roles x JOIN members m ON m.id = x.member_id WHERE m.account_id = ?',
  teams: 'SELECT x.* FROM teams x WHERE x.account_id = ?',
  team_members: 'SELECT x.* FROM team_members x JOIN teams t ON t.id = x.team_id WHERE t.account_id = ?',
  team_custom_roles: 'SELECT x.* FROM team_custom_roles x JOIN teams t ON t.id = x.team_id WHERE t.account_id = ?',
  tokens: 'SELECT x.* FROM tokens x WHERE x.account_id = ?',
  token_secrets: 'SELECT x.* FROM token_secrets x JOIN tokens t ON t.id = x.token_id WHERE t.account_id = ?',
  token_custom_roles: 'SELECT x.* FROM token_custom_roles x JOIN tokens t ON t.id = x.token_id WHERE t.account_id = ?',
  projects: 'SELECT x.* FROM projects x WHERE x.account_id = ?',
  environments: 'SELECT x.* FROM environments x JOIN projects p ON p.id = x.project_id WHERE p.account_id = ?',
  flags: 'SELECT x.* FROM flags x JOIN projects p ON p.id = x.project_id WHERE p.account_id = ?',
  flag_states: 'SELECT x.* FROM flag_states x JOIN flags f ON f.id = x.flag_id JOIN projects p ON p.id = f.project_id WHERE p.account_id = ?',
  audit_entries: "SELECT x.* FROM audit_entries x WHERE x.account_id = ? AND x.outcome = 'success'",
  audit_checkpoints: 'SELECT x.* FROM audit_checkpoints x WHERE x.account_id = ?',
};

/**
 * A checksum of one account's rows (its successful audit entries included): a change made by
 * another account in its own rows leaves it unchanged. Unknown tables count as a whole.
 */
export function accountChecksum(server: TestServer, accountId: string): string {
  const sqlite = sqliteOf(server.app);
  const parts = tableNames(server).map((name) => {
    const sql = ACCOUNT_ROWS[name];
    const rows = sql ? sqlite.prepare(`${sql} ORDER BY x.rowid`).all(accountId) : sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all();
    return `${name}:${hashRows(rows)}`;
  });
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** Every id of an account's rows, raw and as the global ids GraphQL shows (to spot one in a response). */
export function accountIdentifiers(server: TestServer, accountId: string): Set<string> {
  const sqlite = sqliteOf(server.app);
  const ids = new Set<string>([accountId]);
  const typed: Array<[string, string]> = [
    ['Member', 'SELECT id FROM members WHERE account_id = ?'],
    ['Token', 'SELECT id FROM tokens WHERE account_id = ?'],
    ['CustomRole', 'SELECT id FROM custom_roles WHERE account_id = ?'],
    ['Team', 'SELECT id FROM teams WHERE account_id = ?'],
    ['Project', 'SELECT id FROM projects WHERE account_id = ?'],
    ['Environment', 'SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id WHERE p.account_id = ?'],
    ['Flag', 'SELECT f.id FROM flags f JOIN projects p ON p.id = f.project_id WHERE p.account_id = ?'],
    ['AuditEntry', 'SELECT id FROM audit_entries WHERE account_id = ?'],
    ['Session', 'SELECT s.id FROM sessions s JOIN members m ON m.id = s.member_id WHERE m.account_id = ?'],
  ];
  for (const [typename, sql] of typed) {
    for (const row of sqlite.prepare(sql).all(accountId) as Array<{ id: string }>) {
      ids.add(row.id);
      ids.add(encodeGlobalID(typename, row.id));
    }
  }
  ids.add(encodeGlobalID('Account', accountId));
  return ids;
}

/** The identifiers of `ids` that appear anywhere in a response body. */
export function leakedIdentifiers(body: unknown, ids: ReadonlySet<string>): string[] {
  const text = JSON.stringify(body);
  return [...ids].filter((id) => text.includes(id));
}

/** Rows of the audit log, optionally only one outcome. */
export async function auditCount(server: TestServer, outcome?: 'success' | 'refused'): Promise<number> {
  const [row] = await server.app.db
    .select({ n: count() })
    .from(auditEntries)
    .where(outcome ? eq(auditEntries.outcome, outcome) : undefined);
  return row?.n ?? 0;
}

/** Forgets every cached credential and compiled policy (after a rollback the caches may be ahead of the database). */
export function resetCaches(server: TestServer): void {
  server.app.caches = new Caches();
}

/**
 * Runs `run` inside a transaction that is rolled back afterwards, so everything `run` changes
 * disappears and the next run starts from the same fixture. SQLite only: for the scope, the
 * server's reads go through the writer connection (so they see the scope's uncommitted writes)
 * and its transactions become savepoints of the outer one, one at a time. Caches are reset, since
 * they may hold what was rolled back.
 */
export async function withRollback<T>(server: TestServer, run: () => Promise<T>): Promise<T> {
  const sqlite = sqliteOf(server.app);
  const database = server.app.database as { db: Db; transaction: TestServer['app']['transaction'] };
  const saved = { appDb: server.app.db, db: database.db, transaction: database.transaction };
  const writerDb = drizzle(sqlite, { schema });
  let queue: Promise<unknown> = Promise.resolve();
  const savepoint = <R>(body: (tx: Db) => Promise<R>): Promise<R> => {
    const next = queue.then(async () => {
      sqlite.exec('SAVEPOINT latchkey_test');
      try {
        const result = await body(writerDb);
        sqlite.exec('RELEASE latchkey_test');
        return result;
      } catch (error) {
        sqlite.exec('ROLLBACK TO latchkey_test');
        sqlite.exec('RELEASE latchkey_test');
        throw error;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };
  sqlite.exec('BEGIN');
  server.app.db = writerDb;
  database.db = writerDb;
  database.transaction = savepoint;
  try {
    return await run();
  } finally {
    await queue;
    server.app.db = saved.appDb;
    database.db = saved.db;
    database.transaction = saved.transaction;
    sqlite.exec('ROLLBACK');
    resetCaches(server);
  }
}

/** The data of a response's root field, or null. */
export function fieldData(res: GqlResponse, field: string): unknown {
  const data = res.body.data as Record<string, unknown> | null | undefined;
  return data?.[field] ?? null;
}

/** The first error's code, message and HTTP status, to compare two answers. */
export function answerOf(res: GqlResponse): { status: number; code: unknown; message: string | undefined; data: unknown } {
  const first = res.body.errors?.[0];
  return { status: res.status, code: first?.extensions?.code, message: first?.message, data: res.body.data ?? null };
}
