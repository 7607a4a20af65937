/** Renewal on payment: a prepaid plan that expired for want of balance is bought again when a payment funds the wallet. */
import { describe, expect, it } from 'vitest';
import { billSubscriptions } from '../../src/modules/billing/billing-run.service.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { monthlyPlan, subscribe } from '../subscriptions/support.ts';
import { expectBooksBalanced, newSubscriber, ok, walletOf } from './support.ts';

describe(`renewal on payment (${engine})`, async () => {
  const t = await createTestContext();
  const db = t.ctx.db;
  t.clock.set('2026-07-01T07:00:00Z'); // 10:00 in Nairobi
  const { isp } = await seedTree(t.ctx);
  const adminUser = await seedUser(t.ctx, isp, 'admin');
  const cashierUser = await seedUser(t.ctx, isp, 'staff');
  let admin = await sessionFor(t, adminUser);
  const plan = await monthlyPlan(admin, '1000', { billingModel: 'prepaid', alignment: 'anniversary' });
  const subscription = (id: string) => db.selectFrom('subscriptions').select(['status', 'status_reason', 'billed_through', 'next_bill_at', 'activated_at']).where('id', '=', id).executeTakeFirstOrThrow();
  const invoicesOf = (subscriberId: string) =>
    db.selectFrom('invoices').select(['id', 'status', 'total', 'source', 'period_start']).where('subscriber_id', '=', subscriberId).orderBy('created_at').orderBy('id').execute();

  /** A prepaid month bought from the wallet on 1 July, not renewed automatically, and expired on 1 August for want of balance. */
  async function expiredSubscriber() {
    t.clock.set('2026-07-01T07:00:00Z');
    admin = await sessionFor(t, adminUser);
    const s = await newSubscriber(admin, isp, { name: 'Faith Njeri' });
    await ok(admin.post('/api/payments', { subscriberId: s.id, amount: '1000' }), 201);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, autoRenew: false });
    expect(await subscription(sub.id)).toMatchObject({ status: 'active' });
    expect(await invoicesOf(s.id)).toMatchObject([{ status: 'paid', total: 100_000n }]);
    const august2 = new Date('2026-08-02T07:00:00Z');
    t.clock.set(august2);
    admin = await sessionFor(t, adminUser);
    await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [sub.id], asOf: august2 }));
    expect(await subscription(sub.id)).toMatchObject({ status: 'suspended', status_reason: 'expired', next_bill_at: null });
    return { s, sub };
  }

  it('an expired prepaid subscriber pays cash at the counter: active again, the renewal paid from the wallet, the next period set', async () => {
    const { s, sub } = await expiredSubscriber();
    const cashier = await sessionFor(t, cashierUser);
    const paid = await ok(cashier.post('/api/payments', { subscriberId: s.id, amount: '1000' }), 201);
    expect(paid.allocations).toEqual([]); // nothing was owed: the money reached the wallet, then bought the month
    const after = await subscription(sub.id);
    expect(after).toMatchObject({ status: 'active', status_reason: '', activated_at: new Date('2026-08-02T07:00:00Z') });
    // A month from today (Nairobi days): billed through the start of 2 September, and (not renewing by itself) due to expire then.
    expect(after.billed_through).toEqual(new Date('2026-09-02T00:00:00+03:00'));
    expect(after.next_bill_at).toEqual(new Date('2026-09-02T00:00:00+03:00'));
    const invoices = await invoicesOf(s.id);
    expect(invoices).toHaveLength(2);
    expect(invoices[1]).toMatchObject({ status: 'paid', total: 100_000n });
    expect(await walletOf(admin, s.id)).toMatchObject({ balance: '0.00', owed: '0.00' });
    const events = await db.selectFrom('subscription_events').select(['kind', 'from_status', 'to_status']).where('subscription_id', '=', sub.id).orderBy('at').orderBy('id').execute();
    expect(events.at(-1)).toEqual({ kind: 'renewed', from_status: 'suspended', to_status: 'active' });
    expect((await db.selectFrom('subscribers').select('status').where('id', '=', s.id).executeTakeFirstOrThrow()).status).toBe('active');
    await expectBooksBalanced(t, isp.id);
  });

  it('a payment too small to buy the plan stays in the wallet and leaves the plan expired; the next one renews it', async () => {
    const { s, sub } = await expiredSubscriber();
    const cashier = await sessionFor(t, cashierUser);
    const entriesBefore = await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await ok(cashier.post('/api/payments', { subscriberId: s.id, amount: '600' }), 201);
    expect(await subscription(sub.id)).toMatchObject({ status: 'suspended', status_reason: 'expired', next_bill_at: null });
    expect(await invoicesOf(s.id)).toHaveLength(1);
    expect((await walletOf(admin, s.id)).balance).toBe('600.00');
    // Only the payment's own entry: the renewal tried and undone left nothing behind.
    const entriesAfter = await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(entriesAfter.n) - Number(entriesBefore.n)).toBe(1);
    const events = await db.selectFrom('subscription_events').select('kind').where('subscription_id', '=', sub.id).where('kind', '=', 'renewed').execute();
    expect(events).toEqual([]);

    await ok(cashier.post('/api/payments', { subscriberId: s.id, amount: '400', method: 'mobile_transfer', provider: 'mpesa', reference: 'SHJ81KL0PQ' }), 201);
    expect(await subscription(sub.id)).toMatchObject({ status: 'active' });
    expect((await walletOf(admin, s.id)).balance).toBe('0.00');
    await expectBooksBalanced(t, isp.id);
  });
});
