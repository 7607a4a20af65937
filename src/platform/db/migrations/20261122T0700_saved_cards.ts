import { sql, type Kysely } from 'kysely';

/*
 * Saved cards and automatic payment of invoices (Stripe).
 *
 * - gateway_customers: the customer a gateway keeps for a subscriber (Stripe's cus_…), one per
 *   subscriber and gateway account, so a card saved today and a charge next month meet on it.
 * - saved_cards: a card the subscriber chose to save for automatic payments, as the gateway
 *   describes it (brand, last four digits, expiry; never the number). removed_at is set when the
 *   subscriber removes it (and it is detached at the gateway); the row stays as the history of
 *   the charges made with it.
 * - payment_intents.save_card: the payer asked to save the card used for this attempt.
 * - payment_intents.saved_card_id: an automatic charge of that card (an autopay attempt); the
 *   index finds the last attempt for an invoice, so a failed card is tried at most once a day.
 */
const statements = [
  `create table gateway_customers (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    gateway_account_id uuid not null references gateway_accounts(id),
    customer_ref text not null check (length(customer_ref) between 1 and 200),
    created_at timestamptz not null default now(),
    unique (subscriber_id, gateway_account_id),
    unique (gateway_account_id, customer_ref)
  )`,
  `create table saved_cards (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    subscriber_id uuid not null references subscribers(id),
    gateway_customer_id uuid not null references gateway_customers(id),
    payment_method_ref text not null check (length(payment_method_ref) between 1 and 200),
    brand text not null check (length(brand) between 1 and 40),
    last4 text not null check (last4 ~ '^[0-9]{4}$'),
    exp_month integer not null check (exp_month between 1 and 12),
    exp_year integer not null check (exp_year between 2000 and 2200),
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    unique (gateway_customer_id, payment_method_ref)
  )`,
  `create index saved_cards_subscriber_idx on saved_cards (subscriber_id) where removed_at is null`,
  `alter table payment_intents add column save_card boolean not null default false`,
  `alter table payment_intents add column saved_card_id uuid references saved_cards(id)`,
  `create index payment_intents_autopay_idx on payment_intents (invoice_id, created_at desc) where saved_card_id is not null`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
