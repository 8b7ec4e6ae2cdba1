import { describe, expect, it } from 'vitest';
import { PrincipalCache, baseRoleGrant, compile } from './index.ts';

const build = (role: 'reader' | 'writer') => () => compile([baseRoleGrant(role, 'm1')]);

describe('PrincipalCache', () => {
  it('builds once per key and returns the cached principal after', () => {
    const cache = new PrincipalCache();
    let builds = 0;
    const b = () => {
      builds++;
      return build('reader')();
    };
    const first = cache.get('m1', b);
    expect(cache.get('m1', b)).toBe(first);
    expect(builds).toBe(1);
    expect(cache.size).toBe(1);
  });
  it('invalidate drops one key; the next get rebuilds', () => {
    const cache = new PrincipalCache();
    const first = cache.get('m1', build('reader'));
    cache.get('m2', build('reader'));
    cache.invalidate('m1');
    expect(cache.size).toBe(1);
    expect(cache.get('m1', build('writer'))).not.toBe(first);
  });
  it('clear drops everything', () => {
    const cache = new PrincipalCache();
    cache.get('a', build('reader'));
    cache.get('b', build('reader'));
    cache.clear();
    expect(cache.size).toBe(0);
  });
  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new PrincipalCache<number>(2);
    cache.get(1, build('reader'));
    cache.get(2, build('reader'));
    cache.get(1, build('reader')); // 1 is now the most recent
    cache.get(3, build('reader'));
    expect(cache.size).toBe(2);
    expect(cache.has(1)).toBe(true);
    expect(cache.has(2)).toBe(false);
    expect(cache.has(3)).toBe(true);
  });
  it('refuses a non-positive bound', () => expect(() => new PrincipalCache(0)).toThrow(RangeError));
});
