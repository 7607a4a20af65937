/**
 * Fair usage over the subscription's billing period (quota-period.ts): a plan version with a data
 * quota and a throttle profile throttles once the period's usage reaches the quota; a time quota
 * (seconds online) does the same, or, without a throttle profile, cuts the line until the period
 * turns (core/aaa-policy fairUsageState). A new period lifts it. Each flip is queued for the open
 * sessions (enforcement outbox), every 5 minutes by the roll-up job.
 *
 * The state kept per subscription (aaa_quota_state) names its period, the usage counted, and the
 * seconds of the days before the roll-up's day ("settled"), so a login needs only the sessions'
 * counters of the days since plus the time open sessions have run since their last update: the
 * Session-Timeout of a time allowance is what is left now, not at the last roll-up.
 */
import { sql, type Kysely } from 'kysely';
import { fairUsageState } from '../../core/aaa-policy.ts';
import { dayStart, localDay, quotaWindow } from '../../core/fair-usage.ts';
import type { BillingPeriod } from '../../core/periods.ts';
import type { DB } from '../../platform/db/schema.ts';
import { type PeriodInputs, QuotaPeriods, periodKey, quotaPeriod } from './quota-period.ts';
import { type CounterSpan, type RecordSpan, type Usage, addUsage, counterUsage, noUsage, openSessions, recordUsage } from './quota.repo.ts';

type Db = Kysely<DB>;

export interface Measured {
  used: Usage;
  /** Usage of the period's days before `settledDay`. */
  settled: Usage;
  settledDay: string;
}

/** The usage of each subscription in its period up to now, and the part of it before today. */
export async function measurePeriods(db: Db, items: readonly { subscriptionId: string; period: BillingPeriod }[], now: Date): Promise<Measured[]> {
  const records: RecordSpan[] = [];
  const recordOf: number[] = [];
  const counters: CounterSpan[] = [];
  const counterOf: { item: number; settled: boolean }[] = [];
  const days = items.map(({ subscriptionId, period }, i) => {
    const w = quotaWindow(period);
    const tz = period.timeZone;
    const today = localDay(now, tz);
    if (w.firstWholeDay < today) {
      records.push({ subscriptionId, from: dayStart(w.firstWholeDay, tz), until: dayStart(today, tz) });
      recordOf.push(i);
    }
    const span = { subscriptionId, periodStart: period.start, timeZone: tz };
    if (w.partialStart && w.startDay < today) {
      counters.push({ ...span, fromDay: w.startDay, toDay: w.startDay, partialDay: w.startDay });
      counterOf.push({ item: i, settled: true });
    }
    counters.push({ ...span, fromDay: today, toDay: null, partialDay: w.partialStart && w.startDay === today ? today : null });
    counterOf.push({ item: i, settled: false });
    return today;
  });
  const [fromRecords, fromCounters] = await Promise.all([recordUsage(db, records), counterUsage(db, counters)]);
  const out: Measured[] = days.map((settledDay) => ({ used: noUsage, settled: noUsage, settledDay }));
  fromRecords.forEach((u, k) => {
    const m = out[recordOf[k]!]!;
    m.settled = addUsage(m.settled, u);
  });
  fromCounters.forEach((u, k) => {
    const m = out[counterOf[k]!.item]!;
    if (counterOf[k]!.settled) m.settled = addUsage(m.settled, u);
    else m.used = addUsage(m.used, u);
  });
  for (const m of out) m.used = addUsage(m.used, m.settled);
  return out;
}

interface QuotaRow extends PeriodInputs {
  subscription_id: string;
  data_quota_bytes: string | null;
  time_quota_seconds: number | null;
  has_throttle: boolean;
  st_period_start: Date | null;
  st_period_end: Date | null;
  st_period_key: string | null;
  st_used_bytes: string | null;
  st_used_seconds: string | null;
  st_settled_seconds: string | null;
  st_settled_day: string | null;
  st_throttled: boolean | null;
  st_exhausted: boolean | null;
}

/** The stored period while it still holds `now` and nothing it depends on changed. */
function storedPeriod(r: { st_period_start: Date | null; st_period_end: Date | null; st_period_key: string | null } & PeriodInputs, now: Date): BillingPeriod | null {
  if (!r.st_period_start || !r.st_period_end || r.st_period_key !== periodKey(r)) return null;
  if (r.st_period_start > now || r.st_period_end <= now) return null;
  return { start: r.st_period_start, end: r.st_period_end, timeZone: r.timezone };
}

