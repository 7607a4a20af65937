import { describe, expect, it } from 'vitest';
import { refreshPlans } from '../../src/modules/installments/installments.service.ts';
import { applyLifecycle } from '../../src/modules/subscriptions/subscriptions.jobs.ts';
import { createTestContext, json, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { invoicesOf, monthlyPlan, subscribe, subscriber, topUp, world, type Subscription } from '../subscriptions/support.ts';

/** The suspension decision skips invoices an installment plan holds, until the plan is broken. */
describe(`installment plans and suspension (${engine})`, async () => {
  const t = await createTestContext();
  t.clock.set('2026-04-01T06:00:00Z');
  const w = await world(t);
  const plan = await monthlyPlan(w.admin, '3000');
  let admin = w.admin;
  const at = async (instant: string) => {
    t.clock.set(instant);
    admin = await sessionFor(t, w.adminUser);
  };
  const status = async (id: string) => json<Subscription>(await admin.get(`/api/subscriptions/${id}`)).status;

  it('an overdue postpaid line under a kept plan stays active; a broken plan lets the normal grace and suspension follow', async () => {
    const kept = await subscriber(admin, w.tree.isp);
    const free = await subscriber(admin, w.tree.isp);
    const keptSub = await subscribe(admin, { subscriberId: kept.id, planId: plan.id });
    const freeSub = await subscribe(admin, { subscriberId: free.id, planId: plan.id });
    const [invoice] = await invoicesOf(t, kept.id);
    const res = await admin.post('/api/installment-plans', { subscriberId: kept.id, invoiceIds: [invoice!.id], count: 3, firstDue: '2026-04-20', frequency: 'weekly', graceDays: 1 });
    expect(res.statusCode, res.body).toBe(201);

    await at('2026-04-16T06:00:00Z'); // the invoices fell due on 15 April
    await applyLifecycle(t.ctx);
    expect(await status(freeSub.id)).toBe('grace');
    expect(await status(keptSub.id)).toBe('active');

    await topUp(t, w.tree.isp.id, kept.id, '1000'); // the first installment, before 20 April
    await at('2026-04-22T06:00:00Z');
    expect((await refreshPlans(t.ctx)).broken).toBe(0);
    await applyLifecycle(t.ctx);
    expect(await status(freeSub.id)).toBe('suspended');
    expect(await status(keptSub.id)).toBe('active');

    await at('2026-04-29T06:00:00Z'); // the second installment (27 April) missed, a day's grace gone
    expect((await refreshPlans(t.ctx)).broken).toBe(1);
    await applyLifecycle(t.ctx);
    // Grace counts from the invoice's due date (15 April), long past: grace and its end in one run.
    expect(await status(keptSub.id)).toBe('suspended');
  });
});
