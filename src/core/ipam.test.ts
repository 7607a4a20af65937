import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contains,
  containsAddress,
  coveredCount,
  formatAddress,
  formatCidr,
  hostRange,
  nextFree,
  normaliseAddress,
  overlaps,
  parseAddress,
  parseCidr,
  percent,
  rangeOf,
  size,
  type Cidr,
  type Interval,
} from './ipam.ts';

const cidr = (text: string): Cidr => parseCidr(text)!;

describe('addresses', () => {
  it('parses and prints IPv4 and IPv6, folding IPv4-mapped IPv6 into IPv4', () => {
    expect(parseAddress('192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(normaliseAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseAddress('::FFFF:c000:0201')).toBe('192.0.2.1');
    expect(normaliseAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normaliseAddress('2001:db8:0:1:0:0:0:0')).toBe('2001:db8:0:1::');
    expect(normaliseAddress('::1')).toBe('::1');
    for (const bad of ['', '1.2.3', '256.1.1.1', 'fe80::1%eth0', 'nas-1', '1.2.3.4/32', ':::'])
      expect(parseAddress(bad), bad).toBeNull();
  });

  it('round-trips every IPv4 and IPv6 value through its text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (v) => {
        expect(parseAddress(formatAddress(4, v))).toEqual({ family: 4, value: v });
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
        const back = parseAddress(formatAddress(6, v))!;
        // ::ffff:0:0/96 is how IPv6 writes an IPv4 peer: it reads back as that IPv4 address.
        if (v >> 32n === 0xffffn) expect(back).toEqual({ family: 4, value: v & 0xffffffffn });
        else expect(back).toEqual({ family: 6, value: v });
      }),
    );
  });
});

describe('cidr blocks', () => {
  it('parses strict blocks as PostgreSQL cidr does, and leniently when asked', () => {
    expect(formatCidr(cidr('10.0.0.0/24'))).toBe('10.0.0.0/24');
    expect(formatCidr(cidr('2001:DB8::/40'))).toBe('2001:db8::/40');
    expect(parseCidr('10.0.0.1/24')).toBeNull();
    expect(formatCidr(parseCidr('10.0.0.1/24', false)!)).toBe('10.0.0.0/24');
    expect(formatCidr(cidr('192.0.2.7'))).toBe('192.0.2.7/32');
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/2x', '10.0.0.0/8/8', '::ffff:10.0.0.0/104'])
      expect(parseCidr(bad), bad).toBeNull();
  });

  it('knows the host range: no IPv4 network or broadcast address, no IPv6 subnet-router anycast', () => {
    const r = hostRange(cidr('10.0.0.0/24'));
    expect([formatAddress(4, r.first), formatAddress(4, r.last)]).toEqual(['10.0.0.1', '10.0.0.254']);
    expect(hostRange(cidr('10.0.0.0/31'))).toEqual(rangeOf(cidr('10.0.0.0/31')));
    expect(formatAddress(6, hostRange(cidr('2001:db8::/64')).first)).toBe('2001:db8::1');
    expect(size(cidr('2001:db8::/40'))).toBe(1n << 88n);
  });

  const block = fc
    .tuple(fc.constantFrom(4 as const, 6 as const), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
    .map(([family, raw, len]): Cidr => {
      const bits = family === 4 ? 32 : 128;
      const length = len % (bits + 1);
      const value = raw & ((1n << BigInt(bits)) - 1n);
      return parseCidr(`${formatAddress(family, value)}/${length}`, false)!;
    });

  it('containment agrees with the address ranges, and is a partial order', () => {
    fc.assert(
      fc.property(block, block, (a, b) => {
        const ra = rangeOf(a);
        const rb = rangeOf(b);
        const byRange = a.family === b.family && ra.first <= rb.first && rb.last <= ra.last;
        expect(contains(a, b)).toBe(byRange);
        expect(contains(a, a)).toBe(true);
        if (contains(a, b) && contains(b, a)) expect(a).toEqual(b);
        expect(overlaps(a, b)).toBe(a.family === b.family && ra.first <= rb.last && rb.first <= ra.last);
        expect(containsAddress(a, { family: b.family, value: rb.first })).toBe(a.family === b.family && ra.first <= rb.first && rb.first <= ra.last);
      }),
    );
  });
});

describe('next free address or prefix', () => {
  it('skips taken addresses and answers null when the subnet is full', () => {
    const r = hostRange(cidr('10.0.0.0/29')); // .1 - .6
    const at = (n: bigint) => ({ first: r.first - 1n + n, last: r.first - 1n + n });
    expect(formatAddress(4, nextFree(r, [])!)).toBe('10.0.0.1');
    expect(formatAddress(4, nextFree(r, [at(1n), at(2n), at(4n)])!)).toBe('10.0.0.3');
    expect(nextFree(r, [{ first: r.first, last: r.last }])).toBeNull();
  });

  it('hands out aligned delegated prefixes: the /56s of a /40', () => {
    const pool = cidr('2001:db8::/40');
    const block = size(cidr('2001:db8::/56'));
    const first = nextFree(rangeOf(pool), [], block)!;
    expect(formatAddress(6, first)).toBe('2001:db8::');
    const second = nextFree(rangeOf(pool), [{ first, last: first + block - 1n }], block)!;
    expect(`${formatAddress(6, second)}/56`).toBe('2001:db8:0:100::/56');
    // A single taken address in a /56 spoils the whole /56.
    expect(formatAddress(6, nextFree(rangeOf(pool), [{ first: 5n + pool.base, last: 5n + pool.base }], block)!)).toBe('2001:db8:0:100::');
  });

  const scenario = fc
    .tuple(
      fc.bigInt({ min: 0n, max: 1000n }),
      fc.bigInt({ min: 0n, max: 300n }),
      fc.constantFrom(1n, 2n, 4n, 16n),
      fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 1400n }), fc.bigInt({ min: 0n, max: 20n })), { maxLength: 40 }),
    )
    .map(([first, span, blockSize, raw]) => ({
      within: { first, last: first + span } as Interval,
      blockSize,
      taken: raw.map(([start, len]) => ({ first: start, last: start + len })) as Interval[],
    }));

  it('never returns a taken or reserved address, stays inside, aligns, and finds the lowest slot', () => {
    fc.assert(
      fc.property(scenario, ({ within, blockSize, taken }) => {
        const got = nextFree(within, taken, blockSize);
        const free = (x: bigint) => x % blockSize === 0n && x >= within.first && x + blockSize - 1n <= within.last && taken.every((t) => t.last < x || t.first > x + blockSize - 1n);
        // Brute force over the whole (small) range: the lowest free aligned slot, or none.
        let expected: bigint | null = null;
        for (let x = within.first; x <= within.last; x++)
          if (free(x)) {
            expected = x;
            break;
          }
        expect(got).toBe(expected);
        if (got !== null) expect(free(got)).toBe(true);
      }),
    );
  });

  it('counts covered addresses once however the intervals overlap', () => {
    fc.assert(
      fc.property(scenario, ({ within, taken }) => {
        let brute = 0n;
        for (let x = within.first; x <= within.last; x++) if (taken.some((t) => t.first <= x && x <= t.last)) brute++;
        expect(coveredCount(within, taken)).toBe(brute);
      }),
    );
  });

  it('prints percentages exactly, rounded half up', () => {
    expect(percent(1n, 3n)).toBe('33.3');
    expect(percent(2n, 3n)).toBe('66.7');
    expect(percent(1n, 2000n)).toBe('0.1');
    expect(percent(0n, 0n)).toBe('0.0');
    expect(percent(254n, 254n)).toBe('100.0');
  });
});
