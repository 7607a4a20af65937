import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AaaTables } from './schema/aaa.ts';
import type { IpamTables } from './schema/ipam.ts';
import type { NetworkTables } from './schema/network.ts';
import type { RouterTables } from './schema/routers.ts';
import type { PaymentTables } from './schema/payments.ts';
import type { GatewayTables } from './schema/gateways.ts';
import type { CardTables } from './schema/cards.ts';
import type { PaymentCaseTables } from './schema/payment-cases.ts';
import type { ReconciliationTables } from './schema/reconciliation.ts';
import type { SavedCardTables } from './schema/saved-cards.ts';

/** Kysely's view of the tables. Keep in step with the migrations (the schema test compares engines). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export type OrganizationKind = 'isp' | 'reseller' | 'sub_reseller' | 'card_partner';

export interface OrganizationsTable {
  id: Generated<string>;
  parent_id: string | null;
  kind: OrganizationKind;
  name: string;
  path: string;
  depth: number;
  currency: Generated<string>;
  timezone: Generated<string>;
  locale: Generated<string>;
  status: Generated<'active' | 'disabled'>;
  contact_email: string | null;
  contact_phone: string | null;
  address: string | null;
  tax_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RolesTable {
  key: string;
  name: string;
  description: Generated<string>;
  builtin: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface PermissionsTable {
  key: string;
  description: Generated<string>;
}

export interface RolePermissionsTable {
  role_key: string;
  permission_key: string;
}

export interface UsersTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  name: string;
  role_key: string;
  password_hash: string | null;
  status: Generated<'active' | 'disabled'>;
  locale: string | null;
  totp_secret_enc: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: bigint | null;
  failed_login_count: Generated<number>;
  locked_until: Date | null;
  /** A customer login's subscriber (the portal). */
  subscriber_id: Generated<string | null>;
  password_changed_at: Date | null;
  last_login_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: Buffer;
  csrf_token: string;
  active_organization_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Date | null;
  end_reason: string | null;
}

