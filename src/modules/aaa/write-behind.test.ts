import { describe, expect, it } from 'vitest';
import { WriteBehind } from './write-behind.ts';

describe('write-behind queue', () => {
  it('writes items arriving within one window in one call, and resolves them only after it', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WriteBehind<number>(async (items) => {
      calls.push(items);
      await gate;
    }, { windowMs: 10, maxBatch: 1000 });
    let settled = 0;
    const all = Array.from({ length: 50 }, (_, i) => q.add(i).then(() => settled++));
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual([Array.from({ length: 50 }, (_, i) => i)]);
    expect(settled).toBe(0); // not before the write has finished
    release();
    await Promise.all(all);
    expect(settled).toBe(50);
  });

  it('one batch in flight at a time: what arrives meanwhile is the next batch; maxBatch splits', async () => {
    const calls: number[][] = [];
    const q = new WriteBehind<number>(async (items) => {
      calls.push(items);
      await new Promise((r) => setTimeout(r, 20));
    }, { windowMs: 5, maxBatch: 3 });
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => q.add(i)));
    expect(calls.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(calls.every((c) => c.length <= 3)).toBe(true);
  });

  it('a failed write rejects every item of its batch, and the next batch still runs', async () => {
    let fail = true;
    const q = new WriteBehind<string>(async () => {
      if (fail) throw new Error('database down');
    }, { windowMs: 5, maxBatch: 100 });
    const results = await Promise.allSettled([q.add('a'), q.add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(q.add('c')).resolves.toBeUndefined();
  });
});
