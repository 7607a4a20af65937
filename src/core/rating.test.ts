import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InvoiceLine } from './invoice-line.ts';
import { formatMoney, sumMoney } from './money.ts';
import { periodContaining } from './periods.ts';
import { type RateComponent, type Tier, checkComponents, ratePeriod } from './rating.ts';
import { add, compare, parseDecimal, zero } from './rational.ts';

const february2024 = periodContaining({ cycle: { kind: 'calendar', every: 'month' }, timeZone: 'Africa/Nairobi' }, new Date('2024-02-10T00:00:00Z'));

function rate(components: RateComponent[], usage: Record<string, string> = {}): InvoiceLine[] {
  return ratePeriod({ components, usage, period: february2024, currency: 'KES' });
}

function total(lines: InvoiceLine[]): string {
  return formatMoney(sumMoney(lines.map((line) => line.amount), 'KES'));
}

/** 0–10 GB at 100.00, 10–50 GB at 80.00, beyond 50 GB at 50.00. */
const dataTiers: Tier[] = [
  { upTo: '10', price: '100' },
  { upTo: '50', price: '80' },
  { upTo: null, price: '50' },
];

describe('graduated and volume tiers, hand-computed', () => {
  // quantity | graduated (each tier's price for the GB inside it)      | volume (all GB at the reached tier)
  const table: [string, string, string][] = [
    ['0', '0.00', '0.00'],
    ['5', '500.00', '500.00'], //       5×100                             5×100
    ['10', '1000.00', '1000.00'], //    10×100 (a bound belongs below)    10×100
    ['10.5', '1040.00', '840.00'], //   10×100 + 0.5×80                   10.5×80
    ['50', '4200.00', '4000.00'], //    10×100 + 40×80                    50×80
    ['73.25', '5362.50', '3662.50'], // 10×100 + 40×80 + 23.25×50         73.25×50
  ];

  it.each(table)('%s GB: graduated %s, volume %s', (gb, graduated, volume) => {
    expect(total(rate([{ kind: 'graduated', unit: 'GB', tiers: dataTiers }], { GB: gb }))).toBe(graduated);
    expect(total(rate([{ kind: 'volume', unit: 'GB', tiers: dataTiers }], { GB: gb }))).toBe(volume);
  });

  it('graduated gives one line per tier reached, with the tier bounds', () => {
    const lines = rate([{ kind: 'graduated', unit: 'GB', tiers: dataTiers }], { GB: '73.25' });
    expect(lines.map((line) => [line.quantity, line.unitPrice, formatMoney(line.amount), line.details])).toEqual([
      ['10', '100', '1000.00', { unit: 'GB', from: '0', to: '10' }],
      ['40', '80', '3200.00', { unit: 'GB', from: '10', to: '50' }],
      ['23.25', '50', '1162.50', { unit: 'GB', from: '50', to: '' }],
    ]);
  });

  it('rounds each line by itself, once: two tiers of 1 GB at 0.125 make 0.13 + 0.13', () => {
    const tiers: Tier[] = [{ upTo: '1', price: '0.125' }, { upTo: null, price: '0.125' }];
    const lines = rate([{ kind: 'graduated', unit: 'GB', tiers }], { GB: '2' });
    expect(lines.map((line) => formatMoney(line.amount))).toEqual(['0.13', '0.13']);
    expect(total(lines)).toBe('0.26');
  });

  it('refuses tiers that do not rise or do not end open', () => {
    const bad: Tier[][] = [
      [],
      [{ upTo: '10', price: '1' }],
      [{ upTo: '10', price: '1' }, { upTo: '10', price: '1' }, { upTo: null, price: '1' }],
      [{ upTo: '0', price: '1' }, { upTo: null, price: '1' }],
      [{ upTo: null, price: '-1' }],
    ];
    for (const tiers of bad) expect(() => checkComponents([{ kind: 'graduated', unit: 'GB', tiers }], 'KES')).toThrow(RangeError);
  });
});

const tierSet = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 100_000 })), { minLength: 0, maxLength: 4 })
  .chain((steps) => fc.integer({ min: 0, max: 100_000 }).map((lastPrice) => ({ steps, lastPrice })))
  .map(({ steps, lastPrice }) => {
    let bound = 0;
    const tiers: Tier[] = steps.map(([width, priceMinor]) => {
      bound += width;
      return { upTo: String(bound), price: `${Math.floor(priceMinor / 10_000)}.${String(priceMinor % 10_000).padStart(4, '0')}` };
    });
    return [...tiers, { upTo: null, price: `${Math.floor(lastPrice / 100)}.${String(lastPrice % 100).padStart(2, '0')}` }];
  });
