import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../../web/src/features/sessions/model.ts';

describe('session formatting', () => {
  it('shows 64-bit byte counters in SI units with one decimal, exactly from the decimal text', () => {
    expect(formatBytes('0', 'en')).toBe('0 B');
    expect(formatBytes('999', 'en')).toBe('999 B');
    expect(formatBytes('1500', 'en')).toBe('1.5 kB');
    expect(formatBytes('4296467296', 'en')).toBe('4.3 GB');
    expect(formatBytes('18446744073709551615', 'en')).toBe('18.4 EB');
    expect(formatBytes('1250000', 'fr')).toBe('1,3 MB');
  });
  it('durations as h:mm:ss, with days beyond 24 hours', () => {
    expect(formatDuration(0)).toBe('0:00:00');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(2 * 86_400 + 3 * 3600)).toBe('2d 03:00:00');
  });
  it("durations in the reader's language: their word for day and their digits", () => {
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 65, 'fr')).toBe('2j 03:01:05');
    expect(formatDuration(86_400, 'sw')).toBe('siku 1 00:00:00');
    expect(formatDuration(3725, 'bn')).toBe('১:০২:০৫');
    expect(formatDuration(2 * 86_400, 'bn')).toBe('২ দিন ০০:০০:০০');
  });
  it('property: a duration reads back as the seconds it was made from', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => {
        const m = /^(?:(\d+)d )?(\d+):(\d\d):(\d\d)$/.exec(formatDuration(s))!;
        expect(Number(m[1] ?? 0) * 86_400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])).toBe(s);
      }),
    );
  });
});
