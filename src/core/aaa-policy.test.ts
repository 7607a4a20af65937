import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideAccess, mikrotikRateLimit, rateAttributes, type NetworkProfile, type PolicyInput } from './aaa-policy.ts';

const profile: NetworkProfile = {
  downloadKbps: 10240,
  uploadKbps: 2048,
  downloadBurst: { kbps: 20480, thresholdKbps: 7680, seconds: 16 },
  uploadBurst: { kbps: 4096, thresholdKbps: 1536, seconds: 8 },
  throttleDownloadKbps: 512,
  throttleUploadKbps: 256,
  ipPool: 'pppoe-pool',
  addressList: 'customers',
};

const now = new Date('2026-03-10T12:00:00Z');

function input(over: Partial<PolicyInput> = {}, sub: Partial<PolicyInput['subscription']> = {}): PolicyInput {
  return {
    now,
    nasType: 'mikrotik',
    nasMayServe: true,
    subscription: { status: 'active', statusReason: '', macAddress: null, staticIpv4: null, staticIpv6Prefix: null, simultaneousUse: 1, serviceEndsAt: null, ...sub },
    profile,
    throttled: false,
    blocked: { action: 'reject', pool: null, addressList: null, message: '' },
    interimIntervalSeconds: 300,
    openSessions: 0,
    callingStationMac: null,
    ...over,
  };
}

const attr = (reply: readonly (readonly [string, unknown])[], name: string) => reply.filter(([n]) => n === name).map(([, v]) => v);

describe('Mikrotik-Rate-Limit', () => {
  it('puts the upload first (rx is what the router receives) with both bursts', () => {
    expect(mikrotikRateLimit(profile)).toBe('2048k/10240k 4096k/20480k 1536k/7680k 8/16');
  });
  it('plain rates without burst, and 0 for a direction without one', () => {
    expect(mikrotikRateLimit({ ...profile, downloadBurst: null, uploadBurst: null })).toBe('2048k/10240k');
    expect(mikrotikRateLimit({ ...profile, uploadBurst: null })).toBe('2048k/10240k 0/20480k 0/7680k 0/16');
    expect(mikrotikRateLimit({ downloadKbps: null, uploadKbps: null, downloadBurst: null, uploadBurst: null })).toBeNull();
  });
  it('property: the rx/tx pair always reads back as the upload and download rates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (up, down) => {
        const [pair] = mikrotikRateLimit({ downloadKbps: down, uploadKbps: up, downloadBurst: null, uploadBurst: null })!.split(' ');
        const kbps = (t: string) => (t.endsWith('M') ? Number(t.slice(0, -1)) * 1000 : Number(t.slice(0, -1)));
        const [rx, tx] = pair!.split('/');
        expect([kbps(rx!), kbps(tx!)]).toEqual([up, down]);
      }),
    );
  });
});

describe('rate attributes by NAS type', () => {
  it('Cisco polices input (upload) and output (download) in bit/s', () => {
    const avpairs = attr(rateAttributes('cisco', profile), 'Cisco-AVPair');
    expect(avpairs).toEqual([
      'lcp:interface-config#1=rate-limit input 2048000 384000 768000 conform-action transmit exceed-action drop',
      'lcp:interface-config#2=rate-limit output 10240000 1920000 3840000 conform-action transmit exceed-action drop',
    ]);
  });
  it('Huawei averages and peaks (the burst) in bit/s, input being the upload', () => {
    expect(Object.fromEntries(rateAttributes('huawei', profile))).toEqual({
      'Huawei-Input-Average-Rate': 2048000,
      'Huawei-Input-Peak-Rate': 4096000,
      'Huawei-Output-Average-Rate': 10240000,
      'Huawei-Output-Peak-Rate': 20480000,
    });
  });
  it('Juniper names an ingress and egress policy per rate; generic gets none', () => {
    expect(rateAttributes('juniper', profile)).toEqual([
      ['ERX-Ingress-Policy-Name', 'uplink-2048k'],
      ['ERX-Egress-Policy-Name', 'uplink-10240k'],
    ]);
    expect(rateAttributes('generic', profile)).toEqual([]);
  });
});

