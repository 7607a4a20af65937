/** Unit tests of the pure fair-usage rules added to core/aaa-policy: time quota, queue limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideAccess, fairUsageState, queueLimits, timeQuotaCut, type NetworkProfile, type PolicyInput } from '../../src/core/aaa-policy.ts';

const profile: NetworkProfile = {
  downloadKbps: 10240,
  uploadKbps: 2048,
  downloadBurst: { kbps: 20480, thresholdKbps: 7680, seconds: 16 },
  uploadBurst: null,
  throttleDownloadKbps: null,
  throttleUploadKbps: null,
  ipPool: null,
  addressList: null,
};
const withThrottle: NetworkProfile = { ...profile, throttleDownloadKbps: 512, throttleUploadKbps: 256 };
const now = new Date('2026-03-10T12:00:00Z');

function input(over: Partial<PolicyInput> = {}): PolicyInput {
  return {
    now,
    nasType: 'mikrotik',
    nasMayServe: true,
    subscription: { status: 'active', statusReason: '', macAddress: null, staticIpv4: null, staticIpv6Prefix: null, simultaneousUse: 1, serviceEndsAt: null },
    profile,
    throttled: false,
    blocked: { action: 'captive', pool: 'expired', addressList: null, message: 'Pay at the shop' },
    interimIntervalSeconds: 300,
    openSessions: 0,
    callingStationMac: null,
    ...over,
  };
}
const timeout = (r: ReturnType<typeof decideAccess>) => r.reply.find(([n]) => n === 'Session-Timeout')?.[1];

describe('fairUsageState', () => {
  const usage = { dataQuotaBytes: null, usedBytes: 0n, timeQuotaSeconds: null, usedSeconds: 0, hasThrottle: true };
  it('a time quota used up throttles when the plan has a throttle profile', () => {
    expect(fairUsageState({ ...usage, timeQuotaSeconds: 3600, usedSeconds: 3599 })).toEqual({ throttled: false, exhausted: false });
    expect(fairUsageState({ ...usage, timeQuotaSeconds: 3600, usedSeconds: 3600 })).toEqual({ throttled: true, exhausted: false });
  });
  it('a time quota used up without a throttle profile exhausts the line instead', () => {
    expect(fairUsageState({ ...usage, hasThrottle: false, timeQuotaSeconds: 3600, usedSeconds: 4000 })).toEqual({ throttled: false, exhausted: true });
  });
  it('a data quota without throttle changes nothing (nothing to switch to); either quota throttles', () => {
    expect(fairUsageState({ ...usage, hasThrottle: false, dataQuotaBytes: 10n, usedBytes: 11n })).toEqual({ throttled: false, exhausted: false });
    expect(fairUsageState({ ...usage, dataQuotaBytes: 10n, usedBytes: 10n, timeQuotaSeconds: 3600, usedSeconds: 1 })).toEqual({ throttled: true, exhausted: false });
  });
  it('property: never both throttled and exhausted; exhausted only past a time quota', () => {
    fc.assert(
      fc.property(fc.option(fc.bigInt({ min: 1n, max: 10n ** 12n })), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.option(fc.integer({ min: 1, max: 10 ** 7 })), fc.integer({ min: 0, max: 10 ** 7 }), fc.boolean(), (dq, ub, tq, us, th) => {
        const s = fairUsageState({ dataQuotaBytes: dq, usedBytes: ub, timeQuotaSeconds: tq, usedSeconds: us, hasThrottle: th });
        expect(s.throttled && s.exhausted).toBe(false);
        if (s.exhausted) expect(tq !== null && us >= tq).toBe(true);
      }),
    );
  });
});

describe('time quota at login', () => {
  it('Session-Timeout is the time left of the allowance', () => {
    const r = decideAccess(input({ timeQuota: { quotaSeconds: 7200, usedSeconds: 5400 } }));
    expect(r).toMatchObject({ kind: 'accept', mode: 'full' });
    expect(timeout(r)).toBe(1800);
  });
  it('the earlier of the allowance and the end of service wins', () => {
    const endsSoon = { ...input().subscription, serviceEndsAt: new Date(now.getTime() + 600_000) };
    expect(timeout(decideAccess(input({ subscription: endsSoon, timeQuota: { quotaSeconds: 7200, usedSeconds: 0 } })))).toBe(600);
    const endsLate = { ...input().subscription, serviceEndsAt: new Date(now.getTime() + 86_400_000) };
    expect(timeout(decideAccess(input({ subscription: endsLate, timeQuota: { quotaSeconds: 7200, usedSeconds: 100 } })))).toBe(7100);
  });
  it('an allowance used up is refused with a message', () => {
    const r = decideAccess(input({ timeQuota: { quotaSeconds: 3600, usedSeconds: 3600 } }));
    expect(r).toEqual({ kind: 'reject', reason: 'time_quota_exhausted', reply: [['Reply-Message', 'Your time allowance for this period is used up']] });
  });
  it('with a throttle profile the allowance never cuts: the throttle flag decides the rate', () => {
    const r = decideAccess(input({ profile: withThrottle, throttled: true, timeQuota: { quotaSeconds: 3600, usedSeconds: 9000 } }));
    expect(r).toMatchObject({ kind: 'accept', mode: 'throttled' });
    expect(timeout(r)).toBeUndefined();
    expect(timeQuotaCut(withThrottle, { quotaSeconds: 1, usedSeconds: 2 })).toBeNull();
  });
  it('a suspended line in the captive pool is not refused for its allowance', () => {
    const r = decideAccess(input({ subscription: { ...input().subscription, status: 'suspended', statusReason: 'unpaid' }, timeQuota: { quotaSeconds: 10, usedSeconds: 99 } }));
    expect(r).toMatchObject({ kind: 'accept', mode: 'captive' });
  });
  it('without a time quota nothing changes', () => {
    expect(timeout(decideAccess(input()))).toBeUndefined();
    expect(timeQuotaCut(profile, null)).toBeNull();
  });
});

describe('queueLimits', () => {
  it('writes a simple queue’s rate as target upload/download, with burst per direction', () => {
    expect(queueLimits(profile)).toEqual({ 'max-limit': '2048k/10240k', 'burst-limit': '0/20480k', 'burst-threshold': '0/7680k', 'burst-time': '0s/16s' });
    expect(queueLimits({ downloadKbps: 512, uploadKbps: 256, downloadBurst: null, uploadBurst: null })).toEqual({ 'max-limit': '256k/512k', 'burst-limit': '0/0', 'burst-threshold': '0/0', 'burst-time': '0s/0s' });
  });
});
