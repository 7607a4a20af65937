import { sql, type Insertable, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { NasDevice } from '../../platform/db/schema/network.ts';
import type { RouterBackupsTable, RouterCommandsTable } from '../../platform/db/schema/routers.ts';
import { keyset, type ListQuery, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import { readableBy } from '../catalog/plans.repo.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type RouterNas = NasDevice & { organization_path: string };

function nasWithPath(db: Db) {
  return db.selectFrom('nas_devices').innerJoin('organizations', 'organizations.id', 'nas_devices.organization_id').selectAll('nas_devices').select('organizations.path as organization_path');
}

export function nasInScope(db: Db, scope: Scope, id: string): Promise<RouterNas | undefined> {
  return nasWithPath(db).where('nas_devices.id', '=', id).where(inScope(scope, 'nas_devices.organization_id')).executeTakeFirst();
}

/** A NAS by id, whatever the caller's scope: for the background work (enforcement fallback), not for routes. */
export function nasById(db: Db, id: string): Promise<RouterNas | undefined> {
  return nasWithPath(db).where('nas_devices.id', '=', id).executeTakeFirst();
}

/** Active MikroTik NAS with a management API: what the nightly backup visits. */
export function managedNas(db: Db): Promise<RouterNas[]> {
  return nasWithPath(db)
    .where('nas_devices.active', '=', true)
    .where('nas_devices.type', '=', 'mikrotik')
    .where('nas_devices.api_kind', '<>', 'none')
    .orderBy('nas_devices.id')
    .execute();
}

/** A plan version's rate limits with burst: what a profile or a queue is made of. */
const rateLimitColumns = [
  'plan_versions.download_kbps',
  'plan_versions.download_burst_kbps',
  'plan_versions.download_burst_threshold_kbps',
  'plan_versions.download_burst_seconds',
  'plan_versions.upload_kbps',
  'plan_versions.upload_burst_kbps',
  'plan_versions.upload_burst_threshold_kbps',
  'plan_versions.upload_burst_seconds',
] as const;

/** The plans a NAS serves: active plans readable from its organization, with their current version. */
export function plansFor(db: Db, nas: RouterNas) {
  return db
    .selectFrom('plans')
    .innerJoin('plan_versions', 'plan_versions.id', 'plans.current_version_id')
    .select([
      'plans.id',
      'plans.code',
      'plans.name',
      'plans.service_type',
      'plan_versions.id as version_id',
      'plan_versions.version',
      ...rateLimitColumns,
      'plan_versions.ip_pool',
      'plan_versions.address_list',
    ])
    .where(readableBy({ orgId: nas.organization_id, orgPath: nas.organization_path }))
    .where('plans.status', '=', 'active')
    .where('plans.kind', 'in', ['plan', 'addon'])
    .where('plans.service_type', 'in', ['pppoe', 'hotspot'])
    .orderBy('plans.code')
    .orderBy('plans.id')
    .execute();
}

export type PlanForRouter = Awaited<ReturnType<typeof plansFor>>[number];

/**
 * The static-IP subscriptions a NAS serves: active (or in grace) subscriptions of a static-IP or
 * bulk-bandwidth plan whose static IPv4 lies in a subnet of an IP pool tied to the NAS, with their
 * plan's current network profile. PPPoE and hotspot subscribers are limited by their profiles.
 */
export function staticSubscriptionsFor(db: Db, nas: Pick<RouterNas, 'id'>) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('plans', 'plans.id', 'subscriptions.plan_id')
    .innerJoin('plan_versions', 'plan_versions.id', 'plans.current_version_id')
    .select([
      'subscriptions.id',
      'subscriptions.username',
      sql<string>`host(subscriptions.static_ipv4)`.as('static_ipv4'),
      'plans.code as plan_code',
      ...rateLimitColumns,
    ])
    .where('subscriptions.status', 'in', ['active', 'grace'])
    .where('plans.service_type', 'in', ['static_ip', 'bulk_bandwidth'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('ip_subnets')
          .innerJoin('ip_pools', 'ip_pools.id', 'ip_subnets.pool_id')
          .select('ip_subnets.id')
          .where('ip_pools.nas_id', '=', nas.id)
          .where(sql<SqlBool>`ip_subnets.cidr >>= subscriptions.static_ipv4`),
      ),
    )
    .orderBy('subscriptions.static_ipv4')
    .execute();
}

export type StaticSubscription = Awaited<ReturnType<typeof staticSubscriptionsFor>>[number];

/** Status and login of subscriptions by id (for the reason a queue is stale). */
export function subscriptionStates(db: Db, ids: readonly string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('subscriptions').select(['id', 'status', 'username']).where('id', 'in', ids).execute();
}

export async function insertCommands(db: Db, rows: readonly Insertable<RouterCommandsTable>[]): Promise<void> {
  if (rows.length) await db.insertInto('router_commands').values([...rows]).execute();
}

export const commandSort: SortSpec = { fields: { id: 'router_commands.id' }, default: '-id', id: 'router_commands.id' };

export function listCommands(db: Db, nasId: string, query: ListQuery) {
  return keyset(
    db
      .selectFrom('router_commands')
      .leftJoin('users', 'users.id', 'router_commands.user_id')
      .selectAll('router_commands')
      .select('users.email as user_email')
      .where('router_commands.nas_id', '=', nasId),
    commandSort,
    query,
  ).execute();
}

export function insertBackup(db: Db, row: Insertable<RouterBackupsTable>) {
  return db
    .insertInto('router_backups')
    .values(row)
    .returning(['id', 'nas_id', 'trigger', 'sha256', 'size_bytes', 'created_at', 'created_by'])
    .executeTakeFirstOrThrow();
}

export const backupSort: SortSpec = { fields: { created_at: 'router_backups.created_at' }, default: '-created_at', id: 'router_backups.id' };

export function listBackups(db: Db, nasId: string, query: ListQuery) {
  return keyset(
    db.selectFrom('router_backups').select(['id', 'nas_id', 'trigger', 'sha256', 'size_bytes', 'created_at', 'created_by']).where('nas_id', '=', nasId),
    backupSort,
    query,
  ).execute();
}

export function getBackup(db: Db, nasId: string, id: string) {
  return db.selectFrom('router_backups').selectAll().where('nas_id', '=', nasId).where('id', '=', id).executeTakeFirst();
}

export function latestBackup(db: Db, nasId: string) {
  return db.selectFrom('router_backups').select(['id', 'sha256', 'created_at']).where('nas_id', '=', nasId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function pinOf(db: Db, nasId: string): Promise<string | null> {
  const row = await db.selectFrom('router_tls_pins').select('fingerprint_sha256').where('nas_id', '=', nasId).executeTakeFirst();
  return row?.fingerprint_sha256 ?? null;
}

export async function setPin(db: Db, nasId: string, fingerprint: string | null, at: Date, by: string | null): Promise<void> {
  if (fingerprint === null) {
    await db.deleteFrom('router_tls_pins').where('nas_id', '=', nasId).execute();
    return;
  }
  await db
    .insertInto('router_tls_pins')
    .values({ nas_id: nasId, fingerprint_sha256: fingerprint, pinned_at: at, pinned_by: by })
    .onConflict((oc) => oc.column('nas_id').doUpdateSet({ fingerprint_sha256: fingerprint, pinned_at: at, pinned_by: by }))
    .execute();
}

/** Counts used by the tenancy probes and tests. */
export async function commandCount(db: Db, nasId: string): Promise<number> {
  const r = await db.selectFrom('router_commands').select(sql<string>`count(*)`.as('n')).where('nas_id', '=', nasId).executeTakeFirstOrThrow();
  return Number(r.n);
}
