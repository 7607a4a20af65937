import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, NewOrganization, Organization } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { orgInScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { OrganizationListQuery } from './organizations.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export const organizationSort: SortSpec = {
  fields: { name: 'organizations.name', created_at: 'organizations.created_at', depth: 'organizations.depth' },
  default: 'name',
  id: 'organizations.id',
};

export function findInScope(db: Db, scope: Scope, id: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).where(orgInScope(scope)).executeTakeFirst();
}

export function findById(db: Db, id: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function list(db: Db, scope: Scope, query: OrganizationListQuery): Promise<Organization[]> {
  let q = db.selectFrom('organizations').selectAll().where(orgInScope(scope));
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.parentId) q = q.where('parent_id', '=', query.parentId);
  if (query.q) q = q.where('name', 'ilike', likeContains(query.q));
  return keyset(q, organizationSort, query).execute();
}

export async function insert(db: Db, values: NewOrganization & { id: string }): Promise<Organization> {
  return db.insertInto('organizations').values(values).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Db, id: string, values: Partial<NewOrganization>, now: Date): Promise<Organization> {
  return db
    .updateTable('organizations')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function dependents(db: Db, id: string): Promise<{ children: number; users: number }> {
  const r = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('organizations').select(eb.fn.countAll<bigint>().as('n')).where('parent_id', '=', id).as('children'),
      eb.selectFrom('users').select(eb.fn.countAll<bigint>().as('n')).where('organization_id', '=', id).as('users'),
    ])
    .executeTakeFirstOrThrow();
  return { children: Number(r.children), users: Number(r.users) };
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('organizations').where('id', '=', id).execute();
}

/** True when the organization or any ancestor is disabled (its users may not sign in). */
export async function isDisabledOnPath(db: Db, path: string): Promise<boolean> {
  const r = await db
    .selectFrom('organizations')
    .select('id')
    .where('status', '=', 'disabled')
    .where(sql<boolean>`${path} like organizations.path || '%'`)
    .executeTakeFirst();
  return r !== undefined;
}

export function root(db: Db): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('parent_id', 'is', null).executeTakeFirst();
}
