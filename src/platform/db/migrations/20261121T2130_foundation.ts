import { sql, type Kysely } from 'kysely';
import { allPermissions, defaultRoles } from '../../auth/permissions.ts';

const statements = [
  `create table organizations (
    id uuid primary key default gen_random_uuid(),
    parent_id uuid references organizations(id),
    kind text not null check (kind in ('isp', 'reseller', 'sub_reseller', 'card_partner')),
    name text not null check (length(name) between 1 and 200),
    path text not null unique,
    depth integer not null check (depth >= 0),
    currency char(3) not null default 'USD',
    timezone text not null default 'UTC',
    locale text not null default 'en',
    status text not null default 'active' check (status in ('active', 'disabled')),
    contact_email text,
    contact_phone text,
    address text,
    tax_id text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((parent_id is null) = (kind = 'isp'))
  )`,
  `create index organizations_path_idx on organizations (path text_pattern_ops)`,
  `create index organizations_parent_idx on organizations (parent_id)`,
  `create unique index organizations_single_root on organizations ((true)) where parent_id is null`,

  `create table roles (
    key text primary key check (key ~ '^[a-z][a-z0-9_]{1,39}$'),
    name text not null,
    description text not null default '',
    builtin boolean not null default false,
    created_at timestamptz not null default now()
  )`,
  `create table permissions (
    key text primary key,
    description text not null default ''
  )`,
  `create table role_permissions (
    role_key text not null references roles(key) on delete cascade,
    permission_key text not null references permissions(key) on delete cascade,
    primary key (role_key, permission_key)
  )`,

  `create table users (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    email text not null check (length(email) between 3 and 254),
    name text not null check (length(name) between 1 and 200),
    role_key text not null references roles(key),
    password_hash text,
    status text not null default 'active' check (status in ('active', 'disabled')),
    locale text,
    totp_secret_enc text,
    totp_enabled boolean not null default false,
    totp_last_step bigint,
    failed_login_count integer not null default 0,
    locked_until timestamptz,
    password_changed_at timestamptz,
    last_login_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create unique index users_email_key on users (lower(email))`,
  `create index users_organization_idx on users (organization_id)`,

  `create table sessions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users(id) on delete cascade,
    token_hash bytea not null unique,
    csrf_token text not null,
    active_organization_id uuid not null references organizations(id),
    ip text,
    user_agent text,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null,
    ended_at timestamptz,
    end_reason text
  )`,
  `create index sessions_user_idx on sessions (user_id) where ended_at is null`,

  `create table user_tokens (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references users(id) on delete cascade,
    purpose text not null check (purpose in ('setup', 'mfa', 'password_reset')),
    token_hash bytea not null unique,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`,

  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    user_id uuid not null references users(id) on delete cascade,
    name text not null check (length(name) between 1 and 100),
    token_prefix text not null,
    token_hash bytea not null unique,
    scopes text[] not null,
    created_at timestamptz not null,
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz
  )`,
  `create index api_tokens_organization_idx on api_tokens (organization_id)`,

  `create table audit_log (
    seq bigint primary key,
    at timestamptz not null,
    organization_id uuid,
    organization_path text,
    actor_type text not null check (actor_type in ('user', 'api_token', 'system', 'anonymous')),
    actor_id text,
    actor_label text,
    action text not null,
    object_type text,
    object_id text,
    before jsonb,
    after jsonb,
    request_id text,
    ip text,
    prev_hash text not null,
    hash text not null
  )`,
  `create index audit_log_org_path_idx on audit_log (organization_path text_pattern_ops, seq)`,
  `create index audit_log_object_idx on audit_log (object_type, object_id)`,
  `create index audit_log_at_idx on audit_log (at)`,
  `create function audit_log_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
   end $$`,
  `create trigger audit_log_no_update before update or delete on audit_log
     for each row execute function audit_log_append_only()`,
  `create trigger audit_log_no_truncate before truncate on audit_log
     for each statement execute function audit_log_append_only()`,

  `create table idempotency_keys (
    principal text not null,
    key text not null,
    method text not null,
    path text not null,
    request_hash text not null,
    state text not null check (state in ('running', 'done')),
    response_status integer,
    response_type text,
    response_body text,
    created_at timestamptz not null,
    completed_at timestamptz,
    primary key (principal, key)
  )`,
  `create index idempotency_keys_created_idx on idempotency_keys (created_at)`,

  `create table settings (
    key text primary key,
    value jsonb not null,
    updated_at timestamptz not null default now(),
    updated_by uuid
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  await db
    .insertInto('permissions')
    .values(allPermissions.map((key) => ({ key })))
    .execute();
  for (const [key, role] of Object.entries(defaultRoles)) {
    await db.insertInto('roles').values({ key, name: role.name, description: role.description, builtin: true }).execute();
    if (role.permissions.length > 0)
      await db
        .insertInto('role_permissions')
        .values(role.permissions.map((p) => ({ role_key: key, permission_key: p })))
        .execute();
  }
}
