import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Money, addMoney, formatMoney, money, parseMoney, roundingRule, sumMoney } from './money.ts';
import { type BillingPeriod, daysInPeriod, periodContaining } from './periods.ts';
import { daysElapsed, partialPeriodLine, planChangeLines, prorate, splitPeriodPrice } from './proration.ts';

const kes = (text: string): Money => parseMoney(text, 'KES');
const nairobiMonth = (anchorDate: string, at: string): BillingPeriod =>
  periodContaining({ cycle: { kind: 'monthly', anchorDate }, timeZone: 'Africa/Nairobi' }, new Date(at));

const price = fc.bigInt({ min: 0n, max: 10n ** 12n });
const partOfPeriod = fc.integer({ min: 1, max: 366 }).chain((total) => fc.tuple(fc.integer({ min: 0, max: total }), fc.constant(total)));
const rule = fc.tuple(fc.constantFrom('half-up' as const, 'half-even' as const), fc.constantFrom(1n, 5n, 10n)).map(([mode, step]) => roundingRule(mode, step));

describe('prorate', () => {
  it('charges price × days used / days in period, rounded once (hand-checked)', () => {
    // 1500.00 × 17/31 = 822.580645… → 822.58
    expect(formatMoney(prorate(kes('1500'), 17, 31))).toBe('822.58');
    // 999.99 × 10/30 = 333.33
    expect(formatMoney(prorate(kes('999.99'), 10, 30))).toBe('333.33');
    // 1000.00 × 1/8 = 125.00 exactly; 0.25 × 1/2 = 0.125 → 0.13 half-up, 0.12 half-even
    expect(formatMoney(prorate(kes('0.25'), 1, 2))).toBe('0.13');
    expect(formatMoney(prorate(kes('0.25'), 1, 2, roundingRule('half-even')))).toBe('0.12');
    // Cash rounding to 0.05: 100 × 1/3 = 33.333… → 33.35
    expect(formatMoney(prorate(kes('100'), 1, 3, roundingRule('half-up', 5n)))).toBe('33.35');
  });

  it('refuses impossible day counts', () => {
    expect(() => prorate(kes('1'), 32, 31)).toThrow(/Cannot prorate 32 of 31 days/);
    expect(() => prorate(kes('1'), -1, 31)).toThrow(RangeError);
    expect(() => prorate(kes('1'), 0, 0)).toThrow(RangeError);
  });

  it('a full period gives the price (property)', () => {
    fc.assert(
      fc.property(price, fc.integer({ min: 1, max: 366 }), (minor, days) => {
        expect(prorate(money(minor, 'KES'), days, days)).toEqual(money(minor, 'KES'));
      }),
    );
  });

  it('two parts of a period sum to the price within one rounding step (property)', () => {
    fc.assert(
      fc.property(price, partOfPeriod, rule, (minor, [used, total], rounding) => {
        const whole = money(minor * rounding.increment, 'KES');
        const parts = addMoney(prorate(whole, used, total, rounding), prorate(whole, total - used, total, rounding));
        const difference = parts.minor - whole.minor;
        expect(difference <= rounding.increment && difference >= -rounding.increment).toBe(true);
      }),
    );
  });
});

describe('daysElapsed', () => {
  it('counts whole local days: the day of the change belongs to what follows', () => {
    const february = nairobiMonth('2024-01-31', '2024-02-10T12:00:00Z'); // 31 Jan up to 29 Feb: 29 days
    expect(daysInPeriod(february)).toBe(29);
    expect(daysElapsed(february, february.start)).toBe(0);
    expect(daysElapsed(february, new Date('2024-02-10T15:00:00+03:00'))).toBe(10); // 31 Jan … 9 Feb
    expect(daysElapsed(february, february.end)).toBe(29);
    expect(() => daysElapsed(february, new Date('2024-03-01T00:00:00Z'))).toThrow(/outside the period/);
  });

  it('is not thrown off by a 23-hour day (London, March 2024)', () => {
    const march = periodContaining({ cycle: { kind: 'calendar', every: 'month' }, timeZone: 'Europe/London' }, new Date('2024-03-15T00:00:00Z'));
    expect(daysElapsed(march, new Date('2024-03-31T12:00:00+01:00'))).toBe(30);
    expect(daysElapsed(march, march.end)).toBe(31);
  });
});

