import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { accounts } from '../src/db/tables.ts';
import { silentLogger } from '../src/logger.ts';
import { testDatabaseConfig } from './backend.ts';

/**
 * The one transaction helper (app.transaction), on whichever backend the suite runs: callbacks
 * that await never interleave their statements with another transaction's, other requests never
 * see their writes before commit, and a failure leaves nothing behind.
 */
async function openApp(): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-tx-'));
  const database = await testDatabaseConfig(dir);
  const app = await createApp({ ...loadConfig({}), ...database.config, scryptLogN: 4, lastUsedFlushMs: 0 }, silentLogger);
  afterAll(async () => {
    await app.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return app;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('app.transaction', async () => {
  const app = await openApp();
  const now = new Date();
  await app.transaction(async (tx) => {
    await tx.insert(accounts).values({ id: 'acct-tx', name: 'before', createdAt: now, serviceTokenLimit: 0 });
  });
  const limitNow = async () => (await app.db.select().from(accounts).where(eq(accounts.id, 'acct-tx')))[0]?.serviceTokenLimit;

  it('keeps a transaction’s writes invisible to reads outside it until it commits', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const running = app.transaction(async (tx) => {
      await tx.update(accounts).set({ serviceTokenLimit: 7 }).where(eq(accounts.id, 'acct-tx'));
      written();
      await held;
    });
    await wrote;
    expect(await limitNow()).toBe(0);
    release();
    await running;
    expect(await limitNow()).toBe(7);
  });

  it('never interleaves two transactions: read-modify-write under concurrency loses no update', async () => {
    await app.transaction(async (tx) => {
      await tx.update(accounts).set({ serviceTokenLimit: 0 }).where(eq(accounts.id, 'acct-tx'));
    });
    const increments = Array.from({ length: 20 }, () =>
      app.transaction(async (tx) => {
        // Lock the row where the dialect has row locks (PostgreSQL READ COMMITTED); SQLite's single writer serialises anyway.
        const { lockAccount } = await import('../src/store/locks.ts');
        await lockAccount(tx, 'acct-tx');
        const [row] = await tx.select().from(accounts).where(eq(accounts.id, 'acct-tx'));
        await tick(); // other transactions get every chance to run in between
        await tx.update(accounts).set({ serviceTokenLimit: (row?.serviceTokenLimit ?? 0) + 1 }).where(eq(accounts.id, 'acct-tx'));
      }),
    );
    await Promise.all(increments);
    expect(await limitNow()).toBe(20);
  });

  it('rolls back everything a failed transaction wrote, and the next one runs', async () => {
    await expect(
      app.transaction(async (tx) => {
        await tx.update(accounts).set({ name: 'half-written' }).where(eq(accounts.id, 'acct-tx'));
        await tick();
        throw new Error('refused halfway');
      }),
    ).rejects.toThrow('refused halfway');
    expect((await app.db.select().from(accounts).where(eq(accounts.id, 'acct-tx')))[0]?.name).toBe('before');
    await app.transaction(async (tx) => {
      await tx.update(accounts).set({ name: 'after' }).where(eq(accounts.id, 'acct-tx'));
    });
    expect((await app.db.select().from(accounts).where(eq(accounts.id, 'acct-tx')))[0]?.name).toBe('after');
  });
});