/**
 * Recomputes the fair-usage state of every subscription whose plan has a data quota with a
 * throttle profile, or a time quota, and queues enforcement for the open sessions of each one
 * whose state flipped: a CoA to the throttle profile or back (a new period), a Disconnect-Request
 * when a time allowance without throttle is used up. Lines whose plan lost its quota drop their
 * flags. Returns the number of flips.
 */
export async function applyFairUsage(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // One pass at a time: two overlapping passes would both see a flip and queue it twice.
    await sql`select pg_advisory_xact_lock(hashtext('uplink.aaa.fair-usage'))`.execute(trx);
    const { rows } = await sql<QuotaRow>`
      select s.id as subscription_id, v.data_quota_bytes::text, v.time_quota_seconds,
        (v.throttle_download_kbps is not null and v.throttle_upload_kbps is not null) as has_throttle,
        v.id as version_id, v.cycle, v.alignment, v.validity_unit, v.validity_length,
        coalesce(s.activated_at, s.starts_at) as anchor, o.timezone,
        st.period_start as st_period_start, st.period_end as st_period_end, st.period_key as st_period_key,
        st.used_bytes::text as st_used_bytes, st.used_seconds::text as st_used_seconds, st.settled_seconds::text as st_settled_seconds,
        st.settled_day::text as st_settled_day, st.throttled as st_throttled, st.exhausted as st_exhausted
      from subscriptions s
      join organizations o on o.id = s.organization_id
      join plans p on p.id = s.plan_id
      join plan_versions v on v.id = p.current_version_id
      left join aaa_quota_state st on st.subscription_id = s.id
      where s.status in ('active', 'grace') and s.username is not null
        and ((v.data_quota_bytes is not null and v.throttle_download_kbps is not null) or v.time_quota_seconds is not null)`.execute(trx);

    const periods = new QuotaPeriods(now);
    const items = rows.map((r) => ({ subscriptionId: r.subscription_id, period: storedPeriod(r, now) ?? periods.of(r) }));
    const measured = await measurePeriods(trx, items, now);

    const writes: { id: string; period: BillingPeriod; key: string; m: Measured; throttled: boolean; exhausted: boolean }[] = [];
    const queue: Record<'quota_exceeded' | 'quota_reset' | 'time_quota_exhausted', string[]> = { quota_exceeded: [], quota_reset: [], time_quota_exhausted: [] };
    let flips = 0;
    rows.forEach((r, i) => {
      const { period } = items[i]!;
      const m = measured[i]!;
      const next = fairUsageState({
        dataQuotaBytes: r.data_quota_bytes === null ? null : BigInt(r.data_quota_bytes),
        usedBytes: m.used.bytes,
        timeQuotaSeconds: r.time_quota_seconds,
        usedSeconds: Number(m.used.seconds),
        hasThrottle: r.has_throttle,
      });
      const wasThrottled = r.st_throttled === true;
      const wasExhausted = r.st_exhausted === true;
      const key = periodKey(r);
      const same =
        r.st_period_start?.getTime() === period.start.getTime() &&
        r.st_period_end?.getTime() === period.end.getTime() &&
        r.st_period_key === key &&
        r.st_used_bytes === String(m.used.bytes) &&
        r.st_used_seconds === String(m.used.seconds) &&
        r.st_settled_seconds === String(m.settled.seconds) &&
        r.st_settled_day === m.settledDay &&
        wasThrottled === next.throttled &&
        wasExhausted === next.exhausted;
      if (!same) writes.push({ id: r.subscription_id, period, key, m, ...next });
      if (next.throttled !== wasThrottled) {
        flips++;
        queue[next.throttled ? 'quota_exceeded' : 'quota_reset'].push(r.subscription_id);
      }
      if (next.exhausted !== wasExhausted) {
        flips++;
        // A new period needs nothing sent: the line is offline and its next login is accepted.
        if (next.exhausted) queue.time_quota_exhausted.push(r.subscription_id);
      }
    });
    if (writes.length) {
      const col = <T>(f: (w: (typeof writes)[number]) => T) => writes.map(f);
      await sql`insert into aaa_quota_state as st (subscription_id, period_start, period_end, period_key, used_bytes, used_seconds,
          settled_seconds, settled_day, throttled, exhausted, updated_at)
        select *, ${now}::timestamptz from unnest(${col((w) => w.id)}::uuid[], ${col((w) => w.period.start.toISOString())}::timestamptz[],
          ${col((w) => w.period.end.toISOString())}::timestamptz[], ${col((w) => w.key)}::text[], ${col((w) => String(w.m.used.bytes))}::bigint[],
          ${col((w) => String(w.m.used.seconds))}::bigint[], ${col((w) => String(w.m.settled.seconds))}::bigint[], ${col((w) => w.m.settledDay)}::date[],
          ${col((w) => w.throttled)}::boolean[], ${col((w) => w.exhausted)}::boolean[])
        on conflict (subscription_id) do update set period_start = excluded.period_start, period_end = excluded.period_end,
          period_key = excluded.period_key, used_bytes = excluded.used_bytes, used_seconds = excluded.used_seconds,
          settled_seconds = excluded.settled_seconds, settled_day = excluded.settled_day, throttled = excluded.throttled,
          exhausted = excluded.exhausted, updated_at = excluded.updated_at`.execute(trx);
    }
    // A plan without a quota any more (a plan change, a new version) leaves no flag behind.
    await sql`update aaa_quota_state st set throttled = false, exhausted = false, updated_at = ${now}
      where (st.throttled or st.exhausted) and not (st.subscription_id = any(${rows.map((r) => r.subscription_id)}::uuid[]))`.execute(trx);
    for (const [reason, ids] of Object.entries(queue)) {
      if (ids.length === 0) continue;
      const kind = reason === 'time_quota_exhausted' ? 'disconnect' : 'coa';
      await sql`insert into enforcement_requests (organization_id, subscription_id, nas_id, radacct_id, acct_session_id, username, kind, reason)
        select s.organization_id, s.id, r.nas_id, r.radacctid, r.acctsessionid, r.username, ${kind}, ${reason}
        from subscriptions s join radacct r on r.subscription_id = s.id and r.acctstoptime is null
        where s.id = any(${ids}::uuid[])`.execute(trx);
    }
    return flips;
  });
}

