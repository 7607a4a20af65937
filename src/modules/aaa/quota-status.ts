/**
 * A subscription's fair-usage quota as a person reads it (the usage views of staff and the
 * portal): the period it counts over, what was used and what is left, and what the network does
 * about it. Measured now, as a login would count it: the roll-up's days, today's session counters
 * and the open sessions' time since their last update.
 */
import { sql, type Kysely } from 'kysely';
import { fairUsageState } from '../../core/aaa-policy.ts';
import type { DB } from '../../platform/db/schema.ts';
import { measurePeriods } from './fair-usage.ts';
import { type PeriodInputs, quotaPeriod } from './quota-period.ts';
import { openSessions } from './quota.repo.ts';

export interface QuotaStatus {
  periodStart: Date;
  periodEnd: Date;
  dataQuotaBytes: bigint | null;
  usedBytes: bigint;
  timeQuotaSeconds: number | null;
  usedSeconds: number;
  /** full: the plan's profile; throttled: the throttle profile; cut: a time allowance used up (logins refused). */
  state: 'full' | 'throttled' | 'cut';
}

interface QuotaPlanRow extends PeriodInputs {
  status: string;
  data_quota_bytes: string | null;
  time_quota_seconds: number | null;
  has_throttle: boolean;
}

/** Null when the plan has no quota, or the line has no period (not started, or ended). */
export async function quotaStatus(db: Kysely<DB>, subscriptionId: string, now: Date): Promise<QuotaStatus | null> {
  const { rows } = await sql<QuotaPlanRow>`
    select s.status, v.data_quota_bytes::text, v.time_quota_seconds,
      (v.throttle_download_kbps is not null and v.throttle_upload_kbps is not null) as has_throttle,
      v.id as version_id, v.cycle, v.alignment, v.validity_unit, v.validity_length,
      coalesce(s.activated_at, s.starts_at) as anchor, o.timezone
    from subscriptions s
    join organizations o on o.id = s.organization_id
    join plans p on p.id = s.plan_id
    join plan_versions v on v.id = p.current_version_id
    where s.id = ${subscriptionId}`.execute(db);
  const row = rows[0];
  if (!row || (row.data_quota_bytes === null && row.time_quota_seconds === null)) return null;
  if (row.status === 'pending' || row.status === 'terminated') return null;
  const period = quotaPeriod(row, now);
  const [[measured], open] = await Promise.all([measurePeriods(db, [{ subscriptionId, period }], now), openSessions(db, subscriptionId, now, period.start)]);
  const usedBytes = measured!.used.bytes;
  const usedSeconds = Number(measured!.used.seconds) + open.unreportedSeconds;
  const dataQuotaBytes = row.data_quota_bytes === null ? null : BigInt(row.data_quota_bytes);
  const flags = fairUsageState({ dataQuotaBytes, usedBytes, timeQuotaSeconds: row.time_quota_seconds, usedSeconds, hasThrottle: row.has_throttle });
  return {
    periodStart: period.start,
    periodEnd: period.end,
    dataQuotaBytes,
    usedBytes,
    timeQuotaSeconds: row.time_quota_seconds,
    usedSeconds,
    state: flags.exhausted ? 'cut' : flags.throttled ? 'throttled' : 'full',
  };
}
