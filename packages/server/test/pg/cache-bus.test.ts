import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { PgCacheBus } from '../../src/services/cache-bus.ts';
import type { InvalidationEvent } from '../../src/services/caches.ts';
import { adminQuery, createTestDatabase, describePg, terminateBackend, type TestDatabase } from './pg-helpers.ts';

/** One "instance": its own pool and its own bus, recording what it receives and each reset. */
interface Instance {
  pool: pg.Pool;
  bus: PgCacheBus;
  received: InvalidationEvent[];
  /** `healthy` as seen by each onReset call, in order. */
  resets: boolean[];
}

function instance(url: string): Instance {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // A slow first retry so the test can see the bus down; the default starts at 100 ms.
  const bus = new PgCacheBus(url, pool, { minDelayMs: 400, maxDelayMs: 2_000 });
  const me: Instance = { pool, bus, received: [], resets: [] };
  bus.subscribe((event) => me.received.push(event));
  bus.onReset(() => me.resets.push(bus.healthy));
  return me;
}

describePg('cache invalidation bus over LISTEN/NOTIFY', () => {
  let database: TestDatabase;
  let a: Instance, b: Instance, c: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    [a, b, c] = [instance(database.url), instance(database.url), instance(database.url)];
    await Promise.all([a.bus.whenHealthy(), b.bus.whenHealthy(), c.bus.whenHealthy()]);
  });
  afterAll(async () => {
    for (const one of [a, b, c]) {
      await one?.bus.close();
      await one?.pool.end();
    }
    await database?.drop();
  });

  it('an event published by one instance reaches the two others, not itself', async () => {
    const event: InvalidationEvent = { kind: 'token', tokenId: 'tok_1' };
    await a.bus.publish(event);
    await vi.waitFor(() => {
      expect(b.received).toEqual([event]);
      expect(c.received).toEqual([event]);
    });
    expect(a.received).toEqual([]);
    await c.bus.publish({ kind: 'roles' });
    await vi.waitFor(() => expect(a.received).toEqual([{ kind: 'roles' }]));
    await vi.waitFor(() => expect(b.received).toEqual([event, { kind: 'roles' }]));
  });

  it('goes unhealthy when its listener connection is killed, resubscribes, and receives later events', async () => {
    b.received.length = 0;
    c.received.length = 0;
    b.resets.length = 0;
    const generation = b.bus.generation;
    const pid = b.bus.listenerPid;
    expect(pid).toEqual(expect.any(Number));
    await terminateBackend(pid as number);
    // Read by the reset listener at the moment it fired: unhealthy once the listener is down (the
    // caller forgets its caches and stops caching), healthy again after resubscribing (and forgets
    // once more: events of the gap are lost).
    await vi.waitFor(() => expect(b.resets).toEqual([false, true]), { timeout: 10_000 });
    expect(b.bus.healthy).toBe(true);
    expect(b.bus.listenerPid).not.toBe(pid);
    expect(b.bus.generation).toBe(generation + 2); // a read begun before the outage is not cached
    expect(c.bus.healthy).toBe(true); // the others were never affected

    const event: InvalidationEvent = { kind: 'member', memberId: 'mem_1' };
    await a.bus.publish(event);
    await vi.waitFor(() => {
      expect(b.received).toEqual([event]);
      expect(c.received).toEqual([event]);
    });
  });

  it('an unreadable message on the channel resets the caches rather than being ignored', async () => {
    for (const one of [a, b, c]) one.resets.length = 0;
    await a.pool.query(`SELECT pg_notify('latchkey_invalidate', '{"from":"x","event":{"kind":"future"}}')`);
    await vi.waitFor(() => expect([a.resets, b.resets, c.resets]).toEqual([[true], [true], [true]]));
  });

  it('keeps retrying while the database refuses connections, then recovers', async () => {
    c.resets.length = 0;
    await adminQuery(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS false`);
    try {
      await terminateBackend(c.bus.listenerPid as number);
      await vi.waitFor(() => expect(c.bus.healthy).toBe(false));
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // a few refused attempts
      expect(c.bus.healthy).toBe(false);
    } finally {
      await adminQuery(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS true`);
    }
    await vi.waitFor(() => expect(c.bus.healthy).toBe(true), { timeout: 10_000 });
    expect(c.resets).toEqual([false, true]);
  });
});
