/**
 * The AccessPolicy the RADIUS server asks (src/radius/contract.ts): finds the subscription by
 * username, hands its password back for the server's PAP/CHAP/MS-CHAPv2 check, and decides from
 * billing state with core/aaa-policy. Inputs come from the decision cache; only the count of open
 * sessions is read live, and, for a line whose time allowance cuts it, the time online in the
 * period up to this moment (fair-usage.ts). Post-auth outcomes go to radpostauth in batches, never
 * with the password.
 */
import DataLoader from 'dataloader';
import { decideAccess, timeQuotaCut, type BlockedPolicy, type NetworkProfile, type PolicySubscription } from '../../core/aaa-policy.ts';
import type { AppContext } from '../../platform/context.ts';
import type { AccessDecision, AccessOutcome, AccessPolicy, AccessRequest, AttributeList, AttributeValue } from '../../radius/contract.ts';
import { voucherLogin } from '../cards/hotspot.ts';
import { normaliseMac } from '../subscriptions/network.ts';
import * as repo from './aaa.repo.ts';
import { DecisionCache } from './decision-cache.ts';
import { quotaStateCurrent, timeUsedAtLogin } from './fair-usage.ts';
import { WriteBehind } from '../../platform/write-behind.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

export function attribute(attributes: AttributeList, name: string): AttributeValue | undefined {
  for (const [n, v] of attributes) if (n === name) return v;
  return undefined;
}

export function profileOf(row: repo.DecisionRow): NetworkProfile {
  const burst = (kbps: number | null, thresholdKbps: number | null, seconds: number | null) =>
    kbps !== null && thresholdKbps !== null && seconds !== null ? { kbps, thresholdKbps, seconds } : null;
  return {
    downloadKbps: row.download_kbps,
    uploadKbps: row.upload_kbps,
    downloadBurst: burst(row.download_burst_kbps, row.download_burst_threshold_kbps, row.download_burst_seconds),
    uploadBurst: burst(row.upload_burst_kbps, row.upload_burst_threshold_kbps, row.upload_burst_seconds),
    throttleDownloadKbps: row.throttle_download_kbps,
    throttleUploadKbps: row.throttle_upload_kbps,
    ipPool: row.ip_pool,
    addressList: row.address_list,
  };
}

