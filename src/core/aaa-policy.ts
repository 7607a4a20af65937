/**
 * The RADIUS authorization decision, with no I/O: given a subscription's billing state, its plan's
 * network profile and what the NAS sent, who may connect and with which reply attributes, in the
 * dialect of the NAS's vendor. The aaa module gathers the inputs (cached) and hands them here.
 */
import type { AttributeList, AttributeValue, NasType } from '../radius/contract.ts';
import { formatKbps, mikrotikRateLimit as rateLimitOf } from './mikrotik-rate-limit.ts';

export interface Burst {
  kbps: number;
  thresholdKbps: number;
  seconds: number;
}

/** Rates as the catalog stores them: download is towards the subscriber, upload from it. */
export interface Rates {
  downloadKbps: number | null;
  uploadKbps: number | null;
  downloadBurst: Burst | null;
  uploadBurst: Burst | null;
}

export interface NetworkProfile extends Rates {
  throttleDownloadKbps: number | null;
  throttleUploadKbps: number | null;
  ipPool: string | null;
  addressList: string | null;
}

export type BlockedAction = 'reject' | 'captive';

/** What a refused subscriber gets: nothing, or a walled garden that tells them how to pay. */
export interface BlockedPolicy {
  action: BlockedAction;
  pool: string | null;
  addressList: string | null;
  message: string;
}

export type SubscriptionStatus = 'pending' | 'active' | 'grace' | 'suspended' | 'terminated';

export interface PolicySubscription {
  status: SubscriptionStatus;
  statusReason: string;
  /** Upper-case AA:BB:CC:DD:EE:FF when the line is bound to a device. */
  macAddress: string | null;
  staticIpv4: string | null;
  /** Canonical text, e.g. 2001:db8:100::/56. */
  staticIpv6Prefix: string | null;
  simultaneousUse: number;
  /** When service ends unless something changes: paid-through, end of grace, a scheduled suspension. */
  serviceEndsAt: Date | null;
}

export interface PolicyInput {
  now: Date;
  nasType: NasType;
  /** The NAS's organization and the subscription's lie on one branch of the tree. */
  nasMayServe: boolean;
  subscription: PolicySubscription;
  profile: NetworkProfile;
  /** The fair-usage quota of the period is used up. */
  throttled: boolean;
  blocked: BlockedPolicy;
  interimIntervalSeconds: number;
  /** Sessions of the subscription open now (radacct rows without a stop). */
  openSessions: number;
  /** The Calling-Station-Id, normalised to AA:BB:CC:DD:EE:FF, or null when absent or not a MAC. */
  callingStationMac: string | null;
  /** The plan's time quota and the seconds already online in the period; absent or null without one. */
  timeQuota?: TimeQuota | null;
}

export interface TimeQuota {
  quotaSeconds: number;
  usedSeconds: number;
}

export type RejectReason = 'nas_not_allowed' | 'pending' | 'suspended' | 'expired' | 'terminated' | 'mac_mismatch' | 'simultaneous_use' | 'time_quota_exhausted';

export type PolicyResult =
  | { kind: 'reject'; reason: RejectReason; reply: AttributeList }
  | { kind: 'accept'; mode: 'full' | 'throttled' | 'captive'; reason: string; reply: AttributeList };

/** Session-Timeout is an unsigned 32-bit count of seconds. */
const MAX_TIMEOUT = 0xffffffff;

/**
 * Mikrotik-Rate-Limit, written by src/core/mikrotik-rate-limit.ts as the router push and the
 * FreeRADIUS views write it (rx first: the upload; k and M are 1000 and 1,000,000 bit/s).
 */
export function mikrotikRateLimit(r: Rates): string | null {
  const direction = (kbps: number | null, b: Burst | null) => ({ kbps, burstKbps: b?.kbps ?? null, burstThresholdKbps: b?.thresholdKbps ?? null, burstSeconds: b?.seconds ?? null });
  return rateLimitOf({ download: direction(r.downloadKbps, r.downloadBurst), upload: direction(r.uploadKbps, r.uploadBurst) });
}

/**
 * Cisco IOS per-session policing through lcp:interface-config (input = from the subscriber). The
 * normal burst is 1.5 s of traffic in bytes and the excess burst twice that, Cisco's rule of thumb.
 */
function ciscoRateLimit(direction: 'input' | 'output', kbps: number, index: number): readonly [string, AttributeValue] {
  const bps = kbps * 1000;
  // 1.5 s of bits in bytes, 3 × bps / 16, rounded half up in integers.
  const normal = Math.max(8000, Math.floor((bps * 3 + 8) / 16));
  return ['Cisco-AVPair', `lcp:interface-config#${index}=rate-limit ${direction} ${bps} ${normal} ${normal * 2} conform-action transmit exceed-action drop`];
}

