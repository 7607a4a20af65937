import { sql, type Kysely } from 'kysely';

/*
 * The network the ISP runs: its NAS (the routers and access servers that ask Uplink about their
 * subscribers over RADIUS). A NAS is found by the source address of its packets, so an address
 * belongs to one NAS in the whole database; its RADIUS shared secret and its management API
 * password are stored encrypted (SecretBox, platform/crypto.ts), never in the clear.
 * IPAM, router management and AAA add their own tables in later migrations.
 */
const statements = [
  `create table nas_devices (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    name text not null check (length(name) between 1 and 100),
    type text not null check (type in ('mikrotik', 'cisco', 'juniper', 'huawei', 'generic')),
    address inet not null check (masklen(address) = case family(address) when 4 then 32 else 128 end),
    secret_enc text not null,
    require_message_authenticator boolean not null default true,
    coa_port integer not null default 3799 check (coa_port between 1 and 65535),
    location text not null default '' check (length(location) <= 200),
    latitude numeric(9, 6) check (latitude between -90 and 90),
    longitude numeric(9, 6) check (longitude between -180 and 180),
    description text not null default '' check (length(description) <= 1000),
    api_kind text not null default 'none' check (api_kind in ('none', 'rest', 'binary')),
    api_port integer check (api_port between 1 and 65535),
    api_tls boolean not null default false,
    api_username text check (length(api_username) between 1 and 100),
    api_password_enc text,
    status text not null default 'unknown' check (status in ('unknown', 'up', 'down')),
    status_changed_at timestamptz,
    last_seen_at timestamptz,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((latitude is null) = (longitude is null)),
    check (api_kind = 'none' or (api_username is not null and api_password_enc is not null))
  )`,
  `create unique index nas_devices_address_key on nas_devices (address)`,
  `create unique index nas_devices_name_key on nas_devices (organization_id, lower(name))`,
];

// Hard-coded, not read from permissions.ts, so this migration means the same thing forever.
const nas = ['nas.read', 'nas.create', 'nas.update', 'nas.delete', 'nas.export'];
const ipam = ['ipam.read', 'ipam.create', 'ipam.update', 'ipam.delete'];
const sessions = ['sessions.read', 'sessions.update', 'sessions.export'];
const all = [...nas, ...ipam, ...sessions];
const grants: Record<string, string[]> = {
  developer: all,
  super_admin: all,
  admin: all,
  manager: ['nas.read', 'nas.update', 'nas.export', 'ipam.read', 'ipam.create', 'ipam.update', ...sessions],
  staff: ['nas.read', 'ipam.read', 'sessions.read', 'sessions.update'],
  support: ['nas.read', 'sessions.read', 'sessions.update'],
  accountant: ['sessions.read', 'sessions.export'],
  reseller: ['nas.read', 'nas.create', 'nas.update', 'ipam.read', 'ipam.create', 'ipam.update', ...sessions],
  sub_reseller: ['nas.read', 'ipam.read', 'sessions.read', 'sessions.update'],
};

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  await db
    .insertInto('permissions')
    .values(all.map((key) => ({ key })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  for (const [role, granted] of Object.entries(grants))
    await sql`insert into role_permissions (role_key, permission_key)
      select r.key, p.key from roles r cross join unnest(${granted}::text[]) as p(key) where r.key = ${role}
      on conflict do nothing`.execute(db);
}
