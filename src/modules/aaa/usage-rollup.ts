/**
 * Accounting → usage records, per subscription per local day, and the fair-usage state.
 *
 * A day's usage of a session is its counters at the end of that day (radacct_days) less those at
 * the end of the previous day it was seen; summed per subscription it becomes two usage records,
 * GB (download + upload, decimal gigabytes) and minutes, with references radius:<day>:GB and
 * radius:<day>:minutes. Re-running a day replaces those records' quantities: never counted twice.
 *
 * The fair-usage period is the calendar month in the organization's time zone. A plan version with
 * a data quota and a throttle profile throttles once the month's usage reaches the quota; a time
 * quota (minutes online) does the same, or, without a throttle profile, cuts the line until the
 * month ends (core/aaa-policy fairUsageState). A new month lifts it. Each flip is queued for the
 * open sessions (enforcement outbox).
 */
import { sql, type Kysely } from 'kysely';
import { fairUsageState } from '../../core/aaa-policy.ts';
import type { DB } from '../../platform/db/schema.ts';

/** Rolls up the days [fromDay, toDay] (YYYY-MM-DD, organization-local); returns the records written. */
export async function rollUpUsage(db: Kysely<DB>, fromDay: string, toDay: string): Promise<number> {
  const r = await sql<{ n: string }>`
    with touched as (
      select distinct radacctid from radacct_days where day between ${fromDay}::date and ${toDay}::date
    ), deltas as (
      select d.subscription_id, d.day,
        d.input_octets + d.output_octets - coalesce(lag(d.input_octets + d.output_octets) over w, 0) as bytes,
        d.session_seconds - coalesce(lag(d.session_seconds) over w, 0) as seconds
      from radacct_days d join touched t on t.radacctid = d.radacctid
      window w as (partition by d.radacctid order by d.day)
    ), per_day as (
      select subscription_id, day, sum(greatest(bytes, 0)) as bytes, sum(greatest(seconds, 0)) as seconds
      from deltas where day between ${fromDay}::date and ${toDay}::date
      group by subscription_id, day
    ), readings as (
      select p.subscription_id, u.unit, u.quantity, (p.day::timestamp at time zone o.timezone) as occurred_at,
        'radius:' || p.day::text || ':' || u.unit as reference
      from per_day p
      join subscriptions s on s.id = p.subscription_id
      join organizations o on o.id = s.organization_id
      cross join lateral (values ('GB', trim_scale(p.bytes::numeric / 1000000000)), ('minutes', trim_scale(p.seconds::numeric / 60))) as u(unit, quantity)
    ), written as (
      insert into usage_records (subscription_id, unit, quantity, occurred_at, source, reference)
      select subscription_id, unit, trim_scale(round(quantity, 9)), occurred_at, 'radius', reference from readings
      on conflict (subscription_id, reference) where reference is not null
      do update set quantity = excluded.quantity where usage_records.quantity <> excluded.quantity
      returning 1
    )
    select count(*)::text as n from written`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

interface QuotaRow {
  subscription_id: string;
  period_start: Date;
  data_quota_bytes: string | null;
  time_quota_seconds: number | null;
  has_throttle: boolean;
  used_bytes: string;
  used_seconds: string;
  st_period_start: Date | null;
  st_used_bytes: string | null;
  st_used_seconds: string | null;
  st_throttled: boolean | null;
  st_exhausted: boolean | null;
}

/**
 * Recomputes the fair-usage state (core fairUsageState) of every subscription whose plan has a
 * data quota with a throttle profile, or a time quota, and queues enforcement for the open sessions
 * of each one whose state flipped: a CoA to the throttle profile or back, a Disconnect-Request when
 * a time allowance without throttle is used up. Lines whose plan lost its quota drop their flags.
 * Returns the number of flips.
 */
export async function applyFairUsage(db: Kysely<DB>, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // One pass at a time: two overlapping passes would both see a flip and queue it twice.
    await sql`select pg_advisory_xact_lock(hashtext('uplink.aaa.fair-usage'))`.execute(trx);
    const { rows } = await sql<QuotaRow>`
      with quota as (
        select s.id as subscription_id, v.data_quota_bytes, v.time_quota_seconds,
          (v.throttle_download_kbps is not null and v.throttle_upload_kbps is not null) as has_throttle,
          (date_trunc('month', ${now}::timestamptz at time zone o.timezone) at time zone o.timezone) as period_start
        from subscriptions s
        join organizations o on o.id = s.organization_id
        join plans p on p.id = s.plan_id
        join plan_versions v on v.id = p.current_version_id
        where s.status in ('active', 'grace') and s.username is not null
          and ((v.data_quota_bytes is not null and v.throttle_download_kbps is not null) or v.time_quota_seconds is not null)
      )
      select q.subscription_id, q.period_start, q.data_quota_bytes::text, q.time_quota_seconds, q.has_throttle,
        (coalesce(u.gb, 0) * 1000000000)::bigint::text as used_bytes, round(coalesce(u.minutes, 0) * 60)::bigint::text as used_seconds,
        st.period_start as st_period_start, st.used_bytes::text as st_used_bytes, st.used_seconds::text as st_used_seconds,
        st.throttled as st_throttled, st.exhausted as st_exhausted
      from quota q
      left join aaa_quota_state st on st.subscription_id = q.subscription_id
      left join lateral (
        select sum(r.quantity) filter (where r.unit = 'GB') as gb, sum(r.quantity) filter (where r.unit = 'minutes') as minutes
        from usage_records r where r.subscription_id = q.subscription_id and r.source = 'radius' and r.unit in ('GB', 'minutes')
          and r.occurred_at >= q.period_start
      ) u on true`.execute(trx);

    const writes: { id: string; period: Date; bytes: string; seconds: string; throttled: boolean; exhausted: boolean }[] = [];
    const queue: Record<'quota_exceeded' | 'quota_reset' | 'time_quota_exhausted', string[]> = { quota_exceeded: [], quota_reset: [], time_quota_exhausted: [] };
    let flips = 0;
    for (const r of rows) {
      const next = fairUsageState({
        dataQuotaBytes: r.data_quota_bytes === null ? null : BigInt(r.data_quota_bytes),
        usedBytes: BigInt(r.used_bytes),
        timeQuotaSeconds: r.time_quota_seconds,
        usedSeconds: Number(r.used_seconds),
        hasThrottle: r.has_throttle,
      });
      const wasThrottled = r.st_throttled === true;
      const wasExhausted = r.st_exhausted === true;
      const same =
        r.st_period_start?.getTime() === r.period_start.getTime() &&
        r.st_used_bytes === r.used_bytes &&
        r.st_used_seconds === r.used_seconds &&
        wasThrottled === next.throttled &&
        wasExhausted === next.exhausted;
      if (!same) writes.push({ id: r.subscription_id, period: r.period_start, bytes: r.used_bytes, seconds: r.used_seconds, ...next });
      if (next.throttled !== wasThrottled) {
        flips++;
        queue[next.throttled ? 'quota_exceeded' : 'quota_reset'].push(r.subscription_id);
      }
      if (next.exhausted !== wasExhausted) {
        flips++;
        // A new period needs nothing sent: the line is offline and its next login is accepted.
        if (next.exhausted) queue.time_quota_exhausted.push(r.subscription_id);
      }
    }
    if (writes.length) {
      await sql`insert into aaa_quota_state as st (subscription_id, period_start, used_bytes, used_seconds, throttled, exhausted, updated_at)
        select *, ${now}::timestamptz from unnest(${writes.map((w) => w.id)}::uuid[], ${writes.map((w) => w.period.toISOString())}::timestamptz[],
          ${writes.map((w) => w.bytes)}::bigint[], ${writes.map((w) => w.seconds)}::bigint[], ${writes.map((w) => w.throttled)}::boolean[],
          ${writes.map((w) => w.exhausted)}::boolean[])
        on conflict (subscription_id) do update set period_start = excluded.period_start, used_bytes = excluded.used_bytes,
          used_seconds = excluded.used_seconds, throttled = excluded.throttled, exhausted = excluded.exhausted, updated_at = excluded.updated_at`.execute(trx);
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
