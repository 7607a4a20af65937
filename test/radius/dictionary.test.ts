import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dictionary, DictionaryError, defaultDictionary, loadDictionary } from '../../src/radius/dictionary.ts';

describe("Uplink's own dictionaries", () => {
  const dict = defaultDictionary();
  const pick = (name: string) => {
    const def = dict.attribute(name);
    if (!def) throw new Error(`${name} missing`);
    return { vendorId: def.vendorId, code: def.code, type: def.type, encrypt: def.encrypt, hasTag: def.hasTag, concat: def.concat };
  };

  it('standard attributes with their numbers, types and flags', () => {
    expect(pick('User-Password')).toEqual({ vendorId: 0, code: 2, type: 'string', encrypt: 1, hasTag: false, concat: false });
    expect(pick('Acct-Input-Gigawords')).toMatchObject({ code: 52, type: 'integer' });
    expect(pick('Event-Timestamp')).toMatchObject({ code: 55, type: 'date' });
    expect(pick('EAP-Message')).toMatchObject({ code: 79, concat: true });
    expect(pick('Message-Authenticator')).toMatchObject({ code: 80, type: 'octets' });
    expect(pick('Tunnel-Password')).toMatchObject({ code: 69, encrypt: 2, hasTag: true });
    expect(pick('Framed-IPv6-Prefix')).toMatchObject({ code: 97, type: 'ipv6prefix' });
    expect(pick('Framed-Interface-Id')).toMatchObject({ code: 96, type: 'ifid' });
    expect(pick('Delegated-IPv6-Prefix')).toMatchObject({ code: 123, type: 'ipv6prefix' });
    expect(pick('Error-Cause')).toMatchObject({ code: 101, type: 'integer' });
  });

  it('vendor attributes: Microsoft, MikroTik, Cisco, Juniper, ERX, Huawei', () => {
    expect(pick('MS-MPPE-Send-Key')).toMatchObject({ vendorId: 311, code: 16, encrypt: 2 });
    expect(pick('MS-CHAP2-Response')).toMatchObject({ vendorId: 311, code: 25 });
    expect(pick('Mikrotik-Rate-Limit')).toMatchObject({ vendorId: 14988, code: 8, type: 'string' });
    expect(pick('Mikrotik-Address-List')).toMatchObject({ vendorId: 14988, code: 19 });
    expect(pick('Mikrotik-Total-Limit-Gigawords')).toMatchObject({ vendorId: 14988, code: 18 });
    expect(pick('Cisco-AVPair')).toMatchObject({ vendorId: 9, code: 1 });
    expect(pick('Cisco-Account-Info')).toMatchObject({ vendorId: 9, code: 250 });
    expect(pick('Juniper-Local-User-Name')).toMatchObject({ vendorId: 2636, code: 1 });
    expect(pick('ERX-Service-Activate')).toMatchObject({ vendorId: 4874, code: 65, hasTag: true });
    expect(pick('ERX-Ingress-Policy-Name')).toMatchObject({ vendorId: 4874, code: 10 });
    expect(pick('Huawei-Input-Average-Rate')).toMatchObject({ vendorId: 2011, code: 2, type: 'integer' });
    expect(pick('Huawei-Qos-Profile-Name')).toMatchObject({ vendorId: 2011, code: 31 });
  });

  it('names are case-insensitive and VALUE names map both ways', () => {
    expect(dict.attribute('mikrotik-rate-limit')?.code).toBe(8);
    expect(dict.valueNumber('Acct-Status-Type', 'Interim-Update')).toBe(3);
    expect(dict.valueName('Acct-Status-Type', 7)).toBe('Accounting-On');
    expect(dict.valueNumber('Service-Type', 'Authorize-Only')).toBe(17);
    expect(dict.valueName('Error-Cause', 503)).toBe('Session-Context-Not-Found');
    expect(dict.attributeByCode(14988, 8)?.name).toBe('Mikrotik-Rate-Limit');
  });
});

describe('the FreeRADIUS-format loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uplink-dict-'));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it('follows $INCLUDE relative to the including file, skips a missing $INCLUDE-, reads vendor formats and old-style vendor fields', () => {
    write('main', '$INCLUDE sub/vendor\n$INCLUDE- not-there\nATTRIBUTE\tUser-Name\t1\tstring\n');
    const sub = join(dir, 'sub');
    if (!existsSync(sub)) mkdirSync(sub);
    write('sub/vendor', [
      'VENDOR Acme 99999 format=2,2',
      'VENDOR Old 4242',
      'BEGIN-VENDOR Acme',
      'ATTRIBUTE Acme-Rate 300 integer has_tag',
      'VALUE Acme-Rate Fast 7   # values may follow',
      'END-VENDOR Acme',
      'ATTRIBUTE Old-Thing 5 octets[16] Old',
      'VALUE Early-Bird Yes 1',
      'ATTRIBUTE Early-Bird 200 byte',
    ].join('\n'));
    const dict = loadDictionary(join(dir, 'main'));
    expect(dict.vendor('Acme')).toEqual({ name: 'Acme', id: 99999, typeSize: 2, lengthSize: 2 });
    expect(dict.attribute('Acme-Rate')).toMatchObject({ vendorId: 99999, code: 300, hasTag: true });
    expect(dict.valueNumber('Acme-Rate', 'fast')).toBe(7);
    expect(dict.attribute('Old-Thing')).toMatchObject({ vendorId: 4242, code: 5, type: 'octets' });
    expect(dict.valueNumber('Early-Bird', 'Yes')).toBe(1);
  });

  it('says which file and line is wrong', () => {
    write('bad', 'ATTRIBUTE Fine 1 string\nATTRIBUTE Broken 2 floaty\n');
    expect(() => loadDictionary(join(dir, 'bad'))).toThrow(new DictionaryError(`${join(dir, 'bad')}:2: unknown type "floaty"`));
    const dict = new Dictionary();
    expect(() => dict.parse('BEGIN-VENDOR Nobody', 'inline')).toThrow(/inline:1: BEGIN-VENDOR of an unknown vendor/);
    expect(() => dict.parse('FROB x', 'inline')).toThrow(/unknown keyword "FROB"/);
  });

  it('detects an $INCLUDE loop instead of recursing forever', () => {
    write('a', '$INCLUDE b\n');
    write('b', '$INCLUDE a\n');
    expect(() => loadDictionary(join(dir, 'a'))).toThrow(/included twice/);
  });

  it("loads Debian's complete FreeRADIUS dictionary tree (installed with freeradius; CI installs it)", () => {
    const path = '/usr/share/freeradius/dictionary';
    expect(existsSync(path), 'FreeRADIUS dictionaries missing: apt-get install freeradius-common').toBe(true);
    const dict = loadDictionary(path);
    // Spot checks that our files agree with FreeRADIUS's on the numbers operators depend on.
    for (const name of ['Mikrotik-Rate-Limit', 'Mikrotik-Address-List', 'Huawei-Input-Average-Rate', 'ERX-Service-Activate', 'MS-MPPE-Recv-Key', 'Delegated-IPv6-Prefix']) {
      const theirs = dict.attribute(name)!;
      const ours = defaultDictionary().attribute(name)!;
      expect([theirs.vendorId, theirs.code], name).toEqual([ours.vendorId, ours.code]);
    }
  });
});