export interface UserTokensTable {
  id: Generated<string>;
  user_id: string | null;
  purpose: 'setup' | 'mfa' | 'password_reset';
  token_hash: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  name: string;
  token_prefix: string;
  token_hash: Buffer;
  scopes: string[];
  created_at: Timestamp;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export interface AuditLogTable {
  seq: ColumnType<bigint, bigint, never>;
  at: ColumnType<Date, Date, never>;
  organization_id: string | null;
  organization_path: string | null;
  actor_type: 'user' | 'api_token' | 'system' | 'anonymous';
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  before: Json | null;
  after: Json | null;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_type: string | null;
  response_body: string | null;
  created_at: Timestamp;
  completed_at: Date | null;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Generated<Date>;
  updated_by: string | null;
}

export interface LedgerAccountsTable {
  id: Generated<string>;
  organization_id: string;
  code: string;
  name: string;
  type: 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';
  currency: string;
  system_key: string;
  owner_type: string | null;
  owner_id: string | null;
  credit_limit: bigint | null;
  created_at: Generated<Date>;
}

/**
 * Written only by the ledger's triggers (the database refuses anything else). An account's balance
 * is the sum of its rows: organization-level accounts without a credit limit keep up to 16 shards
 * (migration 20261122T0600); every other account has shard 0 only.
 */
export interface LedgerBalancesTable {
  account_id: ColumnType<string, never, never>;
  shard: ColumnType<number, never, never>;
  balance: ColumnType<bigint, never, never>;
}

export interface JournalEntriesTable {
  id: Generated<string>;
  seq: ColumnType<bigint, never, never>;
  organization_id: string;
  kind: string;
  memo: Generated<string>;
  occurred_at: Timestamp;
  posted_at: Timestamp;
  idempotency_key: string;
  reverses_entry_id: string | null;
  created_by: string | null;
  created_txid: ColumnType<bigint, never, never>;
}

export interface JournalLinesTable {
  id: ColumnType<bigint, never, never>;
  entry_id: string;
  line_no: number;
  account_id: string;
  currency: string;
  amount: bigint;
}

export type SubscriberStatus = 'lead' | 'active' | 'suspended' | 'disconnected' | 'archived';

export interface SubscriberSequencesTable {
  organization_id: string;
  format: Generated<string>;
  last_number: Generated<bigint>;
}

export interface SubscribersTable {
  id: Generated<string>;
  organization_id: string;
  account_number: string;
  kind: Generated<'person' | 'company'>;
  name: string;
  company_name: string | null;
  national_id: string | null;
  status: Generated<SubscriberStatus>;
  assigned_user_id: string | null;
  tags: Generated<string[]>;
  custom_fields: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** A date, 'YYYY-MM-DD': the day a scheduled suspension takes effect. */
  suspend_on: string | null;
  suspend_reason: string | null;
  penalty_class_id: Generated<string | null>;
  search_text: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SubscriberContactsTable {
  id: Generated<string>;
  subscriber_id: string;
  kind: 'phone' | 'email' | 'whatsapp';
  value: string;
  label: string | null;
  is_primary: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface SubscriberAddressesTable {
  id: Generated<string>;
  subscriber_id: string;
  label: string | null;
  line1: string;
  line2: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
  /** numeric(9,6), as exact text. */
  latitude: string | null;
  longitude: string | null;
  is_installation: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface SubscriberStatusHistoryTable {
  id: ColumnType<bigint, never, never>;
  subscriber_id: string;
  from_status: SubscriberStatus | null;
  to_status: SubscriberStatus;
  reason: Generated<string>;
  at: Timestamp;
  changed_by: string | null;
}

export interface SubscriberDocumentsTable {
  id: Generated<string>;
  subscriber_id: string;
  kind: 'national_id' | 'passport' | 'business_registration' | 'other';
  file_key: string;
  filename: string;
  mime_type: 'application/pdf' | 'image/jpeg' | 'image/png';
  size_bytes: bigint;
  sha256: string;
  uploaded_by: string | null;
  uploaded_at: Timestamp;
}

export interface SubscriberNotesTable {
  id: Generated<string>;
  subscriber_id: string;
  body: string;
  author_id: string | null;
  created_at: Timestamp;
}

export interface TaxClassesTable {
  id: Generated<string>;
  organization_id: string;
  code: string;
  name: string;
  inclusive: boolean;
  /** core TaxRate[]: [{ code, percent (decimal string), compound }]. */
  rates: Json;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ServiceType = 'pppoe' | 'hotspot' | 'static_ip' | 'bulk_bandwidth' | 'cable_tv' | 'other';
export type PlanKind = 'plan' | 'addon' | 'bundle' | 'one_off';
export type BillingModel = 'prepaid' | 'postpaid' | 'usage';

export interface PlansTable {
  id: Generated<string>;
  organization_id: string;
  code: string;
  name: string;
  description: Generated<string>;
  service_type: ServiceType;
  kind: PlanKind;
  billing_model: BillingModel;
  status: Generated<'active' | 'archived'>;
  shared_with_subtree: Generated<boolean>;
  current_version_id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Never updated or deleted (the database refuses): a change is a new version. */
export interface PlanVersionsTable {
  id: ColumnType<string, string, never>;
  plan_id: ColumnType<string, string, never>;
  version: ColumnType<number, number, never>;
  cycle: ColumnType<'monthly' | 'quarterly' | 'yearly' | 'daily' | 'validity' | 'one_time', string, never>;
  alignment: ColumnType<'anniversary' | 'calendar' | null, string | null, never>;
  validity_unit: ColumnType<'hours' | 'days' | null, string | null, never>;
  validity_length: ColumnType<number | null, number | null, never>;
  charge_timing: ColumnType<'in_advance' | 'in_arrears', string, never>;
  grace_days: ColumnType<number, number, never>;
  /** { [currency]: core RateComponent[] }. */
  prices: ColumnType<unknown, string, never>;
  tax_class_id: ColumnType<string | null, string | null, never>;
  download_kbps: ColumnType<number | null, number | null, never>;
  download_burst_kbps: ColumnType<number | null, number | null, never>;
  download_burst_threshold_kbps: ColumnType<number | null, number | null, never>;
  download_burst_seconds: ColumnType<number | null, number | null, never>;
  upload_kbps: ColumnType<number | null, number | null, never>;
  upload_burst_kbps: ColumnType<number | null, number | null, never>;
  upload_burst_threshold_kbps: ColumnType<number | null, number | null, never>;
  upload_burst_seconds: ColumnType<number | null, number | null, never>;
  data_quota_bytes: ColumnType<bigint | null, bigint | null, never>;
  time_quota_seconds: ColumnType<number | null, number | null, never>;
  throttle_download_kbps: ColumnType<number | null, number | null, never>;
  throttle_upload_kbps: ColumnType<number | null, number | null, never>;
  ip_pool: ColumnType<string | null, string | null, never>;
  address_list: ColumnType<string | null, string | null, never>;
  valid_from: ColumnType<Date, Date, never>;
  created_at: ColumnType<Date, Date | undefined, never>;
  created_by: ColumnType<string | null, string | null, never>;
}

export interface PlanBundleItemsTable {
  bundle_plan_id: string;
  item_plan_id: string;
  quantity: Generated<number>;
}

export interface DiscountsTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  coupon_code: string | null;
  kind: 'percentage' | 'fixed';
  /** numeric, as exact text: '12.5'. */
  percent: string | null;
  amount_minor: bigint | null;
  currency: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  max_redemptions: number | null;
  redemption_count: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DiscountPlansTable {
  discount_id: string;
  plan_id: string;
}

export interface DiscountRedemptionsTable {
  id: Generated<string>;
  discount_id: string;
  reference: string;
  redeemed_at: Date;
}

export interface BillingSettingsTable {
  organization_id: string;
  approval_required: Generated<boolean>;
  due_days: Generated<number>;
  grace_days: Generated<number>;
  /** Per currency: { KES: { mode: 'half-up', increment: '100' } } (increment in minor units). */
  rounding: ColumnType<Record<string, { mode: 'half-up' | 'half-even'; increment: string }>, string | undefined, string>;
  payment_instructions: Generated<string>;
  invoice_footer: Generated<string>;
  logo_file_key: string | null;
  updated_at: Generated<Date>;
}

export interface InvoiceSequencesTable {
  organization_id: string;
  format: Generated<string>;
  credit_note_format: Generated<string>;
  last_invoice: Generated<bigint>;
  last_credit_note: Generated<bigint>;
}

export interface PenaltyClassesTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  kind: 'fixed' | 'percentage';
  /** numeric as exact text, major units. */
  amount: string | null;
  percent: string | null;
  minimum: string | null;
  currency: string;
  days_after_due: Generated<number>;
  penalty_on_penalty: Generated<boolean>;
  created_at: Generated<Date>;
}

export type SubscriptionStatus = 'pending' | 'active' | 'grace' | 'suspended' | 'terminated';

export interface SubscriptionsTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  plan_id: string;
  currency: string;
  status: Generated<SubscriptionStatus>;
  status_reason: Generated<string>;
  quantity: Generated<number>;
  discount_id: string | null;
  auto_renew: Generated<boolean>;
  starts_at: Timestamp;
  activated_at: Date | null;
  /** End of the last period invoiced. */
  billed_through: Date | null;
  /** When the billing run next picks the subscription up. */
  next_bill_at: Date | null;
  grace_until: Date | null;
  suspend_at: Date | null;
  resume_at: Date | null;
  terminate_at: Date | null;
  terminated_at: Date | null;
  pending_plan_id: string | null;
  username: string | null;
  /** SecretBox ciphertext: RADIUS CHAP and MS-CHAPv2 need the clear password back. */
  password_enc: string | null;
  /** Upper-case, colon-separated: AA:BB:CC:DD:EE:FF. */
  mac_address: string | null;
  static_ipv4: string | null;
  static_ipv6_prefix: string | null;
  simultaneous_use: Generated<number>;
  installation_address_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SubscriptionEventsTable {
  id: Generated<bigint>;
  subscription_id: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  reason: Generated<string>;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  at: Date;
  actor_id: string | null;
}

export interface UsageRecordsTable {
  id: Generated<bigint>;
  subscription_id: string;
  unit: string;
  /** numeric as exact text. */
  quantity: string;
  occurred_at: Date;
  source: 'manual' | 'import' | 'radius';
  reference: string | null;
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface BillingRunsTable {
  id: Generated<string>;
  organization_id: string;
  as_of: Date;
  dry_run: Generated<boolean>;
  status: Generated<'running' | 'completed' | 'failed'>;
  subscriptions_billed: Generated<number>;
  invoices_created: Generated<number>;
  totals: ColumnType<Record<string, unknown>, string | undefined, string>;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
  started_by: string | null;
}

export type InvoiceStatus = 'draft' | 'in_review' | 'approved' | 'open' | 'partially_paid' | 'overdue' | 'paid' | 'void';
export type InvoiceSource = 'manual' | 'billing_run' | 'plan_change' | 'penalty' | 'renewal';

export interface InvoiceTaxRow {
  code: string;
  name: string;
  rate: string;
  /** Minor units, as a decimal string (JSON has no bigint). */
  amount: string;
}

export interface InvoicesTable {
  id: Generated<string>;
  organization_id: string;
  subscriber_id: string;
  kind: Generated<'invoice' | 'credit_note'>;
  credits_invoice_id: string | null;
  number: string | null;
  status: Generated<InvoiceStatus>;
  source: Generated<InvoiceSource>;
  currency: string;
  /** Dates, 'YYYY-MM-DD', in the organization's time zone. */
  issue_date: string | null;
  due_date: string | null;
  period_start: Date | null;
  period_end: Date | null;
  subtotal: Generated<bigint>;
  discount_total: Generated<bigint>;
  tax_total: Generated<bigint>;
  total: Generated<bigint>;
  amount_paid: Generated<bigint>;
  amount_credited: Generated<bigint>;
  taxes: ColumnType<InvoiceTaxRow[], string | undefined, string>;
  /** The subscriber as billed: name, account number, address, tax id at the time of issue. */
  customer: ColumnType<Record<string, unknown>, string | undefined, string>;
  memo: Generated<string>;
  billing_run_id: string | null;
  journal_entry_id: string | null;
  penalized: Generated<boolean>;
  issued_at: Date | null;
  approved_by: string | null;
  voided_at: Date | null;
  void_reason: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export type InvoiceLineKind = 'recurring' | 'usage' | 'one_time' | 'proration_credit' | 'proration_charge' | 'penalty' | 'manual' | 'credit';

export interface InvoiceLinesTable {
  id: Generated<bigint>;
  invoice_id: string;
  line_no: number;
  kind: InvoiceLineKind;
  subscription_id: string | null;
  plan_version_id: string | null;
  service_type: string;
  description_key: string | null;
  description: Generated<string>;
  details: ColumnType<Record<string, string>, string | undefined, string>;
  /** numeric as exact text. */
  quantity: string;
  unit_price: string;
  amount: bigint;
  discount: Generated<bigint>;
  net: bigint;
  tax: Generated<bigint>;
  gross: bigint;
  taxes: ColumnType<InvoiceTaxRow[], string | undefined, string>;
  period_start: Date | null;
  period_end: Date | null;
  penalty_for_invoice_id: string | null;
}

export interface InvoiceAllocationsTable {
  id: Generated<bigint>;
  invoice_id: string;
  source: 'wallet' | 'payment' | 'credit_note' | 'write_off';
  source_id: string | null;
  amount: bigint;
  journal_entry_id: string | null;
  created_at: Date;
}

/** Every table; the network, IPAM, router, AAA and payments tables are declared beside their migrations' subjects in schema/. */
export interface DB extends NetworkTables, IpamTables, RouterTables, AaaTables, PaymentTables, GatewayTables, CardTables, PaymentCaseTables, ReconciliationTables, SavedCardTables {
  organizations: OrganizationsTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  role_permissions: RolePermissionsTable;
  users: UsersTable;
  sessions: SessionsTable;
  user_tokens: UserTokensTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  settings: SettingsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_balances: LedgerBalancesTable;
  journal_entries: JournalEntriesTable;
  journal_lines: JournalLinesTable;
  tax_classes: TaxClassesTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;
  plan_bundle_items: PlanBundleItemsTable;
  discounts: DiscountsTable;
  discount_plans: DiscountPlansTable;
  discount_redemptions: DiscountRedemptionsTable;
  subscriber_sequences: SubscriberSequencesTable;
  subscribers: SubscribersTable;
  subscriber_contacts: SubscriberContactsTable;
  subscriber_addresses: SubscriberAddressesTable;
  subscriber_status_history: SubscriberStatusHistoryTable;
  subscriber_documents: SubscriberDocumentsTable;
  subscriber_notes: SubscriberNotesTable;
  billing_settings: BillingSettingsTable;
  invoice_sequences: InvoiceSequencesTable;
  penalty_classes: PenaltyClassesTable;
  subscriptions: SubscriptionsTable;
  subscription_events: SubscriptionEventsTable;
  usage_records: UsageRecordsTable;
  billing_runs: BillingRunsTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_allocations: InvoiceAllocationsTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type NewOrganization = Insertable<OrganizationsTable>;
export type User = Selectable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type LedgerAccount = Selectable<LedgerAccountsTable>;
export type JournalEntry = Selectable<JournalEntriesTable>;
export type JournalLine = Selectable<JournalLinesTable>;
export type TaxClassRow = Selectable<TaxClassesTable>;
export type PlanRow = Selectable<PlansTable>;
export type PlanVersionRow = Selectable<PlanVersionsTable>;
export type DiscountRow = Selectable<DiscountsTable>;
export type Subscriber = Selectable<SubscribersTable>;
export type SubscriberContact = Selectable<SubscriberContactsTable>;
export type SubscriberAddress = Selectable<SubscriberAddressesTable>;
export type SubscriberDocument = Selectable<SubscriberDocumentsTable>;
export type BillingSettingsRow = Selectable<BillingSettingsTable>;
export type PenaltyClassRow = Selectable<PenaltyClassesTable>;
export type Subscription = Selectable<SubscriptionsTable>;
export type SubscriptionEvent = Selectable<SubscriptionEventsTable>;
export type UsageRecord = Selectable<UsageRecordsTable>;
export type BillingRun = Selectable<BillingRunsTable>;
export type Invoice = Selectable<InvoicesTable>;
export type InvoiceLineRow = Selectable<InvoiceLinesTable>;
export type InvoiceAllocation = Selectable<InvoiceAllocationsTable>;
