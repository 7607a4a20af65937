import type { ColumnType, Generated, Selectable } from 'kysely';

export const cardStates = ['generated', 'assigned', 'sold', 'redeemed', 'expired', 'void'] as const;
export type CardState = (typeof cardStates)[number];

/** The tables of migration 20261122T0520_cards. */
export interface CardKeysTable {
  id: number;
  /** SecretBox ciphertext of the 32-byte HMAC key of PIN hashes, hex inside. */
  key_enc: string;
  created_at: Generated<Date>;
}

export interface CardBatchesTable {
  id: Generated<string>;
  organization_id: string;
  number: ColumnType<bigint, never, never>;
  name: string;
  prefix: string;
  /** Null: a value card (credits the wallet); set: the card also buys this plan. */
  plan_id: string | null;
  face_value: bigint;
  currency: string;
  quantity: number;
  expires_at: Date;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface CardsTable {
  id: Generated<string>;
  batch_id: string;
  organization_id: string;
  seq: number;
  serial: string;
  pin_hash: string;
  /** SecretBox ciphertext of the PIN, for printing and export; null once redeemed or void. */
  pin_enc: string | null;
  state: Generated<CardState>;
  distributor_id: string | null;
  /** The distributor's commission on this card, minor units. */
  commission: Generated<bigint>;
  expires_at: Date;
  assigned_at: Date | null;
  sold_at: Date | null;
  sale_entry_id: string | null;
  /** How the sale was settled: a distributor's commission withheld or payable, or the ISP's own cash or bank. */
  sale_terms: 'withheld' | 'payable' | 'cash' | 'bank' | null;
  redeemed_at: Date | null;
  subscriber_id: string | null;
  subscription_id: string | null;
  payment_id: string | null;
  voided_at: Date | null;
  updated_at: Generated<Date>;
}

export interface CardEventsTable {
  id: Generated<string>;
  card_id: string;
  organization_id: string;
  from_state: CardState | null;
  to_state: CardState;
  at: Date;
  user_id: string | null;
  note: Generated<string>;
  details: Generated<Record<string, unknown>>;
}

export interface CardRedeemLimitsTable {
  bucket: string;
  failures: Generated<number>;
  window_started_at: Date;
  locked_until: Date | null;
}

export type CardBatch = Selectable<CardBatchesTable>;
export type Card = Selectable<CardsTable>;
export type CardEvent = Selectable<CardEventsTable>;

export interface CardTables {
  card_keys: CardKeysTable;
  card_batches: CardBatchesTable;
  cards: CardsTable;
  card_events: CardEventsTable;
  card_redeem_limits: CardRedeemLimitsTable;
}
