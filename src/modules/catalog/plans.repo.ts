import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, PlanRow, PlanVersionRow, PlansTable, PlanVersionsTable } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { PlanListQuery } from './plans.schemas.ts';
import { visibleFrom } from './visibility.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface PlanWithOrganization extends PlanRow {
  organization_name: string;
  organization_path: string;
}

export interface BundleItemRow {
  bundle_plan_id: string;
  item_plan_id: string;
  quantity: number;
  code: string;
  name: string;
}

export const planSort: SortSpec = {
  fields: { name: 'plans.name', code: 'plans.code', created_at: 'plans.created_at' },
  default: 'name',
  id: 'plans.id',
};

/** Plans a scope may read: its subtree's, and the master packages of the organizations above it. */
export const readableBy = (scope: Scope) => visibleFrom(scope, 'plans.organization_id', 'plans.shared_with_subtree');

function withOrganization(db: Db) {
  return db
    .selectFrom('plans')
    .innerJoin('organizations', 'organizations.id', 'plans.organization_id')
    .selectAll('plans')
    .select(['organizations.name as organization_name', 'organizations.path as organization_path']);
}

export function list(db: Db, scope: Scope, query: PlanListQuery): Promise<PlanWithOrganization[]> {
  let q = withOrganization(db).where(readableBy(scope));
  if (query.serviceType) q = q.where('plans.service_type', '=', query.serviceType);
  if (query.kind) q = q.where('plans.kind', '=', query.kind);
  if (query.billingModel) q = q.where('plans.billing_model', '=', query.billingModel);
  if (query.status) q = q.where('plans.status', '=', query.status);
  if (query.organizationId) q = q.where('plans.organization_id', '=', query.organizationId);
  if (query.q) {
    const pattern = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('plans.name', 'ilike', pattern), eb('plans.code', 'ilike', pattern)]));
  }
  return keyset(q, planSort, query).execute();
}

export function findReadable(db: Db, scope: Scope, id: string): Promise<PlanWithOrganization | undefined> {
  return withOrganization(db).where('plans.id', '=', id).where(readableBy(scope)).executeTakeFirst();
}

/** A plan the scope may change; locked for the rest of the transaction, so versions are numbered one at a time. */
export function findManagedForUpdate(db: Db, scope: Scope, id: string): Promise<PlanWithOrganization | undefined> {
  return withOrganization(db)
    .where('plans.id', '=', id)
    .where(inScope(scope, 'plans.organization_id'))
    .forUpdate('plans')
    .executeTakeFirst();
}

/** Of these plan ids, the ones readable from the scope, with their kind. */
export function readableAmong(db: Db, scope: Scope, ids: readonly string[]): Promise<Pick<PlanRow, 'id' | 'kind'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('plans').select(['id', 'kind']).where('id', 'in', [...ids]).where(readableBy(scope)).execute();
}

export function codeTaken(db: Db, organizationId: string, code: string): Promise<boolean> {
  return db
    .selectFrom('plans')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('code', '=', code)
    .executeTakeFirst()
    .then((r) => r !== undefined);
}

export async function insertPlan(db: Db, values: Insertable<PlansTable> & { id: string }): Promise<void> {
  await db.insertInto('plans').values(values).execute();
}

export function insertVersion(db: Db, values: Insertable<PlanVersionsTable>): Promise<PlanVersionRow> {
  return db.insertInto('plan_versions').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updatePlan(db: Db, id: string, values: Partial<Insertable<PlansTable>>, now: Date): Promise<void> {
  await db
    .updateTable('plans')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function deletePlan(db: Db, id: string): Promise<void> {
  await db.deleteFrom('plans').where('id', '=', id).execute();
}

export function findVersions(db: Db, ids: readonly string[]): Promise<PlanVersionRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('plan_versions').selectAll().where('id', 'in', [...ids]).execute();
}

export function versionsOfPlan(db: Db, planId: string): Promise<PlanVersionRow[]> {
  return db.selectFrom('plan_versions').selectAll().where('plan_id', '=', planId).orderBy('version', 'desc').execute();
}

export function versionNumbered(db: Db, planId: string, version: number): Promise<PlanVersionRow | undefined> {
  return db.selectFrom('plan_versions').selectAll().where('plan_id', '=', planId).where('version', '=', version).executeTakeFirst();
}

/** The version whose prices apply at an instant: the newest one valid by then. */
export function versionAt(db: Db, planId: string, at: Date): Promise<PlanVersionRow | undefined> {
  return db
    .selectFrom('plan_versions')
    .selectAll()
    .where('plan_id', '=', planId)
    .where('valid_from', '<=', at)
    .orderBy('valid_from', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function bundleItems(db: Db, bundleIds: readonly string[]): Promise<BundleItemRow[]> {
  if (bundleIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('plan_bundle_items as b')
    .innerJoin('plans as p', 'p.id', 'b.item_plan_id')
    .select(['b.bundle_plan_id', 'b.item_plan_id', 'b.quantity', 'p.code', 'p.name'])
    .where('b.bundle_plan_id', 'in', [...bundleIds])
    .orderBy('p.name')
    .execute();
}

export async function replaceBundleItems(db: Db, bundleId: string, items: readonly { planId: string; quantity: number }[]): Promise<void> {
  await db.deleteFrom('plan_bundle_items').where('bundle_plan_id', '=', bundleId).execute();
  if (items.length === 0) return;
  await db
    .insertInto('plan_bundle_items')
    .values(items.map((i) => ({ bundle_plan_id: bundleId, item_plan_id: i.planId, quantity: i.quantity })))
    .execute();
}

/** Where else the plan is named: bundles that include it and discounts limited to it. */
export async function usages(db: Db, planId: string): Promise<{ bundles: number; discounts: number }> {
  const r = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('plan_bundle_items').select(eb.fn.countAll<bigint>().as('n')).where('item_plan_id', '=', planId).as('bundles'),
      eb.selectFrom('discount_plans').select(eb.fn.countAll<bigint>().as('n')).where('plan_id', '=', planId).as('discounts'),
    ])
    .executeTakeFirstOrThrow();
  return { bundles: Number(r.bundles), discounts: Number(r.discounts) };
}