const quantity = fc.integer({ min: 0, max: 5_000_000 }).map((hundredths) => `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`);
const minor = (lines: InvoiceLine[]) => sumMoney(lines.map((line) => line.amount), 'KES').minor;
const compareDecimals = (a: string, b: string) => compare(parseDecimal(a), parseDecimal(b));

describe('tier properties', () => {
  it('graduated amount never falls as usage grows; its line quantities add up to the usage', () => {
    fc.assert(
      fc.property(tierSet, quantity, quantity, (tiers, a, b) => {
        const [low, high] = compareDecimals(a, b) <= 0 ? [a, b] : [b, a];
        const component: RateComponent = { kind: 'graduated', unit: 'GB', tiers };
        expect(minor(rate([component], { GB: low }))).toBeLessThanOrEqual(minor(rate([component], { GB: high })));
        const quantities = rate([component], { GB: high }).map((line) => parseDecimal(line.quantity));
        expect(quantities.reduce(add, zero)).toEqual(parseDecimal(high));
      }),
    );
  });

  it('with prices falling tier by tier, volume ≤ graduated (up to rounding of the lines)', () => {
    fc.assert(
      fc.property(tierSet, quantity, (tiers, gb) => {
        const falling = tiers.map((tier) => tier.price).sort((x, y) => compareDecimals(y, x));
        const sorted = tiers.map((tier, index) => ({ ...tier, price: falling[index] as string }));
        const graduatedLines = rate([{ kind: 'graduated', unit: 'GB', tiers: sorted }], { GB: gb });
        const volume = minor(rate([{ kind: 'volume', unit: 'GB', tiers: sorted }], { GB: gb }));
        // Each line is within half a cent of exact, and exact volume ≤ exact graduated.
        expect(2n * (minor(graduatedLines) - volume)).toBeGreaterThanOrEqual(-BigInt(graduatedLines.length + 1));
      }),
    );
  });

  it('within the first tier, graduated = volume = a plain per-unit price', () => {
    fc.assert(
      fc.property(tierSet, quantity, (tiers, gb) => {
        const firstBound = tiers[0]?.upTo;
        fc.pre(firstBound === null || compareDecimals(gb, firstBound ?? '0') <= 0);
        const perUnit = minor(rate([{ kind: 'per-unit', unit: 'GB', price: tiers[0]?.price ?? '0' }], { GB: gb }));
        expect(minor(rate([{ kind: 'graduated', unit: 'GB', tiers }], { GB: gb }))).toBe(perUnit);
        expect(minor(rate([{ kind: 'volume', unit: 'GB', tiers }], { GB: gb }))).toBe(perUnit);
      }),
    );
  });
});

