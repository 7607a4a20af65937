import { sql, type Kysely } from 'kysely';

/*
 * The product catalog: tax classes, plans with immutable versions, bundles and discounts.
 *   - A plan's prices and network profile live in its versions. A version is never updated or
 *     deleted (only together with its plan, when nothing uses the plan), so an invoice that names
 *     a version always shows what was sold.
 *   - A plan points to its current version, which must be one of its own.
 *   - Prices are the rate components of src/core/rating.ts, per currency, as JSON with decimal
 *     strings; fixed discount amounts are minor units (bigint); percentages are exact numerics.
 */
const statements = [
  `create table tax_classes (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    code text not null check (code ~ '^[A-Za-z0-9_.-]{1,40}$'),
    name text not null check (length(name) between 1 and 200),
    inclusive boolean not null,
    rates jsonb not null check (jsonb_typeof(rates) = 'array' and jsonb_array_length(rates) between 1 and 10),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, code)
  )`,

  `create table plans (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    code text not null check (code ~ '^[A-Za-z0-9_.-]{1,40}$'),
    name text not null check (length(name) between 1 and 200),
    description text not null default '' check (length(description) <= 2000),
    service_type text not null check (service_type in ('pppoe', 'hotspot', 'static_ip', 'bulk_bandwidth', 'cable_tv', 'other')),
    kind text not null check (kind in ('plan', 'addon', 'bundle', 'one_off')),
    billing_model text not null check (billing_model in ('prepaid', 'postpaid', 'usage')),
    status text not null default 'active' check (status in ('active', 'archived')),
    shared_with_subtree boolean not null default false,
    current_version_id uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, code)
  )`,
  `create index plans_organization_name_idx on plans (organization_id, name)`,
  `create index plans_shared_idx on plans (organization_id) where shared_with_subtree`,

  `create table plan_versions (
    id uuid primary key default gen_random_uuid(),
    plan_id uuid not null references plans(id) on delete cascade,
    version integer not null check (version >= 1),
    cycle text not null check (cycle in ('monthly', 'quarterly', 'yearly', 'daily', 'validity', 'one_time')),
    alignment text check (alignment in ('anniversary', 'calendar')),
    validity_unit text check (validity_unit in ('hours', 'days')),
    validity_length integer check (validity_length between 1 and 100000),
    charge_timing text not null check (charge_timing in ('in_advance', 'in_arrears')),
    grace_days integer not null default 0 check (grace_days between 0 and 365),
    prices jsonb not null check (jsonb_typeof(prices) = 'object' and prices <> '{}'::jsonb),
    tax_class_id uuid references tax_classes(id),
    download_kbps integer check (download_kbps > 0),
    download_burst_kbps integer,
    download_burst_threshold_kbps integer,
    download_burst_seconds integer,
    upload_kbps integer check (upload_kbps > 0),
    upload_burst_kbps integer,
    upload_burst_threshold_kbps integer,
    upload_burst_seconds integer,
    data_quota_bytes bigint check (data_quota_bytes > 0),
    time_quota_seconds integer check (time_quota_seconds > 0),
    throttle_download_kbps integer check (throttle_download_kbps > 0),
    throttle_upload_kbps integer check (throttle_upload_kbps > 0),
    ip_pool text check (ip_pool ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    address_list text check (address_list ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    valid_from timestamptz not null,
    created_at timestamptz not null default now(),
    created_by uuid,
    unique (plan_id, version),
    unique (plan_id, id),
    check ((cycle in ('monthly', 'quarterly', 'yearly')) = (alignment is not null)),
    check ((cycle = 'validity') = (validity_unit is not null) and (validity_unit is null) = (validity_length is null)),
    check (cycle not in ('validity', 'one_time') or charge_timing = 'in_advance'),
    check (num_nulls(download_burst_kbps, download_burst_threshold_kbps, download_burst_seconds) in (0, 3)),
    check (download_burst_kbps is null or (download_kbps is not null and download_burst_kbps > download_kbps
           and download_burst_threshold_kbps between 1 and download_kbps and download_burst_seconds between 1 and 3600)),
    check (num_nulls(upload_burst_kbps, upload_burst_threshold_kbps, upload_burst_seconds) in (0, 3)),
    check (upload_burst_kbps is null or (upload_kbps is not null and upload_burst_kbps > upload_kbps
           and upload_burst_threshold_kbps between 1 and upload_kbps and upload_burst_seconds between 1 and 3600)),
    check ((throttle_download_kbps is null) = (throttle_upload_kbps is null)),
    check (throttle_download_kbps is null or data_quota_bytes is not null or time_quota_seconds is not null)
  )`,
  `alter table plans add constraint plans_current_version_fkey foreign key (id, current_version_id)
     references plan_versions (plan_id, id) deferrable initially deferred`,
  `create index plan_versions_tax_class_idx on plan_versions (tax_class_id) where tax_class_id is not null`,

  // A version is deleted only with its plan (the cascade runs after the plan row is gone).
  `create function plan_versions_immutable() returns trigger language plpgsql as $$
   begin
     if tg_op = 'DELETE' then
       if not exists (select 1 from plans where id = old.plan_id) then
         return old;
       end if;
     end if;
     raise exception 'plan versions never change: % is not allowed; create a new version instead', tg_op
       using errcode = 'insufficient_privilege';
   end $$`,
  `create trigger plan_versions_immutable before update or delete on plan_versions for each row execute function plan_versions_immutable()`,
  `create trigger plan_versions_no_truncate before truncate on plan_versions for each statement execute function plan_versions_immutable()`,

  `create table plan_bundle_items (
    bundle_plan_id uuid not null references plans(id) on delete cascade,
    item_plan_id uuid not null references plans(id),
    quantity integer not null default 1 check (quantity between 1 and 1000),
    primary key (bundle_plan_id, item_plan_id),
    check (bundle_plan_id <> item_plan_id)
  )`,
  `create index plan_bundle_items_item_idx on plan_bundle_items (item_plan_id)`,

  `create table discounts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    name text not null check (length(name) between 1 and 200),
    coupon_code text check (coupon_code ~ '^[A-Z0-9_-]{3,40}$'),
    kind text not null check (kind in ('percentage', 'fixed')),
    percent numeric check (percent > 0 and percent <= 100 and percent = round(percent, 4)),
    amount_minor bigint check (amount_minor > 0),
    currency char(3) check (currency ~ '^[A-Z]{3}$'),
    starts_at timestamptz,
    ends_at timestamptz,
    max_redemptions integer check (max_redemptions > 0),
    redemption_count integer not null default 0 check (redemption_count >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((kind = 'percentage') = (percent is not null)),
    check ((kind = 'fixed') = (amount_minor is not null) and (amount_minor is null) = (currency is null)),
    check (ends_at is null or starts_at is null or ends_at > starts_at),
    check (max_redemptions is null or redemption_count <= max_redemptions)
  )`,
  `create unique index discounts_coupon_code_key on discounts (organization_id, coupon_code) where coupon_code is not null`,
  `create index discounts_organization_idx on discounts (organization_id, name)`,

  // No plans listed: the discount applies to every plan.
  `create table discount_plans (
    discount_id uuid not null references discounts(id) on delete cascade,
    plan_id uuid not null references plans(id),
    primary key (discount_id, plan_id)
  )`,
  `create index discount_plans_plan_idx on discount_plans (plan_id)`,

  // One row per use of a discount; the reference (a subscription, an invoice) makes a repeat harmless.
  `create table discount_redemptions (
    id uuid primary key default gen_random_uuid(),
    discount_id uuid not null references discounts(id),
    reference text not null check (length(reference) between 1 and 200),
    redeemed_at timestamptz not null,
    unique (discount_id, reference)
  )`,
];

// Hard-coded, not read from permissions.ts, so this migration means the same thing forever.
const permissions = ['plans.read', 'plans.create', 'plans.update', 'plans.delete', 'plans.export'];
const grants: Record<string, string[]> = {
  developer: permissions,
  super_admin: permissions,
  admin: permissions,
  manager: ['plans.read', 'plans.create', 'plans.update', 'plans.export'],
  accountant: ['plans.read', 'plans.export'],
  reseller: ['plans.read', 'plans.create', 'plans.update'],
  sub_reseller: ['plans.read', 'plans.create', 'plans.update'],
  staff: ['plans.read'],
  support: ['plans.read'],
};

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  // A database created after permissions.ts listed plans already has these rows from the foundation.
  await db
    .insertInto('permissions')
    .values(permissions.map((key) => ({ key })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  for (const [role, granted] of Object.entries(grants))
    await sql`insert into role_permissions (role_key, permission_key)
      select r.key, p.key from roles r cross join unnest(${granted}::text[]) as p(key) where r.key = ${role}
      on conflict do nothing`.execute(db);
}
