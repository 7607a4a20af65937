import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttributeList } from '../../src/radius/contract.ts';
import {
  checkMessageAuthenticator,
  hidePassword,
  saltDecrypt,
  saltEncrypt,
  unhidePassword,
  verifyRequest,
  verifyResponse,
} from '../../src/radius/authenticators.ts';
import { RadiusEncodeError } from '../../src/radius/attributes.ts';
import { PacketCode, RadiusDecodeError, decodePacket, encodePacket, parsePacket } from '../../src/radius/packet.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RFC 2865 §7.1 worked example (User-Name nemo, password arctangent, secret xyzzy5461)', () => {
  const requestAuthenticator = hex('0f403f9473978057bd83d5cb98f4227a');
  const request = hex(
    '01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03',
  );
  const accept = hex('02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00 0e 06 c0 a8 01 03');

  it('encodes the Access-Request byte for byte (User-Password hiding included)', () => {
    const packet = encodePacket({
      code: 1,
      identifier: 0,
      authenticator: requestAuthenticator,
      secret: 'xyzzy5461',
      messageAuthenticator: false,
      attributes: [['User-Name', 'nemo'], ['User-Password', 'arctangent'], ['NAS-IP-Address', '192.168.1.16'], ['NAS-Port', 3]],
    });
    expect(packet.toString('hex')).toBe(request.toString('hex'));
  });

  it('decodes it, revealing the password', () => {
    const decoded = decodePacket(request, { secret: 'xyzzy5461' });
    expect(decoded.attributes).toEqual([['User-Name', 'nemo'], ['User-Password', 'arctangent'], ['NAS-IP-Address', '192.168.1.16'], ['NAS-Port', 3]]);
  });

  it("the Access-Accept's Response Authenticator verifies against the request's, and our encoder reproduces the body", () => {
    expect(verifyResponse(accept, Buffer.from('xyzzy5461'), requestAuthenticator)).toBe(true);
    expect(verifyResponse(accept, Buffer.from('xyzzy5462'), requestAuthenticator)).toBe(false);
    const ours = encodePacket({
      code: 2,
      identifier: 0,
      requestAuthenticator,
      secret: 'xyzzy5461',
      attributes: [['Service-Type', 'Login-User'], ['Login-Service', 'Telnet'], ['Login-IP-Host', '192.168.1.3']],
    });
    // Ours adds Message-Authenticator first (BlastRADIUS); the rest is the RFC's bytes.
    expect(ours[20]).toBe(80);
    expect(ours.subarray(38).toString('hex')).toBe(accept.subarray(20).toString('hex'));
    expect(verifyResponse(ours, Buffer.from('xyzzy5461'), requestAuthenticator)).toBe(true);
    expect(checkMessageAuthenticator(ours, Buffer.from('xyzzy5461'), requestAuthenticator)).toBe('valid');
  });
});

describe('hiding', () => {
  it('User-Password hiding round-trips every length up to 128 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 128 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (pw, ra) => {
        const password = Buffer.from(Buffer.from(pw).map((b) => b || 1)); // NULs are padding by definition
        const hidden = hidePassword(password, Buffer.from('s3cret'), Buffer.from(ra));
        expect(hidden.length % 16).toBe(0);
        expect(unhidePassword(hidden, Buffer.from('s3cret'), Buffer.from(ra))).toEqual(password);
      }),
    );
  });

  it('salt encryption (Tunnel-Password, MS-MPPE keys) round-trips and sets the salt high bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 239 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (plain, ra) => {
        const value = saltEncrypt(Buffer.from(plain), Buffer.from('k'), Buffer.from(ra));
        expect(value[0]! & 0x80).toBe(0x80);
        expect(saltDecrypt(value, Buffer.from('k'), Buffer.from(ra))).toEqual(Buffer.from(plain));
      }),
    );
  });
});