describe('decideAccess', () => {
  it('accepts an active line with the full profile, pool, address list and interim interval', () => {
    const r = decideAccess(input());
    expect(r.kind).toBe('accept');
    expect(r.reply).toEqual([
      ['Acct-Interim-Interval', 300],
      ['Mikrotik-Rate-Limit', '2048k/10240k 4096k/20480k 1536k/7680k 8/16'],
      ['Framed-Pool', 'pppoe-pool'],
      ['Mikrotik-Address-List', 'customers'],
    ]);
  });
  it('a static address replaces the pool; a /56 is delegated, a /64 framed', () => {
    const r = decideAccess(input({}, { staticIpv4: '198.51.100.7', staticIpv6Prefix: '2001:db8:100::/56' }));
    expect(attr(r.reply, 'Framed-IP-Address')).toEqual(['198.51.100.7']);
    expect(attr(r.reply, 'Framed-Pool')).toEqual([]);
    expect(attr(r.reply, 'Delegated-IPv6-Prefix')).toEqual(['2001:db8:100::/56']);
    const r64 = decideAccess(input({}, { staticIpv6Prefix: '2001:db8:1:2::/64' }));
    expect(attr(r64.reply, 'Framed-IPv6-Prefix')).toEqual(['2001:db8:1:2::/64']);
  });
  it('Session-Timeout runs to the end of paid service; an end billing has not acted on yet gets one interim interval', () => {
    const r = decideAccess(input({}, { serviceEndsAt: new Date(now.getTime() + 3_600_500) }));
    expect(attr(r.reply, 'Session-Timeout')).toEqual([3601]);
    const passed = decideAccess(input({}, { serviceEndsAt: now }));
    expect(passed.kind).toBe('accept');
    expect(attr(passed.reply, 'Session-Timeout')).toEqual([300]);
  });
  it('rejects suspended, pending and terminated lines by default, naming why', () => {
    expect(decideAccess(input({}, { status: 'suspended', statusReason: 'unpaid' }))).toMatchObject({ kind: 'reject', reason: 'suspended' });
    expect(decideAccess(input({}, { status: 'suspended', statusReason: 'expired' }))).toMatchObject({ kind: 'reject', reason: 'expired' });
    expect(decideAccess(input({}, { status: 'pending' }))).toMatchObject({ kind: 'reject', reason: 'pending' });
  });
  it('the captive choice accepts a suspended line into the walled garden with the message, without rates', () => {
    const r = decideAccess(input({ blocked: { action: 'captive', pool: 'expired-pool', addressList: 'expired', message: 'Pay at https://isp.example/pay' } }, { status: 'suspended', statusReason: 'unpaid' }));
    expect(r).toMatchObject({ kind: 'accept', mode: 'captive' });
    expect(r.reply).toEqual([
      ['Acct-Interim-Interval', 300],
      ['Framed-Pool', 'expired-pool'],
      ['Mikrotik-Address-List', 'expired'],
      ['Reply-Message', 'Pay at https://isp.example/pay'],
    ]);
    // Pending lines are still refused: there is nothing to pay yet.
    expect(decideAccess(input({ blocked: { action: 'captive', pool: 'x', addressList: null, message: '' } }, { status: 'pending' })).kind).toBe('reject');
  });
  it('MAC binding compares the normalised Calling-Station-Id', () => {
    expect(decideAccess(input({ callingStationMac: 'AA:BB:CC:00:11:22' }, { macAddress: 'AA:BB:CC:00:11:22' })).kind).toBe('accept');
    expect(decideAccess(input({ callingStationMac: 'AA:BB:CC:00:11:23' }, { macAddress: 'AA:BB:CC:00:11:22' }))).toMatchObject({ reason: 'mac_mismatch' });
    expect(decideAccess(input({ callingStationMac: null }, { macAddress: 'AA:BB:CC:00:11:22' }))).toMatchObject({ reason: 'mac_mismatch' });
  });
  it('a NAS outside the branch is refused before anything else', () => {
    expect(decideAccess(input({ nasMayServe: false }))).toMatchObject({ kind: 'reject', reason: 'nas_not_allowed' });
  });
  it('throttled lines get the throttle rates without burst', () => {
    const r = decideAccess(input({ throttled: true }));
    expect(r).toMatchObject({ kind: 'accept', mode: 'throttled' });
    expect(attr(r.reply, 'Mikrotik-Rate-Limit')).toEqual(['256k/512k']);
  });
  it('property: accepted only while open sessions are below the limit, and every reject carries a Reply-Message', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom<('pending' | 'active' | 'grace' | 'suspended' | 'terminated')[]>('pending', 'active', 'grace', 'suspended', 'terminated'),
        fc.constantFrom<('mikrotik' | 'cisco' | 'juniper' | 'huawei' | 'generic')[]>('mikrotik', 'cisco', 'juniper', 'huawei', 'generic'),
        (limit, open, status, nasType) => {
          const r = decideAccess(input({ openSessions: open, nasType }, { simultaneousUse: limit, status }));
          if (r.kind === 'accept') {
            expect(open).toBeLessThan(limit);
            expect(['active', 'grace']).toContain(status);
            expect(attr(r.reply, 'Acct-Interim-Interval')).toEqual([300]);
          } else expect(attr(r.reply, 'Reply-Message')).toHaveLength(1);
          if (open < limit && (status === 'active' || status === 'grace')) expect(r.kind).toBe('accept');
        },
      ),
    );
  });
});
