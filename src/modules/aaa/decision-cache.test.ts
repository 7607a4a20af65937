import { describe, expect, it } from 'vitest';
import type { DecisionRow } from './aaa.repo.ts';
import { DecisionCache } from './decision-cache.ts';

const row = (id: string, plan = 'plan-1') => ({ id, plan_id: plan }) as DecisionRow;

describe('decision cache', () => {
  it('serves a loaded subscription from memory until a notice names it, its plan, or everything', async () => {
    let now = 0;
    const cache = new DecisionCache(() => now);
    let loads = 0;
    const load = (r: DecisionRow) => async () => (loads++, r);
    await cache.subscription('Alice', load(row('s1')));
    await cache.subscription('alice', load(row('s1')));
    expect(loads).toBe(1);
    cache.forget('s:s1');
    await cache.subscription('alice', load(row('s1')));
    expect(loads).toBe(2);
    cache.forget('p:plan-1');
    await cache.subscription('alice', load(row('s1')));
    expect(loads).toBe(3);
    cache.forget('*');
    await cache.subscription('alice', load(row('s1')));
    expect(loads).toBe(4);
    now += 61_000; // the backstop expiry
    await cache.subscription('alice', load(row('s1')));
    expect(loads).toBe(5);
  });

  it('never keeps unknown names, nor a load that raced a notice', async () => {
    const cache = new DecisionCache(() => 0);
    await cache.subscription('ghost', async () => undefined);
    expect(cache.size).toBe(0);
    await cache.subscription('bob', async () => {
      cache.forget('s:other'); // a change committed while this load was reading
      return row('s2');
    });
    expect(cache.size).toBe(0);
  });

  it('caches nothing while changes cannot be heard', async () => {
    const cache = new DecisionCache(() => 0, { enabled: false });
    let loads = 0;
    await cache.subscription('carol', async () => (loads++, row('s3')));
    await cache.subscription('carol', async () => (loads++, row('s3')));
    expect(loads).toBe(2);
  });
});