describe('attribute types, vendors, tags and concatenation', () => {
  const roundTrip = (code: number, attributes: AttributeList) => {
    const packet = encodePacket({ code, identifier: 1, secret: 'sec', attributes, requestAuthenticator: Buffer.alloc(16, 9) });
    return decodePacket(packet, { secret: 'sec', requestAuthenticator: code === 2 ? Buffer.alloc(16, 9) : undefined }).attributes.filter(([n]) => n !== 'Message-Authenticator');
  };

  it('every type decodes to the value the contract describes', () => {
    const attributes: AttributeList = [
      ['User-Name', 'ünïcode'],
      ['Class', Buffer.from([0, 1, 2, 255])],
      ['Session-Timeout', 4294967295],
      ['Framed-IP-Address', '100.64.0.7'],
      ['NAS-IPv6-Address', '2001:db8::1'],
      ['Framed-IPv6-Prefix', '2001:db8:1::/48'],
      ['Delegated-IPv6-Prefix', '2001:db8:ff00::/40'],
      ['Framed-Interface-Id', '0000:0000:0000:0001'],
      ['Event-Timestamp', new Date('2026-11-22T03:00:00Z')],
      ['Mikrotik-Rate-Limit', '10M/20M 15M/25M 8M/16M 10/10 8 2M/4M'],
      ['Mikrotik-Address-List', 'expired'],
      ['Huawei-Input-Average-Rate', 10_000_000],
      ['Cisco-AVPair', 'subscriber:sa=internet'],
      ['ERX-Service-Activate:2', 'svc-10M(10000000)'],
      ['Tunnel-Type:1', 3],
      ['Tunnel-Password:1', 'tunnel secret'],
      ['MS-MPPE-Send-Key', Buffer.alloc(16, 0xab)],
    ];
    expect(roundTrip(2, attributes)).toEqual(attributes);
  });

  it('VALUE names encode to their numbers', () => {
    expect(roundTrip(1, [['Service-Type', 'Framed-User'], ['Acct-Status-Type', 'Interim-Update']])).toEqual([['Service-Type', 2], ['Acct-Status-Type', 3]]);
  });

  it('EAP-Message longer than 253 bytes is split and joined again; a repeated attribute stays repeated', () => {
    const eap = Buffer.alloc(600, 7);
    const packet = encodePacket({ code: 11, identifier: 1, secret: 's', requestAuthenticator: Buffer.alloc(16), attributes: [['EAP-Message', eap], ['Reply-Message', 'a'], ['Reply-Message', 'b']] });
    expect(parsePacket(packet).attributes.filter((a) => a.type === 79).map((a) => a.value.length)).toEqual([253, 253, 94]);
    const decoded = decodePacket(packet).attributes;
    expect(decoded.find(([n]) => n === 'EAP-Message')?.[1]).toEqual(eap);
    expect(decoded.filter(([n]) => n === 'Reply-Message').map(([, v]) => v)).toEqual(['a', 'b']);
  });

  it('unknown attributes and vendors survive as raw octets, and encode back to the same bytes', () => {
    const raw: AttributeList = [['Attr-250', Buffer.from('x')], ['Attr-26.65000.3', Buffer.from([1, 2])]];
    expect(roundTrip(1, raw)).toEqual(raw);
  });

  it('a value malformed for its type is kept as raw octets, not thrown', () => {
    // NAS-IP-Address (4) with 3 bytes.
    const packet = Buffer.concat([hex('01 01 00 19'), Buffer.alloc(16), hex('04 05 0a 00 01')]);
    expect(decodePacket(packet).attributes).toEqual([['Attr-4', hex('0a 00 01')]]);
  });

  it('refuses what cannot be encoded with a RadiusEncodeError naming the attribute', () => {
    const encode = (attributes: AttributeList) => () => encodePacket({ code: 1, identifier: 0, secret: 's', attributes });
    expect(encode([['No-Such-Attribute', 'x']])).toThrow(new RadiusEncodeError('unknown attribute "No-Such-Attribute"'));
    expect(encode([['Framed-IP-Address', '300.1.1.1']])).toThrow(/Framed-IP-Address: 300.1.1.1 is not a valid ipaddr/);
    expect(encode([['Session-Timeout', -1]])).toThrow(/Session-Timeout/);
    expect(encode([['Service-Type', 'Not-A-Service']])).toThrow(/Service-Type/);
    expect(encode([['Reply-Message', 'x'.repeat(254)]])).toThrow(/do not fit/);
    expect(encode([['User-Name:3', 'x']])).toThrow(/bad tag/);
    expect(() => encodePacket({ code: 2, identifier: 0, secret: 's', attributes: [] })).toThrow(/request authenticator/);
  });
});

