/**
 * The decoder's promise: any datagram either decodes or throws RadiusDecodeError, never anything
 * else, and never hangs. Random bytes rarely get past the header, so most cases start from valid
 * packets (with vendor, tagged, hidden and concatenated attributes) and mutate them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeList } from '../../src/radius/contract.ts';
import { RadiusDecodeError, decodePacket, encodePacket } from '../../src/radius/packet.ts';

function decodesOrRefuses(data: Buffer) {
  try {
    const packet = decodePacket(data, { secret: 'fuzz' });
    expect(packet.attributes).toBeInstanceOf(Array);
  } catch (err) {
    if (!(err instanceof RadiusDecodeError)) throw err;
  }
}

const seeds: Array<{ code: number; attributes: AttributeList }> = [
  {
    code: 1,
    attributes: [
      ['User-Name', 'alice'],
      ['User-Password', 'secret password'],
      ['NAS-IPv6-Address', '2001:db8::5'],
      ['MS-CHAP-Challenge', Buffer.alloc(16, 1)],
      ['MS-CHAP2-Response', Buffer.alloc(50, 2)],
      ['EAP-Message', Buffer.alloc(300, 3)],
    ],
  },
  {
    code: 2,
    attributes: [
      ['Mikrotik-Rate-Limit', '10M/10M'],
      ['Tunnel-Type:1', 'L2TP'],
      ['Tunnel-Password:1', 'x'],
      ['ERX-Service-Activate:1', 'svc'],
      ['MS-MPPE-Recv-Key', Buffer.alloc(16, 4)],
      ['Delegated-IPv6-Prefix', '2001:db8:100::/56'],
      ['Event-Timestamp', new Date(0)],
    ],
  },
  { code: 4, attributes: [['Acct-Status-Type', 'Interim-Update'], ['Acct-Input-Gigawords', 2], ['Framed-Interface-Id', '0:0:0:1'], ['Attr-26.99.1', Buffer.from('zz')]] },
];
const valid = seeds.map((seed) => encodePacket({ ...seed, identifier: 1, secret: 'fuzz', requestAuthenticator: Buffer.alloc(16, 5) }));

describe('decoder fuzzing (fast-check)', () => {
  it('random datagrams', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => decodesOrRefuses(Buffer.from(bytes))), { numRuns: 5_000 });
  });

  it('random attribute sections behind a plausible header', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 11, 12, 40, 43), fc.uint8Array({ maxLength: 600 }), (code, body) => {
        const header = Buffer.alloc(20);
        header[0] = code;
        header.writeUInt16BE(Math.min(20 + body.length, 4096), 2);
        decodesOrRefuses(Buffer.concat([header, Buffer.from(body)]));
      }),
      { numRuns: 5_000 },
    );
  });

  it('valid packets with bytes flipped, truncated or extended', () => {
    const mutation = fc.record({
      seed: fc.nat(valid.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.nat()),
      extra: fc.uint8Array({ maxLength: 16 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut, extra }) => {
        const packet = Buffer.from(valid[seed]!);
        for (const [at, value] of flips) packet[at % packet.length] = value;
        const mutated = Buffer.concat([cut === null ? packet : packet.subarray(0, cut % (packet.length + 1)), Buffer.from(extra)]);
        decodesOrRefuses(mutated);
      }),
      { numRuns: 10_000 },
    );
  });
});
