/**
 * A bounded LRU of compiled principals. The server owns the keys (member id, token id, ...)
 * and calls invalidate()/clear() when roles, memberships or policies change; the engine itself
 * never caches.
 */
import type { CompiledPrincipal } from './evaluate.ts';

export class PrincipalCache<K = string> {
  // A Map iterates in insertion order, so re-inserting on a hit keeps the oldest entry first.
  private readonly entries = new Map<K, CompiledPrincipal>();

  constructor(readonly maxEntries: number = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  /** The cached principal for `key`, building (and caching) it on a miss. */
  get(key: K, build: () => CompiledPrincipal): CompiledPrincipal {
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const built = build();
    this.set(key, built);
    return built;
  }

  /** The cached principal for `key` (refreshed as most recently used), or undefined: for callers that build asynchronously. */
  lookup(key: K): CompiledPrincipal | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: K, principal: CompiledPrincipal): void {
    this.entries.delete(key);
    this.entries.set(key, principal);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Whether `key` is cached (does not refresh it). */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
