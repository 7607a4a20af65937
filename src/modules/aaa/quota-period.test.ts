import { describe, expect, it } from 'vitest';
import { QuotaPeriods, periodKey, quotaPeriod, type PeriodInputs } from './quota-period.ts';

const base: PeriodInputs = { version_id: 'v1', cycle: 'monthly', alignment: 'anniversary', validity_unit: null, validity_length: null, anchor: new Date('2026-03-15T06:00:00Z'), timezone: 'Africa/Nairobi' };
const now = new Date('2026-04-01T09:00:00Z');
const span = (p: { start: Date; end: Date }) => [p.start.toISOString(), p.end.toISOString()];

describe('quota periods', () => {
  it('follow the plan’s cycle from the activation instant, in the organization’s zone', () => {
    expect(span(quotaPeriod(base, now))).toEqual(['2026-03-14T21:00:00.000Z', '2026-04-14T21:00:00.000Z']);
    expect(span(quotaPeriod({ ...base, alignment: 'calendar' }, now))).toEqual(['2026-03-31T21:00:00.000Z', '2026-04-30T21:00:00.000Z']);
    expect(span(quotaPeriod({ ...base, cycle: 'validity', alignment: null, validity_unit: 'days', validity_length: 30 }, now))).toEqual(['2026-03-15T06:00:00.000Z', '2026-04-14T06:00:00.000Z']);
    expect(span(quotaPeriod({ ...base, cycle: 'daily', alignment: null }, now))).toEqual(['2026-03-31T21:00:00.000Z', '2026-04-01T21:00:00.000Z']);
  });
  it('a one-off plan has no period: its quota runs over the calendar month', () => {
    expect(span(quotaPeriod({ ...base, cycle: 'one_time', alignment: null }, now))).toEqual(['2026-03-31T21:00:00.000Z', '2026-04-30T21:00:00.000Z']);
  });
  it('shared answers never mix lines whose anchor day or instant differs', () => {
    const periods = new QuotaPeriods(now);
    const on15 = periods.of(base);
    const on20 = periods.of({ ...base, anchor: new Date('2026-03-20T06:00:00Z') });
    expect(span(on20)).toEqual(['2026-03-19T21:00:00.000Z', '2026-04-19T21:00:00.000Z']);
    expect(on15).not.toEqual(on20);
    expect(span(periods.of({ ...base, alignment: null, anchor: new Date('2026-03-20T06:00:00Z') }))).toEqual(span(on20));
    const bought = (iso: string) => periods.of({ ...base, cycle: 'validity', alignment: null, validity_unit: 'hours', validity_length: 24 * 30, anchor: new Date(iso) });
    expect(bought('2026-03-15T06:00:00Z').start).not.toEqual(bought('2026-03-15T07:00:00Z').start);
  });
  it('the key changes with the version, the anchor or the zone', () => {
    const keys = new Set([base, { ...base, version_id: 'v2' }, { ...base, anchor: new Date(0) }, { ...base, timezone: 'Asia/Dhaka' }].map(periodKey));
    expect(keys.size).toBe(4);
  });
});
