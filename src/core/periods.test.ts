import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BillingPeriod, type BillingSchedule, calendarDaysBetween, daysInPeriod, elapsedDays, periodContaining, periodsFrom } from './periods.ts';

const zones = ['Africa/Nairobi', 'Asia/Dhaka', 'Europe/London', 'America/New_York'] as const;
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock fields from Intl, independent of the Temporal polyfill under test. */
function local(instant: Date, timeZone: string) {
  const formatter =
    formatters.get(timeZone) ??
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  formatters.set(timeZone, formatter);
  const parts = formatter.formatToParts(instant);
  const field = (type: string) => Number.parseInt(parts.find((part) => part.type === type)?.value ?? 'NaN', 10);
  return { year: field('year'), month: field('month'), day: field('day'), hour: field('hour'), minute: field('minute') };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Calendar days between two local dates, by UTC date arithmetic (an oracle, not the code under test). */
function calendarDays(from: Date, to: Date, timeZone: string): number {
  const a = local(from, timeZone);
  const b = local(to, timeZone);
  return (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / dayMs;
}

function iso(period: BillingPeriod): [string, string] {
  return [period.start.toISOString(), period.end.toISOString()];
}

/** The contract every schedule keeps: contiguous, non-empty, and each period holds its own instants. */
function expectContiguous(schedule: BillingSchedule, periods: BillingPeriod[]): void {
  periods.forEach((period, index) => {
    expect(period.start.getTime()).toBeLessThan(period.end.getTime());
    const next = periods[index + 1];
    if (next) expect(next.start).toEqual(period.end);
    expect(periodContaining(schedule, period.start)).toEqual(period);
    expect(periodContaining(schedule, new Date(period.end.getTime() - 1))).toEqual(period);
  });
}

describe('anniversary cycles: every anchor day 1–31, 48 periods, four zones', () => {
  const anchorMonth = fc.record({
    year: fc.integer({ min: 1995, max: 2060 }),
    month: fc.constantFrom(1, 3, 5, 7, 8, 10, 12),
    zone: fc.constantFrom(...zones),
  });

  for (const [kind, step] of [['monthly', 1], ['quarterly', 3], ['yearly', 12]] as const) {
    it(`${kind}: starts at local midnight on min(anchor day, month length), contiguous (property)`, () => {
      for (let anchorDay = 1; anchorDay <= 31; anchorDay += 1) {
        fc.assert(
          fc.property(anchorMonth, ({ year, month, zone }) => {
            const anchorDate = `${year}-${String(month).padStart(2, '0')}-${String(anchorDay).padStart(2, '0')}`;
            const schedule: BillingSchedule = { cycle: { kind, anchorDate }, timeZone: zone };
            const first = periodContaining(schedule, new Date(Date.UTC(year, month - 1, anchorDay, 12)));
            const periods = periodsFrom(schedule, first.start, 48);
            expect(periods).toHaveLength(48);
            expectContiguous(schedule, periods);
            periods.forEach((period, index) => {
              const monthIndex = month - 1 + index * step;
              const [y, m] = [year + Math.floor(monthIndex / 12), (monthIndex % 12) + 1];
              const start = local(period.start, zone);
              expect(start).toEqual({ year: y, month: m, day: Math.min(anchorDay, daysInMonth(y, m)), hour: 0, minute: 0 });
              expect(daysInPeriod(period)).toBe(calendarDays(period.start, period.end, zone));
            });
          }),
          { numRuns: kind === 'monthly' ? 12 : 4 },
        );
      }
    });
  }

  it('anchor 31 gives Jan 31 → Feb 29 → Mar 31 → Apr 30 in Nairobi (UTC+3), hand-checked', () => {
    const schedule: BillingSchedule = { cycle: { kind: 'monthly', anchorDate: '2024-01-31' }, timeZone: 'Africa/Nairobi' };
    const periods = periodsFrom(schedule, new Date('2024-02-15T00:00:00Z'), 3);
    expect(periods.map(iso)).toEqual([
      ['2024-01-30T21:00:00.000Z', '2024-02-28T21:00:00.000Z'],
      ['2024-02-28T21:00:00.000Z', '2024-03-30T21:00:00.000Z'],
      ['2024-03-30T21:00:00.000Z', '2024-04-29T21:00:00.000Z'],
    ]);
    expect(periods.map(daysInPeriod)).toEqual([29, 31, 30]);
  });

  it('anchor 30 in a non-leap year: Jan 30 → Feb 28 → Mar 30', () => {
    const schedule: BillingSchedule = { cycle: { kind: 'monthly', anchorDate: '2023-01-30' }, timeZone: 'Asia/Dhaka' };
    const starts = periodsFrom(schedule, new Date('2023-01-30T00:00:00+06:00'), 3).map((period) => local(period.start, 'Asia/Dhaka').day);
    expect(starts).toEqual([30, 28, 30]);
  });

  it('a month holding the spring-forward day is an hour short, not a day off', () => {
    const schedule: BillingSchedule = { cycle: { kind: 'monthly', anchorDate: '2024-03-01' }, timeZone: 'Europe/London' };
    const march = periodContaining(schedule, new Date('2024-03-15T12:00:00Z'));
    expect(iso(march)).toEqual(['2024-03-01T00:00:00.000Z', '2024-03-31T23:00:00.000Z']);
    expect(daysInPeriod(march)).toBe(31);
    expect(march.end.getTime() - march.start.getTime()).toBe(31 * dayMs - hourMs);
  });

  it('refuses an anchor date that does not exist or is not a date', () => {
    expect(() => periodContaining({ cycle: { kind: 'monthly', anchorDate: '2023-02-29' }, timeZone: 'UTC' }, new Date())).toThrow(RangeError);
    expect(() => periodContaining({ cycle: { kind: 'monthly', anchorDate: '2023-2-1' }, timeZone: 'UTC' }, new Date())).toThrow(/YYYY-MM-DD/);
  });
});

describe('calendar cycles', () => {
  it('start on the 1st of the month, of Jan/Apr/Jul/Oct, or of January (property)', () => {
    const firstMonths = { month: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], quarter: [1, 4, 7, 10], year: [1] };
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2070-01-01'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        fc.constantFrom('month' as const, 'quarter' as const, 'year' as const),
        (instant, zone, every) => {
          const schedule: BillingSchedule = { cycle: { kind: 'calendar', every }, timeZone: zone };
          const periods = periodsFrom(schedule, instant, 6);
          expect(periods[0]?.start.getTime()).toBeLessThanOrEqual(instant.getTime());
          expect(periods[0]?.end.getTime()).toBeGreaterThan(instant.getTime());
          expectContiguous(schedule, periods);
          for (const period of periods) {
            const start = local(period.start, zone);
            expect([start.day, start.hour, start.minute]).toEqual([1, 0, 0]);
            expect(firstMonths[every]).toContain(start.month);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('daily cycle', () => {
  it('DST days are 23 or 25 hours and still one calendar day', () => {
    const cases: [string, string, number][] = [
      ['Europe/London', '2024-03-31T12:00:00Z', 23],
      ['Europe/London', '2024-10-27T12:00:00Z', 25],
      ['America/New_York', '2024-03-10T12:00:00Z', 23],
      ['America/New_York', '2024-11-03T12:00:00Z', 25],
      ['Africa/Nairobi', '2024-03-31T12:00:00Z', 24],
      ['Asia/Dhaka', '2024-03-31T12:00:00Z', 24],
    ];
    for (const [timeZone, at, hours] of cases) {
      const day = periodContaining({ cycle: { kind: 'daily' }, timeZone }, new Date(at));
      expect(day.end.getTime() - day.start.getTime()).toBe(hours * hourMs);
      expect(daysInPeriod(day)).toBe(1);
      expect(local(day.start, timeZone)).toMatchObject({ hour: 0, minute: 0 });
    }
  });

  it('starts where midnight does not exist (São Paulo, 4 Nov 2018: clocks went 00:00 → 01:00)', () => {
    const day = periodContaining({ cycle: { kind: 'daily' }, timeZone: 'America/Sao_Paulo' }, new Date('2018-11-04T12:00:00Z'));
    expect(iso(day)).toEqual(['2018-11-04T03:00:00.000Z', '2018-11-05T02:00:00.000Z']);
    expect(daysInPeriod(day)).toBe(1);
  });

  it('contains the instant, starts at local midnight, lasts one day of 23–25 hours (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01'), max: new Date('2070-01-01'), noInvalidDate: true }), fc.constantFrom(...zones), (instant, zone) => {
        const schedule: BillingSchedule = { cycle: { kind: 'daily' }, timeZone: zone };
        const days = periodsFrom(schedule, instant, 3);
        expectContiguous(schedule, days);
        expect(days[0]?.start.getTime()).toBeLessThanOrEqual(instant.getTime());
        for (const day of days) {
          expect(local(day.start, zone)).toMatchObject({ hour: 0, minute: 0 });
          expect(daysInPeriod(day)).toBe(1);
          expect([23, 24, 25]).toContain((day.end.getTime() - day.start.getTime()) / hourMs);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('prepaid validity', () => {
  it('N hours are N elapsed hours, even across a DST change (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2050-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 24 * 40 }),
        fc.integer({ min: -1000 * hourMs, max: 1000 * hourMs }),
        fc.constantFrom(...zones),
        (startsAt, length, offsetMs, zone) => {
          const schedule: BillingSchedule = { cycle: { kind: 'validity', unit: 'hours', length, startsAt }, timeZone: zone };
          const periods = periodsFrom(schedule, new Date(startsAt.getTime() + offsetMs), 4);
          expectContiguous(schedule, periods);
          for (const period of periods) {
            expect(period.end.getTime() - period.start.getTime()).toBe(length * hourMs);
            expect(Math.abs((period.start.getTime() - startsAt.getTime()) % (length * hourMs))).toBe(0);
          }
        },
      ),
    );
  });

  it('N days end at the purchase time of day, N calendar days later (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2050-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 90 }),
        fc.constantFrom(...zones),
        (startsAt, length, zone) => {
          const purchase = new Date(Math.floor(startsAt.getTime() / 60_000) * 60_000);
          const schedule: BillingSchedule = { cycle: { kind: 'validity', unit: 'days', length, startsAt: purchase }, timeZone: zone };
          const periods = periodsFrom(schedule, purchase, 3);
          expect(periods[0]?.start).toEqual(purchase);
          expectContiguous(schedule, periods);
          const bought = local(purchase, zone);
          for (const period of periods) {
            expect(daysInPeriod(period)).toBe(length);
            // The local time of day repeats, an hour later only where a DST gap swallowed it.
            const start = local(period.start, zone);
            expect(start.minute).toBe(bought.minute);
            expect([bought.hour, (bought.hour + 1) % 24]).toContain(start.hour);
          }
        },
      ),
    );
  });

  it('a validity period that starts in a DST gap still counts its days (02:00 bought, 03:00 on the spring-forward day)', () => {
    // Bought 02:00 EST on 23 November 2028; the third 54-day period starts on 11 March 2029, when 02:00 does not exist.
    const schedule: BillingSchedule = { cycle: { kind: 'validity', unit: 'days', length: 54, startsAt: new Date('2028-11-23T07:00:00Z') }, timeZone: 'America/New_York' };
    const [, , third] = periodsFrom(schedule, new Date('2028-11-23T07:00:00Z'), 3);
    expect(third!.start.toISOString()).toBe('2029-03-11T07:00:00.000Z'); // 03:00 EDT
    expect(third!.end.toISOString()).toBe('2029-05-04T06:00:00.000Z'); // 02:00 EDT
    expect(daysInPeriod(third!)).toBe(54);
    expect(() => calendarDaysBetween(new Date('2029-03-11T07:00:00Z'), new Date('2029-05-04T06:30:00Z'), 'America/New_York')).toThrow(RangeError);
  });

  it('a 30-day bundle bought 14:35 on 10 March 2024 in New York runs to 14:35 on 9 April', () => {
    const startsAt = new Date('2024-03-10T18:35:00Z');
    const bundle = periodContaining(
      { cycle: { kind: 'validity', unit: 'days', length: 30, startsAt }, timeZone: 'America/New_York' },
      startsAt,
    );
    expect(iso(bundle)).toEqual(['2024-03-10T18:35:00.000Z', '2024-04-09T18:35:00.000Z']);
    expect(daysInPeriod(bundle)).toBe(30);
  });

  it('refuses lengths that are not positive whole numbers', () => {
    for (const length of [0, -1, 1.5]) {
      const schedule: BillingSchedule = { cycle: { kind: 'validity', unit: 'hours', length, startsAt: new Date(0) }, timeZone: 'UTC' };
      expect(() => periodContaining(schedule, new Date(0))).toThrow(/positive whole number of hours/);
    }
  });
});

describe('days in a period', () => {
  it('counts calendar days, and refuses periods that are not whole days', () => {
    expect(elapsedDays(new Date('2024-03-31T00:00:00Z'), new Date('2024-03-31T22:59:00Z'), 'Europe/London')).toBe(0);
    expect(elapsedDays(new Date('2024-03-31T00:00:00Z'), new Date('2024-03-31T23:00:00Z'), 'Europe/London')).toBe(1);
    const fiveHours = { start: new Date(0), end: new Date(5 * hourMs), timeZone: 'UTC' };
    expect(() => daysInPeriod(fiveHours)).toThrow(/not a whole number of days/);
  });

  it('twelve monthly periods of any anchor day add up to the days of the year (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1995, max: 2060 }), fc.constantFrom(...zones), (anchorDay, year, zone) => {
        const anchorDate = `${year}-01-${String(anchorDay).padStart(2, '0')}`;
        const schedule: BillingSchedule = { cycle: { kind: 'monthly', anchorDate }, timeZone: zone };
        const periods = periodsFrom(schedule, new Date(Date.UTC(year, 0, anchorDay, 12)), 12);
        const total = periods.reduce((sum, period) => sum + daysInPeriod(period), 0);
        expect(total).toBe(calendarDays(periods[0]?.start as Date, periods[11]?.end as Date, zone));
        expect([365, 366]).toContain(total);
      }),
      { numRuns: 100 },
    );
  });
});
