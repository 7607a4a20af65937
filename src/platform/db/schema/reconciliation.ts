import type { Generated, Selectable } from 'kysely';

export type StatementLineKind = 'receipt' | 'fee' | 'settlement' | 'payout';
export type StatementLineStatus = 'unmatched' | 'matched' | 'ignored' | 'info';
export type MatchMethod = 'transaction_id' | 'reference' | 'manual' | 'credited';
export type StatementPreset = 'mpesa_paybill' | 'generic_bank' | 'custom';

/** The tables of migration 20261122T0540_reconciliation. */
export interface StatementSourcesTable {
  id: Generated<string>;
  organization_id: string;
  key: string;
  name: string;
  preset: StatementPreset;
  /** The gateway whose callbacks this statement confirms (mpesa); null for a bank account. */
  gateway: string | null;
  /** The payment channels the statement's money arrives by. */
  channels: string[];
  currency: string;
  mapping: Record<string, unknown>;
  auto_credit: Generated<boolean>;
  date_window_days: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StatementImportsTable {
  id: Generated<string>;
  organization_id: string;
  source_id: string;
  filename: string;
  file_sha256: string;
  period_from: string;
  period_to: string;
  lines_total: number;
  lines_new: number;
  rows_skipped: number;
  imported_by: string | null;
  created_at: Date;
}

export interface StatementLinesTable {
  id: Generated<string>;
  organization_id: string;
  source_id: string;
  import_id: string;
  line_no: number;
  dedupe_key: string;
  kind: StatementLineKind;
  posted_at: Date;
  amount: bigint;
  currency: string;
  transaction_id: string | null;
  reference: string | null;
  description: string | null;
  payer_name: string | null;
  payer_phone: string | null;
  status: StatementLineStatus;
  payment_id: string | null;
  match_method: MatchMethod | null;
  note: 'ambiguous' | 'lost_callback' | null;
  ignore_reason: string | null;
  matched_at: Date | null;
  matched_by: string | null;
  raw: Generated<Record<string, unknown>>;
}

export type StatementSource = Selectable<StatementSourcesTable>;
export type StatementImport = Selectable<StatementImportsTable>;
export type StatementLine = Selectable<StatementLinesTable>;

export interface ReconciliationTables {
  statement_sources: StatementSourcesTable;
  statement_imports: StatementImportsTable;
  statement_lines: StatementLinesTable;
}
