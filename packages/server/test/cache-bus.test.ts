import { describe, expect, it } from 'vitest';
import { InProcessCacheBus, InProcessHub } from '../src/services/cache-bus.ts';
import type { InvalidationEvent } from '../src/services/caches.ts';

// The SQLite (single-process) bus; the PostgreSQL one is tested in test/pg/cache-bus.test.ts.
describe('in-process cache bus', () => {
  it('delivers to the other buses of its hub, not to itself nor to another hub', async () => {
    const hub = new InProcessHub();
    const [a, b, c] = [new InProcessCacheBus(hub), new InProcessCacheBus(hub), new InProcessCacheBus(hub)];
    const elsewhere = new InProcessCacheBus(new InProcessHub());
    const received = new Map<string, InvalidationEvent[]>([['a', []], ['b', []], ['c', []], ['elsewhere', []]]);
    a.subscribe((event) => received.get('a')?.push(event));
    const unsubscribe = b.subscribe((event) => received.get('b')?.push(event));
    c.subscribe((event) => received.get('c')?.push(event));
    elsewhere.subscribe((event) => received.get('elsewhere')?.push(event));

    const event: InvalidationEvent = { kind: 'session', sessionId: 'ses_1' };
    await a.publish(event);
    expect(Object.fromEntries(received)).toEqual({ a: [], b: [event], c: [event], elsewhere: [] });

    unsubscribe();
    await c.close();
    await a.publish({ kind: 'roles' });
    expect(received.get('b')).toEqual([event]);
    expect(received.get('c')).toEqual([event]);
    expect(a.healthy && b.healthy).toBe(true);
    await expect(a.whenHealthy()).resolves.toBeUndefined();
  });
});
