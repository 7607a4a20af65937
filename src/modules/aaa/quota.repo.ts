/**
 * The SQL that measures fair usage in a period (see core/fair-usage for which usage counts):
 * whole past days from the roll-up's usage records, and the days still moving (today, and a first
 * day the period starts during) from the sessions' day counters, which accounting files with every
 * update. Open sessions' time since their last update is read live at login.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface Usage {
  bytes: bigint;
  seconds: bigint;
}

export const noUsage: Usage = { bytes: 0n, seconds: 0n };

export function addUsage(a: Usage, b: Usage): Usage {
  return { bytes: a.bytes + b.bytes, seconds: a.seconds + b.seconds };
}

/** Whole days [from, until) of a subscription's RADIUS usage records (GB and minutes). */
export interface RecordSpan {
  subscriptionId: string;
  from: Date;
  until: Date;
}

/** Sums of usage records per span, in input order. */
export async function recordUsage(db: Db, spans: readonly RecordSpan[]): Promise<Usage[]> {
  if (spans.length === 0) return [];
  const { rows } = await sql<{ n: number; bytes: string; seconds: string }>`
    select q.n, (coalesce(sum(r.quantity) filter (where r.unit = 'GB'), 0) * 1000000000)::bigint::text as bytes,
      round(coalesce(sum(r.quantity) filter (where r.unit = 'minutes'), 0) * 60)::bigint::text as seconds
    from unnest(${spans.map((s) => s.subscriptionId)}::uuid[], ${spans.map((s) => s.from.toISOString())}::timestamptz[],
                ${spans.map((s) => s.until.toISOString())}::timestamptz[]) with ordinality as q(subscription_id, from_at, until_at, n)
    join usage_records r on r.subscription_id = q.subscription_id and r.source = 'radius' and r.unit in ('GB', 'minutes')
      and r.occurred_at >= q.from_at and r.occurred_at < q.until_at
    group by q.n`.execute(db);
  return collect(spans.length, rows);
}

/**
 * Days [fromDay, toDay] (toDay null: no end) of a subscription's sessions from their day counters.
 * On `partialDay` only what follows `periodStart` counts: a session that began before it counts
 * the share of its time on that day after the start (exact for time, pro rata for bytes).
 */
export interface CounterSpan {
  subscriptionId: string;
  fromDay: string;
  toDay: string | null;
  partialDay: string | null;
  periodStart: Date;
  timeZone: string;
}

/** Sums of day counters per span, in input order. */
export async function counterUsage(db: Db, spans: readonly CounterSpan[]): Promise<Usage[]> {
  if (spans.length === 0) return [];
  const col = <T>(f: (s: CounterSpan) => T) => spans.map(f);
  const { rows } = await sql<{ n: number; bytes: string; seconds: string }>`
    with q as (
      select * from unnest(${col((s) => s.subscriptionId)}::uuid[], ${col((s) => s.fromDay)}::date[], ${col((s) => s.toDay)}::date[],
        ${col((s) => s.partialDay)}::date[], ${col((s) => s.periodStart.toISOString())}::timestamptz[], ${col((s) => s.timeZone)}::text[])
        with ordinality as q(subscription_id, from_day, to_day, partial_day, period_start, tz, n)
    ), touched as (
      select distinct q.n, d.radacctid from q
      join radacct_days d on d.subscription_id = q.subscription_id and d.day >= q.from_day and (q.to_day is null or d.day <= q.to_day)
    ), steps as (
      select t.n, d.day, r.acctstarttime, coalesce(r.acctstoptime, r.acctupdatetime, r.acctstarttime) as last_seen,
        greatest(d.input_octets + d.output_octets - coalesce(lag(d.input_octets + d.output_octets) over w, 0), 0) as bytes,
        greatest(d.session_seconds - coalesce(lag(d.session_seconds) over w, 0), 0) as seconds
      from touched t join radacct_days d on d.radacctid = t.radacctid join radacct r on r.radacctid = t.radacctid
      window w as (partition by t.n, d.radacctid order by d.day)
    ), shares as (
      select s.n, s.bytes, s.seconds,
        case when s.day = q.partial_day and coalesce(s.acctstarttime, '-infinity') < q.period_start then
          coalesce(greatest(0, least(1, extract(epoch from (b.t1 - q.period_start)) / nullif(extract(epoch from (b.t1 - b.t0)), 0))), 0)
        else 1 end as share
      from steps s join q on q.n = s.n
      cross join lateral (
        select greatest(s.acctstarttime, s.day::timestamp at time zone q.tz) as t0,
          least((s.day + 1)::timestamp at time zone q.tz, s.last_seen) as t1
      ) b
      where s.day >= q.from_day and (q.to_day is null or s.day <= q.to_day)
    )
    select n, round(sum(bytes * share))::bigint::text as bytes, round(sum(seconds * share))::bigint::text as seconds
    from shares group by n`.execute(db);
  return collect(spans.length, rows);
}

function collect(length: number, rows: readonly { n: number | string; bytes: string; seconds: string }[]): Usage[] {
  const out: Usage[] = Array.from({ length }, () => noUsage);
  for (const r of rows) out[Number(r.n) - 1] = { bytes: BigInt(r.bytes), seconds: BigInt(r.seconds) };
  return out;
}

export interface OpenSessions {
  count: number;
  /**
   * Seconds the open sessions have been online since their last update (or since `since`, when
   * later), each capped at the point where the stale-session job would close it: a NAS that went
   * silent does not keep spending the allowance.
   */
  unreportedSeconds: number;
}

export async function openSessions(db: Db, subscriptionId: string, now: Date, since: Date): Promise<OpenSessions> {
  const r = await sql<{ n: string; seconds: string }>`
    select count(*)::text as n, coalesce(sum(least(greatest(ceil(extract(epoch from (${now}::timestamptz - greatest(coalesce(acctupdatetime, acctstarttime), ${since}::timestamptz)))), 0),
      3 * greatest(coalesce(acctinterval, 300), 60))), 0)::bigint::text as seconds
    from radacct where subscription_id = ${subscriptionId} and acctstoptime is null`.execute(db);
  const row = r.rows[0];
  return { count: Number(row?.n ?? 0), unreportedSeconds: Number(row?.seconds ?? 0) };
}
