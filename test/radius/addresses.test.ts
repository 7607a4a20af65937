import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv6, formatIPv6Prefix, parseIPv6, parseIPv6Prefix } from '../../src/radius/addresses.ts';

describe('IPv6 text ↔ bytes', () => {
  it('any 16 bytes format to RFC 5952 text (as WHATWG URL canonicalizes it) and parse back', () => {
    // Few distinct group values so that zero runs (the "::" cases) are common.
    const group = fc.constantFrom(0, 0, 0, 1, 0xdb8, 0xffff);
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = Buffer.alloc(16);
        groups.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
        const text = formatIPv6(bytes);
        expect(parseIPv6(text)).toEqual(bytes);
        expect(`[${text}]`).toBe(new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]`).hostname);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts embedded IPv4 and refuses what is not an address', () => {
    expect(parseIPv6('::ffff:192.0.2.1')?.toString('hex')).toBe('00000000000000000000ffffc0000201');
    for (const bad of ['', '1::2::3', '12345::', '2001:db8::1%eth0', '192.0.2.1']) expect(parseIPv6(bad)).toBeNull();
  });

  it('prefixes carry only their bytes on the wire and bits beyond the length are cleared on decode', () => {
    expect(parseIPv6Prefix('2001:db8::/32')?.toString('hex')).toBe('002020010db8');
    expect(parseIPv6Prefix('::/0')?.toString('hex')).toBe('0000');
    expect(formatIPv6Prefix(Buffer.from('002020010db8ffff', 'hex'))).toBe('2001:db8::/32');
    expect(formatIPv6Prefix(Buffer.from('0081', 'hex'))).toBeNull();
    expect(parseIPv6Prefix('2001:db8::/129')).toBeNull();
  });
});
