import type { Insertable } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { SubscriptionsTable } from '../../src/platform/db/schema.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { portalFixtures } from './fixtures.ts';

describe(`customer portal: subscriptions, usage and service unlock (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const f = portalFixtures(t, admin);
  t.clock.set(new Date('2026-03-10T09:00:00Z'));
  const plan = await createPlan(admin, { name: 'Home 10 Mbps' });
  const amina = await f.subscriber(tree.isp, 'Amina Otieno');
  const neighbour = await f.subscriber(tree.isp, 'Baraka Mwangi');
  const customer = (await f.customer(amina.id)).api;

  // The subscriptions module sells plans; here the rows are written as it leaves them.
  const subscription = async (values: Partial<Insertable<SubscriptionsTable>> & { subscriber_id: string }) =>
    (
      await t.ctx.db
        .insertInto('subscriptions')
        .values({ organization_id: tree.isp.id, plan_id: plan.id, currency: 'KES', starts_at: new Date('2026-02-01T00:00:00+03:00'), ...values })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const usage = (subscriptionId: string, unit: string, quantity: string, at: string) =>
    t.ctx.db.insertInto('usage_records').values({ subscription_id: subscriptionId, unit, quantity, occurred_at: new Date(at), source: 'manual' }).execute();

  it('lists the subscriber’s subscriptions with the period holding now (in Nairobi time) and the usage recorded in it', async () => {
    const activatedAt = new Date('2026-02-01T00:00:00+03:00');
    const active = await subscription({
      subscriber_id: amina.id,
      status: 'active',
      activated_at: activatedAt,
      billed_through: new Date('2026-03-01T00:00:00+03:00'),
      next_bill_at: new Date('2026-04-01T00:00:00+03:00'),
      username: 'amina.otieno',
      password_enc: t.ctx.secrets.seal('pppoe-secret'),
      created_at: new Date('2026-02-01T00:00:00Z'),
    });
    const pending = await subscription({ subscriber_id: amina.id, starts_at: new Date('2026-04-01T00:00:00+03:00'), created_at: new Date('2026-03-05T00:00:00Z') });
    const other = await subscription({ subscriber_id: neighbour.id, status: 'active', activated_at: activatedAt });
    // The current period is 1 March 00:00 to 1 April 00:00 in Nairobi (UTC+3): 28 Feb 21:00 UTC on.
    await usage(active, 'GB', '4', '2026-02-20T10:00:00Z');
    await usage(active, 'GB', '0.5', '2026-02-28T20:59:59Z');
    await usage(active, 'GB', '0.75', '2026-02-28T21:00:00Z');
    await usage(active, 'GB', '2.5', '2026-03-05T10:00:00Z');
    await usage(active, 'GB', '1.25', '2026-03-09T18:00:00Z');
    await usage(active, 'minutes', '30', '2026-03-02T08:00:00Z');
    await usage(other, 'GB', '100', '2026-03-05T10:00:00Z');

    const res = await customer.get('/api/portal/subscriptions');
    expect(res.statusCode, res.body).toBe(200);
    const { items } = json(res);
    expect(items.map((s: { id: string }) => s.id)).toEqual([pending, active]);
    expect(items[1]).toMatchObject({
      planName: 'Home 10 Mbps',
      serviceType: 'pppoe',
      billingModel: 'postpaid',
      status: 'active',
      username: 'amina.otieno',
      paidThrough: '2026-02-28T21:00:00.000Z',
      nextBillAt: '2026-03-31T21:00:00.000Z',
      currentPeriod: { start: '2026-02-28T21:00:00.000Z', end: '2026-03-31T21:00:00.000Z' },
      usage: [
        { unit: 'GB', quantity: '4.5' },
        { unit: 'minutes', quantity: '30' },
      ],
    });
    expect(items[0]).toMatchObject({ status: 'pending', activatedAt: null, currentPeriod: null, usage: [] });
    expect(Object.keys(items[1])).not.toContain('password');
  });

  it('paying the last unpaid invoice from the wallet brings a subscription in grace back to active', async () => {
    const held = await subscription({
      subscriber_id: amina.id,
      status: 'grace',
      status_reason: 'unpaid',
      activated_at: new Date('2026-02-01T00:00:00+03:00'),
      billed_through: new Date('2026-04-01T00:00:00+03:00'),
      next_bill_at: new Date('2026-04-01T00:00:00+03:00'),
      grace_until: new Date('2026-03-13T00:00:00+03:00'),
    });
    const first = await f.invoice(tree.isp, amina.id, 250_000n, { description: 'March' });
    const second = await f.invoice(tree.isp, amina.id, 40_000n, { description: 'Router' });
    await f.topUp(tree.isp, amina.id, 260_000n, 'R-1');
    const statusOf = async () => (await t.ctx.db.selectFrom('subscriptions').select('status').where('id', '=', held).executeTakeFirstOrThrow()).status;

    expect(json(await customer.post(`/api/portal/invoices/${first.id}/pay-from-wallet`)).invoice.status).toBe('paid');
    expect(await statusOf()).toBe('grace');
    const partial = json(await customer.post(`/api/portal/invoices/${second.id}/pay-from-wallet`));
    expect(partial).toMatchObject({ paid: '100.00', invoice: { status: 'partially_paid', balanceDue: '300.00' } });
    expect(await statusOf()).toBe('grace');

    await f.topUp(tree.isp, amina.id, 30_000n, 'R-2');
    expect(json(await customer.post(`/api/portal/invoices/${second.id}/pay-from-wallet`)).invoice.status).toBe('paid');
    expect(await statusOf()).toBe('active');
    const listed = json(await customer.get('/api/portal/subscriptions')).items.find((s: { id: string }) => s.id === held);
    expect(listed.status).toBe('active');
  });
});
