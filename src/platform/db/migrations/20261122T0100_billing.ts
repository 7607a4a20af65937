import { sql, type Kysely } from 'kysely';

/*
 * Subscriptions, usage, invoices and billing runs.
 *   - A subscription sells one plan to one subscriber. Its billing state is two instants:
 *     `billed_through` (the end of the last period invoiced) and `next_bill_at` (when the billing run
 *     next picks it up: the start of the next period for in-advance plans, its end for in-arrears).
 *   - Exactly one recurring line and one usage line per subscription and period: a unique index, so
 *     a crashed, repeated or concurrent billing run can never bill a period twice.
 *   - Invoice numbers come from one counter row per organization, taken under its row lock when the
 *     invoice is issued (drafts have no number): a rollback gives the number back, so there are no
 *     gaps. A credit note is an invoice of kind `credit_note` that names the invoice it corrects.
 *   - Money columns are bigint minor units of the invoice's currency; quantities and unit prices are
 *     exact numerics.
 */
const statements = [
  // Per-organization billing rules. Rounding is per currency: {"KES": {"mode": "half-up", "increment": 100}}.
  `create table billing_settings (
    organization_id uuid primary key references organizations(id),
    approval_required boolean not null default false,
    due_days integer not null default 14 check (due_days between 0 and 365),
    grace_days integer not null default 3 check (grace_days between 0 and 365),
    rounding jsonb not null default '{}' check (jsonb_typeof(rounding) = 'object'),
    payment_instructions text not null default '' check (length(payment_instructions) <= 2000),
    invoice_footer text not null default '' check (length(invoice_footer) <= 2000),
    logo_file_key text,
    updated_at timestamptz not null default now()
  )`,

  `create table invoice_sequences (
    organization_id uuid primary key references organizations(id),
    format text not null default 'INV-{seq:6}' check (format ~ '^[A-Za-z0-9/._-]{0,12}(\\{year\\}[A-Za-z0-9/._-]{0,6})?\\{seq(:[1-9][0-9]?)?\\}[A-Za-z0-9/._-]{0,12}$'),
    credit_note_format text not null default 'CN-{seq:6}' check (credit_note_format ~ '^[A-Za-z0-9/._-]{0,12}(\\{year\\}[A-Za-z0-9/._-]{0,6})?\\{seq(:[1-9][0-9]?)?\\}[A-Za-z0-9/._-]{0,12}$'),
    last_invoice bigint not null default 0 check (last_invoice >= 0),
    last_credit_note bigint not null default 0 check (last_credit_note >= 0)
  )`,

  `create table penalty_classes (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    name text not null check (length(name) between 1 and 200),
    kind text not null check (kind in ('fixed', 'percentage')),
    amount numeric check (amount > 0),
    percent numeric check (percent > 0 and percent <= 100),
    minimum numeric check (minimum >= 0),
    currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
    days_after_due integer not null default 0 check (days_after_due between 0 and 365),
    penalty_on_penalty boolean not null default false,
    created_at timestamptz not null default now(),
    unique (organization_id, name),
    check ((kind = 'fixed') = (amount is not null)),
    check ((kind = 'percentage') = (percent is not null))
  )`,
  `alter table subscribers add column penalty_class_id uuid references penalty_classes(id)`,
  `create index subscribers_penalty_class_idx on subscribers (penalty_class_id) where penalty_class_id is not null`,

  // A customer login of the portal belongs to one subscriber.
  `alter table users add column subscriber_id uuid references subscribers(id)`,
  `create unique index users_subscriber_idx on users (subscriber_id) where subscriber_id is not null`,

  `create table subscriptions (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    plan_id uuid not null references plans(id),
    currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
    status text not null default 'pending' check (status in ('pending', 'active', 'grace', 'suspended', 'terminated')),
    status_reason text not null default '' check (length(status_reason) <= 500),
    quantity integer not null default 1 check (quantity between 1 and 10000),
    discount_id uuid references discounts(id),
    auto_renew boolean not null default true,
    starts_at timestamptz not null,
    activated_at timestamptz,
    billed_through timestamptz,
    next_bill_at timestamptz,
    grace_until timestamptz,
    suspend_at timestamptz,
    resume_at timestamptz,
    terminate_at timestamptz,
    terminated_at timestamptz,
    pending_plan_id uuid references plans(id),
    username text check (username ~ '^[A-Za-z0-9@._:+-]{1,64}$'),
    password_enc text,
    mac_address text check (mac_address ~ '^[0-9A-F]{2}(:[0-9A-F]{2}){5}$'),
    static_ipv4 inet check (family(static_ipv4) = 4 and masklen(static_ipv4) = 32),
    static_ipv6_prefix cidr check (family(static_ipv6_prefix) = 6),
    simultaneous_use integer not null default 1 check (simultaneous_use between 1 and 100),
    installation_address_id uuid references subscriber_addresses(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((username is null) = (password_enc is null)),
    check (status <> 'terminated' or terminated_at is not null)
  )`,
  `create unique index subscriptions_username_key on subscriptions (lower(username)) where username is not null and status <> 'terminated'`,
  `create unique index subscriptions_static_ipv4_key on subscriptions (static_ipv4) where static_ipv4 is not null and status <> 'terminated'`,
  `create index subscriptions_subscriber_idx on subscriptions (subscriber_id, created_at)`,
  `create index subscriptions_organization_idx on subscriptions (organization_id, status)`,
  `create index subscriptions_next_bill_idx on subscriptions (next_bill_at) where status in ('active', 'grace') and next_bill_at is not null`,
  `create index subscriptions_plan_idx on subscriptions (plan_id)`,
  `create index subscriptions_scheduled_idx on subscriptions (least(suspend_at, resume_at, terminate_at, grace_until))
     where suspend_at is not null or resume_at is not null or terminate_at is not null or grace_until is not null`,
  `create index subscriptions_pending_idx on subscriptions (starts_at) where status = 'pending'`,

  `create table subscription_events (
    id bigserial primary key,
    subscription_id uuid not null references subscriptions(id) on delete cascade,
    kind text not null check (kind ~ '^[a-z_]{1,40}$'),
    from_status text,
    to_status text,
    reason text not null default '' check (length(reason) <= 500),
    details jsonb not null default '{}',
    at timestamptz not null,
    actor_id uuid references users(id) on delete set null
  )`,
  `create index subscription_events_subscription_idx on subscription_events (subscription_id, id)`,

  `create table usage_records (
    id bigserial primary key,
    subscription_id uuid not null references subscriptions(id),
    unit text not null check (unit ~ '^[A-Za-z][A-Za-z0-9_]{0,19}$'),
    quantity numeric not null check (quantity >= 0),
    occurred_at timestamptz not null,
    source text not null check (source in ('manual', 'import', 'radius')),
    reference text check (length(reference) between 1 and 200),
    created_at timestamptz not null default now(),
    created_by uuid references users(id) on delete set null
  )`,
  `create index usage_records_subscription_idx on usage_records (subscription_id, occurred_at)`,
  `create unique index usage_records_reference_key on usage_records (subscription_id, reference) where reference is not null`,

  `create table billing_runs (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    as_of timestamptz not null,
    dry_run boolean not null default false,
    status text not null default 'running' check (status in ('running', 'completed', 'failed')),
    subscriptions_billed integer not null default 0,
    invoices_created integer not null default 0,
    totals jsonb not null default '{}',
    error text,
    started_at timestamptz not null,
    finished_at timestamptz,
    started_by uuid references users(id) on delete set null
  )`,
  `create index billing_runs_organization_idx on billing_runs (organization_id, started_at)`,

  `create table invoices (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    kind text not null default 'invoice' check (kind in ('invoice', 'credit_note')),
    credits_invoice_id uuid references invoices(id),
    number text check (length(number) between 1 and 60),
    status text not null default 'draft'
      check (status in ('draft', 'in_review', 'approved', 'open', 'partially_paid', 'overdue', 'paid', 'void')),
    source text not null default 'manual' check (source in ('manual', 'billing_run', 'plan_change', 'penalty', 'renewal')),
    currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
    issue_date date,
    due_date date,
    period_start timestamptz,
    period_end timestamptz,
    subtotal bigint not null default 0,
    discount_total bigint not null default 0,
    tax_total bigint not null default 0,
    total bigint not null default 0,
    amount_paid bigint not null default 0 check (amount_paid >= 0),
    amount_credited bigint not null default 0 check (amount_credited >= 0),
    taxes jsonb not null default '[]' check (jsonb_typeof(taxes) = 'array'),
    customer jsonb not null default '{}' check (jsonb_typeof(customer) = 'object'),
    memo text not null default '' check (length(memo) <= 2000),
    billing_run_id uuid references billing_runs(id),
    journal_entry_id uuid,
    penalized boolean not null default false,
    issued_at timestamptz,
    approved_by uuid references users(id) on delete set null,
    voided_at timestamptz,
    void_reason text check (length(void_reason) <= 500),
    created_by uuid references users(id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (organization_id, kind, number),
    check ((kind = 'credit_note') = (credits_invoice_id is not null)),
    check ((number is null) = (status in ('draft', 'in_review', 'approved'))),
    check (amount_paid + amount_credited <= total or kind = 'credit_note')
  )`,
  `create index invoices_subscriber_idx on invoices (subscriber_id, created_at)`,
  `create index invoices_organization_idx on invoices (organization_id, status, due_date)`,
  `create index invoices_created_idx on invoices (created_at, id)`,
  `create index invoices_open_due_idx on invoices (due_date) where status in ('open', 'partially_paid', 'overdue')`,
  `create index invoices_billing_run_idx on invoices (billing_run_id) where billing_run_id is not null`,
  `create index invoices_credits_idx on invoices (credits_invoice_id) where credits_invoice_id is not null`,

  `create table invoice_lines (
    id bigserial primary key,
    invoice_id uuid not null references invoices(id) on delete cascade,
    line_no smallint not null check (line_no >= 1),
    kind text not null check (kind in ('recurring', 'usage', 'one_time', 'proration_credit', 'proration_charge', 'penalty', 'manual', 'credit')),
    subscription_id uuid references subscriptions(id),
    plan_version_id uuid references plan_versions(id),
    service_type text not null check (service_type ~ '^[a-z_]{1,40}$'),
    description_key text check (length(description_key) <= 100),
    description text not null default '' check (length(description) <= 500),
    details jsonb not null default '{}',
    quantity numeric not null,
    unit_price numeric not null,
    amount bigint not null,
    discount bigint not null default 0,
    net bigint not null,
    tax bigint not null default 0,
    gross bigint not null,
    taxes jsonb not null default '[]',
    period_start timestamptz,
    period_end timestamptz,
    penalty_for_invoice_id uuid references invoices(id),
    unique (invoice_id, line_no),
    check (net + tax = gross),
    check ((period_start is null) = (period_end is null) and (period_end is null or period_end > period_start))
  )`,
  // Database-enforced exactly-once billing: one recurring and one usage line per subscription and period.
  `create unique index invoice_lines_period_key on invoice_lines (subscription_id, kind, period_start)
     where subscription_id is not null and kind in ('recurring', 'usage')`,
  `create unique index invoice_lines_penalty_key on invoice_lines (penalty_for_invoice_id) where penalty_for_invoice_id is not null`,
  `create index invoice_lines_subscription_idx on invoice_lines (subscription_id) where subscription_id is not null`,

  // What settled an invoice: a wallet deduction, a payment, a credit note. Issue 5 adds payments.
  `create table invoice_allocations (
    id bigserial primary key,
    invoice_id uuid not null references invoices(id),
    source text not null check (source in ('wallet', 'payment', 'credit_note')),
    source_id uuid,
    amount bigint not null check (amount > 0),
    journal_entry_id uuid,
    created_at timestamptz not null
  )`,
  `create index invoice_allocations_invoice_idx on invoice_allocations (invoice_id)`,
];

// Hard-coded, not read from permissions.ts, so this migration means the same thing forever.
const subscriptions = ['subscriptions.read', 'subscriptions.create', 'subscriptions.update', 'subscriptions.delete', 'subscriptions.export'];
const invoices = ['invoices.read', 'invoices.create', 'invoices.update', 'invoices.delete', 'invoices.export'];
const billing = ['billing.read', 'billing.create', 'billing.update'];
const all = [...subscriptions, ...invoices, ...billing];
const grants: Record<string, string[]> = {
  developer: all,
  super_admin: all,
  admin: all,
  reseller: [...subscriptions, ...invoices, 'billing.read', 'billing.create'],
  sub_reseller: [...subscriptions, ...invoices, 'billing.read'],
  manager: [...subscriptions.filter((p) => p !== 'subscriptions.delete'), 'invoices.read', 'invoices.create', 'invoices.update', 'invoices.export', 'billing.read', 'billing.create'],
  staff: ['subscriptions.read', 'subscriptions.create', 'subscriptions.update', 'invoices.read', 'invoices.create', 'billing.read'],
  support: ['subscriptions.read', 'subscriptions.update', 'invoices.read'],
  accountant: ['subscriptions.read', 'subscriptions.export', ...invoices, ...billing],
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
