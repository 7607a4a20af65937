import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouterProtocolError } from './errors.ts';
import { decodeLength, encodeLength, encodeSentence, SentenceReader } from './words.ts';

const hex = (b: Buffer) => b.toString('hex');

describe('word length codec', () => {
  it.each([
    [0, '00'],
    [0x7f, '7f'],
    [0x80, '8080'],
    [0x3fff, 'bfff'],
    [0x4000, 'c04000'],
    [0x1fffff, 'dfffff'],
    [0x200000, 'e0200000'],
    [0xfffffff, 'efffffff'],
    [0x10000000, 'f010000000'],
    [0xffffffff, 'f0ffffffff'],
  ])('encodes %i as %s and reads it back', (n, bytes) => {
    expect(hex(encodeLength(n))).toBe(bytes);
    expect(decodeLength(Buffer.from(bytes, 'hex'))).toEqual({ length: n, size: bytes.length / 2 });
  });

  it('asks for more bytes when a length is cut short', () => {
    expect(decodeLength(Buffer.from('c040', 'hex'))).toBeNull();
    expect(decodeLength(Buffer.from('f0000000', 'hex'))).toBeNull();
    expect(decodeLength(Buffer.alloc(0))).toBeNull();
  });

  it('refuses the reserved control bytes', () => {
    for (const b of ['f8', 'ff', 'f1']) expect(() => decodeLength(Buffer.from(b, 'hex'))).toThrow(RouterProtocolError);
  });

  it('round-trips every length and uses the shortest form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const b = encodeLength(n);
        const expectedSize = n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
        expect(b.length).toBe(expectedSize);
        expect(decodeLength(b)).toEqual({ length: n, size: expectedSize });
      }),
    );
  });
});

describe('SentenceReader', () => {
  it('reads back any sentences, however the stream is cut', () => {
    const word = fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' });
    fc.assert(
      fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (sentences, cuts) => {
        const stream = Buffer.concat(sentences.map(encodeSentence));
        const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
        const reader = new SentenceReader();
        const out: string[][] = [];
        let from = 0;
        for (const p of [...points, stream.length]) {
          out.push(...reader.push(stream.subarray(from, p)));
          from = p;
        }
        expect(out).toEqual(sentences);
      }),
    );
  });

  it('reads a word longer than 0x4000 bytes (three-byte length)', () => {
    const big = 'x'.repeat(0x4001);
    expect(new SentenceReader().push(encodeSentence(['!re', `=ret=${big}`]))).toEqual([['!re', `=ret=${big}`]]);
  });

  it('skips empty sentences and refuses a control byte', () => {
    const reader = new SentenceReader();
    expect(reader.push(Buffer.from([0, 0]))).toEqual([]);
    expect(() => reader.push(Buffer.from([0xf8]))).toThrow(RouterProtocolError);
  });
});