describe('partialPeriodLine', () => {
  it('activation on 10 March at 09:00 charges 22 of 31 days (hand-checked)', () => {
    const march = periodContaining({ cycle: { kind: 'calendar', every: 'month' }, timeZone: 'Africa/Nairobi' }, new Date('2024-03-10T06:00:00Z'));
    const line = partialPeriodLine({ descriptionKey: 'invoiceLine.activation', price: kes('1000'), period: march, from: new Date('2024-03-10T09:00:00+03:00') });
    // 1000.00 × 22/31 = 709.677… → 709.68; price per day 32.258064516129…
    expect(formatMoney(line.amount)).toBe('709.68');
    expect(line.quantity).toBe('22');
    expect(line.unitPrice).toBe('32.258064516129');
    expect(line.details).toEqual({ days: '22', daysInPeriod: '31' });
  });
});

describe('planChangeLines', () => {
  it('upgrade 1500 → 3000 on 10 Feb: credit 19/29 of the old plan, charge 19/29 of the new (hand-checked)', () => {
    const period = nairobiMonth('2024-01-31', '2024-02-10T12:00:00Z');
    const { credit, charge } = planChangeLines({ period, at: new Date('2024-02-10T15:00:00+03:00'), oldPrice: kes('1500'), newPrice: kes('3000') });
    // 1500 × 19/29 = 982.758620… → 982.76 credited; 3000 × 19/29 = 1965.517241… → 1965.52 charged
    expect(formatMoney(credit.amount)).toBe('-982.76');
    expect(credit.quantity).toBe('-19');
    expect(formatMoney(charge.amount)).toBe('1965.52');
    expect(charge.quantity).toBe('19');
    expect(formatMoney(addMoney(credit.amount, charge.amount))).toBe('982.76');
  });

  it('downgrade gives a net credit; changing to the same price nets to zero (property)', () => {
    fc.assert(
      fc.property(price, price, fc.integer({ min: 0, max: 40 * 24 }), (oldMinor, newMinor, hoursIn) => {
        const period = nairobiMonth('2024-01-31', '2024-03-15T00:00:00Z');
        const at = new Date(Math.min(period.start.getTime() + hoursIn * 3_600_000, period.end.getTime()));
        const lines = planChangeLines({ period, at, oldPrice: money(oldMinor, 'KES'), newPrice: money(newMinor, 'KES') });
        const net = addMoney(lines.credit.amount, lines.charge.amount).minor;
        if (oldMinor === newMinor) expect(net).toBe(0n);
        if (newMinor < oldMinor) expect(net <= 0n).toBe(true);
        if (newMinor > oldMinor) expect(net >= 0n).toBe(true);
      }),
    );
  });
});

describe('splitPeriodPrice', () => {
  it('splits exactly by largest remainder: 1000.00 at day 10 of 31 → 322.58 + 677.42', () => {
    const march = periodContaining({ cycle: { kind: 'calendar', every: 'month' }, timeZone: 'Asia/Dhaka' }, new Date('2024-03-15T00:00:00Z'));
    const [before, after] = splitPeriodPrice(parseMoney('1000', 'BDT'), march, new Date('2024-03-11T08:00:00+06:00'));
    expect([before.quantity, after.quantity]).toEqual(['10', '21']);
    // exact shares 322.580645… and 677.419354…: floors 322.58 + 677.41, the spare cent to the larger remainder
    expect([formatMoney(before.amount), formatMoney(after.amount)]).toEqual(['322.58', '677.42']);
  });

  it('the two parts always sum exactly to the price, at any instant of any period (property)', () => {
    fc.assert(
      fc.property(
        price,
        fc.integer({ min: 1, max: 31 }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('Africa/Nairobi', 'Europe/London', 'America/New_York'),
        fc.constantFrom(1n, 5n),
        (units, anchorDay, when, fraction, timeZone, step) => {
          const anchorDate = `2000-01-${String(anchorDay).padStart(2, '0')}`;
          const period = periodContaining({ cycle: { kind: 'monthly', anchorDate }, timeZone }, when);
          const at = new Date(period.start.getTime() + Math.floor((period.end.getTime() - period.start.getTime()) * fraction));
          const whole = money(units * step, 'KES');
          const parts = splitPeriodPrice(whole, period, at, roundingRule('half-up', step));
          expect(sumMoney(parts.map((line) => line.amount), 'KES')).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});
