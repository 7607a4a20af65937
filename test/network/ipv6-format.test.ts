import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseIpv6 } from '../../src/core/ipam.ts';
import { normaliseIpv6Prefix } from '../../src/modules/subscriptions/network.ts';

/*
 * One RFC 5952 formatter (core/ipam.ts formatAddress) serves IPAM and the subscription's delegated
 * prefix. The normaliser must accept and reject exactly what it did when it had its own formatter:
 * `previous` below is that normaliser, frozen, as the oracle.
 */
function previous(text: string): string | null {
  const groupsOf = (address: string): number[] => {
    let t = address;
    const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
    if (dotted) {
      const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
      t = `${t.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const missing = tail === undefined ? 0 : 8 - left.length - right.length;
    return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
  };
  const format = (groups: readonly number[]): string => {
    let best = { start: -1, length: 0 };
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best.start < 0) return hex.join(':');
    return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
  };
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match || !isIPv6(match[1]!)) return null;
  const length = Number(match[2]);
  if (length < 16 || length > 128) return null;
  const groups = groupsOf(match[1]!);
  for (let i = 0; i < 8; i++) {
    const kept = Math.min(16, Math.max(0, length - i * 16));
    if ((groups[i]! & (0xffff >> kept)) !== 0) return null;
  }
  return `${format(groups)}/${length}`;
}

const cases = [
  '2001:DB8:0:100::/56',
  '2001:db8:0:100:0:0:0:0/56',
  ' 2001:db8::/32 ',
  '2001:db8::1/128',
  '2001:db8::1/64',
  '2001:db8::/15',
  '2001:db8::/129',
  '2001:db8::/0056',
  '2001:0db8:0000:0000:0001:0000:0000:0000/80',
  '2001:db8:0:0:1:0:0:1/128',
  '2001:db8::1:0:0:0/80',
  '::/16',
  '::/128',
  '::1/128',
  '::ffff:192.0.2.0/120',
  '::ffff:192.0.2.1/128',
  '::ffff:c000:200/120',
  '::FFFF:C000:0201/128',
  '64:ff9b::192.0.2.0/120',
  '2001:db8::192.0.2.1/128',
  '1:0:0:1:0:0:0:0/64',
  '1:0:0:0:1:0:0:0/80',
  'fe80::1%eth0/128',
  '2001:db8::/',
  '2001:db8::',
  '2001:db8:::/48',
  '2001:db8::g/64',
  '192.0.2.0/24',
  '2001:db8::/56/56',
  '',
  '/56',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
  'ffff:ffff:ffff:ff00::/56',
  'ffff:ffff:ffff:ff80::/56',
  '2001:db8:0:0:0:0:0:0:0/64',
  '1::2:0:0:3/128',
  '0:0:1::/48',
];

describe('one IPv6 formatter', () => {
  it('normalises delegated prefixes exactly as before, case by case', () => {
    for (const c of cases) expect(normaliseIpv6Prefix(c), JSON.stringify(c)).toBe(previous(c));
    expect(normaliseIpv6Prefix('2001:DB8:0:100::/56')).toBe('2001:db8:0:100::/56');
    expect(normaliseIpv6Prefix('::ffff:192.0.2.0/120')).toBe('::ffff:c000:200/120');
    expect(normaliseIpv6Prefix('2001:db8::1/64')).toBeNull();
  });

  it('normalises random prefixes in every textual form exactly as before', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const text = fc
      .tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 130 }))
      .map(([groups, zeroFrom, zeroLength, upper, dotted]) => {
        const g = groups.map((v, i) => (i >= zeroFrom && i < zeroFrom + zeroLength ? 0 : v));
        let hex = g.map((v) => v.toString(16));
        if (upper) hex = hex.map((h) => h.toUpperCase());
        let t = hex.join(':');
        if (dotted) t = `${hex.slice(0, 6).join(':')}:${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
        // Compress the first run of zeros the writer chose, as people do (not always the longest).
        const run = /(^|:)0(:0)+(:|$)/i.exec(t);
        if (run && !upper) t = `${t.slice(0, run.index)}::${t.slice(run.index + run[0].length)}`;
        return t;
      });
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 130 }), fc.boolean(), (address, length, masked) => {
        let a = address;
        if (masked && isIPv6(a)) {
          const v = parseIpv6(a)!;
          const keep = Math.min(length, 128);
          a = formatAddress(6, keep === 0 ? 0n : (v >> BigInt(128 - keep)) << BigInt(128 - keep));
        }
        const input = `${a}/${length}`;
        expect(normaliseIpv6Prefix(input)).toBe(previous(input));
      }),
      { numRuns: 3000 },
    );
  });

  it('formats in IPAM and in the normaliser with the same text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
        expect(normaliseIpv6Prefix(`${formatAddress(6, v)}/128`)).toBe(`${formatAddress(6, v)}/128`);
      }),
    );
  });
});
