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

/**
 * What assignments take in each subnet, merged in the database into ranges of consecutive
 * addresses (first and last, as host addresses): a /16 filled with 60,000 assignments in a row is
 * one range, so utilization never reads every assignment. Ranges that touch are merged; the step
 * past a range's end is guarded at the last address of the family, where inet arithmetic stops.
 */
export async function takenRangesIn(db: Db, subnetIds: readonly string[]): Promise<{ subnet_id: string; first: string; last: string }[]> {
  if (!subnetIds.length) return [];
  const bits = sql`case family(a.address) when 4 then 32 else 128 end`;
  const result = await sql<{ subnet_id: string; first: string; last: string }>`
    with t as (
      select a.subnet_id, set_masklen(a.address::inet, ${bits}) as f, set_masklen(broadcast(a.address), ${bits}) as l
      from ip_assignments a where a.subnet_id in (${sql.join(subnetIds)})
    ),
    w as (
      select subnet_id, f, l, max(l) over (partition by subnet_id order by f, l rows between unbounded preceding and 1 preceding) as prev from t
    ),
    s as (
      select subnet_id, f, l, sum(case when prev is null then 1
          when prev >= case family(f) when 4 then inet '255.255.255.255' else inet 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' end then 0
          when f > prev + 1 then 1 else 0 end) over (partition by subnet_id order by f, l rows unbounded preceding) as island
      from w
    )
    select subnet_id, host(min(f)) as first, host(max(l)) as last from s group by subnet_id, island order by subnet_id, min(f)`.execute(db);
  return result.rows;
}

export interface FreeSlotQuery {
  subnetId: string;
  cidr: string;
  family: 4 | 6;
  /** The usable range of the subnet (host addresses, or every prefix of a prefix pool), as addresses. */
  first: string;
  last: string;
  /** The length of what is handed out: 32 or 128 for an address, the delegated length for a prefix. */
  slotLength: number;
}

/**
 * The first free address (or aligned prefix) of a subnet, found by the database in one statement:
 * everything that takes addresses there — assignments, the gateway, reserved ranges, and
 * subscriptions' static addresses and prefixes set before the pool existed — as [start, end]
 * intervals in address order, with the furthest end reached so far (a window); the first slot
 * after that end that ends before the next interval starts is free. Only the answer leaves the
 * database, so a /16 with 60,000 assignments costs one sort, not 60,000 rows sent to Node.
 *
 * Everything is compared as host addresses (masklen 32/128: inet orders a shorter mask first), and
 * stepping past an end is `broadcast(end at the slot length) + 1`, guarded so the step never runs
 * past the last address (inet arithmetic refuses to). No address difference is computed, so IPv6
 * ranges wider than a bigint are fine.
 */
export async function firstFreeSlot(db: Db, q: FreeSlotQuery): Promise<string | null> {
  const bits = q.family === 4 ? 32 : 128;
  const host = (e: ReturnType<typeof sql>) => sql`set_masklen((${e})::inet, ${bits})`;
  // An address is its own last address; a prefix ends at the broadcast address of its block.
  const slotEnd = (e: ReturnType<typeof sql>) => (q.slotLength === bits ? e : sql`set_masklen(broadcast(set_masklen((${e})::inet, ${q.slotLength})), ${bits})`);
  const first = host(sql`${q.first}::inet`);
  const last = host(sql`${q.last}::inet`);
  const staticHolders =
    q.family === 4
      ? sql`select s.static_ipv4::cidr as a from subscriptions s where s.static_ipv4 <<= ${q.cidr}::cidr and s.status <> 'terminated'`
      : sql`select s.static_ipv6_prefix as a from subscriptions s where s.static_ipv6_prefix && ${q.cidr}::cidr and s.status <> 'terminated'`;
  const result = await sql<{ found: string }>`
    with taken(f, l) as (
      select ${host(sql`a.address`)}, ${host(sql`broadcast(a.address)`)} from ip_assignments a where a.subnet_id = ${q.subnetId}
      union all
      select ${host(sql`r.first_address`)}, ${host(sql`r.last_address`)} from ip_reservations r where r.subnet_id = ${q.subnetId}
      union all
      select ${host(sql`n.gateway`)}, ${host(sql`n.gateway`)} from ip_subnets n where n.id = ${q.subnetId} and n.gateway is not null
      union all
      select ${host(sql`h.a`)}, ${host(sql`broadcast(h.a)`)} from (${staticHolders}) h
    ),
    near as (
      select f, l from taken where l >= ${first} and f <= ${last}
    ),
    ordered as (
      select max(l) over w as reach, lead(f) over w as next_f from near
      window w as (order by f, l rows between unbounded preceding and current row)
    ),
    candidates(slot, bound) as (
      select ${first}, (select min(f) from near)
      union all
      select case when ${slotEnd(sql`reach`)} < ${last} then ${slotEnd(sql`reach`)} + 1 end, next_f from ordered
    )
    select host(c.slot) as found from candidates c
    where c.slot is not null and ${slotEnd(sql`c.slot`)} <= ${last} and (c.bound is null or ${slotEnd(sql`c.slot`)} < c.bound)
    order by c.slot
    limit 1`.execute(db);
  const slot = result.rows[0]?.found;
  return slot === undefined ? null : `${slot}/${q.slotLength}`;
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
