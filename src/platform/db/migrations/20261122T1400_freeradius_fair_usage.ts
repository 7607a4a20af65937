import { sql, type Kysely } from 'kysely';

/*
 * FreeRADIUS applies fair usage as Uplink's own RADIUS server does (src/modules/aaa/policy.ts and
 * decideAccess in src/core/aaa-policy.ts), from the same state:
 *
 * - A line throttled in its current quota period (aaa_quota_state.throttled, written by the
 *   roll-up) gets the throttle profile's rates without burst. rlm_sql reads the user's radreply
 *   before the group's radgroupreply, so the throttle rate is a radreply row, and the plan
 *   version's Mikrotik-Rate-Limit in radgroupreply becomes `=` (add when absent) instead of `:=`
 *   (replace): the user's row stands.
 * - A time allowance that cuts the line (a time quota and no throttle profile) is counted as the
 *   login counts it (timeUsedAtLogin in src/modules/aaa/fair-usage.ts): the state's settled
 *   seconds, the sessions' day counters since the settled day (the period's first day in part
 *   when the period starts during it), and the time open sessions have run since their last
 *   update, capped as the stale-session job caps it. Used up: radcheck Auth-Type := Reject with
 *   Uplink's Reply-Message. Otherwise Session-Timeout is at most what is left.
 * - Session-Timeout counts a line's paid-through only when it is prepaid, as serviceEndsAt does:
 *   the views gave a postpaid line one until the end of its invoiced period, and cut it there.
 *
 * A state counts only while it describes the period holding now, with the key it was computed
 * from (plan version, anchor in milliseconds, time zone: periodKey in quota-period.ts) unchanged,
 * as quotaStateCurrent decides. Where it does not (the period turned, the plan changed, a new line
 * the roll-up has not seen yet: at most one roll-up, five minutes), Uplink's server computes the
 * period in TypeScript from the billing schedule; SQL cannot, so FreeRADIUS then applies no
 * throttle and grants the whole allowance until the roll-up records the period, which also
 * disconnects a line found past its allowance.
 *
 * The counting is a plpgsql function (freeradius.fair_usage) rather than more view: rlm_sql sends
 * plain queries, each planned afresh, and the planner's work on the views grew from about 1 ms to
 * 5-10 ms per lookup with the counting inlined; a function's queries are planned once per
 * connection and kept. It is SECURITY DEFINER (FreeRADIUS's role may read the views, not the
 * tables) and executable only by its owner and uplink_freeradius. Its lookups are by subscription
 * id: the views stay one index lookup by username for rlm_sql.
 */
