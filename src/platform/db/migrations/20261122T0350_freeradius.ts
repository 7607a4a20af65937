import { sql, type Kysely } from 'kysely';

/*
 * FreeRADIUS compatibility: an operator may run Debian's FreeRADIUS with rlm_sql (postgresql)
 * against this database instead of Uplink's own RADIUS server. Schema `freeradius` holds views with
 * FreeRADIUS's exact table and column names (its mods-config/sql/main/postgresql/schema.sql), so its
 * default queries work unchanged with `search_path = freeradius`, and none of its names can clash
 * with Uplink's tables. The views read billing state live: a suspension is seen by the next
 * Access-Request, with no copy to keep in step.
 *
 * Secrets are the exception. Subscription passwords and NAS shared secrets are sealed with
 * SecretBox in Node; SQL cannot open them, and FreeRADIUS needs the clear text (CHAP and MS-CHAPv2
 * cannot be checked against a one-way hash, and a NAS secret signs every packet). So the clear text
 * is mirrored into two tables of this schema, by Uplink (src/modules/freeradius/mirror.ts), and only
 * when the operator turns the mirror on (`freeradius.settings.mirror_secrets`, off by default):
 * a database that never serves FreeRADIUS never holds a clear password. With the mirror on, anyone
 * who can read these tables, or a backup of the database, can read the passwords: the role
 * `uplink_freeradius` made here may SELECT the views only (not the mirror tables), and may write
 * only accounting and the post-auth log. docs/freeradius.md says the same to the operator.
 *
 * Roles belong to the whole PostgreSQL cluster and creating one needs CREATEROLE: when the
 * migrating user lacks it, the role and its grants are skipped (with a notice) and the operator
 * runs the statements in docs/freeradius.md as a superuser. Nothing else depends on the role.
 */
