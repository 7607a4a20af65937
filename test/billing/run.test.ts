import { sql } from 'kysely';
/** The billing run on a real database: what it writes, exactly once, run twice and twice at once. */
import { describe, expect, it } from 'vitest';
import { billSubscriptions } from '../../src/modules/billing/billing-run.service.ts';
import { topUpWallet } from '../../src/modules/ledger/wallets.service.ts';
import { executeRun } from '../../src/modules/billing/billing-runs.service.ts';
import * as repo from '../../src/modules/billing/billing-run.repo.ts';
import * as runs from '../../src/modules/billing/billing-runs.repo.ts';
import { createTestContext, seedOrganization, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, createTaxClass } from '../catalog/fixtures.ts';
import { expectBooksBalanced, expectExactlyOnce, linesOfSubscription, newSubscriber, subscribe } from './run-support.ts';

describe(`billing run (${engine})`, async () => {
  const t = await createTestContext();
  const { db } = t.ctx;
  const { isp } = await seedTree(t.ctx);
  const api = await sessionFor(t, await seedUser(t.ctx, isp, 'developer'));
  const vat = await createTaxClass(api, { organizationId: isp.id });
  // KES 2,320 a month VAT-inclusive: 2,320 / 1.16 = 2,000.00 net + 320.00 VAT.
  const home = await createPlan(api, { organizationId: isp.id, name: 'Home 10' }, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2320' }] }], taxClassId: vat.id });
  // KES 1,160 a month VAT-inclusive: 1,000.00 net + 160.00 VAT.
  const tv = await createPlan(api, { organizationId: isp.id, name: 'TV', serviceType: 'cable_tv' }, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1160' }] }], taxClassId: vat.id });
  const march10 = new Date('2026-03-10T09:00:00+03:00');
  t.clock.set(march10);
  const createRun = (asOf: Date, dryRun = false) => runs.insertRun(db, { organization_id: isp.id, as_of: asOf, dry_run: dryRun, started_at: t.clock.now(), started_by: null });

  it('bills each due subscription once: one invoice per subscriber with a line per subscription, issued with a ledger entry', async () => {
    const alice = await newSubscriber(api, isp, 'Alice Wanjiru');
    const bob = await newSubscriber(api, isp, 'Bob Otieno');
    const aliceHome = await subscribe(t, { organizationId: isp.id, subscriberId: alice, planId: home.id, at: march10 });
    const bobHome = await subscribe(t, { organizationId: isp.id, subscriberId: bob, planId: home.id, at: march10 });
    const bobTv = await subscribe(t, { organizationId: isp.id, subscriberId: bob, planId: tv.id, at: march10 });

    const run = await executeRun(t.ctx, (await createRun(march10)).id);
    expect(run).toMatchObject({ status: 'completed', subscriptions_billed: 3, invoices_created: 2 });
    const invoices = await db.selectFrom('invoices').selectAll().where('billing_run_id', '=', run.id).orderBy('number').execute();
    expect(invoices.map((i) => i.number)).toEqual(['INV-000001', 'INV-000002']);
    const bobs = invoices.find((i) => i.subscriber_id === bob)!;
    // Bob: 2,000.00 + 1,000.00 net, 320.00 + 160.00 VAT = 3,480.00.
    expect(bobs).toMatchObject({ status: 'open', source: 'billing_run', currency: 'KES', subtotal: 300_000n, tax_total: 48_000n, total: 348_000n, issue_date: '2026-03-10', due_date: '2026-03-24' });
    expect(bobs.customer).toMatchObject({ name: 'Bob Otieno', phone: '+254712345678' });
    expect(bobs.taxes).toEqual([{ code: 'VAT', name: 'VAT', rate: '16', amount: '48000' }]);
    expect(invoices.find((i) => i.subscriber_id === alice)).toMatchObject({ subtotal: 200_000n, tax_total: 32_000n, total: 232_000n });
    const period = { period_start: new Date('2026-03-10T00:00:00+03:00'), period_end: new Date('2026-04-10T00:00:00+03:00') };
    expect(await linesOfSubscription(t, bobTv)).toEqual([{ kind: 'recurring', ...period, net: 100_000n, tax: 16_000n, gross: 116_000n, number: bobs.number, status: 'open', source: 'billing_run' }]);
    expect((await linesOfSubscription(t, aliceHome)).map((l) => l.gross)).toEqual([232_000n]);

    // The engine's entry: receivable 3,480 debit; revenue per service type and VAT credited.
    const entry = await db.selectFrom('journal_entries').selectAll().where('id', '=', bobs.journal_entry_id!).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ kind: 'invoice_issued', idempotency_key: `invoice:${bobs.id}`, memo: 'Invoice for the period from 2026-03-10' });
    const lines = await db
      .selectFrom('journal_lines')
      .innerJoin('ledger_accounts', 'ledger_accounts.id', 'journal_lines.account_id')
      .select(['ledger_accounts.system_key', 'ledger_accounts.owner_id', 'journal_lines.amount'])
      .where('entry_id', '=', entry.id)
      .orderBy('line_no')
      .execute();
    expect(lines).toEqual([
      { system_key: 'accounts_receivable', owner_id: bob, amount: 348_000n },
      { system_key: 'revenue:pppoe', owner_id: null, amount: -200_000n },
      { system_key: 'revenue:cable_tv', owner_id: null, amount: -100_000n },
      { system_key: 'tax_payable:VAT', owner_id: null, amount: -48_000n },
    ]);
    const sub = await db.selectFrom('subscriptions').selectAll().where('id', '=', bobHome).executeTakeFirstOrThrow();
    expect(sub).toMatchObject({ billed_through: period.period_end, next_bill_at: period.period_end });
    await expectBooksBalanced(t, isp.id);
  });

  it('bills nothing more when run again, and the next period when it comes', async () => {
    const before = await db.selectFrom('invoice_lines').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow();
    const again = await executeRun(t.ctx, (await createRun(march10)).id);
    expect(again).toMatchObject({ status: 'completed', subscriptions_billed: 0, invoices_created: 0 });
    expect(await db.selectFrom('invoice_lines').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).toEqual(before);
    // Billed in advance: the April period is due at its first instant, not before.
    const april10 = new Date('2026-04-10T00:00:00+03:00');
    expect((await executeRun(t.ctx, (await createRun(new Date(april10.getTime() - 1))).id)).invoices_created).toBe(0);
    t.clock.set(april10);
    expect((await executeRun(t.ctx, (await createRun(april10)).id)).invoices_created).toBe(2);
    await expectExactlyOnce(t, isp.id);
    await expectBooksBalanced(t, isp.id);
  });

  it('two runs at once, in small chunks, bill every subscription exactly once', async () => {
    const at = t.clock.now();
    const subs: string[] = [];
    for (let i = 0; i < 24; i++) subs.push(await subscribe(t, { organizationId: isp.id, subscriberId: await newSubscriber(api, isp), planId: i % 3 === 0 ? tv.id : home.id, at }));
    // Chunks of 5 over 24 due subscriptions of 24 subscribers: 5 ranges, each a run of whole subscribers.
    const ranges = await repo.subscriberRanges(db, { asOf: at, organizationId: isp.id }, 5);
    expect(ranges).toHaveLength(5);
    const sizes = await Promise.all(ranges.map(async (r) => (await repo.dueSubscriptions(db, { asOf: at, organizationId: isp.id }, r, false)).length));
    expect(sizes).toEqual([5, 5, 5, 5, 4]);
    const [a, b] = await Promise.all([createRun(at), createRun(at)]);
    const [ra, rb] = await Promise.all([executeRun(t.ctx, a!.id, { chunkSize: 5 }), executeRun(t.ctx, b!.id, { chunkSize: 5 })]);
    expect(ra.invoices_created + rb.invoices_created).toBe(24);
    expect(ra.subscriptions_billed + rb.subscriptions_billed).toBe(24);
    for (const id of subs) expect((await linesOfSubscription(t, id)).length).toBe(1);
    await expectExactlyOnce(t, isp.id);
    await expectBooksBalanced(t, isp.id);
  });

  it.skipIf(engine === 'pglite')('a chunk and an invoice issued for one of its subscribers at the same moment both commit: the deadlock victim runs again', async () => {
    const at = t.clock.now();
    const carol = await newSubscriber(api, isp, 'Carol Concurrent');
    const sub = await subscribe(t, { organizationId: isp.id, subscriberId: carol, planId: home.id, at });
    let posted!: () => void;
    const entriesPosted = new Promise<void>((resolve) => (posted = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let attempts = 0;
    // The chunk posts its entries (the subscriber's receivable locked) and, the first time, waits there.
    const chunk = db.transaction().execute(async (trx) => {
      attempts++;
      const first = attempts === 1;
      return billSubscriptions(trx, t.clock, {
        subscriptionIds: [sub],
        asOf: at,
        faults: {
          at: async (point) => {
            if (point === 'entries' && first) {
              posted();
              await released;
            }
          },
        },
      });
    });
    await entriesPosted;
    // The invoice engine takes the counter first, then waits for the receivable the chunk holds;
    // released, the chunk waits for the counter: a deadlock, one of them rolled back and run again.
    const manual = api.post('/api/invoices', { subscriberId: carol, lines: [{ description: 'Router', serviceType: 'equipment', quantity: '1', unitPrice: '1500' }], issue: true });
    let engineWaited = false;
    for (let i = 0; i < 300 && !engineWaited; i++) {
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
      engineWaited = waiting.rows[0]!.n > 0;
      if (!engineWaited) await new Promise((r) => setTimeout(r, 10));
    }
    expect(engineWaited).toBe(true);
    release();
    const [summary, res] = await Promise.all([chunk, manual]);
    expect(res.statusCode, res.body).toBe(201);
    expect(summary.invoices).toBe(1);
    const invoices = await db.selectFrom('invoices').select(['number', 'source', 'status']).where('subscriber_id', '=', carol).orderBy('number').execute();
    expect(invoices.map((i) => i.source).sort()).toEqual(['billing_run', 'manual']);
    expect(invoices.every((i) => i.status === 'open' && i.number !== null)).toBe(true);
    const [a, b] = invoices.map((i) => Number(i.number!.replace(/\D/g, '')));
    expect(Math.abs(a! - b!)).toBe(1);
    await expectBooksBalanced(t, isp.id);
  });

  it('a period that already holds a line is not billed again: the index refuses it and the chunk is redone without it', async () => {
    const at = t.clock.now();
    const frank = await newSubscriber(api, isp, 'Frank Barasa');
    const stale = await subscribe(t, { organizationId: isp.id, subscriberId: frank, planId: tv.id, at });
    const fresh = await subscribe(t, { organizationId: isp.id, subscriberId: await newSubscriber(api, isp), planId: tv.id, at });
    // A line for the stale subscription's due period, as if billed by another way that did not move the subscription on.
    const { next_bill_at: start } = await db.selectFrom('subscriptions').select('next_bill_at').where('id', '=', stale).executeTakeFirstOrThrow();
    const draft = await db.insertInto('invoices').values({ organization_id: isp.id, subscriber_id: frank, currency: 'KES', created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
    const end = new Date(start!.getTime() + 31 * 86_400_000);
    await db
      .insertInto('invoice_lines')
      .values({ invoice_id: draft.id, line_no: 1, kind: 'recurring', subscription_id: stale, service_type: 'cable_tv', quantity: '1', unit_price: '1160', amount: 116_000n, net: 116_000n, gross: 116_000n, period_start: start, period_end: end })
      .execute();
    let attempts = 0;
    const run = await executeRun(t.ctx, (await createRun(at)).id, { faults: { at: (point) => void (point === 'selected' && attempts++) } });
    expect(run).toMatchObject({ status: 'completed', subscriptions_billed: 1, invoices_created: 1 });
    expect(attempts).toBe(2);
    expect((await linesOfSubscription(t, stale)).map((l) => l.status)).toEqual(['draft']);
    expect((await linesOfSubscription(t, fresh)).map((l) => l.status)).toEqual(['open']);
    // Moved on past the period that was billed already.
    const moved = await db.selectFrom('subscriptions').select(['billed_through', 'next_bill_at']).where('id', '=', stale).executeTakeFirstOrThrow();
    expect(moved.billed_through!.getTime()).toBeGreaterThan(start!.getTime());
    await expectExactlyOnce(t, isp.id);
  });

  it('a dry run reports what a run then bills, and writes nothing but its run', async () => {
    const at = t.clock.now();
    const carol = await newSubscriber(api, isp, 'Carol Akinyi');
    await subscribe(t, { organizationId: isp.id, subscriberId: carol, planId: home.id, at });
    await subscribe(t, { organizationId: isp.id, subscriberId: carol, planId: tv.id, at });
    const invoicesBefore = await db.selectFrom('invoices').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow();
    const preview = await executeRun(t.ctx, (await createRun(at, true)).id);
    expect(preview).toMatchObject({ status: 'completed', dry_run: true, subscriptions_billed: 2, invoices_created: 1 });
    // 2,320.00 + 1,160.00 = 3,480.00, of which 480.00 VAT.
    expect(preview.totals).toMatchObject({ totals: [{ currency: 'KES', invoices: 1, lines: 2, subtotal: '300000', tax: '48000', total: '348000' }] });
    expect((preview.totals as { sample: unknown[] }).sample).toHaveLength(2);
    expect(await db.selectFrom('invoices').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).toEqual(invoicesBefore);
    const real = await executeRun(t.ctx, (await createRun(at)).id);
    expect(real).toMatchObject({ subscriptions_billed: 2, invoices_created: 1 });
    expect(real.totals).toMatchObject({ totals: [{ currency: 'KES', total: '348000' }] });
  });

  it('a subscription behind by several periods gets each period once, on one invoice', async () => {
    const dan = await newSubscriber(api, isp, 'Dan Kamau');
    const id = await subscribe(t, { organizationId: isp.id, subscriberId: dan, planId: tv.id, at: new Date('2026-01-15T12:00:00+03:00') });
    const summary = await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [id], asOf: t.clock.now() }));
    expect(summary).toMatchObject({ subscriptions: 1, invoices: 1, lines: 3 });
    // Jan 15, Feb 15, Mar 15 have started by April 10; Apr 15 has not.
    expect((await linesOfSubscription(t, id)).map((l) => [l.period_start!.toISOString(), l.period_end!.toISOString()])).toEqual([
      ['2026-01-14T21:00:00.000Z', '2026-02-14T21:00:00.000Z'],
      ['2026-02-14T21:00:00.000Z', '2026-03-14T21:00:00.000Z'],
      ['2026-03-14T21:00:00.000Z', '2026-04-14T21:00:00.000Z'],
    ]);
    expect(await db.selectFrom('subscriptions').select('next_bill_at').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ next_bill_at: new Date('2026-04-15T00:00:00+03:00') });
    await expectExactlyOnce(t, isp.id);
  });

  it('a plan change scheduled for the period end bills the next period on the new plan', async () => {
    const eve = await newSubscriber(api, isp, 'Eve Njeri');
    const id = await subscribe(t, { organizationId: isp.id, subscriberId: eve, planId: tv.id, at: t.clock.now() });
    await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [id], asOf: t.clock.now() }));
    await db.updateTable('subscriptions').set({ pending_plan_id: home.id }).where('id', '=', id).execute();
    const may10 = new Date('2026-05-10T00:00:00+03:00');
    t.clock.set(may10);
    await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [id], asOf: may10 }));
    expect((await linesOfSubscription(t, id)).map((l) => l.gross)).toEqual([116_000n, 232_000n]);
    expect(await db.selectFrom('subscriptions').select(['plan_id', 'pending_plan_id']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ plan_id: home.id, pending_plan_id: null });
    const events = await db.selectFrom('subscription_events').select(['kind', 'at', 'details']).where('subscription_id', '=', id).execute();
    expect(events).toEqual([{ kind: 'plan_changed', at: may10, details: { fromPlanId: tv.id, toPlanId: home.id, scheduled: true } }]);
  });

  it("prices with the organization's rounding, and charges service begun mid-period for the days from then on", async () => {
    const resellerA = await seedOrganization(t.ctx, isp, 'reseller', 'Whole Shillings Ltd');
    await db.insertInto('billing_settings').values({ organization_id: resellerA.id, rounding: JSON.stringify({ KES: { mode: 'half-up', increment: '100' } }) }).execute();
    const resellerVat = await createTaxClass(api, { organizationId: resellerA.id });
    const office = await createPlan(api, { organizationId: resellerA.id, name: 'Office' }, { billing: { cycle: 'monthly', alignment: 'calendar' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '3000' }] }] });
    const homeVat = await createPlan(api, { organizationId: resellerA.id, name: 'Home VAT' }, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1000' }] }], taxClassId: resellerVat.id });
    const june10 = new Date('2026-06-10T09:00:00+03:00');
    t.clock.set(june10);
    const subscriber = await newSubscriber(api, resellerA);
    const calendar = await subscribe(t, { organizationId: resellerA.id, subscriberId: subscriber, planId: office.id, at: june10 });
    const inclusive = await subscribe(t, { organizationId: resellerA.id, subscriberId: subscriber, planId: homeVat.id, at: june10 });
    await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { organizationId: resellerA.id, asOf: june10 }));
    const line = (id: string) => db.selectFrom('invoice_lines').select(['description_key', 'quantity', 'period_start', 'net', 'tax', 'gross']).where('subscription_id', '=', id).executeTakeFirstOrThrow();
    // June 10 to 30 is 21 of June's 30 days: 3,000.00 × 21 / 30 = 2,100.00, for the calendar month's period.
    expect(await line(calendar)).toEqual({ description_key: 'invoiceLine.activation', quantity: '21', period_start: new Date('2026-06-01T00:00:00+03:00'), net: 210_000n, tax: 0n, gross: 210_000n });
    // 1,000 × 16/116 = 137.93 VAT, rounded to whole shillings: 138.00, leaving 862.00.
    expect(await line(inclusive)).toMatchObject({ description_key: 'invoiceLine.fixedCharge', net: 86_200n, tax: 13_800n, gross: 100_000n });
  });

  it('a prepaid plan not renewed automatically expires when its paid period ends, instead of billing another', async () => {
    const day = await createPlan(api, { organizationId: isp.id, name: 'Day pass', serviceType: 'hotspot', billingModel: 'prepaid' }, { billing: { cycle: 'daily' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '50' }] }] });
    const at = new Date('2026-07-01T10:00:00+03:00');
    t.clock.set(at);
    const gina = await newSubscriber(api, isp, 'Gina Chebet');
    await db.transaction().execute((trx) =>
      topUpWallet(trx, t.clock, { organizationId: isp.id, subscriberId: gina, currency: 'KES' }, { amount: { minor: 50_000n, currency: 'KES' }, via: { kind: 'cash' }, idempotencyKey: `top-up:${gina}` }),
    );
    const id = await subscribe(t, { organizationId: isp.id, subscriberId: gina, planId: day.id, at, autoRenew: false });
    await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [id], asOf: at }));
    // The first day is bought (paid from the wallet); the next morning nothing is renewed.
    const july2 = new Date('2026-07-02T06:00:00+03:00');
    t.clock.set(july2);
    await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [id], asOf: july2 }));
    expect(await linesOfSubscription(t, id)).toMatchObject([{ gross: 5_000n, status: 'paid', source: 'renewal' }]);
    expect(await db.selectFrom('subscriptions').select(['status', 'status_reason', 'next_bill_at', 'billed_through']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      status: 'suspended',
      status_reason: 'expired',
      next_bill_at: null,
      billed_through: new Date('2026-07-02T00:00:00+03:00'),
    });
    const events = await db.selectFrom('subscription_events').select(['kind', 'from_status', 'to_status', 'reason']).where('subscription_id', '=', id).execute();
    expect(events).toEqual([{ kind: 'suspended', from_status: 'active', to_status: 'suspended', reason: 'expired' }]);
  });

  it('with approval required, invoices wait in review (no number, no ledger entry); a prepaid renewal is issued and paid from the wallet', async () => {
    const week = await createPlan(api, { organizationId: isp.id, name: 'Week pass', serviceType: 'hotspot', billingModel: 'prepaid' }, { billing: { cycle: 'daily' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '70' }] }] });
    await db.insertInto('billing_settings').values({ organization_id: isp.id, approval_required: true }).execute();
    try {
      const at = t.clock.now();
      const id = await subscribe(t, { organizationId: isp.id, subscriberId: await newSubscriber(api, isp), planId: home.id, at });
      const payer = await newSubscriber(api, isp, 'Halima Wanjiru');
      await db.transaction().execute((trx) =>
        topUpWallet(trx, t.clock, { organizationId: isp.id, subscriberId: payer, currency: 'KES' }, { amount: { minor: 7_000n, currency: 'KES' }, via: { kind: 'cash' }, idempotencyKey: `top-up:${payer}` }),
      );
      const paid = await subscribe(t, { organizationId: isp.id, subscriberId: payer, planId: week.id, at });
      const broke = await subscribe(t, { organizationId: isp.id, subscriberId: await newSubscriber(api, isp, 'Empty Wallet'), planId: week.id, at });
      const entriesBefore = await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow();
      await db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [id, paid, broke], asOf: at }));
      expect(await linesOfSubscription(t, id)).toMatchObject([{ status: 'in_review', number: null, gross: 232_000n }]);
      const [renewal] = await linesOfSubscription(t, paid);
      expect(renewal).toMatchObject({ status: 'paid', source: 'renewal', gross: 7_000n });
      const [unpaid] = await linesOfSubscription(t, broke);
      expect(unpaid).toMatchObject({ status: 'open', source: 'renewal', gross: 7_000n });
      // The two issued renewals take consecutive numbers; the invoice in review takes none.
      const numbers = [renewal!.number, unpaid!.number].map((n) => Number(n!.replace(/\D/g, ''))).sort((a, b) => a - b);
      expect(numbers[1]! - numbers[0]!).toBe(1);
      // Issued: the paid renewal's entry and its wallet payment, the unpaid one's entry.
      const entriesAfter = await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow();
      expect(BigInt(entriesAfter.n) - BigInt(entriesBefore.n)).toBe(3n);
      const state = async (sid: string) => (await db.selectFrom('subscriptions').select(['status', 'status_reason']).where('id', '=', sid).executeTakeFirstOrThrow());
      expect(await state(paid)).toEqual({ status: 'active', status_reason: '' });
      expect(await state(broke)).toEqual({ status: 'grace', status_reason: 'unpaid' });
      await expectBooksBalanced(t, isp.id);
    } finally {
      await db.deleteFrom('billing_settings').where('organization_id', '=', isp.id).execute();
    }
  });
});
