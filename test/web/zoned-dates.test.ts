import { describe, expect, it } from 'vitest';
import { dayIn, instantIn, monthOf, nextDay } from '../../web/src/features/subscriptions/model.ts';

describe('instantIn', () => {
  it('turns a day of the organization into the instant it begins there', () => {
    expect(instantIn('2026-03-15', 'Africa/Nairobi')).toBe('2026-03-14T21:00:00.000Z');
    expect(instantIn('2026-03-15', 'Asia/Dhaka')).toBe('2026-03-14T18:00:00.000Z');
    expect(instantIn('2026-03-15', 'UTC')).toBe('2026-03-15T00:00:00.000Z');
    expect(instantIn('2026-03-15', 'America/Lima')).toBe('2026-03-15T05:00:00.000Z');
  });

  it('takes a wall-clock time too', () => {
    expect(instantIn('2026-03-15 14:30:00', 'Africa/Nairobi')).toBe('2026-03-15T11:30:00.000Z');
    expect(instantIn('2026-03-15T09:05', 'Asia/Dhaka')).toBe('2026-03-15T03:05:00.000Z');
  });

  it('uses the offset in force on that day across a DST change (Paris: +1 in winter, +2 in summer)', () => {
    expect(instantIn('2026-03-28', 'Europe/Paris')).toBe('2026-03-27T23:00:00.000Z');
    expect(instantIn('2026-03-30', 'Europe/Paris')).toBe('2026-03-29T22:00:00.000Z');
    // 29 March 2026 begins at 00:00 +01:00; the clocks jump at 02:00, so 03:30 that day is +02:00.
    expect(instantIn('2026-03-29', 'Europe/Paris')).toBe('2026-03-28T23:00:00.000Z');
    expect(instantIn('2026-03-29 03:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
    expect(instantIn('2026-10-25 12:00', 'Europe/Paris')).toBe('2026-10-25T11:00:00.000Z');
  });

  it('refuses what is not a date', () => {
    expect(() => instantIn('15/03/2026', 'UTC')).toThrow(RangeError);
  });
});

describe('calendar days', () => {
  it('steps to the next day through month and leap-year ends', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('gives the month of a day as an inclusive range', () => {
    expect(monthOf('2026-02-10')).toEqual(['2026-02-01', '2026-02-28']);
    expect(monthOf('2028-02-29')).toEqual(['2028-02-01', '2028-02-29']);
    expect(monthOf('2026-12-31')).toEqual(['2026-12-01', '2026-12-31']);
  });

  it('finds the day an instant falls on in a zone', () => {
    expect(dayIn(new Date('2026-03-14T22:00:00Z'), 'Africa/Nairobi')).toBe('2026-03-15');
    expect(dayIn(new Date('2026-03-14T22:00:00Z'), 'UTC')).toBe('2026-03-14');
  });
});
