import { sql, type Kysely } from 'kysely';

/*
 * Router management (MikroTik): configuration backups, the log of every command sent to a router,
 * and the pinned TLS certificate of a router's API. All hang off a NAS and go with it.
 *   - A backup is the router's `/export` script, kept whole (history) with its SHA-256, so two
 *     backups can be compared line by line and an unchanged configuration is recognised.
 *   - The command log holds the words sent with secrets masked (never a password), the outcome
 *     and the duration; it only grows.
 *   - A pin is the SHA-256 fingerprint of the certificate the router presents on API-SSL/HTTPS:
 *     routers mostly use self-signed certificates that no CA can vouch for.
 */
const statements = [
  `create table router_backups (
    id uuid primary key default uuid_v7(),
    nas_id uuid not null references nas_devices(id) on delete cascade,
    organization_id uuid not null references organizations(id),
    trigger text not null check (trigger in ('schedule', 'manual')),
    content text not null,
    sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes integer not null check (size_bytes >= 0),
    created_at timestamptz not null default now(),
    created_by uuid references users(id)
  )`,
  `create index router_backups_nas_idx on router_backups (nas_id, created_at desc, id desc)`,
  `create table router_commands (
    id bigint generated always as identity primary key,
    nas_id uuid not null references nas_devices(id) on delete cascade,
    organization_id uuid not null references organizations(id),
    user_id uuid references users(id),
    protocol text not null check (protocol in ('binary', 'rest')),
    command text not null,
    outcome text not null check (outcome in ('ok', 'trap', 'error')),
    message text,
    duration_ms integer not null check (duration_ms >= 0),
    at timestamptz not null
  )`,
  `create index router_commands_nas_idx on router_commands (nas_id, id desc)`,
  `create table router_tls_pins (
    nas_id uuid primary key references nas_devices(id) on delete cascade,
    fingerprint_sha256 text not null check (fingerprint_sha256 ~ '^[0-9A-F]{2}(:[0-9A-F]{2}){31}$'),
    pinned_at timestamptz not null,
    pinned_by uuid references users(id)
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