/** What a login needs of the fair-usage state (the decision row's part of it). */
export interface LoginQuotaRow extends PeriodInputs {
  id: string;
  quota_period_start: Date | null;
  quota_period_end: Date | null;
  quota_period_key: string | null;
  settled_seconds: bigint | null;
  settled_day: string | null;
}

/** The stored fair-usage state still describes the period holding `now`. */
export function quotaStateCurrent(row: LoginQuotaRow, now: Date): boolean {
  return storedPeriod({ ...row, st_period_start: row.quota_period_start, st_period_end: row.quota_period_end, st_period_key: row.quota_period_key }, now) !== null;
}

/**
 * The open sessions and the seconds online in the period at this moment: the settled days from
 * the state, the days since from the sessions' counters, and the open sessions' time since their
 * last update. Without a current state (a new period the roll-up has not seen yet, a new line)
 * the period is computed here and its days are all read from the counters.
 */
export async function timeUsedAtLogin(db: Db, row: LoginQuotaRow, now: Date): Promise<{ openSessions: number; usedSeconds: number }> {
  const current = quotaStateCurrent(row, now);
  const period: BillingPeriod = current ? { start: row.quota_period_start!, end: row.quota_period_end!, timeZone: row.timezone } : quotaPeriod(row, now);
  const w = quotaWindow(period);
  const settledDay = current && row.settled_day !== null && row.settled_day > w.startDay ? row.settled_day : w.startDay;
  const settled = settledDay === w.startDay ? 0 : Number(row.settled_seconds ?? 0n);
  const span: CounterSpan = {
    subscriptionId: row.id,
    fromDay: settledDay,
    toDay: null,
    partialDay: w.partialStart && settledDay === w.startDay ? w.startDay : null,
    periodStart: period.start,
    timeZone: period.timeZone,
  };
  const [open, [counted]] = await Promise.all([openSessions(db, row.id, now, period.start), counterUsage(db, [span])]);
  return { openSessions: open.count, usedSeconds: settled + Number(counted!.seconds) + open.unreportedSeconds };
}
