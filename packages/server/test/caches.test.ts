import { compile } from '@latchkey/policy';
import { describe, expect, it } from 'vitest';
import type { CacheBus } from '../src/services/cache-bus.ts';
import { InProcessCacheBus, InProcessHub } from '../src/services/cache-bus.ts';
import { Caches, type CachedCredential, type InvalidationEvent } from '../src/services/caches.ts';

/** A bus whose health and resets the test controls; it records what it was asked to publish. */
class ControlledBus implements CacheBus {
  healthy = true;
  generation = 0;
  readonly published: InvalidationEvent[] = [];
  private handler: (event: InvalidationEvent) => void = () => undefined;
  private resetListener: () => void = () => undefined;
  async publish(event: InvalidationEvent): Promise<void> {
    this.published.push(event);
  }
  subscribe(handler: (event: InvalidationEvent) => void): () => void {
    this.handler = handler;
    return () => undefined;
  }
  onReset(listener: () => void): void {
    this.resetListener = listener;
  }
  async whenHealthy(): Promise<void> {}
  async close(): Promise<void> {}
  /** An event from another instance. */
  receive(event: InvalidationEvent): void {
    this.handler(event);
  }
  reset(): void {
    this.generation += 1;
    this.resetListener();
  }
}

const now = new Date('2026-01-01T00:00:00Z');
const member = { id: 'm1', accountId: 'a1', email: 'm@x.test', name: 'M', role: 'reader', status: 'active', roleAttributes: {}, passwordHash: null, inviteCodeHash: null, createdAt: now, updatedAt: now } as const;
const credential = (tokenId: string): CachedCredential => ({
  kind: 'token',
  secret: { secretHash: `h-${tokenId}`, tokenId, createdAt: now, replacedAt: null, validUntil: null },
  token: { id: tokenId, accountId: 'a1', kind: 'personal', ownerId: 'm1', name: 't', description: null, role: 'reader', inlinePolicy: null, roleAttributes: null, defaultApiVersion: 1, obscuredSecret: 'lkp_…', expiresAt: null, lastUsedAt: null, createdAt: now, updatedAt: now, deletedAt: null },
  owner: { ...member },
});
const principal = compile([]);

describe('Caches with a bus to other instances', () => {
  it('applies and publishes its own invalidations; applies the others’ without publishing them again', () => {
    const bus = new ControlledBus();
    const caches = new Caches(bus);
    caches.putCredential('d1', credential('t1'), caches.ticket());
    caches.putCredential('d2', credential('t2'), caches.ticket());
    caches.invalidate({ kind: 'token', tokenId: 't1' });
    expect(caches.getCredential('d1')).toBeUndefined();
    expect(caches.getCredential('d2')).toBeDefined();
    expect(bus.published).toEqual([{ kind: 'token', tokenId: 't1' }]);

    bus.receive({ kind: 'token', tokenId: 't2' });
    expect(caches.getCredential('d2')).toBeUndefined();
    expect(bus.published).toHaveLength(1);
  });

  it('does not cache a value read before an invalidation that arrived during the read', () => {
    const bus = new ControlledBus();
    const caches = new Caches(bus);
    const ticket = caches.ticket(); // the read starts
    bus.receive({ kind: 'member', memberId: 'someone-else' }); // any invalidation meanwhile
    caches.putCredential('d1', credential('t1'), ticket);
    caches.putPrincipal('token:t1', principal, ticket);
    expect(caches.getCredential('d1')).toBeUndefined();
    expect(caches.getPrincipal('token:t1')).toBeUndefined();
    // A read that saw no invalidation is kept.
    caches.putCredential('d1', credential('t1'), caches.ticket());
    expect(caches.getCredential('d1')).toBeDefined();
  });

  it('fails closed: caches nothing while the bus is down, forgets everything when it resets', () => {
    const bus = new ControlledBus();
    const caches = new Caches(bus);
    caches.putCredential('d1', credential('t1'), caches.ticket());
    caches.putAccount({ id: 'a1', name: 'A', createdAt: now, serviceTokenLimit: 5 }, caches.ticket());
    bus.healthy = false;
    caches.putCredential('d2', credential('t2'), caches.ticket());
    expect(caches.getCredential('d2')).toBeUndefined();
    bus.reset();
    expect(caches.getCredential('d1')).toBeUndefined();
    expect(caches.getAccount('a1')).toBeUndefined();
    bus.healthy = true;
    caches.putCredential('d2', credential('t2'), caches.ticket());
    expect(caches.getCredential('d2')).toBeDefined();
  });

  it('a project event drops the project by every key it was cached under, its environments, flags and states', () => {
    const caches = new Caches();
    const project = { id: 'p1', accountId: 'a1', key: 'web', name: 'Web', tags: [], createdAt: now };
    caches.putProjectByKey(project, caches.ticket());
    caches.putProjectRows('p1', { environments: [], flags: [], states: new Map([['f1 e1', true]]) }, caches.ticket());
    caches.putProjectRows('p2', { flags: [] }, caches.ticket());
    caches.invalidate({ kind: 'project', accountId: 'a1', projectId: 'p1' });
    expect(caches.getProjectByKey('a1', 'web')).toBeUndefined();
    expect(caches.getProjectRows('p1')).toBeUndefined();
    expect(caches.getProjectRows('p2')?.flags).toEqual([]);
  });

  it('two instances on one hub: a revocation on one is gone from the other at once', async () => {
    const hub = new InProcessHub();
    const [a, b] = [new Caches(new InProcessCacheBus(hub)), new Caches(new InProcessCacheBus(hub))];
    b.putCredential('d1', credential('t1'), b.ticket());
    a.invalidate({ kind: 'token', tokenId: 't1' });
    await a.published();
    expect(b.getCredential('d1')).toBeUndefined();
  });
});
