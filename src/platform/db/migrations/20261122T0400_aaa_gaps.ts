import { sql, type Kysely } from 'kysely';

/*
 * AAA gaps closed after the first build:
 *
 * 1. Router-API fallback: an enforcement request that the NAS never acknowledged (no answer after
 *    the retries, or a NAK) is applied through the router's management API when one is configured;
 *    what that did is kept next to the RADIUS outcome.
 *
 * 2. Time quota: the fair-usage state also keeps the seconds online in the period and whether a
 *    time quota without a throttle profile is used up (the line is then cut and refused until the
 *    period turns). Caches are told when those change, as they are for the throttle flag.
 *
 * 3. Accounting written by FreeRADIUS (rlm_sql inserts and updates radacct itself, through the
 *    freeradius.radacct view) never reached radacct_days, so the usage roll-up and fair usage
 *    missed it. Uplink's own sink files the day counters in the statement that writes radacct; a
 *    row trigger doing it again for those rows would cost the accounting hot path for nothing. So a
 *    row is marked `via_sql` when it was inserted without a NAS id (the sink always sets it,
 *    FreeRADIUS never does), and only marked rows file their counters by trigger. Filing is
 *    idempotent (the greatest counters per session and day), so a session written by both can
 *    never be counted twice either.
 */
const statements = [
  `alter table enforcement_requests
     add column fallback text check (fallback in ('removed', 'rate_set', 'not_found', 'failed')),
     add column fallback_detail text check (length(fallback_detail) <= 500),
     add column fallback_at timestamptz`,

  `alter table aaa_quota_state
     add column used_seconds bigint not null default 0,
     add column exhausted boolean not null default false`,
  // The old trigger fired on any update naming `throttled`; now on a real change of what a decision reads.
  `drop trigger aaa_quota_changed on aaa_quota_state`,
  `create trigger aaa_quota_inserted after insert on aaa_quota_state for each row execute function aaa_quota_changed()`,
  `create trigger aaa_quota_changed after update on aaa_quota_state for each row
     when (old.throttled is distinct from new.throttled or old.exhausted is distinct from new.exhausted
           or old.used_seconds is distinct from new.used_seconds)
     execute function aaa_quota_changed()`,

  `alter table radacct add column via_sql boolean not null default false`,
  // BEFORE triggers run in name order: radacct_by_sql sees nas_id as the writer sent it, before
  // radacct_fill_owner looks the NAS up.
  `create function radacct_by_sql() returns trigger language plpgsql as $$
   begin
     new.via_sql := true;
     return new;
   end $$`,
  `create trigger radacct_by_sql before insert on radacct for each row when (new.nas_id is null) execute function radacct_by_sql()`,
  // Runs as its owner: FreeRADIUS's role may not read subscriptions nor write radacct_days.
  `create function radacct_file_day() returns trigger language plpgsql security definer
   set search_path = public, pg_catalog as $$
   begin
     insert into radacct_days (radacctid, day, subscription_id, input_octets, output_octets, session_seconds)
     select new.radacctid, (coalesce(new.acctstoptime, new.acctupdatetime, new.acctstarttime) at time zone o.timezone)::date,
       new.subscription_id, coalesce(new.acctinputoctets, 0), coalesce(new.acctoutputoctets, 0), coalesce(new.acctsessiontime, 0)
     from subscriptions s join organizations o on o.id = s.organization_id
     where s.id = new.subscription_id and coalesce(new.acctstoptime, new.acctupdatetime, new.acctstarttime) is not null
     on conflict (radacctid, day) do update set
       input_octets = greatest(radacct_days.input_octets, excluded.input_octets),
       output_octets = greatest(radacct_days.output_octets, excluded.output_octets),
       session_seconds = greatest(radacct_days.session_seconds, excluded.session_seconds);
     return null;
   end $$`,
  `create trigger radacct_file_day after insert or update on radacct for each row
     when (new.via_sql and new.subscription_id is not null) execute function radacct_file_day()`,
  `alter function radacct_by_sql() security definer set search_path = public, pg_catalog`,
  // Sessions FreeRADIUS wrote before this migration: the sink files a day for every row it owns, so
  // an owned row without any day was written by someone else.
  `update radacct r set via_sql = true
    where r.subscription_id is not null and not exists (select 1 from radacct_days d where d.radacctid = r.radacctid)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
