import { sql, type Kysely } from 'kysely';

/*
 * IP address management and NAS health.
 *
 * A pool is a named set of subnets (the name is what a plan's `ip_pool` says, so a plan's pool name
 * resolves to a pool); it hands out single addresses (IPv4 or IPv6) or, for IPv6, delegated
 * prefixes of one length (a /56 per subscriber out of a /40). Subnets never overlap anywhere in the
 * database, and assignments never overlap either: both are exclusion constraints on the cidr with
 * the gist inet_ops operator class, so two concurrent writers cannot both win. Reservations keep
 * ranges (gateways, infrastructure) out of allocation.
 *
 * nas_events is the netwatch history: a NAS that goes down or comes back.
 */
const statements = [
  `create table ip_pools (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    nas_id uuid references nas_devices(id),
    name text not null check (name ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    family smallint not null check (family in (4, 6)),
    kind text not null default 'address' check (kind in ('address', 'prefix')),
    prefix_length smallint check (prefix_length between 1 and 128),
    description text not null default '' check (length(description) <= 1000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((kind = 'prefix') = (prefix_length is not null)),
    check (kind = 'address' or (family = 6 and prefix_length between 16 and 128))
  )`,
  `create unique index ip_pools_name_key on ip_pools (organization_id, lower(name))`,
  `create index ip_pools_nas_idx on ip_pools (nas_id) where nas_id is not null`,
  `create table ip_subnets (
    id uuid primary key default uuid_v7(),
    pool_id uuid not null references ip_pools(id) on delete cascade,
    organization_id uuid not null references organizations(id),
    cidr cidr not null,
    gateway inet,
    description text not null default '' check (length(description) <= 1000),
    created_at timestamptz not null default now(),
    check (gateway is null or (family(gateway) = family(cidr) and cidr >>= gateway and masklen(gateway) = case family(gateway) when 4 then 32 else 128 end)),
    constraint ip_subnets_no_overlap exclude using gist (cidr inet_ops with &&)
  )`,
  `create index ip_subnets_pool_idx on ip_subnets (pool_id)`,
  `create table ip_reservations (
    id uuid primary key default uuid_v7(),
    subnet_id uuid not null references ip_subnets(id) on delete cascade,
    first_address inet not null,
    last_address inet not null,
    reason text not null default '' check (length(reason) <= 200),
    created_at timestamptz not null default now(),
    check (family(first_address) = family(last_address) and first_address <= last_address)
  )`,
  `create index ip_reservations_subnet_idx on ip_reservations (subnet_id)`,
  `create table ip_assignments (
    id uuid primary key default uuid_v7(),
    pool_id uuid not null references ip_pools(id),
    subnet_id uuid not null references ip_subnets(id),
    organization_id uuid not null references organizations(id),
    address cidr not null,
    subscription_id uuid references subscriptions(id) on delete cascade,
    kind text not null check (kind in ('static', 'allocated')),
    note text not null default '' check (length(note) <= 200),
    created_at timestamptz not null default now(),
    constraint ip_assignments_no_overlap exclude using gist (address inet_ops with &&)
  )`,
  `create index ip_assignments_subnet_idx on ip_assignments (subnet_id)`,
  `create unique index ip_assignments_subscription_key on ip_assignments (subscription_id, pool_id) where subscription_id is not null`,
  `create table nas_events (
    id uuid primary key default uuid_v7(),
    nas_id uuid not null references nas_devices(id) on delete cascade,
    organization_id uuid not null references organizations(id),
    kind text not null check (kind in ('down', 'up')),
    at timestamptz not null,
    details jsonb not null default '{}'
  )`,
  `create index nas_events_nas_idx on nas_events (nas_id, at desc)`,
  `create index nas_events_org_idx on nas_events (organization_id, at desc)`,
  // Every process that answers RADIUS keeps the NAS list in memory (network/radius-clients.ts): a
  // change to what it holds, by any process or by hand, tells them all to reload. Health updates
  // (status, last_seen_at) do not touch these columns, so they do not cause reloads.
  `create function nas_notify_changed() returns trigger language plpgsql as $$
   begin
     perform pg_notify('uplink_nas_changed', '');
     return null;
   end $$`,
  `create trigger nas_devices_changed after insert or delete or update of organization_id, name, type, address, secret_enc,
     require_message_authenticator, coa_port, active on nas_devices for each statement execute function nas_notify_changed()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
