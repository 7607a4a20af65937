/**
 * Accounting → usage records, per subscription per local day.
 *
 * A day's usage of a session is its counters at the end of that day (radacct_days) less those at
 * the end of the previous day it was seen; summed per subscription it becomes two usage records,
 * GB (download + upload, decimal gigabytes) and minutes, with references radius:<day>:GB and
 * radius:<day>:minutes. Re-running a day replaces those records' quantities: never counted twice.
 * Fair usage, over each subscription's billing period, is fair-usage.ts.
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