/** The earliest moment service ends as billing stands: paid-through (prepaid), end of grace, a scheduled stop. */
export function serviceEndsAt(row: repo.DecisionRow): Date | null {
  const ends = [row.suspend_at, row.terminate_at, row.status === 'grace' ? row.grace_until : null, row.billing_model === 'prepaid' ? row.billed_through : null];
  const times = ends.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

function subscriptionOf(row: repo.DecisionRow): PolicySubscription {
  return {
    status: row.status,
    statusReason: row.status_reason,
    macAddress: row.mac_address,
    staticIpv4: row.static_ipv4,
    staticIpv6Prefix: row.static_ipv6_prefix,
    simultaneousUse: row.simultaneous_use,
    serviceEndsAt: serviceEndsAt(row),
  };
}

function blockedOf(row: repo.DecisionRow, org: repo.OrganizationSettings): BlockedPolicy {
  return {
    action: row.plan_blocked_action ?? org.blocked_action,
    pool: row.plan_blocked_pool ?? org.blocked_pool,
    addressList: row.plan_blocked_address_list ?? org.blocked_address_list,
    message: row.plan_captive_message ?? org.captive_message,
  };
}

/** One branch of the tree: the NAS's organization is the subscription's or one above or below it. */
export function sameBranch(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

export class AaaPolicy implements AccessPolicy {
  readonly cache: DecisionCache;
  readonly #postAuth: WriteBehind<repo.PostAuthRow>;
  readonly #byName: DataLoader<string, repo.DecisionRow | undefined>;
  readonly #openSessions: DataLoader<string, number>;

  constructor(private readonly deps: Deps, cache?: DecisionCache) {
    this.cache = cache ?? new DecisionCache(() => deps.clock.now().getTime());
    this.#postAuth = new WriteBehind((rows) => repo.insertPostAuth(deps.db, rows), { windowMs: 10, maxBatch: 1000 });
    // The lookups of the Access-Requests read in one turn of the event loop go as one query each (a
    // NAS sends bursts: after an outage every line logs in again). No caching here: the decision
    // cache above keeps what may be kept, and an open-session count is read fresh for each request.
    const batching = { cache: false, maxBatchSize: 500, batchScheduleFn: (run: () => void) => setImmediate(run) };
    this.#byName = new DataLoader(async (names) => {
      const rows = await repo.decisionsByUsernames(deps.db, names);
      return names.map((n) => rows.get(n));
    }, batching);
    this.#openSessions = new DataLoader(async (ids) => {
      const counts = await repo.openSessionCounts(deps.db, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }, batching);
  }

  async authorize(request: AccessRequest): Promise<AccessDecision> {
    const { db } = this.deps;
    let row = await this.cache.subscription(request.userName, () => this.#byName.load(request.userName.toLowerCase()));
    if (!row) {
      // Not a login: perhaps a hotspot voucher's PIN, whose first use makes its subscription (not cached: unknown names never are).
      const voucher = await this.#voucher(request);
      if (voucher.kind === 'refused') return { kind: 'reject', reason: voucher.reason, reply: [['Reply-Message', voucher.message]] };
      if (voucher.kind === 'login') row = await this.#byName.load(voucher.username.toLowerCase());
    }
    if (!row) return { kind: 'reject', reason: 'unknown_user' };
    const [nasOrg, subOrg] = await Promise.all([
      this.cache.organization(request.client.organizationId, () => repo.organizationSettings(db, request.client.organizationId)),
      this.cache.organization(row.organization_id, () => repo.organizationSettings(db, row.organization_id)),
    ]);
    if (!nasOrg || !subOrg) return { kind: 'reject', reason: 'nas_not_allowed' };
    const calling = attribute(request.attributes, 'Calling-Station-Id');
    const now = this.deps.clock.now();
    const profile = profileOf(row);
    const quotaSeconds = row.time_quota_seconds;
    // Only an allowance that cuts the line needs the time online now; a throttle follows the roll-up.
    const live = quotaSeconds !== null && timeQuotaCut(profile, { quotaSeconds, usedSeconds: 0 }) !== null ? await timeUsedAtLogin(db, row, now) : null;
    const result = decideAccess({
      now,
      nasType: request.client.type,
      nasMayServe: sameBranch(nasOrg.path, subOrg.path),
      subscription: subscriptionOf(row),
      profile,
      // A flag left from the period before (the roll-up has not run since it turned) no longer holds.
      throttled: row.throttled === true && quotaStateCurrent(row, now),
      blocked: blockedOf(row, subOrg),
      interimIntervalSeconds: subOrg.interim_interval_seconds,
      openSessions: live ? live.openSessions : await this.#openSessions.load(row.id),
      callingStationMac: typeof calling === 'string' ? normaliseMac(calling) : null,
      timeQuota: live && quotaSeconds !== null ? { quotaSeconds, usedSeconds: live.usedSeconds } : null,
    });
    if (result.kind === 'reject') return { kind: 'reject', reason: result.reason, reply: result.reply };
    let password: string;
    try {
      password = this.deps.secrets.open(row.password_enc);
    } catch {
      this.deps.logger.warn({ subscriptionId: row.id }, 'the stored password of a subscription cannot be decrypted');
      return { kind: 'reject', reason: 'password_unreadable' };
    }
    return { kind: 'accept', password, reply: result.reply };
  }

  async #voucher(request: AccessRequest) {
    const nasOrg = await this.cache.organization(request.client.organizationId, () => repo.organizationSettings(this.deps.db, request.client.organizationId));
    if (!nasOrg) return { kind: 'not_a_voucher' as const };
    const calling = attribute(request.attributes, 'Calling-Station-Id');
    return voucherLogin(this.deps, { userName: request.userName, nasOrganizationPath: nasOrg.path, callingStation: typeof calling === 'string' ? (normaliseMac(calling) ?? calling) : null });
  }

  recorded(outcome: AccessOutcome): void {
    const { request } = outcome;
    this.#postAuth
      .add({
        username: request.userName.slice(0, 253),
        pass: '',
        reply: outcome.accepted ? 'Access-Accept' : 'Access-Reject',
        authdate: outcome.at,
        class: null,
        nas_id: request.client.id,
        organization_id: request.client.organizationId,
        reason: outcome.reason.slice(0, 200),
      })
      .catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'post-auth log not written'));
  }

  /** Waits for queued post-auth rows (tests, shutdown). */
  drain(): Promise<void> {
    return this.#postAuth.drain();
  }
}
