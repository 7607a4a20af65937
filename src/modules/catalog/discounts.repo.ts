import { sql, type Insertable, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB, DiscountRow, DiscountsTable } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { DiscountListQuery } from './discounts.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type DiscountWithPath = DiscountRow & { organization_path: string };

export const discountSort: SortSpec = {
  fields: { name: 'discounts.name', created_at: 'discounts.created_at' },
  default: 'name',
  id: 'discounts.id',
};

function withPath(db: Db) {
  return db.selectFrom('discounts').innerJoin('organizations', 'organizations.id', 'discounts.organization_id').selectAll('discounts').select('organizations.path as organization_path');
}

export function list(db: Db, scope: Scope, query: DiscountListQuery): Promise<DiscountWithPath[]> {
  let q = withPath(db).where(inScope(scope, 'discounts.organization_id'));
  if (query.organizationId) q = q.where('discounts.organization_id', '=', query.organizationId);
  if (query.planId) {
    const planId = query.planId;
    q = q.where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom('discount_plans as dp').select('dp.plan_id').whereRef('dp.discount_id', '=', 'discounts.id'))),
        eb.exists(eb.selectFrom('discount_plans as dp').select('dp.plan_id').whereRef('dp.discount_id', '=', 'discounts.id').where('dp.plan_id', '=', planId)),
      ]),
    );
  }
  if (query.q) {
    const pattern = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('discounts.name', 'ilike', pattern), eb('discounts.coupon_code', 'ilike', pattern)]));
  }
  return keyset(q, discountSort, query).execute();
}

export function findInScope(db: Db, scope: Scope, id: string, lock = false): Promise<DiscountWithPath | undefined> {
  const q = withPath(db).where('discounts.id', '=', id).where(inScope(scope, 'discounts.organization_id'));
  return (lock ? q.forUpdate('discounts') : q).executeTakeFirst();
}

/** The coupon with this code nearest to the organization: its own, else its parent's, and so up to the ISP. */
export function findCoupon(db: Db, org: { path: string }, code: string, lock = false): Promise<DiscountRow | undefined> {
  const q = db
    .selectFrom('discounts')
    .innerJoin('organizations as o', 'o.id', 'discounts.organization_id')
    .selectAll('discounts')
    .where('discounts.coupon_code', '=', code)
    .where(sql<SqlBool>`${org.path} like o.path || '%'`)
    .orderBy('o.depth', 'desc')
    .limit(1);
  return (lock ? q.forUpdate('discounts') : q).executeTakeFirst();
}

export async function planIdsOf(db: Db, discountIds: readonly string[]): Promise<Map<string, string[]>> {
  const byDiscount = new Map<string, string[]>(discountIds.map((id) => [id, []]));
  if (discountIds.length === 0) return byDiscount;
  const rows = await db.selectFrom('discount_plans').select(['discount_id', 'plan_id']).where('discount_id', 'in', [...discountIds]).orderBy('plan_id').execute();
  for (const r of rows) byDiscount.get(r.discount_id)!.push(r.plan_id);
  return byDiscount;
}

export function codeTaken(db: Db, organizationId: string, code: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('discounts').select('id').where('organization_id', '=', organizationId).where('coupon_code', '=', code);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return q.executeTakeFirst().then((r) => r !== undefined);
}

export function insert(db: Db, values: Insertable<DiscountsTable>): Promise<DiscountRow> {
  return db.insertInto('discounts').values(values).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Db, id: string, values: Partial<Insertable<DiscountsTable>>, now: Date): Promise<DiscountRow> {
  return db
    .updateTable('discounts')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function replacePlans(db: Db, discountId: string, planIds: readonly string[]): Promise<void> {
  await db.deleteFrom('discount_plans').where('discount_id', '=', discountId).execute();
  if (planIds.length === 0) return;
  await db
    .insertInto('discount_plans')
    .values(planIds.map((plan_id) => ({ discount_id: discountId, plan_id })))
    .execute();
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.deleteFrom('discounts').where('id', '=', id).execute();
}

export async function hasRedemption(db: Db, discountId: string, reference: string): Promise<boolean> {
  const r = await db.selectFrom('discount_redemptions').select('id').where('discount_id', '=', discountId).where('reference', '=', reference).executeTakeFirst();
  return r !== undefined;
}

export async function insertRedemption(db: Db, discountId: string, reference: string, at: Date): Promise<void> {
  await db.insertInto('discount_redemptions').values({ discount_id: discountId, reference, redeemed_at: at }).execute();
}

/**
 * Counts a use if one is left. Concurrent uses queue on the row and each re-reads the count, so
 * a coupon for 5 is used 5 times however many try at once.
 */
export async function countRedemption(db: Db, discountId: string): Promise<boolean> {
  const r = await db
    .updateTable('discounts')
    .set((eb) => ({ redemption_count: eb('redemption_count', '+', 1) }))
    .where('id', '=', discountId)
    .where((eb) => eb.or([eb('max_redemptions', 'is', null), eb('redemption_count', '<', eb.ref('max_redemptions'))]))
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}
