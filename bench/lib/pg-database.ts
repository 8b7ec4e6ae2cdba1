import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the benchmarks create their PostgreSQL databases (trust authentication on the CI machine). */
export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one benchmark, or null when no PostgreSQL answers (the section is then skipped, saying so). */
export async function createBenchDatabase(): Promise<BenchDatabase | null> {
  const name = `latchkey_bench_${randomBytes(5).toString('hex')}`;
  try {
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
  } catch {
    return null;
  }
  const url = new URL(BENCH_PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}