const statements = [
  // A restore (platform/backup) drops schema public and migrates again; what it left of this schema
  // goes too. Backups cover public and pgboss only, so they never carry the clear-text mirror: after
  // a restore the mirror is off until the operator turns it on again.
  `drop schema if exists freeradius cascade`,
  `create schema freeradius`,

  // One row: whether the clear secrets are mirrored. Turned on and off by `uplink freeradius enable|disable`.
  `create table freeradius.settings (
    id boolean primary key default true check (id),
    mirror_secrets boolean not null default false,
    updated_at timestamptz not null default now()
  )`,
  `insert into freeradius.settings default values`,
  `create table freeradius.radius_credentials (
    subscription_id uuid primary key references subscriptions(id) on delete cascade,
    password text not null
  )`,
  `create table freeradius.nas_secrets (
    nas_id uuid primary key references nas_devices(id) on delete cascade,
    secret text not null
  )`,

  // rlm_sql looks users up by the exact username (subscriptions index only lower(username), and only
  // live ones; the radcheck row refusing a terminated login looks at terminated rows too).
  `create index subscriptions_username_exact_idx on subscriptions (username) where username is not null`,

  // The same string as src/core/mikrotik-rate-limit.ts (a test compares the two on random profiles).
  `create function freeradius.kbps(rate integer) returns text language sql immutable as $$
     select case when coalesce(rate, 0) = 0 then '0' when rate % 1000 = 0 then (rate / 1000)::text || 'M' else rate::text || 'k' end
   $$`,
  `create function freeradius.mikrotik_rate_limit(
     up integer, up_burst integer, up_threshold integer, up_seconds integer,
     down integer, down_burst integer, down_threshold integer, down_seconds integer) returns text language sql immutable as $$
     select case
       when up is null and down is null then null
       when up_burst is null and down_burst is null then freeradius.kbps(up) || '/' || freeradius.kbps(down)
       else freeradius.kbps(up) || '/' || freeradius.kbps(down)
         || ' ' || freeradius.kbps(up_burst) || '/' || freeradius.kbps(down_burst)
         || ' ' || freeradius.kbps(up_threshold) || '/' || freeradius.kbps(down_threshold)
         || ' ' || coalesce(up_seconds, 0)::text || '/' || coalesce(down_seconds, 0)::text
     end
   $$`,

  // A NAS writes a MAC as AA:BB:.., aa-bb-.., aabb.ccdd.eeff or aabbccddeeff: a regex that takes them all.
  `create function freeradius.mac_pattern(mac text) returns text language plpgsql immutable as $$
   declare
     hex text := replace(mac, ':', '');
     pattern text := '^';
     ch text;
   begin
     for i in 1..12 loop
       ch := substr(hex, i, 1);
       pattern := pattern || case when ch ~ '[A-F]' then '[' || ch || lower(ch) || ']' else ch end;
       if i % 2 = 0 and i < 12 then pattern := pattern || '[-:.]?'; end if;
     end loop;
     return pattern || '$';
   end $$`,

  // Live logins (each radcheck and radreply lookup plans these branches: keep them lean, no plan join).
  `create view freeradius.logins as
   select s.id, s.username, s.status, s.mac_address, s.simultaneous_use, s.static_ipv4, s.static_ipv6_prefix,
          s.billed_through, s.grace_until, s.suspend_at, s.terminate_at, s.plan_id
     from subscriptions s
    where s.username is not null and s.status <> 'terminated'`,

  // Service only in active and grace; a terminated login nobody holds any more is refused by name.
  `create view freeradius.radcheck as
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
      and not exists (select 1 from subscriptions o where lower(o.username) = lower(s.username) and o.status <> 'terminated')`,

  // Session-Timeout: until the first of paid-through, end of grace, a scheduled suspension or termination.
  `create view freeradius.radreply as
   select 1 as id, l.username, 'Framed-IP-Address'::text as attribute, ':='::text as op, host(l.static_ipv4) as value
     from freeradius.logins l where l.static_ipv4 is not null
   union all
   select 2, l.username, case when masklen(l.static_ipv6_prefix) >= 64 then 'Framed-IPv6-Prefix' else 'Delegated-IPv6-Prefix' end, ':=', l.static_ipv6_prefix::text
     from freeradius.logins l where l.static_ipv6_prefix is not null
   union all
   select 3, l.username, 'Session-Timeout', ':=', least(2147483647, ceil(extract(epoch from t.until - now())))::bigint::text
     from freeradius.logins l
     cross join lateral (select min(x) as until from unnest(array[l.billed_through, case when l.status = 'grace' then l.grace_until end, l.suspend_at, l.terminate_at]) x
                         where x > now()) t
    where t.until is not null`,

  // The group is the plan version in force (the latest valid_from not in the future).
  `create view freeradius.radusergroup as
   select l.username, coalesce(v.id, p.current_version_id)::text as groupname, 1 as priority
     from freeradius.logins l
     join plans p on p.id = l.plan_id
     left join lateral (select pv.id from plan_versions pv where pv.plan_id = l.plan_id and pv.valid_from <= now()
                        order by pv.valid_from desc limit 1) v on true`,

  `create view freeradius.radgroupreply as
   select 1 as id, v.id::text as groupname, 'Mikrotik-Rate-Limit'::text as attribute, ':='::text as op,
          freeradius.mikrotik_rate_limit(v.upload_kbps, v.upload_burst_kbps, v.upload_burst_threshold_kbps, v.upload_burst_seconds,
                                         v.download_kbps, v.download_burst_kbps, v.download_burst_threshold_kbps, v.download_burst_seconds) as value
     from plan_versions v where v.upload_kbps is not null or v.download_kbps is not null
   union all
   select 2, v.id::text, 'Framed-Pool', ':=', v.ip_pool from plan_versions v where v.ip_pool is not null
   union all
   select 3, v.id::text, 'Mikrotik-Address-List', ':=', v.address_list from plan_versions v where v.address_list is not null
   union all
   select 4, v.id::text, 'Acct-Interim-Interval', ':=', '300' from plan_versions v`,

  // Uplink decides per subscription; group checks are the operator's own (FreeRADIUS's table, empty).
  `create table freeradius.radgroupcheck (
    id serial primary key,
    groupname text not null default '',
    attribute text not null default '',
    op varchar(2) not null default '==',
    value text not null default ''
  )`,
  `create index radgroupcheck_groupname on freeradius.radgroupcheck (groupname, attribute)`,

  // read_clients = yes: FreeRADIUS reads this once at start; the id is only a number in its log.
  // type is only for checkrad, which Simultaneous-Use runs to ask the NAS (telnet, SNMP) whether
  // sessions radacct calls open still are: 'other' trusts radacct, whose stale sessions Uplink closes.
  `create view freeradius.nas as
   select (row_number() over (order by n.id))::integer as id, host(n.address)::text as nasname, n.name as shortname,
          'other'::text as type, null::integer as ports, s.secret,
          null::text as server, null::text as community, n.description
     from nas_devices n join freeradius.nas_secrets s on s.nas_id = n.id
    where n.active`,

  // FreeRADIUS's Accounting-On query may remember the NAS reboot here (its simul_count_query reads it).
  `create table freeradius.nasreload (
    nasipaddress inet primary key,
    reloadtime timestamptz not null
  )`,

  // Accounting goes straight to the AAA module's table (a simple view is updatable, ON CONFLICT included).
  `create view freeradius.radacct as
   select radacctid, acctsessionid, acctuniqueid, username, realm, nasipaddress, nasportid, nasporttype,
          acctstarttime, acctupdatetime, acctstoptime, acctinterval, acctsessiontime, acctauthentic,
          connectinfo_start, connectinfo_stop, acctinputoctets, acctoutputoctets, calledstationid,
          callingstationid, acctterminatecause, servicetype, framedprotocol, framedipaddress,
          framedipv6address, framedipv6prefix, framedinterfaceid, delegatedipv6prefix, class
     from public.radacct`,

  // FreeRADIUS's default post-auth query logs the password it was sent: never store it.
  `create view freeradius.radpostauth as
   select id, username, pass, reply, authdate, class from public.radpostauth`,
  `create function freeradius.radpostauth_insert() returns trigger language plpgsql security definer
   set search_path = pg_catalog, public as $$
   begin
     insert into public.radpostauth (username, pass, reply, authdate, class)
     values (new.username, case when new.pass is null then null else '' end, new.reply, coalesce(new.authdate, now()), new.class);
     return new;
   end $$`,
  `create trigger radpostauth_insert instead of insert on freeradius.radpostauth for each row execute function freeradius.radpostauth_insert()`,

  // The AAA tables' own triggers (radacct_fill_owner finds the NAS and the subscription) run as the
  // caller: for FreeRADIUS that is a role that may not read nas_devices and whose search_path is
  // freeradius. They run as their owner, on Uplink's own search_path, instead.
  `do $$
   declare f regprocedure;
   begin
     for f in select distinct t.tgfoid::regprocedure from pg_trigger t
               where t.tgrelid in ('public.radacct'::regclass, 'public.radpostauth'::regclass) and not t.tgisinternal loop
       execute format('alter function %s security definer set search_path = public, pg_catalog', f);
     end loop;
   end $$`,
];

