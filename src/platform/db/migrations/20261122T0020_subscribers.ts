import { sql, type Kysely } from 'kysely';

/*
 * Subscribers: the ISP's customers, with their contacts, addresses, status history, KYC documents
 * and notes. Account numbers come from one counter row per organization, taken under that row's
 * lock in the creating transaction: a rollback gives the number back, so numbers have no gaps.
 * `search_text` is the lower-case text that search matches (names, account number, national id,
 * every contact in the forms people type), under a trigram index so `like '%fragment%'` stays
 * fast at a million subscribers.
 */
const statements = [
  `create extension if not exists pg_trgm`,

  `create table subscriber_sequences (
    organization_id uuid primary key references organizations(id),
    format text not null default '{seq:6}' check (format ~ '^[A-Za-z0-9/._-]{0,12}\\{seq(:[1-9][0-9]?)?\\}[A-Za-z0-9/._-]{0,12}$'),
    last_number bigint not null default 0 check (last_number >= 0)
  )`,

  `create table subscribers (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    account_number text not null check (length(account_number) between 1 and 40),
    kind text not null default 'person' check (kind in ('person', 'company')),
    name text not null check (length(name) between 1 and 200),
    company_name text check (length(company_name) between 1 and 200),
    national_id text check (length(national_id) between 1 and 60),
    status text not null default 'lead' check (status in ('lead', 'active', 'suspended', 'disconnected', 'archived')),
    assigned_user_id uuid references users(id) on delete set null,
    tags text[] not null default '{}',
    custom_fields jsonb not null default '{}' check (jsonb_typeof(custom_fields) = 'object'),
    suspend_on date,
    suspend_reason text check (length(suspend_reason) <= 500),
    search_text text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, account_number),
    check ((suspend_on is null) = (suspend_reason is null))
  )`,
  `create index subscribers_search_idx on subscribers using gin (search_text gin_trgm_ops)`,
  `create index subscribers_name_idx on subscribers (name, id)`,
  `create index subscribers_account_number_idx on subscribers (account_number, id)`,
  `create index subscribers_account_number_lower_idx on subscribers (lower(account_number))`,
  // Carries the search text: a search matching thousands walks it newest first without reading the table.
  `create index subscribers_created_idx on subscribers (created_at, id) include (organization_id, search_text)`,
  `create index subscribers_organization_idx on subscribers (organization_id, status)`,
  `create index subscribers_assigned_idx on subscribers (assigned_user_id) where assigned_user_id is not null`,
  `create index subscribers_tags_idx on subscribers using gin (tags)`,
  `create index subscribers_suspend_on_idx on subscribers (suspend_on) where suspend_on is not null`,

  `create table subscriber_contacts (
    id uuid primary key default gen_random_uuid(),
    subscriber_id uuid not null references subscribers(id) on delete cascade,
    kind text not null check (kind in ('phone', 'email', 'whatsapp')),
    value text not null check (length(value) between 3 and 254),
    label text check (length(label) <= 60),
    is_primary boolean not null default false,
    created_at timestamptz not null default now(),
    unique (subscriber_id, kind, value)
  )`,
  `create unique index subscriber_contacts_one_primary on subscriber_contacts (subscriber_id, kind) where is_primary`,
  `create index subscriber_contacts_value_idx on subscriber_contacts (value)`,

  `create table subscriber_addresses (
    id uuid primary key default gen_random_uuid(),
    subscriber_id uuid not null references subscribers(id) on delete cascade,
    label text check (length(label) <= 60),
    line1 text not null check (length(line1) between 1 and 200),
    line2 text check (length(line2) <= 200),
    city text check (length(city) <= 100),
    region text check (length(region) <= 100),
    country char(2) check (country ~ '^[A-Z]{2}$'),
    latitude numeric(9, 6) check (latitude between -90 and 90),
    longitude numeric(9, 6) check (longitude between -180 and 180),
    is_installation boolean not null default false,
    created_at timestamptz not null default now(),
    check ((latitude is null) = (longitude is null))
  )`,
  `create index subscriber_addresses_subscriber_idx on subscriber_addresses (subscriber_id)`,

  `create table subscriber_status_history (
    id bigserial primary key,
    subscriber_id uuid not null references subscribers(id) on delete cascade,
    from_status text,
    to_status text not null,
    reason text not null default '' check (length(reason) <= 500),
    at timestamptz not null,
    changed_by uuid references users(id) on delete set null
  )`,
  `create index subscriber_status_history_subscriber_idx on subscriber_status_history (subscriber_id, id)`,

  // KYC documents are kept while the subscriber exists: a subscriber with documents cannot be deleted.
  `create table subscriber_documents (
    id uuid primary key default gen_random_uuid(),
    subscriber_id uuid not null references subscribers(id),
    kind text not null check (kind in ('national_id', 'passport', 'business_registration', 'other')),
    file_key text not null unique,
    filename text not null check (length(filename) between 1 and 255),
    mime_type text not null check (mime_type in ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes bigint not null check (size_bytes > 0),
    sha256 char(64) not null,
    uploaded_by uuid references users(id) on delete set null,
    uploaded_at timestamptz not null
  )`,
  `create index subscriber_documents_subscriber_idx on subscriber_documents (subscriber_id)`,

  `create table subscriber_notes (
    id uuid primary key default gen_random_uuid(),
    subscriber_id uuid not null references subscribers(id) on delete cascade,
    body text not null check (length(body) between 1 and 5000),
    author_id uuid references users(id) on delete set null,
    created_at timestamptz not null
  )`,
  `create index subscriber_notes_subscriber_idx on subscriber_notes (subscriber_id, created_at)`,
];

// Hard-coded, not read from permissions.ts, so this migration means the same thing forever.
const all = ['subscribers.read', 'subscribers.create', 'subscribers.update', 'subscribers.delete', 'subscribers.export'];
const grants: Record<string, string[]> = {
  developer: all,
  super_admin: all,
  admin: all,
  reseller: all,
  sub_reseller: all,
  manager: ['subscribers.read', 'subscribers.create', 'subscribers.update', 'subscribers.export'],
  staff: ['subscribers.read', 'subscribers.create', 'subscribers.update', 'subscribers.export'],
  support: ['subscribers.read', 'subscribers.update'],
  accountant: ['subscribers.read', 'subscribers.export'],
};

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
  // A database created after permissions.ts listed subscribers already has these rows from the foundation.
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
