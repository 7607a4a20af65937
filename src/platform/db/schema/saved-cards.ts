import type { Generated, Selectable } from 'kysely';

/** The tables of migration 20261122T0700_saved_cards. */
export interface GatewayCustomersTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  gateway_account_id: string;
  /** The gateway's id of the customer (Stripe: cus_…). */
  customer_ref: string;
  created_at: Generated<Date>;
}

export interface SavedCardsTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  gateway_customer_id: string;
  /** The gateway's id of the card (Stripe: pm_…). */
  payment_method_ref: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  created_at: Generated<Date>;
  removed_at: Date | null;
}

export type GatewayCustomer = Selectable<GatewayCustomersTable>;
export type SavedCard = Selectable<SavedCardsTable>;

export interface SavedCardTables {
  gateway_customers: GatewayCustomersTable;
  saved_cards: SavedCardsTable;
}
