import type { ColumnType, Generated, Selectable } from 'kysely';

export type PaymentStatus = 'applied' | 'unapplied' | 'partially_refunded' | 'refunded' | 'reversed';

/** The tables of migration 20261122T0500_payments. */
export interface PaymentsTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string | null;
  /** cash, bank_transfer, cheque, mobile_transfer, mpesa, bkash, nagad, stripe, paypal, bank:<code>, card */
  channel: string;
  transaction_id: string;
  receipt_no: ColumnType<bigint, never, never>;
  amount: bigint;
  currency: string;
  status: PaymentStatus;
  amount_refunded: Generated<bigint>;
  reference: string | null;
  payer_name: string | null;
  payer_phone: string | null;
  payer_email: string | null;
  memo: string | null;
  collector_id: string | null;
  recorded_by: string | null;
  received_at: Date;
  entry_id: string;
  matched_at: Date | null;
  matched_by: string | null;
  metadata: Generated<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export type Payment = Selectable<PaymentsTable>;

export interface PaymentTables {
  payments: PaymentsTable;
}
