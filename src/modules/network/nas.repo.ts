import { sql, type Insertable, type Kysely, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { NasDevice, NasDevicesTable } from '../../platform/db/schema/network.ts';
import type { NasEvent } from '../../platform/db/schema/ipam.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { NasListQuery } from './nas.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface NasRow extends NasDevice {
  organization_name: string;
  organization_path: string;
}

export const nasSort: SortSpec = {
  fields: { name: 'nas_devices.name', address: 'nas_devices.address', status: 'nas_devices.status', created_at: 'nas_devices.created_at' },
  default: 'name',
  id: 'nas_devices.id',
};

// inet comes back as text; host() drops the /32 or /128 the column's check makes implicit.
function withOrganization(db: Db) {
  return db
    .selectFrom('nas_devices')
    .innerJoin('organizations', 'organizations.id', 'nas_devices.organization_id')
    .selectAll('nas_devices')
    .select([sql<string>`host(nas_devices.address)`.as('address'), 'organizations.name as organization_name', 'organizations.path as organization_path']);
}

export function list(db: Db, scope: Scope, query: NasListQuery): Promise<NasRow[]> {
  let q = withOrganization(db).where(inScope(scope, 'nas_devices.organization_id'));
  if (query.type) q = q.where('nas_devices.type', '=', query.type);
  if (query.status) q = q.where('nas_devices.status', '=', query.status);
  if (query.active !== undefined) q = q.where('nas_devices.active', '=', query.active);
  if (query.organizationId) q = q.where('nas_devices.organization_id', '=', query.organizationId);
  if (query.q) {
    const term = likeContains(query.q);
    q = q.where((eb) =>
      eb.or([eb('nas_devices.name', 'ilike', term), eb(sql<string>`host(nas_devices.address)`, 'like', term), eb('nas_devices.location', 'ilike', term)]),
    );
  }
  return keyset(q, nasSort, query).execute();
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<NasRow | undefined> {
  return withOrganization(db).where('nas_devices.id', '=', id).where(inScope(scope, 'nas_devices.organization_id')).executeTakeFirst();
}

export function lockInScope(db: Db, scope: Scope, id: string): Promise<NasRow | undefined> {
  return withOrganization(db).where('nas_devices.id', '=', id).where(inScope(scope, 'nas_devices.organization_id')).forUpdate('nas_devices').executeTakeFirst();
}

/** The NAS that already uses a source address, wherever it is. */
export function byAddress(db: Db, address: string, exceptId?: string) {
  let q = db
    .selectFrom('nas_devices')
    .innerJoin('organizations', 'organizations.id', 'nas_devices.organization_id')
    .select(['nas_devices.id', 'nas_devices.name', 'organizations.path as organization_path'])
    .where(sql<SqlBool>`nas_devices.address = ${address}::inet`);
  if (exceptId) q = q.where('nas_devices.id', '<>', exceptId);
  return q.executeTakeFirst();
}

export async function nameTaken(db: Db, organizationId: string, name: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('nas_devices').select('id').where('organization_id', '=', organizationId).where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function insert(db: Db, row: Insertable<NasDevicesTable>): Promise<void> {
  await db.insertInto('nas_devices').values(row).execute();
}

export async function update(db: Db, id: string, set: Updateable<NasDevicesTable>): Promise<void> {
  await db.updateTable('nas_devices').set(set).where('id', '=', id).execute();
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('nas_devices').where('id', '=', id).execute();
}

/**
 * The tables holding rows that name this NAS (IP pools, sessions, router backups, whatever later
 * modules add), found from the catalog's foreign keys so a new reference is counted without a
 * change here. Its own netwatch history does not count: it goes with the NAS.
 */
export async function referencesTo(db: Db, id: string): Promise<string[]> {
  const { rows } = await sql<{ tbl: string; col: string }>`
    select c.conrelid::regclass::text as tbl, a.attname as col
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid = 'nas_devices'::regclass and c.conrelid <> 'nas_events'::regclass
    order by 1`.execute(db);
  const found: string[] = [];
  for (const r of rows) {
    const hit = await sql<{ one: number }>`select 1 as one from ${sql.table(r.tbl)} where ${sql.ref(r.col)} = ${id} limit 1`.execute(db);
    if (hit.rows.length) found.push(r.tbl);
  }
  return found;
}

export interface NasEventRow extends NasEvent {
  nas_name: string;
}

/** Netwatch events in the scope, newest first; of one NAS when `nasId` is given. */
export function events(db: Db, scope: Scope, limit: number, nasId?: string): Promise<NasEventRow[]> {
  let q = db
    .selectFrom('nas_events')
    .innerJoin('nas_devices', 'nas_devices.id', 'nas_events.nas_id')
    .selectAll('nas_events')
    .select('nas_devices.name as nas_name')
    .where(inScope(scope, 'nas_events.organization_id'));
  if (nasId) q = q.where('nas_events.nas_id', '=', nasId);
  return q.orderBy('nas_events.at', 'desc').orderBy('nas_events.id', 'desc').limit(limit).execute();
}

/** Every active NAS, for the RADIUS client directory and the health checks (no scope: system work). */
export function activeDevices(db: Db): Promise<NasDevice[]> {
  return db
    .selectFrom('nas_devices')
    .selectAll()
    .select(sql<string>`host(address)`.as('address'))
    .where('active', '=', true)
    .execute();
}