const readable = ['radcheck', 'radreply', 'radusergroup', 'radgroupreply', 'radgroupcheck', 'nas', 'nasreload', 'radacct', 'radpostauth'];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  await sql
    .raw(
      `do $$
       begin
         if not exists (select 1 from pg_roles where rolname = 'uplink_freeradius') then
           begin
             create role uplink_freeradius nologin;
           exception
             when duplicate_object or unique_violation then null;
             when insufficient_privilege then
               raise notice 'uplink_freeradius not created (no CREATEROLE): see docs/freeradius.md';
               return;
           end;
         end if;
         alter role uplink_freeradius set search_path = freeradius;
         grant usage on schema freeradius to uplink_freeradius;
         grant select on ${readable.map((t) => `freeradius.${t}`).join(', ')} to uplink_freeradius;
         grant insert, update on freeradius.radacct, freeradius.nasreload to uplink_freeradius;
         grant insert on freeradius.radpostauth to uplink_freeradius;
         -- A row inserted through the view takes radacctid from the table's sequence, as the caller.
         execute format('grant usage on sequence %s to uplink_freeradius', pg_get_serial_sequence('public.radacct', 'radacctid'));
       exception when insufficient_privilege then
         raise notice 'grants to uplink_freeradius skipped (not allowed): see docs/freeradius.md';
       end $$`,
    )
    .execute(db);
}
