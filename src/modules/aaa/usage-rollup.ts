/**
 * Accounting → usage records, per subscription per local day, and the fair-usage state.
 *
 * A day's usage of a session is its counters at the end of that day (radacct_days) less those at
 * the end of the previous day it was seen; summed per subscription it becomes two usage records,
 * GB (download + upload, decimal gigabytes) and minutes, with references radius:<day>:GB and
 * radius:<day>:minutes. Re-running a day replaces those records' quantities: never counted twice.
 *
 * The fair-usage period is the calendar month in the organization's time zone. A plan version with
 * a data quota and a throttle profile throttles once the month's usage reaches the quota; a new
 * month lifts it. Each flip is queued as a CoA for the open sessions (enforcement outbox).
 */
import { sql, type Kysely } from 'kysely';
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

/**
 * Recomputes the fair-usage state of every subscription whose plan has a data quota and a throttle
 * profile, and queues a CoA for the open sessions of each one whose state flipped. Returns the
 * number of flips.
 */
export async function applyFairUsage(db: Kysely<DB>, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const flipped = await sql<{ subscription_id: string; throttled: boolean }>`
      with quota as (
        select s.id as subscription_id, v.data_quota_bytes,
          (date_trunc('month', ${now}::timestamptz at time zone o.timezone) at time zone o.timezone) as period_start
        from subscriptions s
        join organizations o on o.id = s.organization_id
        join plans p on p.id = s.plan_id
        join plan_versions v on v.id = p.current_version_id
        where s.status in ('active', 'grace') and v.data_quota_bytes is not null and v.throttle_download_kbps is not null
          and s.username is not null
      ), used as (
        select q.subscription_id, q.period_start, q.data_quota_bytes,
          coalesce((select sum(u.quantity) from usage_records u where u.subscription_id = q.subscription_id and u.unit = 'GB'
                     and u.source = 'radius' and u.occurred_at >= q.period_start), 0) * 1000000000 as used
        from quota q
      ), upserted as (
        insert into aaa_quota_state as st (subscription_id, period_start, used_bytes, throttled, updated_at)
        select subscription_id, period_start, used::bigint, used >= data_quota_bytes, ${now}::timestamptz from used
        on conflict (subscription_id) do update set period_start = excluded.period_start, used_bytes = excluded.used_bytes,
          throttled = excluded.throttled, updated_at = excluded.updated_at
        where st.used_bytes <> excluded.used_bytes or st.throttled <> excluded.throttled or st.period_start <> excluded.period_start
        returning st.subscription_id, st.throttled, (select x.throttled from aaa_quota_state x where x.subscription_id = st.subscription_id) as was
      )
      select subscription_id, throttled from upserted where (was is null and throttled) or was <> throttled`.execute(trx);
    const on = flipped.rows.filter((f) => f.throttled).map((f) => f.subscription_id);
    const off = flipped.rows.filter((f) => !f.throttled).map((f) => f.subscription_id);
    for (const [ids, reason] of [
      [on, 'quota_exceeded'],
      [off, 'quota_reset'],
    ] as const) {
      if (ids.length === 0) continue;
      await sql`insert into enforcement_requests (organization_id, subscription_id, nas_id, radacct_id, acct_session_id, username, kind, reason)
        select s.organization_id, s.id, r.nas_id, r.radacctid, r.acctsessionid, r.username, 'coa', ${reason}
        from subscriptions s join radacct r on r.subscription_id = s.id and r.acctstoptime is null
        where s.id = any(${ids}::uuid[])`.execute(trx);
    }
    return flipped.rows.length;
  });
}
