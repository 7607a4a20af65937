import { describe, expect, it } from 'vitest';
import type { DailyUsage } from '../../src/modules/usage/usage-daily.schemas.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { seedSubscription } from './fixtures.ts';

/** Daily usage for the charts: per local day (Nairobi, UTC+3), from accounting day counters and usage records. */
describe(`daily usage (${engine})`, async () => {
  const t = await createTestContext();
  // 10:00 on 20 March 2026 in Nairobi.
  t.clock.set('2026-03-20T07:00:00Z');
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const staffB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'staff'));
  const sub = await seedSubscription(t.ctx, admin, tree.resellerA, { username: 'amina', startsAt: new Date('2026-03-01T00:00:00Z') });
  const day = (body: { days: DailyUsage['days'] }, date: string) => body.days.find((d) => d.date === date);
  // Sessions as Uplink's own accounting writes them: with their NAS, and day counters beside them
  // (a row without a NAS is FreeRADIUS's, whose day counters a trigger files itself).
  const nas = await t.ctx.db
    .insertInto('nas_devices')
    .values({ organization_id: tree.resellerA.id, name: 'edge', type: 'mikrotik', address: '192.0.2.1', secret_enc: t.ctx.secrets.seal('testing123') })
    .returning('id')
    .executeTakeFirstOrThrow();

  // A session that lasts from 18 to 19 March: its counters at the end of each day it was seen.
  const session = await t.ctx.db
    .insertInto('radacct')
    .values({ acctsessionid: 'S-1', acctuniqueid: 'u-1', username: 'amina', nasipaddress: '192.0.2.1', nas_id: nas.id, acctstarttime: new Date('2026-03-18T10:00:00Z'), subscription_id: sub.id })
    .returning('radacctid')
    .executeTakeFirstOrThrow();
  await t.ctx.db
    .insertInto('radacct_days')
    .values([
      { radacctid: session.radacctid, day: '2026-03-18', subscription_id: sub.id, input_octets: 1_000_000n, output_octets: 5_000_000_000n, session_seconds: 3_600n },
      { radacctid: session.radacctid, day: '2026-03-19', subscription_id: sub.id, input_octets: 3_000_000n, output_octets: 7_500_000_000n, session_seconds: 90_000n },
    ])
    .execute();
  // Readings: 23:30 on 1 March in Nairobi is still 1 March there (20:30 UTC).
  for (const r of [
    { unit: 'GB', quantity: '1.25', occurredAt: '2026-03-01T20:30:00Z' },
    { unit: 'GB', quantity: '0.75', occurredAt: '2026-03-01T05:00:00Z' },
    { unit: 'minutes', quantity: '90', occurredAt: '2026-03-19T09:00:00+03:00' },
  ])
    expect((await admin.post(`/api/subscriptions/${sub.id}/usage`, r)).statusCode).toBe(201);

  it('answers every local day of the last 30, zeros included, with bytes split by direction from the day counters', async () => {
    const res = await admin.get(`/api/subscriptions/${sub.id}/usage/daily`);
    expect(res.statusCode, res.body).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({ subscriptionId: sub.id, range: 'last30', timezone: 'Africa/Nairobi', from: '2026-02-19', to: '2026-03-20' });
    expect(body.days).toHaveLength(30);
    expect(day(body, '2026-03-18')).toEqual({ date: '2026-03-18', downloadBytes: 5_000_000_000, uploadBytes: 1_000_000, sessionSeconds: 3_600, usage: {} });
    // The second day is the step from the first: 2.5 GB down, 2 MB up, 86,400 s.
    expect(day(body, '2026-03-19')).toEqual({ date: '2026-03-19', downloadBytes: 2_500_000_000, uploadBytes: 2_000_000, sessionSeconds: 86_400, usage: { minutes: '90' } });
    expect(day(body, '2026-03-01')!.usage).toEqual({ GB: '2' });
    expect(day(body, '2026-03-02')).toEqual({ date: '2026-03-02', downloadBytes: 0, uploadBytes: 0, sessionSeconds: 0, usage: {} });
  });

  it('counts a session’s later day from its counters even when its first day is outside the range', async () => {
    const longer = await t.ctx.db
      .insertInto('radacct')
      .values({ acctsessionid: 'S-0', acctuniqueid: 'u-0', username: 'amina', nasipaddress: '192.0.2.1', nas_id: nas.id, acctstarttime: new Date('2026-02-18T10:00:00Z'), subscription_id: sub.id })
      .returning('radacctid')
      .executeTakeFirstOrThrow();
    await t.ctx.db
      .insertInto('radacct_days')
      .values([
        { radacctid: longer.radacctid, day: '2026-02-18', subscription_id: sub.id, input_octets: 400n, output_octets: 9_000n, session_seconds: 100n },
        { radacctid: longer.radacctid, day: '2026-02-19', subscription_id: sub.id, input_octets: 500n, output_octets: 10_000n, session_seconds: 160n },
      ])
      .execute();
    const body = json(await admin.get(`/api/subscriptions/${sub.id}/usage/daily?range=last30`));
    expect(body.from).toBe('2026-02-19');
    expect(day(body, '2026-02-19')).toMatchObject({ downloadBytes: 1_000, uploadBytes: 100, sessionSeconds: 60 });
    expect(day(body, '2026-02-18')).toBeUndefined();
  });

  it('answers 90 days, and the current billing period from its first day to today', async () => {
    expect(json(await admin.get(`/api/subscriptions/${sub.id}/usage/daily?range=last90`)).days).toHaveLength(90);
    const current = json(await admin.get(`/api/subscriptions/${sub.id}/usage/daily?range=current`));
    expect(current).toMatchObject({ range: 'current', to: '2026-03-20' });
    expect(current.days[0].date).toBe(current.from);
    expect(current.days.at(-1).date).toBe('2026-03-20');
    expect(current.from <= '2026-03-20' && current.from >= '2026-02-20').toBe(true);
  });

  it('refuses an unknown range with a 400 naming it, and another tenant’s subscription with a 404', async () => {
    const bad = await admin.get(`/api/subscriptions/${sub.id}/usage/daily?range=forever`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('range');
    const foreign = await staffB.get(`/api/subscriptions/${sub.id}/usage/daily`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('5000000000');
  });

  it('gives a subscriber its own chart in the portal, and nobody else’s', async () => {
    const f = portalFixtures(t, admin);
    const owner = await f.customer(sub.subscriberId);
    const own = await owner.api.get(`/api/portal/subscriptions/${sub.id}/usage/daily?range=last30`);
    expect(own.statusCode, own.body).toBe(200);
    expect(day(json(own), '2026-03-18')!.downloadBytes).toBe(5_000_000_000);
    const neighbour = await f.customer((await f.subscriber(tree.resellerA)).id);
    const other = await neighbour.api.get(`/api/portal/subscriptions/${sub.id}/usage/daily`);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('5000000000');
  });
});
