import type { ColumnType, Generated, Selectable } from 'kysely';

/** Dates without a time ('YYYY-MM-DD'), read and written as text. */
type DateText = ColumnType<string, string, string>;

export type ReversalKind = 'refund' | 'chargeback';
export type ReversalDestination = 'wallet' | 'cash' | 'bank' | 'gateway';

/** The tables of migration 20261122T0530_payment_cases. */
export interface PaymentReversalsTable {
  id: Generated<string>;
  organization_id: string;
  payment_id: string;
  subscriber_id: string | null;
  kind: ReversalKind;
  destination: ReversalDestination;
  amount: bigint;
  currency: string;
  key: string;
  channel: string | null;
  external_id: string | null;
  reason: Generated<string>;
  credit_note_id: string | null;
  /** Of the amount: invoice allocations taken back (the invoices owe again). */
  reopened: Generated<bigint>;
  /** Of the amount: taken from the subscriber's wallet. */
  from_wallet: Generated<bigint>;
  /** Of the amount: owed by the subscriber without an invoice (receivable), when neither sufficed. */
  unbilled: Generated<bigint>;
  entry_id: string | null;
  occurred_at: Date;
  created_by: string | null;
  created_at: Date;
}
export type PaymentReversal = Selectable<PaymentReversalsTable>;

export interface AllocationReversalsTable {
  id: Generated<string>;
  allocation_id: bigint;
  invoice_id: string;
  reversal_id: string;
  amount: bigint;
  created_at: Date;
}

export interface WriteOffsTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  invoice_id: string;
  amount: bigint;
  currency: string;
  reason: string;
  entry_id: string;
  created_by: string | null;
  created_at: Date;
  reversed_at: Date | null;
  reversed_by: string | null;
  reversal_entry_id: string | null;
  reversal_reason: string | null;
}
export type WriteOff = Selectable<WriteOffsTable>;

export type DisputeStatus = 'open' | 'under_review' | 'resolved' | 'rejected';
export type DisputeResolution = 'credit_note' | 'refund' | 'rejected';

export interface DisputesTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  invoice_id: string | null;
  payment_id: string | null;
  status: Generated<DisputeStatus>;
  subject: string;
  hold_collections: Generated<boolean>;
  resolution: DisputeResolution | null;
  resolution_note: string | null;
  credit_note_id: string | null;
  reversal_id: string | null;
  opened_by: string | null;
  opened_at: Date;
  updated_at: Date;
  resolved_by: string | null;
  resolved_at: Date | null;
}
export type Dispute = Selectable<DisputesTable>;

export interface DisputeNotesTable {
  id: Generated<string>;
  dispute_id: string;
  author_id: string | null;
  body: string;
  created_at: Date;
}
export type DisputeNote = Selectable<DisputeNotesTable>;

export type InstallmentPlanStatus = 'active' | 'completed' | 'broken' | 'cancelled';
export type InstallmentStatus = 'due' | 'paid' | 'overdue';

export interface InstallmentPlansTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  currency: string;
  total: bigint;
  status: Generated<InstallmentPlanStatus>;
  grace_days: Generated<number>;
  note: Generated<string>;
  created_by: string | null;
  created_at: Date;
  ended_at: Date | null;
}
export type InstallmentPlan = Selectable<InstallmentPlansTable>;

export interface InstallmentPlanInvoicesTable {
  plan_id: string;
  invoice_id: string;
  owed_at_start: bigint;
  released_at: Date | null;
}

export interface InstallmentsTable {
  id: Generated<string>;
  plan_id: string;
  seq: number;
  due_date: DateText;
  amount: bigint;
  amount_paid: Generated<bigint>;
  status: Generated<InstallmentStatus>;
  paid_at: Date | null;
}
export type Installment = Selectable<InstallmentsTable>;

export interface PaymentCaseTables {
  payment_reversals: PaymentReversalsTable;
  allocation_reversals: AllocationReversalsTable;
  write_offs: WriteOffsTable;
  disputes: DisputesTable;
  dispute_notes: DisputeNotesTable;
  installment_plans: InstallmentPlansTable;
  installment_plan_invoices: InstallmentPlanInvoicesTable;
  installments: InstallmentsTable;
}
