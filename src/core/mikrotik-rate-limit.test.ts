import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKbps, mikrotikRateLimit } from './mikrotik-rate-limit.ts';

/** Reads a RouterOS rate back to kbit/s: the inverse of formatKbps. */
function parseRate(text: string): number {
  const m = /^(\d+)([kM]?)$/.exec(text);
  if (!m) throw new Error(`not a rate: ${text}`);
  return Number(m[1]) * (m[2] === 'M' ? 1000 : 1);
}

describe('formatKbps', () => {
  it('writes whole megabits with M and the rest with k', () => {
    expect(formatKbps(0)).toBe('0');
    expect(formatKbps(512)).toBe('512k');
    expect(formatKbps(1000)).toBe('1M');
    expect(formatKbps(1500)).toBe('1500k');
    expect(formatKbps(100_000)).toBe('100M');
  });
  it('refuses fractions and negative rates', () => {
    expect(() => formatKbps(1.5)).toThrow(RangeError);
    expect(() => formatKbps(-1)).toThrow(RangeError);
  });
  it('round-trips every rate', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (k) => parseRate(formatKbps(k)) === k));
  });
});

describe('mikrotikRateLimit', () => {
  it('puts the upload first (rx is what the router receives from the subscriber)', () => {
    expect(mikrotikRateLimit({ download: { kbps: 10_000 }, upload: { kbps: 2000 } })).toBe('2M/10M');
  });
  it('writes the four pairs when there is a burst', () => {
    const profile = {
      download: { kbps: 10_000, burstKbps: 20_000, burstThresholdKbps: 8000, burstSeconds: 16 },
      upload: { kbps: 2000, burstKbps: 4000, burstThresholdKbps: 1500, burstSeconds: 8 },
    };
    expect(mikrotikRateLimit(profile)).toBe('2M/10M 4M/20M 1500k/8M 8/16');
  });
  it('writes 0 (no limit, no burst) for the direction without one', () => {
    expect(mikrotikRateLimit({ download: { kbps: 5000, burstKbps: 10_000, burstThresholdKbps: 4000, burstSeconds: 10 }, upload: { kbps: null } })).toBe(
      '0/5M 0/10M 0/4M 0/10',
    );
  });
  it('is null when nothing is limited', () => {
    expect(mikrotikRateLimit({ download: { kbps: null }, upload: { kbps: null } })).toBeNull();
  });
  it('always has one pair, or four pairs when a burst is set', () => {
    const dir = fc.record({
      kbps: fc.integer({ min: 1, max: 1_000_000 }),
      burst: fc.option(fc.tuple(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 3600 }))),
    });
    fc.assert(
      fc.property(dir, dir, (d, u) => {
        const toLimit = (x: typeof d) => ({ kbps: x.kbps, burstKbps: x.burst?.[0], burstThresholdKbps: x.burst?.[1], burstSeconds: x.burst?.[2] });
        const text = mikrotikRateLimit({ download: toLimit(d), upload: toLimit(u) })!;
        const pairs = text.split(' ').map((p) => p.split('/'));
        expect(pairs.length).toBe(d.burst || u.burst ? 4 : 1);
        expect(parseRate(pairs[0]![0]!)).toBe(u.kbps);
        expect(parseRate(pairs[0]![1]!)).toBe(d.kbps);
        if (pairs.length === 4) {
          expect(parseRate(pairs[1]![1]!)).toBe(d.burst?.[0] ?? 0);
          expect(Number(pairs[3]![0])).toBe(u.burst?.[2] ?? 0);
        }
      }),
    );
  });
});
