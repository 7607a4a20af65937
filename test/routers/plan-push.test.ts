import { describe, expect, it } from 'vitest';
import { desiredProfiles, profileChanges, withoutNameClashes } from '../../src/modules/routers/plan-push.ts';
import type { PlanForRouter } from '../../src/modules/routers/routers.repo.ts';

const plan = (over: Partial<PlanForRouter> = {}): PlanForRouter => ({
  id: crypto.randomUUID(),
  code: 'HOME10',
  name: 'Home 10',
  service_type: 'pppoe',
  version_id: crypto.randomUUID(),
  version: 1,
  download_kbps: 10_000,
  download_burst_kbps: null,
  download_burst_threshold_kbps: null,
  download_burst_seconds: null,
  upload_kbps: 5000,
  upload_burst_kbps: null,
  upload_burst_threshold_kbps: null,
  upload_burst_seconds: null,
  ip_pool: 'pool-home',
  address_list: null,
  ...over,
});

describe('plan push planning', () => {
  it('wants a PPP profile for a PPPoE plan and a hotspot user profile for a hotspot plan', () => {
    const [ppp, hs] = desiredProfiles([plan(), plan({ code: 'DAY1', service_type: 'hotspot', address_list: 'paid' })]);
    expect(ppp).toMatchObject({ menu: '/ppp/profile', name: 'HOME10', props: { 'rate-limit': '5M/10M', 'remote-address': 'pool-home', 'address-list': '', comment: 'uplink plan HOME10 v1' } });
    expect(hs).toMatchObject({ menu: '/ip/hotspot/user/profile', name: 'DAY1', props: { 'address-pool': 'pool-home', 'address-list': 'paid' } });
  });

  it('creates what is missing, updates only what differs, and leaves what matches', () => {
    const desired = desiredProfiles([plan(), plan({ code: 'BIZ', version: 2 }), plan({ code: 'SAME' })]);
    const changes = profileChanges(desired, {
      '/ppp/profile': [
        { '.id': '*2', name: 'BIZ', 'rate-limit': '1M/1M', 'remote-address': 'pool-home', comment: 'uplink plan BIZ v1', 'only-one': 'yes' },
        { '.id': '*3', name: 'SAME', 'rate-limit': '5M/10M', 'remote-address': 'pool-home', comment: 'uplink plan SAME v1' },
      ],
      '/ip/hotspot/user/profile': [],
    });
    expect(changes.map((c) => [c.name, c.action, c.id])).toEqual([
      ['HOME10', 'create', null],
      ['BIZ', 'update', '*2'],
      ['SAME', 'unchanged', '*3'],
    ]);
    expect(changes[0]!.changes).not.toHaveProperty('address-list');
    expect(changes[1]!.changes).toEqual({ 'rate-limit': ['1M/1M', '5M/10M'], comment: ['uplink plan BIZ v1', 'uplink plan BIZ v2'] });
  });

  it('keeps the first of two plans of one service type with the same code', () => {
    const a = plan({ code: 'X' });
    const b = plan({ code: 'x' });
    const c = plan({ code: 'X', service_type: 'hotspot' });
    expect(withoutNameClashes([a, b, c])).toEqual({ plans: [a, c], clashes: [b] });
  });
});
