import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayStart, localDay, quotaWindow } from './fair-usage.ts';
import { periodContaining, periodsFrom, type BillingSchedule } from './periods.ts';

const nairobi = 'Africa/Nairobi';

describe('quotaWindow', () => {
  it('a period from local midnight counts its first day whole', () => {
    const period = periodContaining({ timeZone: nairobi, cycle: { kind: 'monthly', anchorDate: '2026-03-15' } }, new Date('2026-04-01T00:00:00Z'));
    expect(quotaWindow(period)).toEqual({ period, startDay: '2026-03-15', partialStart: false, firstWholeDay: '2026-03-15' });
  });
  it('a validity period bought during a day counts that day in part, whole days from the next', () => {
    const period = periodContaining({ timeZone: nairobi, cycle: { kind: 'validity', unit: 'days', length: 30, startsAt: new Date('2026-03-03T11:30:00Z') } }, new Date('2026-03-10T00:00:00Z'));
    expect(quotaWindow(period)).toMatchObject({ startDay: '2026-03-03', partialStart: true, firstWholeDay: '2026-03-04' });
  });
  it('a local day in a zone whose midnight a DST change skips starts at the first instant it has', () => {
    // Havana springs forward at midnight: 8 March 2026 starts at 01:00 local (05:00 UTC).
    expect(dayStart('2026-03-08', 'America/Havana')).toEqual(new Date('2026-03-08T05:00:00Z'));
    const period = periodContaining({ timeZone: 'America/Havana', cycle: { kind: 'calendar', every: 'month' } }, new Date('2026-03-08T12:00:00Z'));
    expect(quotaWindow(period).partialStart).toBe(false);
  });
  it('property: contiguous periods partition the days, each day counted whole in one period or split at a start', () => {
    const zones = ['Africa/Nairobi', 'Asia/Dhaka', 'Europe/London', 'America/New_York'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 3 * 365 * 24 }), fc.constantFrom(1, 7, 30), (timeZone, hours, length) => {
        const startsAt = new Date(Date.UTC(2025, 0, 1) + hours * 3_600_000);
        const schedule: BillingSchedule = { timeZone, cycle: { kind: 'validity', unit: 'days', length, startsAt } };
        const [a, b] = periodsFrom(schedule, startsAt, 2).map(quotaWindow);
        expect(a!.startDay).toBe(localDay(a!.period.start, timeZone));
        // The next period's first day is the day this one ends in: split there when it starts during it.
        expect(b!.startDay).toBe(localDay(a!.period.end, timeZone));
        expect(b!.partialStart).toBe(a!.partialStart);
        expect(dayStart(b!.firstWholeDay, timeZone).getTime()).toBeGreaterThanOrEqual(b!.period.start.getTime());
      }),
    );
  });
});
