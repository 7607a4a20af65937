/**
 * A year of billing on the test clock, day by day, checked against invoices worked out by hand.
 * Nairobi (UTC+3, no daylight saving), KES, VAT 16% included in every price.
 *   - Amina: "Home 20", monthly postpaid billed in advance, anniversary Jan 31 (so Feb 28, then the
 *     31st again when the month has one); and "Business data", monthly in arrears with the same
 *     anchor: 1,160 a month plus 5.80 per GB beyond 100 GB, from usage readings.
 *   - Baraka: "Hotspot day", daily prepaid at 58.00, renewed from his wallet. 5,800.00 lasts 100
 *     days; the 101st renewal goes unpaid (grace), a top-up the next morning pays both open days.
 * Subscriptions, usage readings and top-ups go through the API; the billing run runs at 01:00
 * every day from 31 January 2026 to 31 January 2027.
 */
import { describe, expect, it } from 'vitest';
import { executeRun } from '../../src/modules/billing/billing-runs.service.ts';
import * as repo from '../../src/modules/billing/billing-runs.repo.ts';
import { trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { created, createPlan, createTaxClass } from '../catalog/fixtures.ts';
import { expectBooksBalanced, expectExactlyOnce, newSubscriber } from './run-support.ts';

const local = (date: string, time = '00:00') => new Date(`${date}T${time}:00+03:00`);
const day = 86_400_000;
// The anniversary of Jan 31: the 31st, or the month's last day when it is shorter.
const anniversaries = ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31', '2027-01-31'];

describe(`a year of billing (${engine})`, async () => {
  const t = await createTestContext();
  const { db } = t.ctx;
  const { isp } = await seedTree(t.ctx);
  const developer = await seedUser(t.ctx, isp, 'developer');
  const api = await sessionFor(t, developer);
  // Sessions expire on the test clock too: a request months later signs in again.
  const signedIn = () => sessionFor(t, developer);
  const vat = await createTaxClass(api, { organizationId: isp.id });
  const home = await createPlan(api, { organizationId: isp.id, name: 'Home 20' }, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '3480' }] }], taxClassId: vat.id });
  const data = await createPlan(
    api,
    { organizationId: isp.id, name: 'Business data', serviceType: 'bulk_bandwidth', billingModel: 'usage' },
    { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1160' }, { kind: 'per-unit', unit: 'GB', price: '5.80', included: '100' }] }], taxClassId: vat.id },
  );
  const hotspot = await createPlan(
    api,
    { organizationId: isp.id, name: 'Hotspot day', serviceType: 'hotspot', billingModel: 'prepaid' },
    { billing: { cycle: 'daily', graceDays: 3 }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '58' }] }], taxClassId: vat.id },
  );

  t.clock.set(local('2026-01-31', '00:30'));
  const amina = await newSubscriber(api, isp, 'Amina Hassan');
  const baraka = await newSubscriber(api, isp, 'Baraka Mwangi');
  const topUp = async (amount: string, reference: string) => created((await signedIn()).post(`/api/subscribers/${baraka}/wallet/top-ups`, { amount, reference, payInvoices: true }));
  await topUp('5800.00', 'R-0001');
  // A minute apart, so the invoice lists Home 20 (sold first) before the data plan.
  const subscribe = async (subscriberId: string, planId: string) => {
    t.clock.advance({ minutes: 1 });
    return (await created<{ id: string }>(api.post('/api/subscriptions', { subscriberId, planId }))).id;
  };
  const homeSub = await subscribe(amina, home.id);
  const dataSub = await subscribe(amina, data.id);
  const hotspotSub = await subscribe(baraka, hotspot.id);
  // Month k (1-12) of the data plan is [anniversary k-1, anniversary k): 100 + 10k GB, read at noon on its 11th day.
  const readings = new Map(anniversaries.slice(0, 12).map((date, i) => [new Date(local(date, '12:00').getTime() + 10 * day).getTime(), i + 1]));

  it('runs the billing every day for a year (366 runs), with a meter reading a month and a top-up on the way', async () => {
    for (let at = local('2026-01-31', '01:00'); at <= local('2027-01-31', '01:00'); at = new Date(at.getTime() + day)) {
      t.clock.set(at);
      const run = await repo.insertRun(db, { organization_id: isp.id, as_of: at, dry_run: false, started_at: at, started_by: null });
      expect((await executeRun(t.ctx, run.id)).status).toBe('completed');
      if (at.getTime() === local('2026-05-12', '01:00').getTime()) {
        t.clock.set(local('2026-05-12', '10:00'));
        // 17,400.00 = 300 days; it first pays the open renewals of May 11 and 12 (2 × 58.00).
        expect(await topUp('17400.00', 'R-0002')).toMatchObject({ invoicesPaid: '116.00' });
      }
      const noon = at.getTime() + 11 * 3_600_000;
      const k = readings.get(noon);
      if (k) {
        t.clock.set(new Date(noon));
        await created((await signedIn()).post(`/api/subscriptions/${dataSub}/usage`, { unit: 'GB', quantity: String(100 + 10 * k), occurredAt: new Date(noon).toISOString(), reference: `meter-${k}` }));
      }
    }
    expect(await db.selectFrom('usage_records').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 12n });
    await expectExactlyOnce(t, isp.id);
    await expectBooksBalanced(t, isp.id);
  }, 300_000);

  const invoicesOf = (subscriberId: string) =>
    db.selectFrom('invoices').selectAll().where('subscriber_id', '=', subscriberId).orderBy('issued_at').orderBy('number').execute();

  it("bills Amina 13 monthly periods in advance and 12 months of data in arrears, on one invoice a day", async () => {
    const invoices = await invoicesOf(amina);
    const expected = anniversaries.map((date, i) => {
      // Home 20: 3,480.00 = 3,000.00 + 480.00 VAT (3,480 × 16/116). From the second anniversary on,
      // the data month that ended: 1,160.00 = 1,000.00 + 160.00 VAT, and 10k GB beyond the 100
      // included at 5.80 = 58.00k = 50.00k + 8.00k VAT.
      const k = i;
      const total = 3_480_00 + (k > 0 ? 1_160_00 + 58_00 * k : 0);
      const tax = 480_00 + (k > 0 ? 160_00 + 8_00 * k : 0);
      return { issue_date: date, lines: k > 0 ? 3 : 1, total: BigInt(total), tax_total: BigInt(tax), subtotal: BigInt(total - tax) };
    });
    const lineCounts = await db.selectFrom('invoice_lines').select(['invoice_id', (eb) => eb.fn.countAll<bigint>().as('n')]).groupBy('invoice_id').execute();
    expect(
      invoices.map((i) => ({ issue_date: i.issue_date, lines: Number(lineCounts.find((c) => c.invoice_id === i.id)!.n), total: i.total, tax_total: i.tax_total, subtotal: i.subtotal })),
    ).toEqual(expected);
    expect(invoices.every((i) => i.status === 'open' && i.source === 'billing_run' && i.due_date === addDays(i.issue_date!, 14))).toBe(true);
    // The Feb 28 invoice in full: the March period of Home 20, then the data plan's February.
    const feb = await db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoices[1]!.id).orderBy('line_no').execute();
    expect(feb.map((l) => [l.kind, l.subscription_id, l.period_start, l.period_end, l.quantity, l.unit_price, l.net, l.tax, l.gross])).toEqual([
      ['recurring', homeSub, local('2026-02-28'), local('2026-03-31'), '1', '3480', 300_000n, 48_000n, 348_000n],
      ['recurring', dataSub, local('2026-01-31'), local('2026-02-28'), '1', '1160', 100_000n, 16_000n, 116_000n],
      ['usage', dataSub, local('2026-01-31'), local('2026-02-28'), '10', '5.8', 5_000n, 800n, 5_800n],
    ]);
    // 3,480.00 + Σ k=1..12 (4,640.00 + 58.00k) = 3,480 + 55,680 + 4,524 = 63,684.00 owed.
    expect(invoices.reduce((s, i) => s + i.total, 0n)).toBe(6_368_400n);
  });

  it("renews Baraka's day every day from his wallet: 366 renewals, two of them paid late by a top-up", async () => {
    const invoices = await invoicesOf(baraka);
    expect(invoices).toHaveLength(366);
    // 58.00 = 50.00 + 8.00 VAT, every day from Jan 31 2026 to Jan 31 2027.
    expect(invoices.map((i) => i.issue_date)).toEqual(Array.from({ length: 366 }, (_, d) => addDays('2026-01-31', d)));
    expect(invoices.every((i) => i.source === 'renewal' && i.total === 5_800n && i.tax_total === 800n && i.status === 'paid' && i.amount_paid === 5_800n)).toBe(true);
    // Day 101 (May 11) and May 12 went unpaid until the top-up on May 12 at 10:00.
    const late = invoices.filter((i) => i.issue_date === '2026-05-11' || i.issue_date === '2026-05-12').map((i) => i.id);
    const allocations = await db.selectFrom('invoice_allocations').select(['invoice_id', 'created_at']).where('invoice_id', 'in', late).execute();
    expect(allocations.map((a) => a.created_at)).toEqual([local('2026-05-12', '10:00'), local('2026-05-12', '10:00')]);
    const events = await db.selectFrom('subscription_events').select(['kind', 'to_status', 'reason', 'at']).where('subscription_id', '=', hotspotSub).where('kind', 'in', ['grace', 'unlocked']).orderBy('id').execute();
    expect(events).toEqual([
      { kind: 'grace', to_status: 'grace', reason: 'unpaid', at: local('2026-05-11', '01:00') },
      { kind: 'unlocked', to_status: 'active', reason: '', at: local('2026-05-12', '10:00') },
    ]);
    expect(await db.selectFrom('subscriptions').select(['status', 'billed_through', 'next_bill_at']).where('id', '=', hotspotSub).executeTakeFirstOrThrow()).toEqual({
      status: 'active',
      billed_through: local('2027-02-01'),
      next_bill_at: local('2027-02-01'),
    });
  });

  it('leaves books that add up: revenue and VAT of every invoice, the cash taken, what is owed and held', async () => {
    const tb = await trialBalance(db, isp.id, 'KES');
    const net = (key: string) => tb.currencies[0]!.rows.find((r) => r.system_key === key)!.net;
    const owned = async (key: string, owner: string) =>
      (
        await db
          .selectFrom('ledger_accounts')
          .innerJoin('ledger_balances', 'ledger_balances.account_id', 'ledger_accounts.id')
          .select('ledger_balances.balance')
          .where('system_key', '=', key)
          .where('owner_id', '=', owner)
          .executeTakeFirstOrThrow()
      ).balance;
    expect(net('revenue:pppoe')).toBe(-3_900_000n); // 13 × 3,000.00
    expect(net('revenue:bulk_bandwidth')).toBe(-1_590_000n); // 12 × 1,000.00 + 50.00 × 78
    expect(net('revenue:hotspot')).toBe(-1_830_000n); // 366 × 50.00
    expect(net('tax_payable:VAT')).toBe(-1_171_200n); // 13 × 480 + 12 × 160 + 8 × 78 + 366 × 8
    expect(net('cash_on_hand')).toBe(2_320_000n); // 5,800 + 17,400
    expect(net('accounts_receivable')).toBe(6_368_400n);
    expect(await owned('accounts_receivable', amina)).toBe(6_368_400n);
    expect(await owned('accounts_receivable', baraka)).toBe(0n);
    expect(await owned('subscriber_wallet', baraka)).toBe(-197_200n); // 23,200 − 366 × 58 = 1,972.00 left
    expect(tb.currencies[0]!.debit).toBe(tb.currencies[0]!.credit);
  });
});

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
