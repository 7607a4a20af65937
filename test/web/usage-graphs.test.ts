import { describe, expect, it } from 'vitest';
import { chartDays, formatBytes, formatDuration, quotaPeriodLabel, totalsOf, usedPercent } from '../../web/src/features/usage-graphs/model.ts';

describe('usage chart helpers', () => {
  const day = (date: string, o: Partial<{ downloadBytes: number; uploadBytes: number; sessionSeconds: number; usage: Record<string, string> }> = {}) => ({ date, downloadBytes: 0, uploadBytes: 0, sessionSeconds: 0, usage: {}, ...o });

  it('draws accounting counters when a day has them, and the GB and minutes readings only when it has none', () => {
    const days = chartDays([
      day('2026-03-01', { downloadBytes: 2_000, uploadBytes: 500, sessionSeconds: 60, usage: { GB: '9', minutes: '99' } }),
      day('2026-03-02', { usage: { GB: '1.25', minutes: '90' } }),
      day('2026-03-03'),
    ]);
    expect(days).toEqual([
      { date: '2026-03-01', download: 2_000, upload: 500, metered: 0, seconds: 60 },
      { date: '2026-03-02', download: 0, upload: 0, metered: 1_250_000_000, seconds: 5_400 },
      { date: '2026-03-03', download: 0, upload: 0, metered: 0, seconds: 0 },
    ]);
    expect(totalsOf(days)).toEqual({ download: 2_000, upload: 500, metered: 1_250_000_000, seconds: 5_460 });
  });

  it('writes bytes in decimal units and time in minutes or hours, in the reader’s language', () => {
    expect(formatBytes(1_500_000_000, 'en')).toBe('1.5 GB');
    expect(formatBytes(12_345_678, 'en')).toBe('12.3 MB');
    expect(formatBytes(999, 'en')).toBe('999 byte');
    expect(formatBytes(4_500_000_000, 'fr').replace(/\s/g, ' ')).toBe('4,5 Go');
    expect(formatDuration(600, 'en')).toBe('10 min');
    expect(formatDuration(9_000, 'en')).toBe('2.5 hr');
  });

  it('writes a quota period in the organization’s zone: days when it runs from midnight, times when it starts during a day', () => {
    expect(quotaPeriodLabel('2026-03-14T21:00:00.000Z', '2026-04-14T21:00:00.000Z', 'Africa/Nairobi', 'en-GB')).toEqual({ from: '15 Mar', to: '15 Apr' });
    const validity = quotaPeriodLabel('2026-03-03T11:30:00.000Z', '2026-04-02T11:30:00.000Z', 'Africa/Nairobi', 'en-GB');
    expect(validity).toEqual({ from: '3 Mar, 14:30', to: '2 Apr, 14:30' });
  });

  it('fills a quota bar to 100 at most, and full for a quota of nothing', () => {
    expect(usedPercent(1_250, 5_000)).toBe(25);
    expect(usedPercent(6_000, 5_000)).toBe(100);
    expect(usedPercent(0, 0)).toBe(100);
  });
});
