import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, createTaxClass, created, fields } from './fixtures.ts';

/*
 * Price previews, each worked out by hand: one period rated by src/core/rating.ts, discounted and
 * taxed by src/core/tax.ts, as the invoice line will be. The ISP is in Nairobi (UTC+3, no DST).
 */
describe(`price preview (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const staffA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'staff'));
  const vatInclusive = await createTaxClass(admin, { code: 'VAT16-INCL', name: 'VAT 16% inclusive', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] });
  const exciseThenVat = await createTaxClass(admin, {
    code: 'DATA-KE',
    name: 'Excise 15% then VAT 16%',
    inclusive: false,
    rates: [{ code: 'EXCISE', percent: '15' }, { code: 'VAT', percent: '16', compound: true }],
  });
  const home = await createPlan(admin, { code: 'HOME-2500', sharedWithSubtree: true }, { taxClassId: vatInclusive.id });
  const preview = (api: typeof admin, planId: string, body: Record<string, unknown> = {}) => api.post(`/api/plans/${planId}/preview`, body);
  const ok = async (planId: string, body: Record<string, unknown> = {}, api = admin) => created(preview(api, planId, body), 200);

  it('KES 2,500 monthly PPPoE with VAT 16% inclusive: 2,155.17 net + 344.83 VAT, anniversary period Jan 31 to Feb 28', async () => {
    const p = await ok(home.id, { periodStart: '2026-01-31T10:00:00+03:00' });
    expect(p).toEqual({
      planId: home.id,
      version: 1,
      currency: 'KES',
      period: { start: '2026-01-30T21:00:00.000Z', end: '2026-02-27T21:00:00.000Z' },
      taxClass: { id: vatInclusive.id, code: 'VAT16-INCL', name: 'VAT 16% inclusive', inclusive: true },
      discount: null,
      lines: [
        {
          descriptionKey: 'invoiceLine.fixedCharge',
          details: {},
          quantity: '1',
          unitPrice: '2500',
          amount: '2500.00',
          discount: '0.00',
          net: '2155.17',
          taxes: [{ code: 'VAT', percent: '16', amount: '344.83' }],
          gross: '2500.00',
        },
      ],
      totals: { discount: '0.00', net: '2155.17', tax: '344.83', gross: '2500.00', taxes: [{ code: 'VAT', percent: '16', amount: '344.83' }] },
    });
    // The reseller's staff price the ISP's master package the same way.
    expect(await ok(home.id, { periodStart: '2026-01-31T10:00:00+03:00' }, staffA)).toEqual(p);
  });

  it('a calendar cycle bills from the 1st; per-day prices count the days of the period (28 in February 2026)', async () => {
    const daily = await createPlan(admin, {}, { billing: { cycle: 'monthly', alignment: 'calendar' }, prices: [{ currency: 'KES', components: [{ kind: 'per-day', price: '100' }] }] });
    const p = await ok(daily.id, { periodStart: '2026-02-10T12:00:00Z' });
    expect(p.period).toEqual({ start: '2026-01-31T21:00:00.000Z', end: '2026-02-28T21:00:00.000Z' });
    expect(p.lines.map((l: { descriptionKey: string; quantity: string; amount: string }) => [l.descriptionKey, l.quantity, l.amount])).toEqual([['invoiceLine.dailyCharge', '28', '2800.00']]);
    expect(p.totals.gross).toBe('2800.00');
  });

  it('Kenyan excise 15% then VAT 16% compound, exclusive, on KES 1,000: 150 + 184 = 1,334', async () => {
    const plan = await createPlan(admin, {}, { taxClassId: exciseThenVat.id, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1000' }] }] });
    const p = await ok(plan.id);
    expect(p.totals).toEqual({
      discount: '0.00',
      net: '1000.00',
      tax: '334.00',
      gross: '1334.00',
      taxes: [
        { code: 'EXCISE', percent: '15', amount: '150.00' },
        { code: 'VAT', percent: '16', amount: '184.00' },
      ],
    });
  });

  it('usage: USD 20 with 50 GB included, then 0.4375 per GB; 73.25 GB used is 23.25 × 0.4375 = 10.171875 → 10.17', async () => {
    const plan = await createPlan(admin, { billingModel: 'usage', serviceType: 'bulk_bandwidth' }, {
      prices: [{ currency: 'USD', components: [{ kind: 'fixed', price: '20' }, { kind: 'per-unit', unit: 'GB', price: '0.4375', included: '50' }] }],
    });
    expect(plan.currentVersion.billing.timing).toBe('in_arrears');
    const p = await ok(plan.id, { usage: { GB: '73.25' } });
    expect(p.currency).toBe('USD');
    expect(p.lines.map((l: { quantity: string; unitPrice: string; amount: string }) => [l.quantity, l.unitPrice, l.amount])).toEqual([
      ['1', '20', '20.00'],
      ['23.25', '0.4375', '10.17'],
    ]);
    expect(p.totals.gross).toBe('30.17');
    expect((await ok(plan.id, { usage: { GB: '40' } })).totals.gross).toBe('20.00');
    const bad = await preview(admin, plan.id, { usage: { GB: '7,5' } });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['usage']);
    const other = await preview(admin, plan.id, { currency: 'KES' });
    expect(other.statusCode).toBe(422);
    expect(fields(other)).toEqual(['currency']);
  });

  it('graduated tiers with a minimum: 5 GB is 500, topped up to 1,500; 60 GB is 1,000 + 3,200 + 500 = 4,700', async () => {
    const tiers = [{ upTo: '10', price: '100' }, { upTo: '50', price: '80' }, { upTo: null, price: '50' }];
    const plan = await createPlan(admin, { billingModel: 'usage', serviceType: 'bulk_bandwidth' }, {
      prices: [{ currency: 'KES', components: [{ kind: 'graduated', unit: 'GB', tiers }, { kind: 'minimum', amount: '1500' }] }],
    });
    const low = await ok(plan.id, { usage: { GB: '5' } });
    expect(low.lines.map((l: { descriptionKey: string; amount: string }) => [l.descriptionKey, l.amount])).toEqual([
      ['invoiceLine.usage.graduatedTier', '500.00'],
      ['invoiceLine.usage.minimum', '1000.00'],
    ]);
    const high = await ok(plan.id, { usage: { GB: '60' } });
    expect(high.lines.map((l: { amount: string }) => l.amount)).toEqual(['1000.00', '3200.00', '500.00']);
    expect(high.totals.gross).toBe('4700.00');
  });

  it('prepaid validity of 30 days runs from the purchase instant; daily billing is the local day; a one-off charge has no period', async () => {
    const daily = await createPlan(admin, { billingModel: 'prepaid' }, { billing: { cycle: 'daily' }, prices: [{ currency: 'KES', components: [{ kind: 'per-day', price: '85' }] }] });
    const day = await ok(daily.id, { periodStart: '2026-03-05T23:30:00Z' });
    expect(day.period).toEqual({ start: '2026-03-05T21:00:00.000Z', end: '2026-03-06T21:00:00.000Z' });
    expect(day.totals.gross).toBe('85.00');
    const prepaid = await createPlan(admin, { billingModel: 'prepaid' }, { billing: { cycle: 'validity', validityUnit: 'days', validityLength: 30 } });
    expect((await ok(prepaid.id, { periodStart: '2026-03-05T14:30:00Z' })).period).toEqual({ start: '2026-03-05T14:30:00.000Z', end: '2026-04-04T14:30:00.000Z' });
    const install = await createPlan(admin, { kind: 'one_off', serviceType: 'other', billingModel: 'prepaid' }, {
      billing: { cycle: 'one_time' },
      taxClassId: vatInclusive.id,
      prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '3000' }] }],
    });
    const p = await ok(install.id);
    expect(p.period).toBeNull();
    expect(p.totals).toMatchObject({ net: '2586.21', tax: '413.79', gross: '3000.00' });
  });

  it('a 10% coupon takes 250 off the 2,500 before VAT is extracted: 1,939.66 + 310.34 = 2,250', async () => {
    await created(admin.post('/api/discounts', { name: 'Ten off', couponCode: 'ten-off', kind: 'percentage', percent: '10' }));
    const p = await ok(home.id, { couponCode: 'ten-off' });
    expect(p.discount).toMatchObject({ name: 'Ten off', couponCode: 'TEN-OFF' });
    expect(p.lines[0]).toMatchObject({ amount: '2500.00', discount: '250.00', net: '1939.66', gross: '2250.00' });
    expect(p.totals).toMatchObject({ discount: '250.00', net: '1939.66', tax: '310.34', gross: '2250.00' });
    // The ISP's coupon works at a reseller below it too.
    expect((await ok(home.id, { couponCode: 'TEN-OFF' }, staffA)).totals.gross).toBe('2250.00');
  });

  it('a fixed KES 300 coupon is shared over the lines in proportion (225 + 75); a USD coupon does not apply to a KES price', async () => {
    const plan = await createPlan(admin, {}, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1500' }, { kind: 'fixed', price: '500' }] }] });
    await created(admin.post('/api/discounts', { name: 'KES 300 off', couponCode: 'KES300', kind: 'fixed', amount: '300', currency: 'KES' }));
    await created(admin.post('/api/discounts', { name: 'USD 5 off', couponCode: 'USD5', kind: 'fixed', amount: '5', currency: 'USD' }));
    const p = await ok(plan.id, { couponCode: 'KES300' });
    expect(p.lines.map((l: { discount: string; gross: string }) => [l.discount, l.gross])).toEqual([
      ['225.00', '1275.00'],
      ['75.00', '425.00'],
    ]);
    expect(p.totals).toMatchObject({ discount: '300.00', gross: '1700.00' });
    const refused = await preview(admin, plan.id, { couponCode: 'USD5' });
    expect(refused.statusCode).toBe(422);
    expect(json(refused).errors).toEqual([{ field: 'couponCode', message: 'The coupon is an amount in another currency' }]);
    expect(json(await preview(admin, plan.id, { couponCode: 'NOPE' })).errors).toEqual([{ field: 'couponCode', message: 'There is no such coupon' }]);
  });

  it('prices the version valid at the period start: a price rise dated next month leaves this month at the old price', async () => {
    const plan = await createPlan(admin, {}, { validFrom: '2026-01-01T00:00:00+03:00' });
    const rise = { validFrom: '2026-03-01T00:00:00+03:00', billing: { cycle: 'monthly' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '3000' }] }] };
    expect((await created(admin.post(`/api/plans/${plan.id}/versions`, rise))).currentVersion.version).toBe(2);
    const at = async (periodStart: string, version?: number) => {
      const p = await ok(plan.id, { periodStart, ...(version ? { version } : {}) });
      return [p.version, p.totals.gross];
    };
    expect(await at('2026-02-15T09:00:00+03:00')).toEqual([1, '2500.00']);
    expect(await at('2026-03-01T00:00:00+03:00')).toEqual([2, '3000.00']);
    expect(await at('2026-03-15T09:00:00+03:00', 1)).toEqual([1, '2500.00']);
    expect((await preview(admin, plan.id, { version: 9 })).statusCode).toBe(404);
  });
});