/** The attributes that set a rate on a NAS of this type. */
export function rateAttributes(nasType: NasType, r: Rates): [string, AttributeValue][] {
  const out: [string, AttributeValue][] = [];
  switch (nasType) {
    case 'mikrotik': {
      const limit = mikrotikRateLimit(r);
      if (limit) out.push(['Mikrotik-Rate-Limit', limit]);
      break;
    }
    case 'cisco':
      if (r.uploadKbps !== null) out.push([...ciscoRateLimit('input', r.uploadKbps, 1)]);
      if (r.downloadKbps !== null) out.push([...ciscoRateLimit('output', r.downloadKbps, 2)]);
      break;
    case 'juniper':
      // Junos/ERX apply named policies the operator defines once per rate on the router.
      if (r.uploadKbps !== null) out.push(['ERX-Ingress-Policy-Name', `uplink-${r.uploadKbps}k`]);
      if (r.downloadKbps !== null) out.push(['ERX-Egress-Policy-Name', `uplink-${r.downloadKbps}k`]);
      break;
    case 'huawei':
      // Huawei counts in bit/s; input is from the subscriber; the peak rate carries the burst.
      if (r.uploadKbps !== null) {
        out.push(['Huawei-Input-Average-Rate', r.uploadKbps * 1000]);
        out.push(['Huawei-Input-Peak-Rate', (r.uploadBurst?.kbps ?? r.uploadKbps) * 1000]);
      }
      if (r.downloadKbps !== null) {
        out.push(['Huawei-Output-Average-Rate', r.downloadKbps * 1000]);
        out.push(['Huawei-Output-Peak-Rate', (r.downloadBurst?.kbps ?? r.downloadKbps) * 1000]);
      }
      break;
    case 'generic':
      break;
  }
  return out;
}

function poolAttributes(nasType: NasType, pool: string | null): [string, AttributeValue][] {
  if (!pool) return [];
  return nasType === 'juniper' ? [['ERX-Address-Pool-Name', pool]] : [['Framed-Pool', pool]];
}

function addressListAttributes(nasType: NasType, list: string | null): [string, AttributeValue][] {
  return nasType === 'mikrotik' && list ? [['Mikrotik-Address-List', list]] : [];
}

/** A /64 is the subscriber's link prefix; anything wider is delegated to their router (RFC 4818). */
function ipv6Attributes(prefix: string | null): [string, AttributeValue][] {
  if (!prefix) return [];
  const length = parseInt(prefix.split('/')[1] ?? '128', 10);
  return [[length >= 64 ? 'Framed-IPv6-Prefix' : 'Delegated-IPv6-Prefix', prefix]];
}

/** The rates of the mode: the plan's, or the throttle profile's (without burst) once the quota is used. */
export function ratesFor(profile: NetworkProfile, throttled: boolean): Rates {
  if (throttled && profile.throttleDownloadKbps !== null && profile.throttleUploadKbps !== null)
    return { downloadKbps: profile.throttleDownloadKbps, uploadKbps: profile.throttleUploadKbps, downloadBurst: null, uploadBurst: null };
  return profile;
}

const rejectMessages: Record<RejectReason, string> = {
  nas_not_allowed: 'This access point does not serve your account',
  pending: 'Your service has not started yet',
  suspended: 'Your service is suspended',
  expired: 'Your service has expired',
  terminated: 'Your service has ended',
  mac_mismatch: 'This device is not registered for your account',
  simultaneous_use: 'Your account is already connected',
  time_quota_exhausted: 'Your time allowance for this period is used up',
};

function reject(reason: RejectReason): PolicyResult {
  return { kind: 'reject', reason, reply: [['Reply-Message', rejectMessages[reason]]] };
}

/** Why the subscription may not have full service now; null when it may. */
function blockedReason(s: PolicySubscription): 'pending' | 'suspended' | 'expired' | 'terminated' | null {
  if (s.status === 'pending') return 'pending';
  if (s.status === 'terminated') return 'terminated';
  if (s.status === 'suspended') return s.statusReason === 'expired' ? 'expired' : 'suspended';
  return null;
}

/**
 * Seconds until service ends. Billing, not this clock, says when service has ended (the billing run
 * and the lifecycle job suspend, and the change disconnects the session): an end already passed but
 * not yet acted on gets one interim interval, so the NAS asks again soon instead of being refused
 * for a renewal the billing run is about to make.
 */
function sessionTimeout(endsAt: Date, now: Date, recheckSeconds: number): number {
  const seconds = Math.ceil((endsAt.getTime() - now.getTime()) / 1000);
  return seconds > 0 ? Math.min(MAX_TIMEOUT, seconds) : recheckSeconds;
}

