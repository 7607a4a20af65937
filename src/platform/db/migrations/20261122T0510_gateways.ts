import { sql, type Kysely } from 'kysely';

/*
 * Online payment gateways: each organization's gateway accounts (credentials sealed with the
 * server's secret key, and a random secret for callback paths of gateways that sign nothing),
 * checkout attempts (payment intents), every callback received, and security events for callbacks
 * that must not be believed. An intent's gateway reference is unique per account: a callback names
 * one attempt. The money itself is a row of payments, keyed on the gateway's transaction id.
 */
const statements = [
  `create table gateway_accounts (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    kind text not null check (kind ~ '^[a-z]{1,20}(:[a-z0-9_-]{1,40})?$'),
    label text not null check (length(label) between 1 and 100),
    enabled boolean not null default true,
    credentials_enc text not null,
    callback_secret_enc text not null,
    accept_unknown_references boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, kind)
  )`,
  `create table payment_intents (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    gateway_account_id uuid not null references gateway_accounts(id),
    gateway_kind text not null,
    gateway_ref text check (length(gateway_ref) between 1 and 200),
    amount bigint not null check (amount > 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    purpose text not null check (purpose in ('invoice', 'wallet')),
    invoice_id uuid references invoices(id),
    phone text check (length(phone) <= 40),
    redirect_url text check (length(redirect_url) <= 2000),
    status text not null default 'pending' check (status in ('pending', 'paid', 'failed', 'expired')),
    failure_code text check (length(failure_code) <= 60),
    failure_message text check (length(failure_message) <= 500),
    payment_id uuid references payments(id),
    transaction_id text check (length(transaction_id) <= 100),
    checked_at timestamptz,
    settled_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (gateway_account_id, gateway_ref),
    check ((purpose = 'invoice') = (invoice_id is not null)),
    check ((status = 'paid') = (payment_id is not null))
  )`,
  `create index payment_intents_subscriber_idx on payment_intents (subscriber_id, created_at desc)`,
  `create index payment_intents_pending_idx on payment_intents (created_at) where status = 'pending'`,
  `create table gateway_events (
    id uuid primary key default uuid_v7(),
    organization_id uuid references organizations(id),
    gateway_account_id uuid references gateway_accounts(id),
    endpoint text not null check (length(endpoint) <= 60),
    body_hash text not null,
    outcome text not null check (length(outcome) <= 30),
    result text not null check (length(result) <= 500),
    intent_id uuid references payment_intents(id),
    payment_id uuid references payments(id),
    remote_address text check (length(remote_address) <= 100),
    received_at timestamptz not null
  )`,
  `create index gateway_events_account_idx on gateway_events (gateway_account_id, received_at desc)`,
  `create table payment_security_events (
    id uuid primary key default uuid_v7(),
    organization_id uuid references organizations(id),
    gateway_account_id uuid references gateway_accounts(id),
    gateway text not null check (length(gateway) <= 60),
    kind text not null check (kind in ('bad_signature', 'stale_timestamp', 'bad_secret', 'malformed', 'mismatch', 'unknown_account', 'unknown_reference')),
    remote_address text check (length(remote_address) <= 100),
    detail text not null check (length(detail) <= 1000),
    at timestamptz not null
  )`,
  `create index payment_security_events_org_idx on payment_security_events (organization_id, at desc)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