describe('per-unit, included quota, fixed, per-day and minimum', () => {
  it('charges only usage beyond the included quota, at a price finer than a cent', () => {
    const component: RateComponent = { kind: 'per-unit', unit: 'GB', price: '0.4375', included: '50' };
    // (73.25 − 50) × 0.4375 = 10.171875 → 10.17
    const [line] = rate([component], { GB: '73.25' });
    expect(line).toMatchObject({ descriptionKey: 'invoiceLine.usage.perUnit', quantity: '23.25', unitPrice: '0.4375', details: { unit: 'GB', included: '50' } });
    expect(formatMoney(line?.amount ?? { minor: 0n, currency: 'KES' })).toBe('10.17');
    expect(rate([component], { GB: '49.99' })).toEqual([]);
  });

  it('a fixed charge, a per-day charge over the 29 days of February 2024, and usage on one plan', () => {
    const lines = rate(
      [
        { kind: 'fixed', price: '1500' },
        { kind: 'per-day', price: '50' },
        { kind: 'per-unit', unit: 'minutes', price: '1.5' },
      ],
      { minutes: '12' },
    );
    expect(lines.map((line) => [line.descriptionKey, line.quantity, formatMoney(line.amount)])).toEqual([
      ['invoiceLine.fixedCharge', '1', '1500.00'],
      ['invoiceLine.dailyCharge', '29', '1450.00'],
      ['invoiceLine.usage.perUnit', '12', '18.00'],
    ]);
  });

  it('tops consumption up to the minimum, and leaves it alone above', () => {
    const plan: RateComponent[] = [
      { kind: 'fixed', price: '1000' },
      { kind: 'per-unit', unit: 'GB', price: '10' },
      { kind: 'minimum', amount: '200' },
    ];
    const low = rate(plan, { GB: '7.5' }); // usage 75.00, minimum 200.00 → top-up 125.00; the fixed charge does not count
    expect(low.map((line) => [line.descriptionKey, formatMoney(line.amount)])).toEqual([
      ['invoiceLine.fixedCharge', '1000.00'],
      ['invoiceLine.usage.perUnit', '75.00'],
      ['invoiceLine.usage.minimum', '125.00'],
    ]);
    expect(rate(plan, { GB: '25' }).map((line) => line.descriptionKey)).not.toContain('invoiceLine.usage.minimum');
  });

  it('consumption plus top-up is max(minimum, consumption) (property)', () => {
    fc.assert(
      fc.property(tierSet, quantity, fc.integer({ min: 0, max: 1_000_000 }), (tiers, gb, minimumMinor) => {
        const minimum = `${Math.floor(minimumMinor / 100)}.${String(minimumMinor % 100).padStart(2, '0')}`;
        const usageOnly = minor(rate([{ kind: 'graduated', unit: 'GB', tiers }], { GB: gb }));
        const withMinimum = minor(rate([{ kind: 'graduated', unit: 'GB', tiers }, { kind: 'minimum', amount: minimum }], { GB: gb }));
        expect(withMinimum).toBe(usageOnly > BigInt(minimumMinor) ? usageOnly : BigInt(minimumMinor));
      }),
    );
  });

  it('refuses bad plan data when the plan is saved', () => {
    expect(() => checkComponents([{ kind: 'fixed', price: '15OO' }], 'KES')).toThrow(/plain decimal/);
    expect(() => checkComponents([{ kind: 'fixed', price: '-1' }], 'KES')).toThrow(/must not be negative/);
    expect(() => checkComponents([{ kind: 'minimum', amount: '10.005' }], 'KES')).toThrow(/at most 2 decimal places/);
    expect(() => checkComponents([{ kind: 'minimum', amount: '1' }, { kind: 'minimum', amount: '2' }], 'KES')).toThrow(/only one minimum/);
    expect(() => checkComponents([{ kind: 'minimum', amount: '-5' }], 'KES')).toThrow(/must not be negative/);
    expect(() => checkComponents([{ kind: 'per-unit', unit: 'GB', price: '1', included: '1e3' }], 'KES')).toThrow(/plain decimal/);
    expect(() => rate([{ kind: 'per-unit', unit: 'GB', price: '1' }], { GB: '-1' })).toThrow(/must not be negative/);
    expect(() => checkComponents([{ kind: 'fixed', price: '1500.4375' }, { kind: 'per-day', price: '0.5' }], 'KES')).not.toThrow();
  });
});

describe('service that begins inside the period', () => {
  const march2026 = periodContaining({ cycle: { kind: 'calendar', every: 'month' }, timeZone: 'Africa/Nairobi' }, new Date('2026-03-15T00:00:00Z'));
  const rate = (from: Date) =>
    ratePeriod({ components: [{ kind: 'fixed', price: '3100' }, { kind: 'per-day', price: '50' }], period: march2026, currency: 'KES', from });

  it('charges the fixed price and the daily price for the days from activation, that day included', () => {
    // Activated 10 March 09:00 Nairobi: 9 days have passed, 22 of 31 remain. 3,100 × 22/31 = 2,200.00; 50 × 22 = 1,100.00.
    const [fixed, daily] = rate(new Date('2026-03-10T06:00:00Z'));
    expect(fixed).toMatchObject({ descriptionKey: 'invoiceLine.activation', quantity: '22', details: { days: '22', daysInPeriod: '31' } });
    expect(fixed!.amount).toEqual({ minor: 220_000n, currency: 'KES' });
    expect(daily).toMatchObject({ descriptionKey: 'invoiceLine.dailyCharge', quantity: '22' });
    expect(daily!.amount.minor).toBe(110_000n);
  });

  it('rounds a share that has no exact cents once: 3,100 × 21/31 = 2,100.00, 1,000 × 20/31 = 645.16', () => {
    expect(rate(new Date('2026-03-11T00:00:00Z'))[0]!.amount.minor).toBe(210_000n);
    const odd = ratePeriod({ components: [{ kind: 'fixed', price: '1000' }], period: march2026, currency: 'KES', from: new Date('2026-03-12T10:00:00Z') });
    expect(odd[0]!.amount.minor).toBe(64_516n);
  });

  it('is the whole period when service began at or before its start', () => {
    const [fixed] = rate(march2026.start);
    expect(fixed).toMatchObject({ descriptionKey: 'invoiceLine.fixedCharge', quantity: '1' });
    expect(fixed!.amount.minor).toBe(310_000n);
  });
});
