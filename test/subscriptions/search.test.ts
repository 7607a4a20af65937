import { describe, expect, it } from 'vitest';
import { createTestContext, json } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { monthlyPlan, subscribe, subscriber, world } from './support.ts';

describe(`subscribers found by their service's login, MAC and IP (${engine})`, async () => {
  const t = await createTestContext();
  const { tree, admin } = await world(t);
  const plan = await monthlyPlan(admin, '2500');
  const found = async (q: string) => json<{ items: { id: string }[] }>(await admin.get(`/api/subscribers?q=${encodeURIComponent(q)}&limit=50`)).items.map((s) => s.id);

  it('searches the login, the MAC in any usual spelling and the static address', async () => {
    const s = await subscriber(admin, tree.isp);
    const other = await subscriber(admin, tree.isp);
    const sold = await subscribe(admin, { subscriberId: s.id, planId: plan.id, username: 'kamau.home', macAddress: 'a4-5e-60-c1-22-0f', staticIpv4: '10.20.30.41' });
    expect(sold.username).toBe('kamau.home');
    for (const q of ['kamau.home', 'A4:5E:60:C1:22:0F', 'a45e60c1220f', 'a4-5e-60', '10.20.30.41']) expect(await found(q), q).toEqual([s.id]);
    expect(await found('10.20.30.4')).toEqual([s.id]);
    expect(await found('kamau.home')).not.toContain(other.id);
  });

  it('follows an edit: the new login finds the subscriber, the old one no longer does', async () => {
    const s = await subscriber(admin, tree.isp);
    const sold = await subscribe(admin, { subscriberId: s.id, planId: plan.id, username: 'otieno.first' });
    const edited = await admin.patch(`/api/subscriptions/${sold.id}`, { username: 'otieno.second' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(await found('otieno.second')).toEqual([s.id]);
    expect(await found('otieno.first')).toEqual([]);
  });
});
