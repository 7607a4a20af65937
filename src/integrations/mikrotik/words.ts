/**
 * The RouterOS API's framing: a sentence is a list of words, each prefixed by its length, ended by
 * an empty word. Lengths take one to five bytes:
 *   < 0x80        1 byte   len
 *   < 0x4000      2 bytes  len | 0x8000
 *   < 0x200000    3 bytes  len | 0xC00000
 *   < 0x10000000  4 bytes  len | 0xE0000000
 *   otherwise     5 bytes  0xF0, then len as four bytes
 * A first byte of 0xF8 or more is a reserved control byte: nothing to decode, so an error.
 */
import { RouterProtocolError } from './errors.ts';

/** Words longer than this are refused, so a broken or hostile peer cannot make us buffer gigabytes. */
export const MAX_WORD_BYTES = 64 * 1024 * 1024;

export function encodeLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`word length out of range: ${n}`);
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n | 0x8000);
    return b;
  }
  if (n < 0x200000) {
    const v = n | 0xc00000;
    return Buffer.from([(v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
  }
  if (n < 0x10000000) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((n | 0xe0000000) >>> 0);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = 0xf0;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The length at `offset` and how many bytes it took; null when more bytes are needed. */
export function decodeLength(buf: Buffer, offset = 0): { length: number; size: number } | null {
  if (offset >= buf.length) return null;
  const first = buf[offset]!;
  let size: number;
  if (first < 0x80) size = 1;
  else if (first < 0xc0) size = 2;
  else if (first < 0xe0) size = 3;
  else if (first < 0xf0) size = 4;
  else if (first === 0xf0) size = 5;
  else throw new RouterProtocolError(`reserved control byte 0x${first.toString(16)} in a word length`);
  if (offset + size > buf.length) return null;
  switch (size) {
    case 1:
      return { length: first, size };
    case 2:
      return { length: buf.readUInt16BE(offset) & 0x3fff, size };
    case 3:
      return { length: ((first & 0x1f) << 16) | buf.readUInt16BE(offset + 1), size };
    case 4:
      return { length: buf.readUInt32BE(offset) & 0x0fffffff, size };
    default:
      return { length: buf.readUInt32BE(offset + 1), size };
  }
}

export function encodeWord(word: string): Buffer {
  const body = Buffer.from(word, 'utf8');
  return Buffer.concat([encodeLength(body.length), body]);
}

export function encodeSentence(words: readonly string[]): Buffer {
  return Buffer.concat([...words.map(encodeWord), Buffer.from([0])]);
}

/**
 * Turns a byte stream into sentences, whatever the chunking: feed it what the socket delivers and
 * it hands back every sentence completed so far. Empty sentences are skipped (the protocol says so).
 */
export class SentenceReader {
  #buf: Buffer = Buffer.alloc(0);
  #words: string[] = [];

  push(chunk: Buffer): string[][] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const sentences: string[][] = [];
    let at = 0;
    for (;;) {
      const len = decodeLength(this.#buf, at);
      if (!len) break;
      if (len.length > MAX_WORD_BYTES) throw new RouterProtocolError(`a word of ${len.length} bytes is over the ${MAX_WORD_BYTES}-byte limit`);
      if (at + len.size + len.length > this.#buf.length) break;
      const start = at + len.size;
      at = start + len.length;
      if (len.length === 0) {
        if (this.#words.length) sentences.push(this.#words);
        this.#words = [];
      } else this.#words.push(this.#buf.toString('utf8', start, at));
    }
    this.#buf = this.#buf.subarray(at);
    return sentences;
  }
}
