import { describe, expect, it } from 'vitest';
import { chartDays, formatBytes, formatDuration, totalsOf } from '../../web/src/features/usage-graphs/model.ts';

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
});
