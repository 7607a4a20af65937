import { describe, expect, it } from 'vitest';
import { generatePassword, normaliseIpv4Host, normaliseIpv6Prefix, normaliseMac, passwordPattern } from '../../src/modules/subscriptions/network.ts';

describe('MAC addresses', () => {
  it('reads the usual forms into AA:BB:CC:DD:EE:FF', () => {
    for (const form of ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E', '001a.2b3c.4d5e', '001A2B3C4D5E', ' 00:1a:2b:3c:4d:5e ']) expect(normaliseMac(form)).toBe('00:1A:2B:3C:4D:5E');
  });

  it('refuses malformed text, mixed separators, and addresses no device owns', () => {
    for (const bad of ['00:1a:2b:3c:4d', '00:1a:2b-3c:4d:5e', '00:1a:2b:3c:4d:5g', '001a2b3c4d5e6f', '00:00:00:00:00:00', 'FF:FF:FF:FF:FF:FF', '01:00:5E:00:00:FB', ''])
      expect(normaliseMac(bad), bad).toBeNull();
  });
});

describe('static IPv4', () => {
  it('takes a host address, with or without /32', () => {
    expect(normaliseIpv4Host('203.0.113.10')).toBe('203.0.113.10');
    expect(normaliseIpv4Host('10.20.30.40/32')).toBe('10.20.30.40');
  });

  it('refuses networks, malformed and reserved addresses', () => {
    for (const bad of ['203.0.113.0/24', '203.0.113.256', '203.0.113', '0.1.2.3', '127.0.0.1', '224.0.0.1', '255.255.255.255', '2001:db8::1', '010.1.1.1'])
      expect(normaliseIpv4Host(bad), bad).toBeNull();
  });
});

describe('IPv6 prefixes', () => {
  it('writes a prefix the RFC 5952 way', () => {
    expect(normaliseIpv6Prefix('2001:DB8:0:0100::/56')).toBe('2001:db8:0:100::/56');
    expect(normaliseIpv6Prefix('2001:0db8:0000:0000:0000:0000:0000:0000/32')).toBe('2001:db8::/32');
    expect(normaliseIpv6Prefix('2001:db8:abcd:12::/64')).toBe('2001:db8:abcd:12::/64');
    expect(normaliseIpv6Prefix('2001:db8:0:1:0:0:0:1/128')).toBe('2001:db8:0:1::1/128');
  });

  it('refuses host bits past the length, lengths out of range and IPv4', () => {
    for (const bad of ['2001:db8::1/56', '2001:db8:0:100::/48', '2001:db8::/8', '2001:db8::/129', '2001:db8::', '10.0.0.0/8', 'fe80::1%eth0/64'])
      expect(normaliseIpv6Prefix(bad), bad).toBeNull();
  });
});

describe('generated passwords', () => {
  it('are 16 unambiguous characters a NAS accepts, and differ every time', () => {
    const many = Array.from({ length: 200 }, () => generatePassword());
    for (const p of many) {
      expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
      expect(passwordPattern.test(p)).toBe(true);
    }
    expect(new Set(many).size).toBe(200);
  });
});
