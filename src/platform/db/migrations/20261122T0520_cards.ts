import { sql, type Kysely } from 'kysely';

/*
 * Recharge cards. A batch is printed for one organization (the ISP or a reseller) with a value and,
 * for a plan card, the plan it buys. Each card has a serial (printed, not secret) and a PIN that is
 * kept only as a keyed hash for lookup (unique: no two cards answer the same PIN) and sealed for
 * printing; the seal is dropped once the card is redeemed or void.
 *
 * A card moves generated → assigned (to a card partner) → sold → redeemed | expired | void; every
 * move is a row of card_events. Redemption is an update guarded by the state (`where state =
 * 'sold'`), so a card is redeemed once whatever the concurrency; the payment it becomes is keyed
 * on the serial (payments' unique organization, channel 'card', transaction id).
 *
 * card_redeem_limits counts failed redemptions per bucket (subscriber, address, card range) in the
 * database, so every process of a deployment shares the count. card_keys holds the HMAC key of
 * the PIN hashes, sealed with the installation's secret key.
 */
const statements = [
  `create sequence card_batch_number_seq`,
  `create table card_keys (
    id smallint primary key check (id = 1),
    key_enc text not null,
    created_at timestamptz not null default now()
  )`,
  `create table card_batches (
    id uuid primary key default uuid_v7(),
    organization_id uuid not null references organizations(id),
    number bigint not null default nextval('card_batch_number_seq') unique,
    name text not null check (length(name) between 1 and 100),
    prefix text not null check (prefix ~ '^[A-Z0-9]{0,8}$'),
    plan_id uuid references plans(id),
    face_value bigint not null check (face_value > 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    quantity integer not null check (quantity between 1 and 10000),
    expires_at timestamptz not null,
    created_by uuid references users(id),
    created_at timestamptz not null default now()
  )`,
  `create index card_batches_organization_idx on card_batches (organization_id, created_at desc, id desc)`,
  `create table cards (
    id uuid primary key default uuid_v7(),
    batch_id uuid not null references card_batches(id),
    organization_id uuid not null references organizations(id),
    seq integer not null check (seq > 0),
    serial text not null,
    pin_hash text not null unique check (pin_hash ~ '^[0-9a-f]{64}$'),
    pin_enc text,
    state text not null default 'generated' check (state in ('generated', 'assigned', 'sold', 'redeemed', 'expired', 'void')),
    distributor_id uuid references organizations(id),
    commission bigint not null default 0 check (commission >= 0),
    expires_at timestamptz not null,
    assigned_at timestamptz,
    sold_at timestamptz,
    sale_entry_id uuid,
    sale_terms text check (sale_terms in ('withheld', 'payable', 'cash', 'bank')),
    redeemed_at timestamptz,
    subscriber_id uuid references subscribers(id),
    subscription_id uuid references subscriptions(id),
    payment_id uuid references payments(id),
    voided_at timestamptz,
    updated_at timestamptz not null default now(),
    unique (batch_id, seq),
    unique (organization_id, serial),
    check (state not in ('redeemed', 'void') or pin_enc is null),
    check (state <> 'redeemed' or (redeemed_at is not null and subscriber_id is not null))
  )`,
  `create index cards_distributor_idx on cards (distributor_id, state) where distributor_id is not null`,
  `create index cards_batch_state_idx on cards (batch_id, state)`,
  `create index cards_expiry_idx on cards (expires_at) where state in ('generated', 'assigned', 'sold')`,
  `create table card_events (
    id uuid primary key default uuid_v7(),
    card_id uuid not null references cards(id),
    organization_id uuid not null references organizations(id),
    from_state text,
    to_state text not null,
    at timestamptz not null,
    user_id uuid references users(id),
    note text not null default '' check (length(note) <= 500),
    details jsonb not null default '{}'
  )`,
  `create index card_events_card_idx on card_events (card_id, at)`,
  `create table card_redeem_limits (
    bucket text primary key check (length(bucket) <= 200),
    failures integer not null default 0,
    window_started_at timestamptz not null,
    locked_until timestamptz
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}