/** The access decision and reply for one Access-Request. */
export function decideAccess(input: PolicyInput): PolicyResult {
  const { subscription: s, nasType } = input;
  if (!input.nasMayServe) return reject('nas_not_allowed');
  if (s.macAddress && input.callingStationMac !== s.macAddress) return reject('mac_mismatch');
  const blocked = blockedReason(s);
  // Pending and terminated lines never get the walled garden: there is nothing to pay for yet, or any more.
  if (blocked && (input.blocked.action === 'reject' || blocked === 'pending' || blocked === 'terminated')) return reject(blocked);
  if (input.openSessions >= s.simultaneousUse) return reject('simultaneous_use');
  const timeLeft = blocked ? null : timeQuotaCut(input.profile, input.timeQuota ?? null);
  if (timeLeft !== null && timeLeft <= 0) return reject('time_quota_exhausted');
  const common: [string, AttributeValue][] = [['Acct-Interim-Interval', input.interimIntervalSeconds]];
  if (blocked) {
    const reply: [string, AttributeValue][] = [...common, ...poolAttributes(nasType, input.blocked.pool), ...addressListAttributes(nasType, input.blocked.addressList)];
    if (input.blocked.message) reply.push(['Reply-Message', input.blocked.message]);
    return { kind: 'accept', mode: 'captive', reason: blocked, reply };
  }
  const throttled = input.throttled && input.profile.throttleDownloadKbps !== null;
  const reply: [string, AttributeValue][] = [...common, ...rateAttributes(nasType, ratesFor(input.profile, throttled))];
  const untilEnd = s.serviceEndsAt ? sessionTimeout(s.serviceEndsAt, input.now, input.interimIntervalSeconds) : null;
  const timeout = untilEnd === null ? timeLeft : timeLeft === null ? untilEnd : Math.min(untilEnd, timeLeft);
  if (timeout !== null) reply.push(['Session-Timeout', timeout]);
  if (s.staticIpv4) reply.push(['Framed-IP-Address', s.staticIpv4]);
  else reply.push(...poolAttributes(nasType, input.profile.ipPool));
  reply.push(...ipv6Attributes(s.staticIpv6Prefix), ...addressListAttributes(nasType, input.profile.addressList));
  return { kind: 'accept', mode: throttled ? 'throttled' : 'full', reason: throttled ? 'quota_exceeded' : 'active', reply };
}

/** The CoA attributes that move a live session to the profile it should have now (rate and address list). */
export function changeAttributes(nasType: NasType, profile: NetworkProfile, throttled: boolean): [string, AttributeValue][] {
  return [...rateAttributes(nasType, ratesFor(profile, throttled && profile.throttleDownloadKbps !== null)), ...addressListAttributes(nasType, profile.addressList)];
}

/*
 * Fair usage. A plan may carry a data quota, a time quota (seconds online in the period) or both.
 * With a throttle profile, either quota used up moves the line to the throttle rates (a CoA now, the
 * throttle profile at each login) until the period turns. A time quota WITHOUT a throttle profile is
 * a hard allowance: each login gets a Session-Timeout of what is left, and once nothing is left the
 * open sessions are disconnected and logins refused until the period turns. A data quota without a
 * throttle profile is informational (nothing to switch to), as it was before time quotas.
 */
export interface QuotaUsage {
  dataQuotaBytes: bigint | null;
  usedBytes: bigint;
  timeQuotaSeconds: number | null;
  usedSeconds: number;
  /** The plan has a throttle profile (both throttle rates). */
  hasThrottle: boolean;
}

export interface QuotaState {
  throttled: boolean;
  /** The time allowance is used up and there is no throttle profile to fall back to. */
  exhausted: boolean;
}

export function fairUsageState(u: QuotaUsage): QuotaState {
  const dataOver = u.dataQuotaBytes !== null && u.usedBytes >= u.dataQuotaBytes;
  const timeOver = u.timeQuotaSeconds !== null && u.usedSeconds >= u.timeQuotaSeconds;
  return { throttled: u.hasThrottle && (dataOver || timeOver), exhausted: !u.hasThrottle && timeOver };
}

/**
 * Seconds of the time allowance left, when the allowance limits the session (a time quota and no
 * throttle profile); null when it does not. Zero or less means used up.
 */
export function timeQuotaCut(profile: Pick<NetworkProfile, 'throttleDownloadKbps' | 'throttleUploadKbps'>, quota: TimeQuota | null): number | null {
  if (!quota) return null;
  if (profile.throttleDownloadKbps !== null && profile.throttleUploadKbps !== null) return null;
  return Math.min(MAX_TIMEOUT, quota.quotaSeconds - quota.usedSeconds);
}

/**
 * The properties of a RouterOS simple queue that carry a rate (what the router-API fallback sets
 * when a CoA went unanswered). A queue's target is the subscriber, so `max-limit` is
 * target-upload/target-download; 0 is unlimited and 0/0 for the burst fields means no burst.
 */
export function queueLimits(r: Rates): Record<string, string> {
  const rate = (kbps: number | null) => formatKbps(kbps ?? 0);
  const burst = (f: (b: Burst) => string, none = '0') => `${r.uploadBurst ? f(r.uploadBurst) : none}/${r.downloadBurst ? f(r.downloadBurst) : none}`;
  return {
    'max-limit': `${rate(r.uploadKbps)}/${rate(r.downloadKbps)}`,
    'burst-limit': burst((b) => formatKbps(b.kbps)),
    'burst-threshold': burst((b) => formatKbps(b.thresholdKbps)),
    'burst-time': burst((b) => `${b.seconds}s`, '0s'),
  };
}
