import { describe, expect, it, vi } from 'vitest';
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

  it('with maxInFlight 2, a second batch is written while the first is still in flight, never a third', async () => {
    const gates: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    const calls: number[][] = [];
    const q = new WriteBehind<number>(async (items) => {
      calls.push(items);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => gates.push(r));
      inFlight--;
    }, { windowMs: 1, maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((i) => q.add(i));
    await vi.waitFor(() => expect(calls).toEqual([[1, 2], [3, 4]]), { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toHaveLength(2); // two in flight, the third batch waits for one to end
    gates.shift()!();
    await vi.waitFor(() => expect(calls).toEqual([[1, 2], [3, 4], [5, 6]]), { timeout: 5_000 });
    while (gates.length) gates.shift()!();
    await Promise.all(all);
    await q.drain();
    expect(most).toBe(2);
  });
});
