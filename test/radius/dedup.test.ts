import { describe, expect, it } from 'vitest';
import { DuplicateCache, RateLimitedLog } from '../../src/radius/dedup.ts';

const auth = (n: number) => Buffer.alloc(16, n);

describe('DuplicateCache', () => {
  it('new → in progress → answered within the window; new again after it', () => {
    const cache = new DuplicateCache(5_000);
    expect(cache.begin('k', auth(1), 0)).toEqual({ kind: 'new' });
    expect(cache.begin('k', auth(1), 100)).toEqual({ kind: 'in-progress' });
    cache.answered('k', Buffer.from('reply'));
    expect(cache.begin('k', auth(1), 4_999)).toEqual({ kind: 'answered', reply: Buffer.from('reply') });
    expect(cache.begin('k', auth(1), 5_000)).toEqual({ kind: 'new' });
  });

  it('a different authenticator under the same key is a new request; forget() lets a retry through', () => {
    const cache = new DuplicateCache(5_000);
    cache.begin('k', auth(1), 0);
    expect(cache.begin('k', auth(2), 1)).toEqual({ kind: 'new' });
    cache.forget('k');
    expect(cache.begin('k', auth(2), 2)).toEqual({ kind: 'new' });
  });

  it('sweep drops expired entries and the size stays bounded', () => {
    const cache = new DuplicateCache(1_000, 100);
    for (let i = 0; i < 500; i++) cache.begin(`k${i}`, auth(1), i);
    expect(cache.size).toBeLessThanOrEqual(101);
    cache.sweep(10_000);
    expect(cache.size).toBe(0);
  });
});

describe('RateLimitedLog', () => {
  it('one line per key and interval, reporting how many were suppressed', () => {
    const log = new RateLimitedLog(10_000);
    expect(log.allow('unknown|10.0.0.1', 0)).toBe(0);
    expect(log.allow('unknown|10.0.0.1', 1_000)).toBeNull();
    expect(log.allow('unknown|10.0.0.1', 2_000)).toBeNull();
    expect(log.allow('unknown|10.0.0.2', 2_000)).toBe(0);
    expect(log.allow('unknown|10.0.0.1', 10_000)).toBe(2);
  });
});
