import { sql, type Insertable, type Kysely, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { IpAssignmentsTable, IpPool, IpPoolsTable, IpSubnet } from '../../platform/db/schema/ipam.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { PoolListQuery } from './ipam.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface PoolRow extends IpPool {
  organization_name: string;
  organization_path: string;
  nas_name: string | null;
}

export const poolSort: SortSpec = {
  fields: { name: 'ip_pools.name', created_at: 'ip_pools.created_at' },
  default: 'name',
  id: 'ip_pools.id',
};

function pools(db: Db) {
  return db
    .selectFrom('ip_pools')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .leftJoin('nas_devices', 'nas_devices.id', 'ip_pools.nas_id')
    .selectAll('ip_pools')
    .select(['organizations.name as organization_name', 'organizations.path as organization_path', 'nas_devices.name as nas_name']);
}

export function listPools(db: Db, scope: Scope, query: PoolListQuery): Promise<PoolRow[]> {
  let q = pools(db).where(inScope(scope, 'ip_pools.organization_id'));
  if (query.family) q = q.where('ip_pools.family', '=', query.family === '4' ? 4 : 6);
  if (query.nasId) q = q.where('ip_pools.nas_id', '=', query.nasId);
  if (query.q) q = q.where('ip_pools.name', 'ilike', likeContains(query.q));
  return keyset(q, poolSort, query).execute();
}

export function findPool(db: Db, scope: Scope, id: string): Promise<PoolRow | undefined> {
  return pools(db).where('ip_pools.id', '=', id).where(inScope(scope, 'ip_pools.organization_id')).executeTakeFirst();
}

/** Locks the pool: allocations from one pool are serialized, so two never compute the same next free address. */
export function lockPool(trx: Transaction<DB>, scope: Scope, id: string): Promise<PoolRow | undefined> {
  return pools(trx).where('ip_pools.id', '=', id).where(inScope(scope, 'ip_pools.organization_id')).forUpdate('ip_pools').executeTakeFirst();
}

export async function poolNameTaken(db: Db, organizationId: string, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('ip_pools').select('id').where('organization_id', '=', organizationId).where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * The pool a plan's `ip_pool` names for a subscriber of the organization at `orgPath`: the
 * organization's own pool of that name, else the nearest one above it.
 */
export function poolByName(db: Db, orgPath: string, name: string): Promise<IpPool | undefined> {
  return db
    .selectFrom('ip_pools')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .selectAll('ip_pools')
    .where(sql<string>`lower(ip_pools.name)`, '=', name.toLowerCase())
    .where(sql<SqlBool>`${orgPath} like organizations.path || '%'`)
    .orderBy('organizations.depth', 'desc')
    .executeTakeFirst();
}

export async function insertPool(db: Db, row: Insertable<IpPoolsTable>): Promise<void> {
  await db.insertInto('ip_pools').values(row).execute();
}

export async function updatePool(db: Db, id: string, set: Updateable<IpPoolsTable>): Promise<void> {
  await db.updateTable('ip_pools').set(set).where('id', '=', id).execute();
}

export async function deletePool(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ip_pools').where('id', '=', id).execute();
}

const cidrText = (column: string) => sql<string>`${sql.ref(column)}::text`;

export type SubnetRow = Omit<IpSubnet, 'cidr' | 'gateway'> & { cidr: string; gateway: string | null };

export function subnetsOf(db: Db, poolIds: readonly string[]): Promise<SubnetRow[]> {
  if (!poolIds.length) return Promise.resolve([]);
  return db
    .selectFrom('ip_subnets')
    .select(['id', 'pool_id', 'organization_id', 'description', 'created_at', cidrText('cidr').as('cidr'), sql<string | null>`host(gateway)`.as('gateway')])
    .where('pool_id', 'in', poolIds)
    .orderBy('cidr')
    .execute();
}

export function findSubnet(db: Db, scope: Scope, id: string) {
  return db
    .selectFrom('ip_subnets')
    .innerJoin('ip_pools', 'ip_pools.id', 'ip_subnets.pool_id')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .select(['ip_subnets.id', 'ip_subnets.pool_id', cidrText('ip_subnets.cidr').as('cidr'), sql<string | null>`host(ip_subnets.gateway)`.as('gateway'), 'ip_pools.organization_id', 'organizations.path as organization_path'])
    .where('ip_subnets.id', '=', id)
    .where(inScope(scope, 'ip_pools.organization_id'))
    .executeTakeFirst();
}

/** The subnet some subnet overlaps, wherever it is (subnets never overlap in the whole database). */
export function overlapping(db: Db, cidr: string) {
  return db
    .selectFrom('ip_subnets')
    .innerJoin('ip_pools', 'ip_pools.id', 'ip_subnets.pool_id')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .select([cidrText('ip_subnets.cidr').as('cidr'), 'ip_pools.name as pool_name', 'organizations.path as organization_path'])
    .where(sql<SqlBool>`ip_subnets.cidr && ${cidr}::cidr`)
    .executeTakeFirst();
}

export async function insertSubnet(db: Db, row: { pool_id: string; organization_id: string; cidr: string; gateway: string | null; description: string }): Promise<string> {
  return (await db.insertInto('ip_subnets').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export async function deleteSubnet(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ip_subnets').where('id', '=', id).execute();
}

export async function countAssignments(db: Db, column: 'pool_id' | 'subnet_id', id: string): Promise<number> {
  const r = await db.selectFrom('ip_assignments').select((eb) => eb.fn.countAll<bigint>().as('n')).where(column, '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

export function reservationsOf(db: Db, subnetIds: readonly string[]) {
  if (!subnetIds.length) return Promise.resolve([]);
  return db
    .selectFrom('ip_reservations')
    .select(['id', 'subnet_id', 'reason', sql<string>`host(first_address)`.as('first'), sql<string>`host(last_address)`.as('last')])
    .where('subnet_id', 'in', subnetIds)
    .orderBy('first_address')
    .execute();
}

export async function insertReservation(db: Db, row: { subnet_id: string; first_address: string; last_address: string; reason: string }): Promise<string> {
  return (await db.insertInto('ip_reservations').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export function findReservation(db: Db, scope: Scope, id: string) {
  return db
    .selectFrom('ip_reservations')
    .innerJoin('ip_subnets', 'ip_subnets.id', 'ip_reservations.subnet_id')
    .innerJoin('ip_pools', 'ip_pools.id', 'ip_subnets.pool_id')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .select(['ip_reservations.id', 'ip_subnets.pool_id', 'ip_pools.organization_id', 'organizations.path as organization_path'])
    .where('ip_reservations.id', '=', id)
    .where(inScope(scope, 'ip_pools.organization_id'))
    .executeTakeFirst();
}

export async function deleteReservation(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ip_reservations').where('id', '=', id).execute();
}

export interface AssignmentRow {
  id: string;
  pool_id: string;
  subnet_id: string;
  organization_id: string;
  address: string;
  subscription_id: string | null;
  username: string | null;
  kind: 'static' | 'allocated';
  note: string;
  created_at: Date;
}

function assignments(db: Db) {
  return db
    .selectFrom('ip_assignments')
    .leftJoin('subscriptions', 'subscriptions.id', 'ip_assignments.subscription_id')
    .select([
      'ip_assignments.id',
      'ip_assignments.pool_id',
      'ip_assignments.subnet_id',
      'ip_assignments.organization_id',
      cidrText('ip_assignments.address').as('address'),
      'ip_assignments.subscription_id',
      'subscriptions.username',
      'ip_assignments.kind',
      'ip_assignments.note',
      'ip_assignments.created_at',
    ]);
}

export function assignmentsOfPool(db: Db, poolId: string, limit: number): Promise<AssignmentRow[]> {
  return assignments(db).where('ip_assignments.pool_id', '=', poolId).orderBy('ip_assignments.address').limit(limit).execute();
}

export function findAssignment(db: Db, scope: Scope, id: string) {
  return assignments(db)
    .innerJoin('ip_pools', 'ip_pools.id', 'ip_assignments.pool_id')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .select('organizations.path as organization_path')
    .where('ip_assignments.id', '=', id)
    .where(inScope(scope, 'ip_pools.organization_id'))
    .executeTakeFirst();
}

/** The address ranges taken in the subnets: assignments (any length), by cidr text. */
export async function takenIn(db: Db, subnetIds: readonly string[]): Promise<{ subnet_id: string; address: string }[]> {
  if (!subnetIds.length) return [];
  return db.selectFrom('ip_assignments').select(['subnet_id', cidrText('address').as('address')]).where('subnet_id', 'in', subnetIds).execute();
}

/**
 * Subscriptions' static addresses and delegated prefixes inside a subnet that have no assignment
 * yet (set before the pool existed): allocation steps around them too.
 */
export async function subscriptionAddressesIn(db: Db, cidr: string): Promise<string[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .select(sql<string>`coalesce(static_ipv4::text, static_ipv6_prefix::text)`.as('address'))
    .where('status', '<>', 'terminated')
    .where((eb) => eb.or([eb(sql<SqlBool>`static_ipv4 <<= ${cidr}::cidr`, '=', true), eb(sql<SqlBool>`static_ipv6_prefix && ${cidr}::cidr`, '=', true)]))
    .execute();
  return rows.map((r) => r.address);
}

export async function insertAssignment(db: Db, row: Insertable<IpAssignmentsTable>): Promise<string> {
  return (await db.insertInto('ip_assignments').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export async function deleteAssignment(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ip_assignments').where('id', '=', id).execute();
}

/** The subnet of a managed IPv4 address pool that holds an address, with its pool's organization path. */
export function addressSubnet(db: Db, address: string) {
  return db
    .selectFrom('ip_subnets')
    .innerJoin('ip_pools', 'ip_pools.id', 'ip_subnets.pool_id')
    .innerJoin('organizations', 'organizations.id', 'ip_pools.organization_id')
    .select(['ip_subnets.id as subnet_id', 'ip_pools.id as pool_id', 'ip_pools.name as pool_name', 'ip_pools.kind', 'organizations.path as organization_path'])
    .where(sql<SqlBool>`ip_subnets.cidr >>= ${address}::inet`)
    .executeTakeFirst();
}
