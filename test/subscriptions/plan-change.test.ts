import { describe, expect, it } from 'vitest';
import { billSubscriptions } from '../../src/modules/billing/billing-run.service.ts';
import { walletBalance } from '../../src/modules/ledger/wallets.service.ts';
import { trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { createTaxClass } from '../catalog/fixtures.ts';
import { createTestContext, json, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { invoicesOf, linesOf, monthlyPlan, subscribe, subscriber, topUp, world, type Subscription } from './support.ts';

interface Preview {
  when: string;
  effectiveAt: string;
  period: { start: string; end: string } | null;
  lines: { descriptionKey: string; quantity: string; unitPrice: string; amount: string; net: string; taxes: { code: string; amount: string }[]; gross: string }[];
  totals: { net: string; tax: string; gross: string };
  wallet: { available: string; short: string } | null;
  invoiceId?: string | null;
}

const minor = (text: string) => BigInt(text.replace('.', ''));

describe(`plan change (${engine})`, async () => {
  const t = await createTestContext();
  // 09:00 in Nairobi (UTC+3) on 1 April 2026; April has 30 days, from 2026-03-31T21:00Z to 2026-04-30T21:00Z.
  t.clock.set('2026-04-01T06:00:00Z');
  const w = await world(t);
  const { tree } = w;
  let admin = w.admin;
  const at = async (instant: string) => {
    t.clock.set(instant);
    admin = await sessionFor(t, w.adminUser);
  };
  const basic = await monthlyPlan(admin, '3000');
  const premium = await monthlyPlan(admin, '4500');
  const vat = await createTaxClass(admin, { code: 'VAT16', name: 'VAT 16% inclusive', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] });
  const prepaidBasic = await monthlyPlan(admin, '3000', { billingModel: 'prepaid', taxClassId: vat.id });
  const prepaidPremium = await monthlyPlan(admin, '4500', { billingModel: 'prepaid', taxClassId: vat.id });
  const get = async (id: string) => json<Subscription>(await admin.get(`/api/subscriptions/${id}`));
  const preview = async (id: string, body: Record<string, unknown>) => {
    const res = await admin.post(`/api/subscriptions/${id}/plan-change/preview`, body);
    expect(res.statusCode, res.body).toBe(200);
    return json<Preview>(res);
  };

  const expectBalancedBooks = async () => {
    const [kes] = (await trialBalance(t.ctx.db, tree.isp.id, 'KES')).currencies;
    expect(kes!.debit).toBe(kes!.credit);
  };

  /** The invoice's lines in the preview's shape, to compare the two exactly. */
  const asPreviewLines = async (invoiceId: string) =>
    (await linesOf(t, invoiceId)).map((l) => ({ kind: l.kind, quantity: l.quantity, amount: l.amount, net: l.net, tax: l.tax, gross: l.gross, period: [l.period_start?.toISOString(), l.period_end?.toISOString()] }));

  it('upgrades now on day 11 of 30: credit −2,000.00, charge +3,000.00, and the preview is exactly the invoice', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: basic.id });
    // 15:00 on 11 April: 10 days of April have passed, 20 remain (the 11th belongs to the new plan).
    // Credit: −3,000 × 20/30 = −2,000.00. Charge: 4,500 × 20/30 = 3,000.00. Net due: 1,000.00.
    await at('2026-04-11T12:00:00Z');
    const before = (await invoicesOf(t, s.id)).length;
    const p = await preview(sub.id, { planId: premium.id, when: 'now' });
    expect(p).toMatchObject({ when: 'now', effectiveAt: '2026-04-11T12:00:00.000Z', period: { start: '2026-03-31T21:00:00.000Z', end: '2026-04-30T21:00:00.000Z' }, wallet: null });
    expect(p.lines.map((l) => [l.descriptionKey, l.quantity, l.amount, l.gross])).toEqual([
      ['invoiceLine.planChange.credit', '-20', '-2000.00', '-2000.00'],
      ['invoiceLine.planChange.charge', '20', '3000.00', '3000.00'],
    ]);
    expect(p.totals).toMatchObject({ net: '1000.00', tax: '0.00', gross: '1000.00' });
    expect((await invoicesOf(t, s.id)).length).toBe(before);
    expect((await get(sub.id)).planId).toBe(basic.id);

    const res = await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: premium.id, when: 'now' });
    expect(res.statusCode, res.body).toBe(200);
    const done = json<Preview>(res);
    expect({ ...done, invoiceId: undefined }).toEqual({ ...p, invoiceId: undefined });
    const invoice = (await invoicesOf(t, s.id)).find((i) => i.id === done.invoiceId)!;
    expect(invoice).toMatchObject({ source: 'plan_change', status: 'open', total: minor(p.totals.gross), subtotal: minor(p.totals.net), tax_total: 0n });
    expect(await asPreviewLines(invoice.id)).toEqual([
      { kind: 'proration_credit', quantity: '-20', amount: -200000n, net: -200000n, tax: 0n, gross: -200000n, period: ['2026-04-10T21:00:00.000Z', '2026-04-30T21:00:00.000Z'] },
      { kind: 'proration_charge', quantity: '20', amount: 300000n, net: 300000n, tax: 0n, gross: 300000n, period: ['2026-04-10T21:00:00.000Z', '2026-04-30T21:00:00.000Z'] },
    ]);
    expect(p.lines.map((l) => minor(l.gross))).toEqual([-200000n, 300000n]);
    expect(await get(sub.id)).toMatchObject({ planId: premium.id, pendingPlanId: null });
    const [event] = json(await admin.get(`/api/subscriptions/${sub.id}/events`));
    expect(event).toMatchObject({ kind: 'plan_changed', details: { fromPlanId: basic.id, toPlanId: premium.id, invoiceId: invoice.id, net: '1000.00' } });
    await expectBalancedBooks();
  });

  it('prepaid: the wallet pays the net charge (VAT inclusive), or the change is refused with the amount short and nothing changes', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    await topUp(t, tree.isp.id, s.id, '3000');
    const sub = await subscribe(admin, { subscriberId: s.id, planId: prepaidBasic.id });
    expect(sub.status).toBe('active');
    const wallet = () => t.ctx.db.transaction().execute((trx) => walletBalance(trx, { organizationId: tree.isp.id, subscriberId: s.id, currency: 'KES' }));
    expect((await wallet()).balance.minor).toBe(0n);

    await at('2026-04-11T12:00:00Z');
    // VAT 16% is inside each amount: credit −2,000.00 holds −275.86 VAT (−2,000 × 16/116 = −275.862…);
    // charge 3,000.00 holds 413.79 (3,000 × 16/116 = 413.793…). Net 862.07 + VAT 137.93 = 1,000.00 due.
    const p = await preview(sub.id, { planId: prepaidPremium.id, when: 'now' });
    expect(p.lines.map((l) => [l.amount, l.net, l.taxes.map((x) => x.amount).join(), l.gross])).toEqual([
      ['-2000.00', '-1724.14', '-275.86', '-2000.00'],
      ['3000.00', '2586.21', '413.79', '3000.00'],
    ]);
    expect(p.totals).toMatchObject({ net: '862.07', tax: '137.93', gross: '1000.00' });
    expect(p.wallet).toEqual({ available: '0.00', short: '1000.00' });

    const refused = await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: prepaidPremium.id, when: 'now' });
    expect(refused.statusCode).toBe(409);
    expect(json(refused).detail).toBe('The wallet cannot pay the change of 1000.00 KES: it is 1000.00 KES short');
    expect((await get(sub.id)).planId).toBe(prepaidBasic.id);
    expect((await invoicesOf(t, s.id)).map((i) => i.source)).toEqual(['renewal']);

    await topUp(t, tree.isp.id, s.id, '1200');
    const again = await preview(sub.id, { planId: prepaidPremium.id, when: 'now' });
    expect(again.wallet).toEqual({ available: '1200.00', short: '0.00' });
    const done = json<Preview>(await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: prepaidPremium.id, when: 'now' }));
    const invoice = (await invoicesOf(t, s.id)).find((i) => i.id === done.invoiceId)!;
    expect(invoice).toMatchObject({ source: 'plan_change', status: 'paid', total: 100000n, amount_paid: 100000n, tax_total: 13793n });
    expect((await wallet()).balance.minor).toBe(20000n);
    expect((await get(sub.id)).planId).toBe(prepaidPremium.id);
    await expectBalancedBooks();
  });

  it('downgrades now: the net credit goes to the wallet', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: premium.id });
    await topUp(t, tree.isp.id, s.id, '4500');
    // On the 11th: credit −4,500 × 20/30 = −3,000.00, charge 3,000 × 20/30 = 2,000.00: 1,000.00 back.
    await at('2026-04-11T12:00:00Z');
    const p = await preview(sub.id, { planId: basic.id, when: 'now' });
    expect(p.totals.gross).toBe('-1000.00');
    const res = await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: basic.id, when: 'now' });
    expect(res.statusCode, res.body).toBe(200);
    const done = json<Preview>(res);
    const invoice = (await invoicesOf(t, s.id)).find((i) => i.id === done.invoiceId)!;
    expect(invoice).toMatchObject({ status: 'paid', total: -100000n });
    const held = await t.ctx.db.transaction().execute((trx) => walletBalance(trx, { organizationId: tree.isp.id, subscriberId: s.id, currency: 'KES' }));
    expect(held.balance.minor).toBe(100000n);
    await expectBalancedBooks();
  });

  it('in arrears: charges the old plan and credits the new one for the days used; the period’s bill then charges the new plan', async () => {
    await at('2026-04-01T06:00:00Z');
    const arrearsBasic = await monthlyPlan(admin, '3000', { timing: 'in_arrears' });
    const arrearsPremium = await monthlyPlan(admin, '4500', { timing: 'in_arrears' });
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: arrearsBasic.id });
    expect(sub.nextBillAt).toBe('2026-04-30T21:00:00.000Z');
    await at('2026-04-11T12:00:00Z');
    // 10 days used: charge 3,000 × 10/30 = 1,000.00 and credit −4,500 × 10/30 = −1,500.00; net −500.00.
    const p = await preview(sub.id, { planId: arrearsPremium.id, when: 'now' });
    expect(p.lines.map((l) => [l.descriptionKey, l.quantity, l.gross])).toEqual([
      ['invoiceLine.planChange.usedCharge', '10', '1000.00'],
      ['invoiceLine.planChange.usedCredit', '-10', '-1500.00'],
    ]);
    await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: arrearsPremium.id, when: 'now' });
    await at('2026-04-30T21:00:00Z');
    await t.ctx.db.transaction().execute((trx) => billSubscriptions(trx, t.ctx.clock, { asOf: t.ctx.clock.now(), subscriptionIds: [sub.id] }));
    // April in all: −500.00 + 4,500.00 = 4,000.00 = 10 days of the old plan (1,000) + 20 of the new (3,000).
    const totals = (await invoicesOf(t, s.id)).map((i) => i.total);
    expect(totals).toEqual([-50000n, 450000n]);
    expect(totals.reduce((a, b) => a + b, 0n)).toBe(400000n);
  });

  it('at period end: nothing is invoiced now, and the next period is billed on the new plan', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: basic.id });
    await at('2026-04-11T12:00:00Z');
    const p = await preview(sub.id, { planId: premium.id, when: 'period_end' });
    expect(p).toMatchObject({ effectiveAt: '2026-04-30T21:00:00.000Z', lines: [], totals: { gross: '0.00' } });
    const done = await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: premium.id, when: 'period_end' });
    expect(json(done).invoiceId).toBeNull();
    expect(await get(sub.id)).toMatchObject({ planId: basic.id, pendingPlanId: premium.id });
    expect((await invoicesOf(t, s.id)).length).toBe(1);

    await at('2026-04-30T21:00:00Z');
    await t.ctx.db.transaction().execute((trx) => billSubscriptions(trx, t.ctx.clock, { asOf: t.ctx.clock.now(), subscriptionIds: [sub.id] }));
    expect(await get(sub.id)).toMatchObject({ planId: premium.id, pendingPlanId: null });
    expect((await invoicesOf(t, s.id)).map((i) => i.total)).toEqual([300000n, 450000n]);
  });

  it('cancels a scheduled change, refuses plans with other periods now, the same plan, and a terminated line', async () => {
    await at('2026-04-01T06:00:00Z');
    const quarterly = await monthlyPlan(admin, '8000', { cycle: 'quarterly' });
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: basic.id });
    await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: premium.id, when: 'period_end' });
    expect(json(await admin.post(`/api/subscriptions/${sub.id}/cancel-scheduled`, { change: 'plan_change' })).pendingPlanId).toBeNull();

    const other = await admin.post(`/api/subscriptions/${sub.id}/plan-change/preview`, { planId: quarterly.id, when: 'now' });
    expect(other.statusCode).toBe(422);
    expect(json(other).errors).toEqual([{ field: 'when', message: 'must be period_end for plans with other billing periods' }]);
    const same = await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: basic.id, when: 'now' });
    expect(same.statusCode).toBe(422);
    expect((await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: premium.id, when: 'tomorrow' })).statusCode).toBe(400);
    await admin.post(`/api/subscriptions/${sub.id}/terminate`, {});
    const ended = await admin.post(`/api/subscriptions/${sub.id}/plan-change/preview`, { planId: premium.id, when: 'now' });
    expect(ended.statusCode).toBe(409);
    expect(json(ended).detail).toBe('The subscription is terminated and cannot change plan');
  });

  it('a pending subscription simply takes the other plan', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: basic.id, startsAt: '2026-04-05T06:00:00Z' });
    const done = json<Preview>(await admin.post(`/api/subscriptions/${sub.id}/plan-change`, { planId: premium.id, when: 'now' }));
    expect(done).toMatchObject({ invoiceId: null, effectiveAt: '2026-04-05T06:00:00.000Z', lines: [] });
    expect((await get(sub.id)).planId).toBe(premium.id);
    await admin.delete(`/api/subscriptions/${sub.id}`);
  });
});
