/** The billing runs API with a job worker: start, follow to completion, preview, refusals; the hourly schedule. */
import { describe, expect, it } from 'vitest';
import { startScheduledRuns } from '../../src/modules/billing/billing-runs.service.ts';
import { customerSnapshot } from '../../src/modules/invoices/invoices.repo.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { created, createPlan, createTaxClass } from '../catalog/fixtures.ts';
import { newSubscriber, subscribe } from './run-support.ts';

describe(`billing runs API (${engine})`, async () => {
  const t = await createTestContext({ startJobs: true });
  const { db } = t.ctx;
  const { isp, resellerA, resellerB } = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, isp, 'admin'));
  const vat = await createTaxClass(admin, { organizationId: isp.id });
  // 2,320.00 a month = 2,000.00 + 320.00 VAT.
  const home = await createPlan(admin, { organizationId: isp.id }, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2320' }] }], taxClassId: vat.id });
  // Due in 60 days: no June invoice is overdue by July, so the lifecycle job leaves the subscriptions active.
  await db.insertInto('billing_settings').values({ organization_id: isp.id, due_days: 60 }).execute();
  const june = new Date('2026-06-05T08:00:00+03:00');
  t.clock.set(june);

  /** Polls the run until its job has finished it. */
  async function finished(api: Api, id: string) {
    for (let i = 0; i < 200; i++) {
      const run = json(await api.get(`/api/billing/runs/${id}`));
      if (run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the billing run did not finish');
  }

  it('previews, then bills, through a background job; lists the runs', async () => {
    const subscriber = await newSubscriber(admin, isp, 'Grace Wambui');
    await subscribe(t, { organizationId: isp.id, subscriberId: subscriber, planId: home.id, at: june });
    await subscribe(t, { organizationId: isp.id, subscriberId: await newSubscriber(admin, isp), planId: home.id, at: june });

    const preview = await created(admin.post('/api/billing/runs', { dryRun: true }), 202);
    expect(preview).toMatchObject({ organizationId: isp.id, dryRun: true, status: 'running', asOf: june.toISOString() });
    const previewed = await finished(admin, preview.id);
    expect(previewed).toMatchObject({ status: 'completed', subscriptionsBilled: 2, invoicesCreated: 2, linesCreated: 2, totals: [{ currency: 'KES', invoices: 2, lines: 2, subtotal: '4000.00', tax: '640.00', total: '4640.00' }] });
    expect(previewed.sample).toHaveLength(2);
    expect(previewed.sample[0]).toMatchObject({ source: 'billing_run', kind: 'recurring', descriptionKey: 'invoiceLine.fixedCharge', net: '2000.00', tax: '320.00', gross: '2320.00', periodStart: '2026-06-04T21:00:00.000Z' });
    expect(await db.selectFrom('invoices').select('id').execute()).toEqual([]);

    t.clock.advance({ minutes: 1 });
    const run = await finished(admin, (await created(admin.post('/api/billing/runs', {}), 202)).id);
    expect(run).toMatchObject({ status: 'completed', dryRun: false, subscriptionsBilled: 2, invoicesCreated: 2, totals: [{ currency: 'KES', total: '4640.00' }], sample: [], failures: [], error: null });
    const invoices = await db.selectFrom('invoices').selectAll().where('billing_run_id', '=', run.id).execute();
    expect(invoices.map((i) => i.status)).toEqual(['open', 'open']);
    // The run writes the customer snapshot the invoice engine takes.
    const graces = invoices.find((i) => i.subscriber_id === subscriber)!;
    expect(graces.customer).toEqual(await customerSnapshot(db, subscriber));

    const list = json(await admin.get('/api/billing/runs?limit=10'));
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([run.id, preview.id]);
    expect(json(await admin.get('/api/billing/runs?dryRun=true')).items.map((r: { id: string }) => r.id)).toEqual([preview.id]);
    const audit = await db.selectFrom('audit_log').select(['action', 'object_id', 'after']).where('action', 'like', 'billing.%').orderBy('seq').execute();
    expect(audit.filter((a) => a.action === 'billing.run.start').map((a) => a.object_id)).toEqual([preview.id, run.id]);
    // One entry per chunk that billed (two workers on a server may take a subscriber each).
    const billed = audit.filter((a) => a.action === 'billing.invoices.bill');
    expect(billed.every((a) => a.object_id === run.id)).toBe(true);
    expect(billed.reduce((n, a) => n + (a.after as { invoices: number }).invoices, 0)).toBe(2);
  });

  it('refuses what it cannot do, and changes nothing', async () => {
    const before = await db.selectFrom('billing_runs').select('id').execute();
    const future = await admin.post('/api/billing/runs', { asOf: '2026-07-01T00:00:00+03:00' });
    expect(future.statusCode).toBe(422);
    expect(json(future).errors).toEqual([{ field: 'asOf', message: 'must not be in the future unless dryRun is true' }]);
    expect((await admin.post('/api/billing/runs', { asOf: 'tomorrow' })).statusCode).toBe(400);
    const resellerAdmin = await sessionFor(t, await seedUser(t.ctx, resellerA, 'admin'));
    expect((await resellerAdmin.post('/api/billing/runs', { organizationId: resellerB.id })).statusCode).toBe(404);
    expect((await resellerAdmin.post('/api/billing/runs', { organizationId: isp.id })).statusCode).toBe(404);
    const staff = await sessionFor(t, await seedUser(t.ctx, isp, 'staff'));
    expect((await staff.post('/api/billing/runs', {})).statusCode).toBe(403);
    expect(await db.selectFrom('billing_runs').select('id').execute()).toEqual(before);
    // A dry run may look ahead: what July will bill.
    const ahead = await finished(admin, (await created(admin.post('/api/billing/runs', { asOf: '2026-07-05T00:00:00+03:00', dryRun: true }), 202)).id);
    expect(ahead).toMatchObject({ subscriptionsBilled: 2, totals: [{ total: '4640.00' }] });
  });

  it('the hourly schedule starts a run for each organization with something due, and none when nothing is', async () => {
    const july = new Date('2026-07-05T00:20:00+03:00');
    t.clock.set(july);
    const started = await startScheduledRuns(t.ctx);
    expect(started.map((r) => r.organization_id)).toEqual([isp.id]);
    expect(await finished(admin, started[0]!.id)).toMatchObject({ status: 'completed', subscriptionsBilled: 2, invoicesCreated: 2, startedBy: null });
    expect(await startScheduledRuns(t.ctx)).toEqual([]);
  });
});
