import { sql, type Kysely } from 'kysely';

/*
 * Payment cases: money given back (refunds, gateway-reported refunds, chargebacks), bad debt
 * written off, billing disputes and installment plans. Each money movement has its journal entry
 * (entry_id, no foreign key: entries are never deleted) posted in the same transaction.
 *
 * - payment_reversals: a refund or chargeback of one payment. Idempotent on the caller's key
 *   (organization, payment, key) and, for what a gateway reports, on (organization, channel,
 *   external_id) — the gateway's refund or dispute id.
 * - allocation_reversals: what a chargeback took back of an invoice allocation; the invoice's
 *   amount_paid goes down by as much and it is open (or overdue) again. The allocation itself is
 *   kept as history.
 * - write_offs: an invoice's unpaid rest written off as bad debt, settled as an allocation of
 *   source 'write_off' (counted as credited, like a credit note). Reversed only by a new entry:
 *   the reversal reopens the invoice. At most one live write-off per invoice.
 * - disputes and dispute_notes: a subscriber's complaint about an invoice or a payment, its notes
 *   and how it ended (credit note, refund or rejection). hold_collections keeps the invoice out of
 *   late penalties and suspension while the dispute is open.
 * - installment_plans, installment_plan_invoices, installments: overdue invoices paid in parts on
 *   a schedule. While a plan is active its invoices are not counted for suspension; released_at
 *   frees them when the plan ends (completed, broken, cancelled).
 */
const statements = [
  `alter table invoice_allocations drop constraint invoice_allocations_source_check`,
  `alter table invoice_allocations add constraint invoice_allocations_source_check check (source in ('wallet', 'payment', 'credit_note', 'write_off'))`,

  `create table payment_reversals (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    payment_id uuid not null references payments(id),
    subscriber_id uuid references subscribers(id),
    kind text not null check (kind in ('refund', 'chargeback')),
    destination text not null check (destination in ('wallet', 'cash', 'bank', 'gateway')),
    amount bigint not null check (amount > 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    key text not null check (length(key) between 1 and 120),
    channel text,
    external_id text check (length(external_id) between 1 and 120),
    reason text not null default '' check (length(reason) <= 500),
    credit_note_id uuid references invoices(id),
    reopened bigint not null default 0 check (reopened >= 0),
    from_wallet bigint not null default 0 check (from_wallet >= 0),
    unbilled bigint not null default 0 check (unbilled >= 0),
    entry_id uuid,
    occurred_at timestamptz not null,
    created_by uuid references users(id),
    created_at timestamptz not null,
    unique (organization_id, payment_id, key),
    check ((external_id is null) = (channel is null))
  )`,
  `create unique index payment_reversals_external_key on payment_reversals (organization_id, channel, external_id) where external_id is not null`,
  `create index payment_reversals_payment_idx on payment_reversals (payment_id)`,
  `create index payment_reversals_organization_idx on payment_reversals (organization_id, created_at desc)`,

  `create table allocation_reversals (
    id uuid primary key default uuid_v7(),
    allocation_id bigint not null references invoice_allocations(id),
    invoice_id uuid not null references invoices(id),
    reversal_id uuid not null references payment_reversals(id),
    amount bigint not null check (amount > 0),
    created_at timestamptz not null
  )`,
  `create index allocation_reversals_allocation_idx on allocation_reversals (allocation_id)`,
  `create index allocation_reversals_invoice_idx on allocation_reversals (invoice_id)`,

  `create table write_offs (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    invoice_id uuid not null references invoices(id),
    amount bigint not null check (amount > 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    reason text not null check (length(reason) between 1 and 500),
    entry_id uuid not null,
    created_by uuid references users(id),
    created_at timestamptz not null,
    reversed_at timestamptz,
    reversed_by uuid references users(id),
    reversal_entry_id uuid,
    reversal_reason text check (length(reversal_reason) <= 500),
    check ((reversed_at is null) = (reversal_entry_id is null))
  )`,
  `create unique index write_offs_live_key on write_offs (invoice_id) where reversed_at is null`,
  `create index write_offs_organization_idx on write_offs (organization_id, created_at desc)`,

  `create table disputes (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    invoice_id uuid references invoices(id),
    payment_id uuid references payments(id),
    status text not null default 'open' check (status in ('open', 'under_review', 'resolved', 'rejected')),
    subject text not null check (length(subject) between 1 and 200),
    hold_collections boolean not null default false,
    resolution text check (resolution in ('credit_note', 'refund', 'rejected')),
    resolution_note text check (length(resolution_note) <= 1000),
    credit_note_id uuid references invoices(id),
    reversal_id uuid references payment_reversals(id),
    opened_by uuid references users(id),
    opened_at timestamptz not null,
    updated_at timestamptz not null,
    resolved_by uuid references users(id),
    resolved_at timestamptz,
    check (invoice_id is not null or payment_id is not null),
    check ((status in ('resolved', 'rejected')) = (resolution is not null)),
    check ((status in ('resolved', 'rejected')) = (resolved_at is not null))
  )`,
  `create index disputes_organization_idx on disputes (organization_id, opened_at desc, id desc)`,
  `create index disputes_invoice_idx on disputes (invoice_id) where status in ('open', 'under_review')`,
  `create table dispute_notes (
    id uuid primary key default uuid_v7(),
    dispute_id uuid not null references disputes(id),
    author_id uuid references users(id),
    body text not null check (length(body) between 1 and 4000),
    created_at timestamptz not null
  )`,
  `create index dispute_notes_dispute_idx on dispute_notes (dispute_id, created_at)`,

  `create table installment_plans (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    total bigint not null check (total > 0),
    status text not null default 'active' check (status in ('active', 'completed', 'broken', 'cancelled')),
    grace_days integer not null default 0 check (grace_days between 0 and 60),
    note text not null default '' check (length(note) <= 500),
    created_by uuid references users(id),
    created_at timestamptz not null,
    ended_at timestamptz,
    check ((status = 'active') = (ended_at is null))
  )`,
  `create index installment_plans_organization_idx on installment_plans (organization_id, created_at desc, id desc)`,
  `create index installment_plans_active_idx on installment_plans (id) where status = 'active'`,
  `create table installment_plan_invoices (
    plan_id uuid not null references installment_plans(id),
    invoice_id uuid not null references invoices(id),
    owed_at_start bigint not null check (owed_at_start > 0),
    released_at timestamptz,
    primary key (plan_id, invoice_id)
  )`,
  // An invoice is in at most one plan that still holds it.
  `create unique index installment_plan_invoices_held_key on installment_plan_invoices (invoice_id) where released_at is null`,
  `create table installments (
    id uuid primary key default uuid_v7(),
    plan_id uuid not null references installment_plans(id),
    seq integer not null check (seq >= 1),
    due_date date not null,
    amount bigint not null check (amount > 0),
    amount_paid bigint not null default 0 check (amount_paid >= 0 and amount_paid <= amount),
    status text not null default 'due' check (status in ('due', 'paid', 'overdue')),
    paid_at timestamptz,
    unique (plan_id, seq)
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
