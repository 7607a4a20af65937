import { sql, type Kysely } from 'kysely';

/*
 * Statement reconciliation: bank and M-PESA statements imported line by line and matched to the
 * payments we recorded. A statement source is one account's statements (a paybill, a bank account)
 * with its column mapping; its lines are unique on (source, dedupe key) — the transaction id and the
 * line's kind, or a hash of the line when the statement has no ids — so a statement imported twice
 * adds nothing. A payment is matched to at most one line (unique index), a matched line names its
 * payment (check), so neither side can be counted twice.
 */
const statements = [
  `create table statement_sources (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    key text not null check (key ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name text not null check (length(name) between 1 and 100),
    preset text not null check (preset in ('mpesa_paybill', 'generic_bank', 'custom')),
    gateway text check (gateway ~ '^[a-z_]{1,30}(:[a-z0-9_-]{1,40})?$'),
    channels text[] not null check (cardinality(channels) between 1 and 20),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    mapping jsonb not null check (jsonb_typeof(mapping) = 'object'),
    auto_credit boolean not null default false,
    date_window_days integer not null default 3 check (date_window_days between 0 and 31),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, key)
  )`,
  `create table statement_imports (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    source_id uuid not null references statement_sources(id),
    filename text not null check (length(filename) <= 255),
    file_sha256 text not null check (file_sha256 ~ '^[0-9a-f]{64}$'),
    period_from date not null,
    period_to date not null check (period_to >= period_from),
    lines_total integer not null check (lines_total >= 0),
    lines_new integer not null check (lines_new >= 0),
    rows_skipped integer not null check (rows_skipped >= 0),
    imported_by uuid references users(id),
    created_at timestamptz not null
  )`,
  `create index statement_imports_source_idx on statement_imports (source_id, created_at desc)`,
  `create table statement_lines (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    source_id uuid not null references statement_sources(id),
    import_id uuid not null references statement_imports(id),
    line_no integer not null check (line_no > 0),
    dedupe_key text not null check (length(dedupe_key) between 1 and 200),
    kind text not null check (kind in ('receipt', 'fee', 'settlement', 'payout')),
    posted_at timestamptz not null,
    amount bigint not null check (amount > 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    transaction_id text check (length(transaction_id) between 1 and 100),
    reference text check (length(reference) <= 100),
    description text check (length(description) <= 500),
    payer_name text check (length(payer_name) <= 200),
    payer_phone text check (length(payer_phone) <= 40),
    status text not null check (status in ('unmatched', 'matched', 'ignored', 'info')),
    payment_id uuid references payments(id),
    match_method text check (match_method in ('transaction_id', 'reference', 'manual', 'credited')),
    note text check (note in ('ambiguous', 'lost_callback')),
    ignore_reason text check (length(ignore_reason) between 1 and 500),
    matched_at timestamptz,
    matched_by uuid references users(id),
    raw jsonb not null default '{}' check (jsonb_typeof(raw) = 'object'),
    unique (source_id, dedupe_key),
    check ((status = 'matched') = (payment_id is not null)),
    check ((status = 'matched') = (match_method is not null)),
    check ((status = 'ignored') = (ignore_reason is not null)),
    check ((kind = 'receipt') = (status <> 'info'))
  )`,
  `create unique index statement_lines_payment_uidx on statement_lines (payment_id) where payment_id is not null`,
  `create index statement_lines_source_idx on statement_lines (source_id, posted_at)`,
  `create index statement_lines_open_idx on statement_lines (source_id, posted_at) where status = 'unmatched'`,
  `create index statement_lines_transaction_idx on statement_lines (organization_id, transaction_id) where transaction_id is not null`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
