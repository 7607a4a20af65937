/**
 * MD4 (RFC 1320), needed only for the MS-CHAPv2 NT password hash. Node 20's OpenSSL 3 has moved
 * md4 to the legacy provider and refuses it, so Uplink carries this compact implementation;
 * test/radius/legacy-ciphers.test.ts proves it with RFC 1320's test suite.
 */
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const SHIFTS = [
  [3, 7, 11, 19],
  [3, 5, 9, 13],
  [3, 9, 11, 15],
] as const;

export function md4(message: Buffer): Buffer {
  // Padding as in MD5: a 1 bit, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  const padded = Buffer.alloc((((message.length + 8) >> 6) + 1) << 6);
  message.copy(padded);
  padded[message.length] = 0x80;
  const bits = message.length * 8;
  padded.writeUInt32LE(bits >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bits / 0x100000000), padded.length - 4);

  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(offset + i * 4);
    const r = [h[0]!, h[1]!, h[2]!, h[3]!];
    for (let round = 0; round < 3; round++) {
      for (let step = 0; step < 16; step++) {
        // The registers rotate a, d, c, b from step to step.
        const a = (16 - step) % 4;
        const b = (a + 1) % 4;
        const c = (a + 2) % 4;
        const d = (a + 3) % 4;
        const [rb, rc, rd] = [r[b]!, r[c]!, r[d]!];
        let f: number;
        let k: number;
        let add: number;
        if (round === 0) {
          f = (rb & rc) | (~rb & rd);
          k = step;
          add = 0;
        } else if (round === 1) {
          f = (rb & rc) | (rb & rd) | (rc & rd);
          k = ROUND2_ORDER[step]!;
          add = 0x5a827999;
        } else {
          f = rb ^ rc ^ rd;
          k = ROUND3_ORDER[step]!;
          add = 0x6ed9eba1;
        }
        r[a] = rotl((r[a]! + f + x[k]! + add) | 0, SHIFTS[round]![step % 4]!);
      }
    }
    for (let i = 0; i < 4; i++) h[i] = (h[i]! + r[i]!) | 0;
  }
  const out = Buffer.alloc(16);
  h.forEach((v, i) => out.writeInt32LE(v, i * 4));
  return out;
}
