/**
 * The SQL behind authorization: what a decision needs of a subscription (one indexed read by
 * username), the organization settings up the tree, open sessions, and the post-auth log.
 */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { BlockedAction, RadpostauthTable } from '../../platform/db/schema/aaa.ts';
import type { LoginQuotaRow } from './fair-usage.ts';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * One subscription with its plan version's network profile, its blocking overrides, and its
 * fair-usage state with what its quota period depends on (LoginQuotaRow).
 */
export interface DecisionRow extends LoginQuotaRow {
  id: string;
  organization_id: string;
  organization_path: string;
  username: string;
  password_enc: string;
  status: 'pending' | 'active' | 'grace' | 'suspended' | 'terminated';
  status_reason: string;
  mac_address: string | null;
  static_ipv4: string | null;
  static_ipv6_prefix: string | null;
  simultaneous_use: number;
  billed_through: Date | null;
  grace_until: Date | null;
  suspend_at: Date | null;
  terminate_at: Date | null;
  plan_id: string;
  billing_model: 'prepaid' | 'postpaid' | 'usage';
  download_kbps: number | null;
  download_burst_kbps: number | null;
  download_burst_threshold_kbps: number | null;
  download_burst_seconds: number | null;
  upload_kbps: number | null;
  upload_burst_kbps: number | null;
  upload_burst_threshold_kbps: number | null;
  upload_burst_seconds: number | null;
  throttle_download_kbps: number | null;
  throttle_upload_kbps: number | null;
  ip_pool: string | null;
  address_list: string | null;
  plan_blocked_action: BlockedAction | null;
  plan_blocked_pool: string | null;
  plan_blocked_address_list: string | null;
  plan_captive_message: string | null;
  /** The throttle flag of the stored fair-usage state (of its period: see quotaStateCurrent). */
  throttled: boolean | null;
  time_quota_seconds: number | null;
}

function decisionQuery(db: Db) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .innerJoin('plan_versions as v', 'v.id', 'p.current_version_id')
    .leftJoin('aaa_plan_settings as ps', 'ps.plan_id', 'p.id')
    .leftJoin('aaa_quota_state as q', 'q.subscription_id', 's.id')
    .select([
      's.id',
      's.organization_id',
      'o.path as organization_path',
      sql<string>`s.username`.as('username'),
      sql<string>`s.password_enc`.as('password_enc'),
      's.status',
      's.status_reason',
      's.mac_address',
      sql<string | null>`host(s.static_ipv4)`.as('static_ipv4'),
      sql<string | null>`s.static_ipv6_prefix::text`.as('static_ipv6_prefix'),
      's.simultaneous_use',
      's.billed_through',
      's.grace_until',
      's.suspend_at',
      's.terminate_at',
      's.plan_id',
      'p.billing_model',
      'v.download_kbps',
      'v.download_burst_kbps',
      'v.download_burst_threshold_kbps',
      'v.download_burst_seconds',
      'v.upload_kbps',
      'v.upload_burst_kbps',
      'v.upload_burst_threshold_kbps',
      'v.upload_burst_seconds',
      'v.throttle_download_kbps',
      'v.throttle_upload_kbps',
      'v.ip_pool',
      'v.address_list',
      'ps.blocked_action as plan_blocked_action',
      'ps.blocked_pool as plan_blocked_pool',
      'ps.blocked_address_list as plan_blocked_address_list',
      'ps.captive_message as plan_captive_message',
      'q.throttled',
      'v.time_quota_seconds',
      'o.timezone',
      sql<Date>`coalesce(s.activated_at, s.starts_at)`.as('anchor'),
      'v.id as version_id',
      'v.cycle',
      'v.alignment',
      'v.validity_unit',
      'v.validity_length',
      'q.period_start as quota_period_start',
      'q.period_end as quota_period_end',
      'q.period_key as quota_period_key',
      'q.settled_seconds',
      sql<string | null>`q.settled_day::text`.as('settled_day'),
    ]);
}

/**
 * The subscriptions holding these usernames (unique among those not terminated, case-insensitive),
 * one index lookup each, keyed by the lower-case username.
 */
export async function decisionsByUsernames(db: Db, usernames: readonly string[]): Promise<Map<string, DecisionRow>> {
  const rows = (await decisionQuery(db)
    .where(sql<boolean>`lower(s.username) = any(${usernames.map((u) => u.toLowerCase())}::text[])`)
    .where('s.username', 'is not', null)
    .where('s.status', '<>', 'terminated')
    .execute()) as DecisionRow[];
  return new Map(rows.map((r) => [r.username.toLowerCase(), r]));
}

export function decisionById(db: Db, id: string): Promise<DecisionRow | undefined> {
  return decisionQuery(db).where('s.id', '=', id).where('s.username', 'is not', null).executeTakeFirst() as Promise<DecisionRow | undefined>;
}

export interface OrganizationSettings {
  path: string;
  blocked_action: BlockedAction;
  blocked_pool: string | null;
  blocked_address_list: string | null;
  captive_message: string;
  interim_interval_seconds: number;
}

/** The organization's path and the settings of the nearest organization up its branch that has them. */
export async function organizationSettings(db: Db, organizationId: string): Promise<OrganizationSettings | undefined> {
  const row = await db
    .selectFrom('organizations as o')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('aaa_settings as a')
          .innerJoin('organizations as up', 'up.id', 'a.organization_id')
          .select(['a.blocked_action', 'a.blocked_pool', 'a.blocked_address_list', 'a.captive_message', 'a.interim_interval_seconds'])
          .where(sql<boolean>`o.path like up.path || '%'`)
          .orderBy(sql`length(up.path)`, 'desc')
          .limit(1)
          .as('a'),
      (join) => join.onTrue(),
    )
    .select(['o.path', 'a.blocked_action', 'a.blocked_pool', 'a.blocked_address_list', 'a.captive_message', 'a.interim_interval_seconds'])
    .where('o.id', '=', organizationId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    path: row.path,
    blocked_action: row.blocked_action ?? 'reject',
    blocked_pool: row.blocked_pool ?? null,
    blocked_address_list: row.blocked_address_list ?? null,
    captive_message: row.captive_message ?? '',
    interim_interval_seconds: row.interim_interval_seconds ?? 300,
  };
}

/** The open sessions of each subscription; one absent from the map has none open. */
export async function openSessionCounts(db: Db, subscriptionIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('radacct')
    .select(['subscription_id', sql<string>`count(*)`.as('n')])
    .where(sql<boolean>`subscription_id = any(${[...subscriptionIds]}::uuid[])`)
    .where('acctstoptime', 'is', null)
    .groupBy('subscription_id')
    .execute();
  return new Map(rows.map((r) => [r.subscription_id!, Number(r.n)]));
}

export type PostAuthRow = Insertable<RadpostauthTable>;

export async function insertPostAuth(db: Db, rows: readonly PostAuthRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('radpostauth').values([...rows]).execute();
}
