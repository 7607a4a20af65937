import type { Generated, Selectable } from 'kysely';

/** The tables of migration 20261122T0510_gateways. */
export interface GatewayAccountsTable {
  id: Generated<string>;
  organization_id: string;
  /** mpesa, bkash, nagad, stripe, paypal, bank:<code> */
  kind: string;
  label: string;
  enabled: Generated<boolean>;
  /** JSON of the credential fields, sealed with the server's secret key. */
  credentials_enc: string;
  callback_secret_enc: string;
  /** A payment whose reference names nobody is taken into suspense (true) or refused at validation (false). */
  accept_unknown_references: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type IntentStatus = 'pending' | 'paid' | 'failed' | 'expired';

export interface PaymentIntentsTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  gateway_account_id: string;
  gateway_kind: string;
  gateway_ref: string | null;
  amount: bigint;
  currency: string;
  purpose: 'invoice' | 'wallet';
  invoice_id: string | null;
  phone: string | null;
  redirect_url: string | null;
  status: Generated<IntentStatus>;
  failure_code: string | null;
  failure_message: string | null;
  payment_id: string | null;
  transaction_id: string | null;
  /** The payer asked to save the card of this attempt for automatic payments (migration 20261122T0700_saved_cards). */
  save_card: Generated<boolean>;
  /** An automatic charge of this saved card. */
  saved_card_id: string | null;
  checked_at: Date | null;
  settled_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface GatewayEventsTable {
  id: Generated<string>;
  organization_id: string | null;
  gateway_account_id: string | null;
  endpoint: string;
  body_hash: string;
  outcome: string;
  result: string;
  intent_id: string | null;
  payment_id: string | null;
  remote_address: string | null;
  received_at: Date;
}

export type SecurityEventKind = 'bad_signature' | 'stale_timestamp' | 'bad_secret' | 'malformed' | 'mismatch' | 'unknown_account' | 'unknown_reference';

export interface PaymentSecurityEventsTable {
  id: Generated<string>;
  organization_id: string | null;
  gateway_account_id: string | null;
  gateway: string;
  kind: SecurityEventKind;
  remote_address: string | null;
  detail: string;
  at: Date;
}

export type GatewayAccount = Selectable<GatewayAccountsTable>;
export type PaymentIntent = Selectable<PaymentIntentsTable>;

export interface GatewayTables {
  gateway_accounts: GatewayAccountsTable;
  payment_intents: PaymentIntentsTable;
  gateway_events: GatewayEventsTable;
  payment_security_events: PaymentSecurityEventsTable;
}