describe('authenticators and Message-Authenticator', () => {
  it('Accounting, CoA and Disconnect requests carry the MD5 Request Authenticator; a changed byte or secret fails it', () => {
    for (const code of [PacketCode.AccountingRequest, PacketCode.CoaRequest, PacketCode.DisconnectRequest]) {
      const packet = encodePacket({ code, identifier: 5, secret: 'abc', attributes: [['User-Name', 'alice'], ['Acct-Session-Id', 'x1']] });
      expect(verifyRequest(packet, Buffer.from('abc'))).toBe(true);
      expect(verifyRequest(packet, Buffer.from('abd'))).toBe(false);
      const tampered = Buffer.from(packet);
      tampered[tampered.length - 1]! ^= 1;
      expect(verifyRequest(tampered, Buffer.from('abc'))).toBe(false);
    }
  });

  it('Message-Authenticator is first in Access-Accept/Reject/Challenge and verifies; tampering or a second copy invalidates it', () => {
    const ra = Buffer.alloc(16, 3);
    for (const code of [2, 3, 11]) {
      const packet = encodePacket({ code, identifier: 9, secret: 'k', requestAuthenticator: ra, attributes: [['Reply-Message', 'hi']] });
      expect(packet[20]).toBe(80);
      expect(packet[21]).toBe(18);
      expect(checkMessageAuthenticator(packet, Buffer.from('k'), ra)).toBe('valid');
      expect(checkMessageAuthenticator(packet, Buffer.from('K'), ra)).toBe('invalid');
      const tampered = Buffer.from(packet);
      tampered[tampered.length - 1]! ^= 0x20;
      expect(checkMessageAuthenticator(tampered, Buffer.from('k'), ra)).toBe('invalid');
    }
    const twice = Buffer.concat([hex('01 01 00 38'), Buffer.alloc(16), hex('50 12'), Buffer.alloc(16), hex('50 12'), Buffer.alloc(16)]);
    expect(checkMessageAuthenticator(twice, Buffer.from('k'), Buffer.alloc(16))).toBe('invalid');
    const noMa = encodePacket({ code: 1, identifier: 1, secret: 'k', attributes: [['User-Name', 'u']], messageAuthenticator: false });
    expect(checkMessageAuthenticator(noMa, Buffer.from('k'), noMa.subarray(4, 20))).toBe('absent');
  });
});

describe('malformed packets throw RadiusDecodeError', () => {
  it.each([
    ['shorter than a header', hex('01 00 00 14')],
    ['an unknown code', Buffer.concat([hex('07 00 00 14'), Buffer.alloc(16)])],
    ['a length field beyond the datagram', Buffer.concat([hex('01 00 00 30'), Buffer.alloc(16)])],
    ['a length field below 20', Buffer.concat([hex('01 00 00 10'), Buffer.alloc(16)])],
    ['an attribute of length 0', Buffer.concat([hex('01 00 00 16'), Buffer.alloc(16), hex('01 00')])],
    ['an attribute overrunning the packet', Buffer.concat([hex('01 00 00 17'), Buffer.alloc(16), hex('01 09 61')])],
  ])('%s', (_, data) => {
    expect(() => decodePacket(data)).toThrow(RadiusDecodeError);
  });

  it('bytes after the Length field are ignored (RFC 2865 §3)', () => {
    const packet = encodePacket({ code: 1, identifier: 1, secret: 's', attributes: [['User-Name', 'u']] });
    expect(decodePacket(Buffer.concat([packet, Buffer.from('junk')])).attributes.at(-1)).toEqual(['User-Name', 'u']);
  });
});

describe('PAP password comparison', () => {
  it('accepts only the exact password: not a prefix, not with a trailing NUL, not case-folded', async () => {
    const { checkPassword } = await import('../../src/radius/auth-methods.ts');
    const ra = Buffer.alloc(16, 1);
    const secret = Buffer.from('s');
    const check = (typed: string, stored: string) =>
      checkPassword({ credentials: { method: 'pap', hidden: hidePassword(Buffer.from(typed), secret, ra) }, password: stored, userName: 'u', secret, requestAuthenticator: ra }).ok;
    expect(check('correct horse', 'correct horse')).toBe(true);
    expect(check('correct', 'correct horse')).toBe(false);
    expect(check('correct horse', 'correct')).toBe(false);
    expect(check('Correct horse', 'correct horse')).toBe(false);
    expect(check('pw', 'pw\u0000')).toBe(false);
    expect(check('x'.repeat(128), 'x'.repeat(128))).toBe(true);
    expect(check('x'.repeat(128), 'x'.repeat(129))).toBe(false);
  });
});
