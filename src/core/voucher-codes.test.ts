import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatPin, formatSerial, generatePin, normalisePin, pinAlphabet, pinEntropyBits, pinLength, pinLookupHash } from './voucher-codes.ts';

describe('recharge-card PINs', () => {
  it('use an alphabet without look-alike characters', () => {
    for (const c of '01OIL') expect(pinAlphabet).not.toContain(c);
    expect(new Set(pinAlphabet).size).toBe(pinAlphabet.length);
    expect(pinAlphabet.length).toBe(31);
  });

  it('are at least 10 characters and 50 bits strong', () => {
    expect(pinLength).toBeGreaterThanOrEqual(10);
    const bits = pinEntropyBits();
    // 12 × log2(31) = 59.45 bits
    expect(bits).toBeGreaterThan(59.4);
    expect(bits).toBeLessThan(59.5);
    expect(bits).toBeGreaterThanOrEqual(50);
  });

  it('are unique over 100,000 draws and use every character about equally', () => {
    const pins = new Set<string>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const pin = generatePin();
      expect(pin).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/);
      pins.add(pin);
      for (const c of pin) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(pins.size).toBe(100_000);
    expect(counts.size).toBe(31);
    const expected = (100_000 * 12) / 31;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.03);
  });

  it('draw each character from the injected source', () => {
    expect(generatePin(12, () => 0)).toBe('222222222222');
    expect(generatePin(4, (max) => max - 1)).toBe('ZZZZ');
  });

  it('read back what a person typed, and refuse what cannot be a PIN', () => {
    expect(formatPin('ABCDEFGHJKMN')).toBe('ABCD-EFGH-JKMN');
    expect(normalisePin('abcd-efgh jkmn')).toBe('ABCDEFGHJKMN');
    expect(normalisePin(' ABCD EFGH JKMN ')).toBe('ABCDEFGHJKMN');
    expect(normalisePin('ABCDEFGHJKM0')).toBeNull();
    expect(normalisePin('ABCDEFGHJKMO')).toBeNull();
    expect(normalisePin('ABCDEFGHJKM')).toBeNull();
    expect(normalisePin('ABCDEFGHJKMNP')).toBeNull();
    expect(normalisePin("' OR 1=1 --")).toBeNull();
  });

  it('are looked up by a keyed hash that depends on the key', () => {
    const key = randomBytes(32);
    const h = pinLookupHash(key, 'ABCDEFGHJKMN');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(pinLookupHash(key, 'ABCDEFGHJKMN')).toBe(h);
    expect(pinLookupHash(randomBytes(32), 'ABCDEFGHJKMN')).not.toBe(h);
    expect(pinLookupHash(key, 'ABCDEFGHJKMP')).not.toBe(h);
  });
});

describe('serial numbers', () => {
  it('carry the prefix, the batch number and the place in the batch, zero-padded', () => {
    expect(formatSerial('NF', 7n, 123)).toBe('NF7-000123');
    expect(formatSerial('', 12, 1)).toBe('12-000001');
    expect([formatSerial('A', 1, 9), formatSerial('A', 1, 10)].sort()).toEqual(['A1-000009', 'A1-000010']);
  });
});