const statements = [
  // One row for any subscription: the throttle rate, when throttled; the seconds of the time allowance
  // left, when one cuts the line (zero or less: used up). Nulls when neither applies.
  `create function freeradius.fair_usage(subscription uuid, out throttle_rate_limit text, out time_left bigint)
   language plpgsql stable security definer set search_path = pg_catalog, public, pg_temp as $$
   declare
     r record;
     start_day date;
     partial_start boolean;
     from_day date;
     counted numeric;
     unreported numeric;
     current boolean := false;
   begin
     select s.status, coalesce(s.activated_at, s.starts_at) as anchor, o.timezone, v.id as version_id, v.time_quota_seconds,
            v.throttle_download_kbps, v.throttle_upload_kbps, q.throttled, q.period_start, q.period_end, q.period_key,
            q.settled_seconds, q.settled_day
       into r
       from subscriptions s
       join organizations o on o.id = s.organization_id
       join plans p on p.id = s.plan_id
       join plan_versions v on v.id = p.current_version_id
       left join aaa_quota_state q on q.subscription_id = s.id
      where s.id = subscription;
     if not found then
       return;
     end if;
     if r.status not in ('active', 'grace') then
       return;
     end if;
     -- quotaStateCurrent: the state's period holds now, and its key (version|anchor in ms|zone) is unchanged.
     if r.period_start <= now() and r.period_end > now() and split_part(r.period_key, '|', 1) = r.version_id::text
        and split_part(r.period_key, '|', 3) = r.timezone and split_part(r.period_key, '|', 2) ~ '^-?[0-9]{1,18}$' then
       current := abs(split_part(r.period_key, '|', 2)::numeric - extract(epoch from r.anchor) * 1000) < 1;
     end if;
     -- A throttle profile takes both rates (a catalog check), without burst.
     if r.throttled and current and r.throttle_download_kbps is not null then
       throttle_rate_limit := freeradius.mikrotik_rate_limit(r.throttle_upload_kbps, null, null, null, r.throttle_download_kbps, null, null, null);
     end if;
     if r.time_quota_seconds is null or r.throttle_download_kbps is not null then
       return;
     end if;
     if not current then
       time_left := r.time_quota_seconds;
       return;
     end if;
     start_day := (r.period_start at time zone r.timezone)::date;
     partial_start := r.period_start <> (start_day::timestamp at time zone r.timezone);
     from_day := case when r.settled_day > start_day then r.settled_day else start_day end;
     -- The day counters since from_day (counterUsage in quota.repo.ts): each session's growth per day;
     -- on a first day the period starts during, only the share of the session's time after the start.
     select coalesce(round(sum(x.seconds * case when partial_start and from_day = start_day and x.day = start_day
                                                  and coalesce(x.acctstarttime, '-infinity') < r.period_start
                                                then coalesce(greatest(0, least(1, extract(epoch from (x.t1 - r.period_start))
                                                                                     / nullif(extract(epoch from (x.t1 - x.t0)), 0))), 0)
                                                else 1 end)), 0)
       into counted
       from (select d.day, a.acctstarttime,
                    greatest(d.session_seconds - coalesce(lag(d.session_seconds) over (partition by d.radacctid order by d.day), 0), 0) as seconds,
                    greatest(a.acctstarttime, d.day::timestamp at time zone r.timezone) as t0,
                    least((d.day + 1)::timestamp at time zone r.timezone, coalesce(a.acctstoptime, a.acctupdatetime, a.acctstarttime)) as t1
               from radacct_days d join radacct a on a.radacctid = d.radacctid
              where d.radacctid in (select t.radacctid from radacct_days t where t.subscription_id = subscription and t.day >= from_day)) x
      where x.day >= from_day;
     -- The open sessions' time since their last update, capped as the stale-session job caps it (openSessions).
     select coalesce(sum(least(greatest(ceil(extract(epoch from (now() - greatest(coalesce(a.acctupdatetime, a.acctstarttime), r.period_start)))), 0),
                               3 * greatest(coalesce(a.acctinterval, 300), 60))), 0)
       into unreported
       from radacct a where a.subscription_id = subscription and a.acctstoptime is null;
     time_left := r.time_quota_seconds - (case when from_day = start_day then 0 else r.settled_seconds end) - counted - unreported;
   end $$`,
  // It reads every line's usage as its owner: only Uplink and FreeRADIUS's role call it.
  `revoke all on function freeradius.fair_usage(uuid) from public`,

  `create or replace view freeradius.radcheck as
   select 1 as id, l.username, 'Cleartext-Password'::text as attribute, ':='::text as op, c.password as value
     from freeradius.logins l join freeradius.radius_credentials c on c.subscription_id = l.id
   union all
   select 2, l.username, 'Simultaneous-Use', ':=', l.simultaneous_use::text from freeradius.logins l
   union all
   select 3, l.username, 'Calling-Station-Id', '=~', freeradius.mac_pattern(l.mac_address) from freeradius.logins l where l.mac_address is not null
   union all
   select 4, l.username, 'Auth-Type', ':=', 'Reject' from freeradius.logins l where l.status not in ('active', 'grace')
   union all
   select distinct 4, s.username, 'Auth-Type', ':=', 'Reject' from subscriptions s
    where s.status = 'terminated' and s.username is not null
      and not exists (select 1 from subscriptions o where lower(o.username) = lower(s.username) and o.status <> 'terminated')
   union all
   select 4, l.username, 'Auth-Type', ':=', 'Reject' from freeradius.logins l cross join lateral freeradius.fair_usage(l.id) f
    where l.status in ('active', 'grace') and f.time_left <= 0`,

  // Session-Timeout: until service ends as Uplink's server reckons it (serviceEndsAt in policy.ts: the
  // first of a prepaid line's paid-through, the end of grace, a scheduled suspension or termination;
  // a postpaid line's paid-through is not an end), and at most the time allowance left. The rows
  // that depend on fair usage come from one branch, so a lookup asks fair_usage once.
  `create or replace view freeradius.radreply as
   select 1 as id, l.username, 'Framed-IP-Address'::text as attribute, ':='::text as op, host(l.static_ipv4) as value
     from freeradius.logins l where l.static_ipv4 is not null
   union all
   select 2, l.username, case when masklen(l.static_ipv6_prefix) >= 64 then 'Framed-IPv6-Prefix' else 'Delegated-IPv6-Prefix' end, ':=', l.static_ipv6_prefix::text
     from freeradius.logins l where l.static_ipv6_prefix is not null
   union all
   select a.id, l.username, a.attribute, ':=', a.value
     from freeradius.logins l
     join plans p on p.id = l.plan_id
     cross join lateral freeradius.fair_usage(l.id) f
     cross join lateral (select min(x) as until
                           from unnest(array[case when p.billing_model = 'prepaid' then l.billed_through end, case when l.status = 'grace' then l.grace_until end,
                                             l.suspend_at, l.terminate_at]) x
                         where x > now()) e
     cross join lateral (select least(ceil(extract(epoch from e.until - now())), f.time_left) as seconds) t
     cross join lateral (values
       (3, 'Session-Timeout', case when t.seconds > 0 then least(2147483647, t.seconds)::bigint::text end),
       (4, 'Mikrotik-Rate-Limit', f.throttle_rate_limit),
       (5, 'Reply-Message', case when f.time_left <= 0 then 'Your time allowance for this period is used up' end)) a(id, attribute, value)
    where a.value is not null`,

  // '=' adds the plan's rate only when the user's radreply did not set one (the throttle rate).
  `create or replace view freeradius.radgroupreply as
   select 1 as id, v.id::text as groupname, 'Mikrotik-Rate-Limit'::text as attribute, '='::text as op,
          freeradius.mikrotik_rate_limit(v.upload_kbps, v.upload_burst_kbps, v.upload_burst_threshold_kbps, v.upload_burst_seconds,
                                         v.download_kbps, v.download_burst_kbps, v.download_burst_threshold_kbps, v.download_burst_seconds) as value
     from plan_versions v where v.upload_kbps is not null or v.download_kbps is not null
   union all
   select 2, v.id::text, 'Framed-Pool', ':=', v.ip_pool from plan_versions v where v.ip_pool is not null
   union all
   select 3, v.id::text, 'Mikrotik-Address-List', ':=', v.address_list from plan_versions v where v.address_list is not null
   union all
   select 4, v.id::text, 'Acct-Interim-Interval', ':=', '300' from plan_versions v`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  // The views call fair_usage as the querying role. Without the role (no CREATEROLE), the operator grants it: docs/freeradius.md.
  await sql
    .raw(
      `do $$
       begin
         if exists (select 1 from pg_roles where rolname = 'uplink_freeradius') then
           grant execute on function freeradius.fair_usage(uuid) to uplink_freeradius;
         end if;
       exception when insufficient_privilege then
         raise notice 'grant to uplink_freeradius skipped (not allowed): see docs/freeradius.md';
       end $$`,
    )
    .execute(db);
}
