import { sql, type Kysely } from 'kysely';

/*
 * The two answers in which the FreeRADIUS views still differed from Uplink's own RADIUS server
 * (decideAccess in src/core/aaa-policy.ts, fed by src/modules/aaa/policy.ts):
 *
 * - Acct-Interim-Interval is the subscription's organization's setting: aaa_settings of the nearest
 *   organization up its branch that has them (organizationSettings in aaa.repo.ts), 300 without.
 *   It was one `:= 300` row per plan version in radgroupreply. rlm_sql reads the user's radreply
 *   before the group's radgroupreply and a group `:=` replaces what the user's reply set, so the
 *   interval is now a radreply row per login and radgroupreply no longer has one.
 * - Session-Timeout: service ends at the first of the candidate ends (serviceEndsAt in policy.ts),
 *   past ones included. An end already passed, which billing has not acted on yet, gives one
 *   interim interval, so the NAS asks again soon (sessionTimeout in aaa-policy.ts). The views used
 *   to skip the ends already passed: no Session-Timeout at all, or one until a later end.
 *
 * The nearest settings are found from the ids an organization's path is made of (/root/…/self/,
 * pathIds in core/organizations.ts), the deepest first: a primary-key lookup in aaa_settings per
 * level of the tree, where Uplink's prefix match (`path like up.path || '%'`) reads every row of
 * aaa_settings. As with fair_usage, the lookup is a plpgsql function rather than more view: rlm_sql
 * plans each query afresh, and inlined in radreply it added about 0.35 ms of planning to every
 * lookup at 100,000 subscriptions, the function about 0.1 ms in all. It is SECURITY DEFINER
 * (FreeRADIUS's role reads no table) and executable only by its owner and uplink_freeradius. Each
 * lookup by username stays an index lookup.
 */
const statements = [
  // The interval of the nearest organization up the branch with settings: the path's ids, deepest
  // first, each a primary-key lookup (one query joining them all was planned as a scan of aaa_settings).
  `create function freeradius.interim_interval(organization uuid) returns integer
   language plpgsql stable security definer set search_path = pg_catalog, public, pg_temp as $$
   declare
     ids uuid[];
     seconds integer;
   begin
     select string_to_array(btrim(o.path, '/'), '/')::uuid[] into ids from organizations o where o.id = organization;
     for i in reverse coalesce(array_length(ids, 1), 0) .. 1 loop
       select st.interim_interval_seconds into seconds from aaa_settings st where st.organization_id = ids[i];
       if found then
         return seconds;
       end if;
     end loop;
     return 300;
   end $$`,
  `revoke all on function freeradius.interim_interval(uuid) from public`,

  // The organization joins the columns (appended: create or replace keeps the existing ones in place).
  `create or replace view freeradius.logins as
   select s.id, s.username, s.status, s.mac_address, s.simultaneous_use, s.static_ipv4, s.static_ipv6_prefix,
          s.billed_through, s.grace_until, s.suspend_at, s.terminate_at, s.plan_id, s.organization_id
     from subscriptions s
    where s.username is not null and s.status <> 'terminated'`,

  // Session-Timeout: until service ends as Uplink's server reckons it (serviceEndsAt in policy.ts: the
  // first of a prepaid line's paid-through, the end of grace, a scheduled suspension or termination;
  // a postpaid line's paid-through is not an end), one interim interval when that end has passed,
  // and at most the time allowance left. The rows that depend on fair usage come from one branch, so
  // a lookup asks fair_usage once.
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
     cross join lateral freeradius.interim_interval(l.organization_id) i(seconds)
     cross join lateral (select min(x) as until
                           from unnest(array[case when p.billing_model = 'prepaid' then l.billed_through end, case when l.status = 'grace' then l.grace_until end,
                                             l.suspend_at, l.terminate_at]) x) e
     cross join lateral (select least(case when e.until > now() then least(2147483647, ceil(extract(epoch from e.until - now())))
                                           when e.until is not null then i.seconds end,
                                      f.time_left) as seconds) t
     cross join lateral (values
       (3, 'Session-Timeout', case when t.seconds > 0 then t.seconds::bigint::text end),
       (4, 'Mikrotik-Rate-Limit', f.throttle_rate_limit),
       (5, 'Reply-Message', case when f.time_left <= 0 then 'Your time allowance for this period is used up' end),
       (6, 'Acct-Interim-Interval', i.seconds::text)) a(id, attribute, value)
    where a.value is not null`,

  // '=' adds the plan's rate only when the user's radreply did not set one (the throttle rate). The
  // interim interval is the user's (radreply).
  `create or replace view freeradius.radgroupreply as
   select 1 as id, v.id::text as groupname, 'Mikrotik-Rate-Limit'::text as attribute, '='::text as op,
          freeradius.mikrotik_rate_limit(v.upload_kbps, v.upload_burst_kbps, v.upload_burst_threshold_kbps, v.upload_burst_seconds,
                                         v.download_kbps, v.download_burst_kbps, v.download_burst_threshold_kbps, v.download_burst_seconds) as value
     from plan_versions v where v.upload_kbps is not null or v.download_kbps is not null
   union all
   select 2, v.id::text, 'Framed-Pool', ':=', v.ip_pool from plan_versions v where v.ip_pool is not null
   union all
   select 3, v.id::text, 'Mikrotik-Address-List', ':=', v.address_list from plan_versions v where v.address_list is not null`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  // radreply calls interim_interval as the querying role. Without the role (no CREATEROLE), the operator grants it: docs/freeradius.md.
  await sql
    .raw(
      `do $$
       begin
         if exists (select 1 from pg_roles where rolname = 'uplink_freeradius') then
           grant execute on function freeradius.interim_interval(uuid) to uplink_freeradius;
         end if;
       exception when insufficient_privilege then
         raise notice 'grant to uplink_freeradius skipped (not allowed): see docs/freeradius.md';
       end $$`,
    )
    .execute(db);
}
