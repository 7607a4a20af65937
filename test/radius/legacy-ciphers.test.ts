import { describe, expect, it } from 'vitest';
import { desEncryptBlock, expandDesKey } from '../../src/radius/des.ts';
import { md4 } from '../../src/radius/md4.ts';

describe('MD4 (RFC 1320 appendix A.5 test suite)', () => {
  const suite: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  it.each(suite)('MD4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input, 'ascii')).toString('hex')).toBe(digest);
  });

  it('pads correctly around the 55/56/64-byte block boundaries (each length gives a distinct digest)', () => {
    const digests = new Set([55, 56, 57, 63, 64, 65].map((n) => md4(Buffer.alloc(n, 0x61)).toString('hex')));
    expect(digests.size).toBe(6);
  });
});

describe('DES single block (FIPS 46 known answers)', () => {
  it.each([
    ['133457799bbcdff1', '0123456789abcdef', '85e813540f0ab405'],
    ['7ca110454a1a6e57', '01a1d6d039776742', '690f5b0d9a26939b'],
    ['0131d9619dc1376e', '5cd54ca83def57da', '7a389d10354bd271'],
    ['0101010101010101', '0000000000000000', '8ca64de9c1b123a7'],
  ])('key %s, block %s → %s', (key, block, cipher) => {
    expect(desEncryptBlock(Buffer.from(key, 'hex'), Buffer.from(block, 'hex')).toString('hex')).toBe(cipher);
  });

  it('spreads a 7-byte key over 8 bytes, 7 bits each, low bit free for parity', () => {
    expect(expandDesKey(Buffer.from('ffffffffffffff', 'hex')).toString('hex')).toBe('fefefefefefefefe');
    expect(expandDesKey(Buffer.from('80000000000000', 'hex')).toString('hex')).toBe('8000000000000000');
  });

  it('refuses keys and blocks of the wrong size', () => {
    expect(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8))).toThrow(RangeError);
  });
});
