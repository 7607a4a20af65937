import type { ColumnType, Generated, Selectable } from 'kysely';

/** FreeRADIUS's radacct (rlm_sql PostgreSQL schema) plus the owner columns Uplink fills. */
export interface RadacctTable {
  radacctid: Generated<bigint>;
  acctsessionid: string;
  acctuniqueid: string;
  username: string | null;
  realm: string | null;
  nasipaddress: string;
  nasportid: string | null;
  nasporttype: string | null;
  acctstarttime: Date | null;
  acctupdatetime: Date | null;
  acctstoptime: Date | null;
  acctinterval: ColumnType<bigint | null, bigint | number | null, bigint | number | null>;
  acctsessiontime: ColumnType<bigint | null, bigint | number | null, bigint | number | null>;
  acctauthentic: string | null;
  connectinfo_start: string | null;
  connectinfo_stop: string | null;
  acctinputoctets: ColumnType<bigint | null, bigint | null, bigint | null>;
  acctoutputoctets: ColumnType<bigint | null, bigint | null, bigint | null>;
  calledstationid: string | null;
  callingstationid: string | null;
  acctterminatecause: string | null;
  servicetype: string | null;
  framedprotocol: string | null;
  framedipaddress: string | null;
  framedipv6address: string | null;
  framedipv6prefix: string | null;
  framedinterfaceid: string | null;
  delegatedipv6prefix: string | null;
  class: string | null;
  organization_id: string | null;
  nas_id: string | null;
  subscription_id: string | null;
}

export interface RadacctDaysTable {
  radacctid: bigint;
  /** 'YYYY-MM-DD', the organization's local day. */
  day: string;
  subscription_id: string;
  input_octets: bigint;
  output_octets: bigint;
  session_seconds: bigint;
}

export interface RadpostauthTable {
  id: Generated<bigint>;
  username: string;
  /** Never the password: always ''. */
  pass: string | null;
  reply: string | null;
  authdate: Generated<Date>;
  class: string | null;
  nas_id: string | null;
  organization_id: string | null;
  reason: string | null;
}

export type BlockedAction = 'reject' | 'captive';

export interface AaaSettingsTable {
  organization_id: string;
  blocked_action: Generated<BlockedAction>;
  blocked_pool: string | null;
  blocked_address_list: string | null;
  captive_message: Generated<string>;
  interim_interval_seconds: Generated<number>;
  updated_at: Generated<Date>;
}

export interface AaaPlanSettingsTable {
  plan_id: string;
  blocked_action: BlockedAction | null;
  blocked_pool: string | null;
  blocked_address_list: string | null;
  captive_message: string | null;
  updated_at: Generated<Date>;
}

export interface AaaQuotaStateTable {
  subscription_id: string;
  period_start: Date;
  used_bytes: bigint;
  throttled: Generated<boolean>;
  updated_at: Generated<Date>;
}

export type EnforcementStatus = 'pending' | 'ack' | 'nak' | 'timeout' | 'failed';

export interface EnforcementRequestsTable {
  id: Generated<string>;
  organization_id: string;
  subscription_id: string;
  nas_id: string | null;
  radacct_id: bigint | null;
  acct_session_id: string | null;
  username: string | null;
  kind: 'coa' | 'disconnect';
  reason: string;
  attributes: ColumnType<unknown, string | null | undefined, string | null>;
  status: Generated<EnforcementStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  requested_by: string | null;
}

/** The tables of migration 20261122T0340_aaa. */
export interface AaaTables {
  radacct: RadacctTable;
  radacct_days: RadacctDaysTable;
  radpostauth: RadpostauthTable;
  aaa_settings: AaaSettingsTable;
  aaa_plan_settings: AaaPlanSettingsTable;
  aaa_quota_state: AaaQuotaStateTable;
  enforcement_requests: EnforcementRequestsTable;
}

export type Radacct = Selectable<RadacctTable>;
export type EnforcementRequest = Selectable<EnforcementRequestsTable>;

/*
 * Columns added by migration 20261122T0400_aaa_gaps, merged into the table types above (interface
 * declaration merging), so the first migration's types stay as they were written.
 */
export type FallbackOutcome = 'removed' | 'rate_set' | 'not_found' | 'failed';

export interface EnforcementRequestsTable {
  /** What the router-API fallback did after the NAS did not acknowledge; null when none ran. */
  fallback: FallbackOutcome | null;
  fallback_detail: string | null;
  fallback_at: Date | null;
}

export interface AaaQuotaStateTable {
  /** Seconds online in the period (time quota). */
  used_seconds: Generated<bigint>;
  /** A time quota without a throttle profile is used up: the line is cut and refused until the period turns. */
  exhausted: Generated<boolean>;
}

/** Columns added by migration 20261122T0830_aaa_quota_periods: the quota counts over the billing period. */
export interface AaaQuotaStateTable {
  /** The period's end; null until the first roll-up after that migration. */
  period_end: Date | null;
  /** What the period was computed from (plan version, anchor instant, time zone). */
  period_key: string | null;
  /** Seconds online on the period's days before settled_day. */
  settled_seconds: Generated<bigint>;
  /** The roll-up's organization-local day, 'YYYY-MM-DD'. */
  settled_day: string | null;
}

// radacct.via_sql (inserted by another writer such as FreeRADIUS's rlm_sql; its day counters are
// filed by trigger) is left out of RadacctTable on purpose: the sink builds its rows from that type
// and must not name the column; only the migration's triggers read it.
