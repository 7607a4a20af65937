import { sql, type Kysely } from 'kysely';

/*
 * AAA: what the RADIUS server records and what it decides from.
 *
 * radacct and radpostauth keep FreeRADIUS's column names and types (its rlm_sql PostgreSQL schema),
 * so an operator can point FreeRADIUS at this database; our own columns (organization, NAS,
 * subscription) are nullable and filled by a trigger when FreeRADIUS inserts without them.
 *
 * Enforcement: changes to a subscription's service are noticed by a statement-level trigger on
 * subscriptions, not by calls from each service that changes a status. The billing run, the
 * lifecycle job, plan changes and the API all update subscriptions, some by thousands of rows in
 * one statement; one set-based trigger with transition tables sees every one of them, joins only
 * the rows whose status, plan or network identity changed to their open sessions, and writes the
 * outbox rows in the same transaction (so a change and its enforcement commit or vanish together).
 * The same triggers tell the RADIUS processes' decision caches what changed (NOTIFY after commit).
 */
const statements = [
  `create table radacct (
    radacctid bigserial primary key,
    acctsessionid text not null,
    acctuniqueid text not null unique,
    username text,
    realm text,
    nasipaddress inet not null,
    nasportid text,
    nasporttype text,
    acctstarttime timestamptz,
    acctupdatetime timestamptz,
    acctstoptime timestamptz,
    acctinterval bigint,
    acctsessiontime bigint,
    acctauthentic text,
    connectinfo_start text,
    connectinfo_stop text,
    acctinputoctets bigint,
    acctoutputoctets bigint,
    calledstationid text,
    callingstationid text,
    acctterminatecause text,
    servicetype text,
    framedprotocol text,
    framedipaddress inet,
    framedipv6address inet,
    framedipv6prefix inet,
    framedinterfaceid text,
    delegatedipv6prefix inet,
    class text,
    organization_id uuid references organizations(id),
    nas_id uuid references nas_devices(id) on delete set null,
    subscription_id uuid references subscriptions(id)
  )`,
  `create index radacct_open_subscription_idx on radacct (subscription_id) where acctstoptime is null`,
  `create index radacct_open_nas_idx on radacct (nasipaddress, acctstarttime) where acctstoptime is null`,
  `create index radacct_open_update_idx on radacct (acctupdatetime) where acctstoptime is null`,
  `create index radacct_subscription_idx on radacct (subscription_id, acctstarttime desc)`,
  `create index radacct_organization_open_idx on radacct (organization_id, acctstarttime desc) where acctstoptime is null`,
  `create index radacct_start_user_idx on radacct (acctstarttime, username)`,

  // FreeRADIUS inserts only its own columns: the NAS and the subscription are found for it.
  `create function radacct_fill_owner() returns trigger language plpgsql as $$
   begin
     if new.nas_id is null then
       select id, organization_id into new.nas_id, new.organization_id from nas_devices where address = new.nasipaddress;
     end if;
     if new.subscription_id is null and new.username is not null then
       select id into new.subscription_id from subscriptions
        where lower(username) = lower(new.username) and username is not null and status <> 'terminated';
     end if;
     return new;
   end $$`,
  `create trigger radacct_fill_owner before insert on radacct for each row
     when (new.nas_id is null or new.subscription_id is null) execute function radacct_fill_owner()`,

  // The counters of each session at the end of each local day it was seen in: a day's usage is the
  // difference from the day before, so sessions that last for weeks are split by day exactly.
  `create table radacct_days (
    radacctid bigint not null references radacct(radacctid) on delete cascade,
    day date not null,
    subscription_id uuid not null references subscriptions(id),
    input_octets bigint not null default 0,
    output_octets bigint not null default 0,
    session_seconds bigint not null default 0,
    primary key (radacctid, day)
  )`,
  `create index radacct_days_day_idx on radacct_days (day, subscription_id)`,

  `create table radpostauth (
    id bigserial primary key,
    username text not null,
    pass text,
    reply text,
    authdate timestamptz not null default now(),
    class text,
    nas_id uuid references nas_devices(id) on delete set null,
    organization_id uuid references organizations(id),
    reason text
  )`,
  `create index radpostauth_username_idx on radpostauth (lower(username), authdate desc)`,
  `create index radpostauth_authdate_idx on radpostauth (authdate)`,

  // What a refused subscriber gets, per organization (the nearest one up the tree that has a row)
  // and per plan (overrides). Reject by default: an operator chooses to open a captive pool.
  `create table aaa_settings (
    organization_id uuid primary key references organizations(id) on delete cascade,
    blocked_action text not null default 'reject' check (blocked_action in ('reject', 'captive')),
    blocked_pool text check (blocked_pool ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    blocked_address_list text check (blocked_address_list ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    captive_message text not null default '' check (length(captive_message) <= 250),
    interim_interval_seconds integer not null default 300 check (interim_interval_seconds between 60 and 86400),
    updated_at timestamptz not null default now()
  )`,
  `create table aaa_plan_settings (
    plan_id uuid primary key references plans(id) on delete cascade,
    blocked_action text check (blocked_action in ('reject', 'captive')),
    blocked_pool text check (blocked_pool ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    blocked_address_list text check (blocked_address_list ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    captive_message text check (length(captive_message) <= 250),
    updated_at timestamptz not null default now()
  )`,

  // Fair usage: the data used in the current quota period and whether the throttle profile applies.
  `create table aaa_quota_state (
    subscription_id uuid primary key references subscriptions(id) on delete cascade,
    period_start timestamptz not null,
    used_bytes bigint not null default 0,
    throttled boolean not null default false,
    updated_at timestamptz not null default now()
  )`,

  // The outbox of RFC 5176 requests: recorded with the change, sent and retried by the worker.
  `create table enforcement_requests (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscription_id uuid not null references subscriptions(id) on delete cascade,
    nas_id uuid references nas_devices(id) on delete set null,
    radacct_id bigint references radacct(radacctid) on delete set null,
    acct_session_id text,
    username text,
    kind text not null check (kind in ('coa', 'disconnect')),
    reason text not null check (reason ~ '^[a-z_]{1,40}$'),
    attributes jsonb,
    status text not null default 'pending' check (status in ('pending', 'ack', 'nak', 'timeout', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default '-infinity', -- due at once, whatever the clocks say
    last_error text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    requested_by uuid references users(id) on delete set null
  )`,
  `create index enforcement_requests_due_idx on enforcement_requests (next_attempt_at) where status in ('pending', 'timeout')`,
  `create index enforcement_requests_subscription_idx on enforcement_requests (subscription_id, created_at desc)`,

  `create function aaa_subscriptions_changed() returns trigger language plpgsql as $$
   declare
     changed integer;
   begin
     with c as (
       select n.id, n.organization_id, n.username,
         case
           when n.status in ('suspended', 'terminated', 'pending') and o.status is distinct from n.status then 'disconnect'
           when o.status = 'suspended' and n.status in ('active', 'grace') then 'disconnect'
           when n.username is distinct from o.username or n.password_enc is distinct from o.password_enc
             or n.mac_address is distinct from o.mac_address or n.static_ipv4 is distinct from o.static_ipv4
             or n.static_ipv6_prefix is distinct from o.static_ipv6_prefix then 'disconnect'
           when n.plan_id is distinct from o.plan_id then 'coa'
         end as kind,
         case
           when n.status in ('suspended', 'terminated', 'pending') and o.status is distinct from n.status
             then case when n.status = 'suspended' and n.status_reason = 'expired' then 'expired' else n.status end
           when o.status = 'suspended' and n.status in ('active', 'grace') then 'unlocked'
           when n.username is distinct from o.username or n.password_enc is distinct from o.password_enc
             or n.mac_address is distinct from o.mac_address or n.static_ipv4 is distinct from o.static_ipv4
             or n.static_ipv6_prefix is distinct from o.static_ipv6_prefix then 'network_changed'
           else 'plan_changed'
         end as reason
       from new_rows n join old_rows o on o.id = n.id
       where n.status is distinct from o.status or n.plan_id is distinct from o.plan_id
          or n.username is distinct from o.username or n.password_enc is distinct from o.password_enc
          or n.mac_address is distinct from o.mac_address or n.static_ipv4 is distinct from o.static_ipv4
          or n.static_ipv6_prefix is distinct from o.static_ipv6_prefix or n.simultaneous_use is distinct from o.simultaneous_use
          or n.billed_through is distinct from o.billed_through or n.grace_until is distinct from o.grace_until
          or n.suspend_at is distinct from o.suspend_at or n.terminate_at is distinct from o.terminate_at
     ), queued as (
       insert into enforcement_requests (organization_id, subscription_id, nas_id, radacct_id, acct_session_id, username, kind, reason)
       select c.organization_id, c.id, r.nas_id, r.radacctid, r.acctsessionid, r.username, c.kind, c.reason
       from c join radacct r on r.subscription_id = c.id and r.acctstoptime is null
       where c.kind is not null
       returning 1
     )
     select count(*) into changed from c;
     if changed > 0 then
       if changed <= 50 then
         perform pg_notify('uplink_aaa', 's:' || n.id) from new_rows n join old_rows o on o.id = n.id
          where row(n.status, n.plan_id, n.username, n.password_enc, n.mac_address, n.static_ipv4, n.static_ipv6_prefix, n.simultaneous_use,
                    n.billed_through, n.grace_until, n.suspend_at, n.terminate_at, n.status_reason)
             is distinct from row(o.status, o.plan_id, o.username, o.password_enc, o.mac_address, o.static_ipv4, o.static_ipv6_prefix, o.simultaneous_use,
                    o.billed_through, o.grace_until, o.suspend_at, o.terminate_at, o.status_reason);
       else
         perform pg_notify('uplink_aaa', '*');
       end if;
     end if;
     return null;
   end $$`,
  `create trigger aaa_subscriptions_changed after update on subscriptions
     referencing old table as old_rows new table as new_rows for each statement execute function aaa_subscriptions_changed()`,

  // A plan's new version changes the profile of everyone on it: a CoA for each open session.
  `create function aaa_plans_changed() returns trigger language plpgsql as $$
   begin
     insert into enforcement_requests (organization_id, subscription_id, nas_id, radacct_id, acct_session_id, username, kind, reason)
     select s.organization_id, s.id, r.nas_id, r.radacctid, r.acctsessionid, r.username, 'coa', 'plan_changed'
     from new_rows n join old_rows o on o.id = n.id and o.current_version_id is distinct from n.current_version_id
     join subscriptions s on s.plan_id = n.id and s.status in ('active', 'grace')
     join radacct r on r.subscription_id = s.id and r.acctstoptime is null;
     perform pg_notify('uplink_aaa', 'p:' || n.id) from new_rows n join old_rows o on o.id = n.id where o.current_version_id is distinct from n.current_version_id;
     return null;
   end $$`,
  `create trigger aaa_plans_changed after update on plans
     referencing old table as old_rows new table as new_rows for each statement execute function aaa_plans_changed()`,

  // Rare changes that any cached decision may depend on: everything is forgotten.
  `create function aaa_forget_all() returns trigger language plpgsql as $$
   begin
     perform pg_notify('uplink_aaa', '*');
     return null;
   end $$`,
  `create trigger aaa_organizations_changed after update or delete on organizations for each statement execute function aaa_forget_all()`,
  `create trigger aaa_nas_changed after insert or update or delete on nas_devices for each statement execute function aaa_forget_all()`,
  `create trigger aaa_settings_changed after insert or update or delete on aaa_settings for each statement execute function aaa_forget_all()`,
  `create trigger aaa_plan_settings_changed after insert or update or delete on aaa_plan_settings for each statement execute function aaa_forget_all()`,
  `create function aaa_quota_changed() returns trigger language plpgsql as $$
   begin
     perform pg_notify('uplink_aaa', 's:' || new.subscription_id);
     return null;
   end $$`,
  `create trigger aaa_quota_changed after insert or update of throttled on aaa_quota_state for each row execute function aaa_quota_changed()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
