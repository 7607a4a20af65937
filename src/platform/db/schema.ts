import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

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

/** Written only by the ledger's triggers (the database refuses anything else). */
export interface LedgerBalancesTable {
  account_id: ColumnType<string, never, never>;
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

export interface DB {
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
