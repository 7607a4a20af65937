import { sql, type Kysely } from 'kysely';

/*
 * Payments: money received from a subscriber, at the counter or through a gateway, each recorded
 * once. The unique key (organization, channel, transaction id) is the idempotency key of every
 * outside event: M-PESA's TransID or MpesaReceiptNumber, bKash's trxID, Stripe's PaymentIntent id,
 * a cash receipt's number. A payment's ledger entry is posted in the same transaction; what it paid
 * is in invoice_allocations (source 'payment', source_id = the payment). A payment nobody could be
 * matched to waits in suspense (status 'unapplied', no subscriber) until staff match it.
 *
 * Receipt numbers come from one sequence: unique, not gapless (receipts are not tax documents, and
 * a per-organization counter row would make every payment of an organization queue on one lock).
 * entry_id names the journal entry without a foreign key: entries are never deleted (the ledger
 * refuses it), and a key would stop the ledger from refusing TRUNCATE with its own message.
 *
 * The permissions of the whole payments issue (payments, recharge cards, gateway settings) are
 * granted here, once.
 */
const statements = [
  `create sequence payment_receipt_seq`,
  `create table payments (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid references subscribers(id),
    channel text not null check (channel ~ '^[a-z_]{1,30}(:[a-z0-9_-]{1,40})?$'),
    transaction_id text not null check (length(transaction_id) between 1 and 100),
    receipt_no bigint not null default nextval('payment_receipt_seq') unique,
    amount bigint not null check (amount > 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    status text not null check (status in ('applied', 'unapplied', 'partially_refunded', 'refunded', 'reversed')),
    amount_refunded bigint not null default 0 check (amount_refunded >= 0 and amount_refunded <= amount),
    reference text check (length(reference) <= 100),
    payer_name text check (length(payer_name) <= 200),
    payer_phone text check (length(payer_phone) <= 40),
    payer_email text check (length(payer_email) <= 200),
    memo text check (length(memo) <= 500),
    collector_id uuid references users(id),
    recorded_by uuid references users(id),
    received_at timestamptz not null,
    entry_id uuid not null,
    matched_at timestamptz,
    matched_by uuid references users(id),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    created_at timestamptz not null default now(),
    unique (organization_id, channel, transaction_id),
    check ((status = 'unapplied') = (subscriber_id is null))
  )`,
  `create index payments_organization_idx on payments (organization_id, received_at desc, id desc)`,
  `create index payments_subscriber_idx on payments (subscriber_id, received_at desc) where subscriber_id is not null`,
  `create index payments_unapplied_idx on payments (organization_id, received_at) where status = 'unapplied'`,
  `create index payments_collector_idx on payments (collector_id, received_at) where collector_id is not null`,
  // A paybill reference that is a phone number: 0712…, +254712… and 254712… end in the same nine digits.
  `create index subscriber_contacts_phone_tail_idx on subscriber_contacts (right(regexp_replace(value, '\\D', '', 'g'), 9)) where kind in ('phone', 'whatsapp')`,
  // A reference that is an invoice number, typed in any case.
  `create index invoices_number_lower_idx on invoices (lower(number))`,
  `create index invoice_allocations_source_idx on invoice_allocations (source_id) where source_id is not null`,
];

// Hard-coded, not read from permissions.ts, so this migration means the same thing forever.
const payments = ['payments.read', 'payments.create', 'payments.update', 'payments.delete', 'payments.export'];
const cards = ['cards.read', 'cards.create', 'cards.update', 'cards.delete', 'cards.export'];
const gateways = ['gateways.read', 'gateways.update'];
const all = [...payments, ...cards, ...gateways];
const grants: Record<string, string[]> = {
  developer: all,
  super_admin: all,
  admin: all,
  manager: ['payments.read', 'payments.create', 'payments.update', 'payments.export', 'cards.read', 'cards.create', 'cards.update', 'cards.export', 'gateways.read'],
  staff: ['payments.read', 'payments.create', 'cards.read', 'cards.update'],
  support: ['payments.read'],
  accountant: [...payments, 'cards.read', 'cards.export', 'gateways.read'],
  reseller: ['payments.read', 'payments.create', 'payments.update', 'payments.export', ...cards, ...gateways],
  sub_reseller: ['payments.read', 'payments.create', 'cards.read', 'cards.update'],
  card_distributor: ['cards.read', 'cards.update'],
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
