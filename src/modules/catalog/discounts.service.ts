/**
 * Discounts and coupons. A discount belongs to one organization and is managed in its subtree; a
 * coupon code is looked up from the organization that sells upwards (its own coupons first, then
 * its parent's), so an ISP-wide promotion works at every reseller while a reseller's own coupon
 * stays its own. Each use is recorded under a reference and counted against the limit atomically.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, DiscountRow } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { organizationInScope } from './catalog.repo.ts';
import { discountTerms, refusal, refusalMessages } from './discount-rules.ts';
import * as repo from './discounts.repo.ts';
import {
  type CreateDiscountInput,
  type DiscountListQuery,
  type UpdateDiscountInput,
  type ValidateCouponInput,
  mapDiscount,
} from './discounts.schemas.ts';
import { findReadable, readableAmong } from './plans.repo.ts';
import { scopeOf } from './visibility.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Transaction<DB>;

async function view(db: Db | Deps['db'], row: DiscountRow) {
  return mapDiscount(row, (await repo.planIdsOf(db, [row.id])).get(row.id)!);
}

/** The plans must be ones the discount's organization sells. */
async function checkPlans(trx: Db, org: { id: string; path: string }, planIds: readonly string[]) {
  const found = new Set((await readableAmong(trx, scopeOf(org), planIds)).map((p) => p.id));
  const errors = planIds.flatMap((id, i) => (found.has(id) ? [] : [{ field: `planIds.${i}`, message: 'is not a plan this organization sells' }]));
  if (errors.length) throw new BadRequestError('The discount names plans it cannot apply to', errors);
}

export async function listDiscounts(deps: Deps, actor: Actor, query: DiscountListQuery) {
  requirePermission(actor, 'plans.read');
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.discountSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  const plans = await repo.planIdsOf(deps.db, p.items.map((r) => r.id));
  return { items: p.items.map((r) => mapDiscount(r, plans.get(r.id)!)), nextCursor: p.nextCursor };
}

export async function getDiscount(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'plans.read');
  const row = await repo.findInScope(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('Discount');
  return view(deps.db, row);
}

export async function createDiscount(deps: Deps, actor: Actor, input: CreateDiscountInput) {
  requirePermission(actor, 'plans.create');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const org = await organizationInScope(trx, scope, input.organizationId ?? scope.orgId);
    if (!org) throw new NotFoundError('Organization');
    const { values, errors } = discountTerms({
      kind: input.kind,
      percent: input.percent ?? null,
      amount: input.amount ?? null,
      currency: input.currency ?? null,
      startsAt: input.startsAt ?? null,
      endsAt: input.endsAt ?? null,
    });
    if (errors.length) throw new BadRequestError('The discount is not valid', errors);
    await checkPlans(trx, org, input.planIds ?? []);
    if (input.couponCode && (await repo.codeTaken(trx, org.id, input.couponCode)))
      throw new ConflictError(`${org.name} already has a coupon ${input.couponCode}`, [{ field: 'couponCode', message: 'is taken' }]);
    const row = await repo.insert(trx, {
      ...values,
      organization_id: org.id,
      name: input.name,
      coupon_code: input.couponCode ?? null,
      starts_at: input.startsAt ? new Date(input.startsAt) : null,
      ends_at: input.endsAt ? new Date(input.endsAt) : null,
      max_redemptions: input.maxRedemptions ?? null,
    });
    await repo.replacePlans(trx, row.id, input.planIds ?? []);
    const after = await view(trx, row);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'discount.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'discount',
      objectId: row.id,
      after,
    });
    return after;
  });
}

export async function updateDiscount(deps: Deps, actor: Actor, id: string, input: UpdateDiscountInput) {
  requirePermission(actor, 'plans.update');
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.findInScope(trx, actor.principal.scope, id, true);
    if (!current) throw new NotFoundError('Discount');
    const before = await view(trx, current);
    const merged = { ...before, ...input };
    const { values, errors } = discountTerms(merged);
    if (merged.maxRedemptions !== null && merged.maxRedemptions < current.redemption_count)
      errors.push({ field: 'maxRedemptions', message: `is below the ${current.redemption_count} uses already made` });
    if (errors.length) throw new BadRequestError('The discount is not valid', errors);
    if (input.planIds) await checkPlans(trx, { id: current.organization_id, path: current.organization_path }, input.planIds);
    if (merged.couponCode && (await repo.codeTaken(trx, current.organization_id, merged.couponCode, id)))
      throw new ConflictError(`The organization already has a coupon ${merged.couponCode}`, [{ field: 'couponCode', message: 'is taken' }]);
    const row = await repo.update(
      trx,
      id,
      {
        ...values,
        name: merged.name,
        coupon_code: merged.couponCode,
        starts_at: merged.startsAt ? new Date(merged.startsAt) : null,
        ends_at: merged.endsAt ? new Date(merged.endsAt) : null,
        max_redemptions: merged.maxRedemptions,
      },
      deps.clock.now(),
    );
    if (input.planIds) await repo.replacePlans(trx, id, input.planIds);
    const after = await view(trx, row);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'discount.update',
      organizationId: current.organization_id,
      organizationPath: current.organization_path,
      objectType: 'discount',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteDiscount(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'plans.delete');
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.findInScope(trx, actor.principal.scope, id, true);
    if (!current) throw new NotFoundError('Discount');
    if (current.redemption_count > 0) throw new ConflictError(`The discount was used ${current.redemption_count} time(s); end it instead of deleting it`);
    const before = await view(trx, current);
    await repo.remove(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'discount.delete',
      organizationId: current.organization_id,
      organizationPath: current.organization_path,
      objectType: 'discount',
      objectId: id,
      before,
    });
  });
}

/** Whether a coupon applies to a plan in a currency now, for the organization the caller works in. */
export async function validateCoupon(deps: Deps, actor: Actor, input: ValidateCouponInput) {
  requirePermission(actor, 'plans.read');
  const scope = actor.principal.scope;
  const plan = await findReadable(deps.db, scope, input.planId);
  if (!plan) throw new NotFoundError('Plan');
  const coupon = await repo.findCoupon(deps.db, { path: scope.orgPath }, input.code);
  if (!coupon) return { valid: false, reason: 'unknown_code' as const, discount: null };
  const discount = await view(deps.db, coupon);
  const reason = refusal(coupon, discount.planIds, { at: deps.clock.now(), planId: plan.id, currency: input.currency });
  return { valid: reason === null, reason, discount };
}

/** The coupon that applies to this use, or the reason it does not (as a 422 naming `field`). */
export async function applicableCoupon(db: Deps['db'] | Db, org: { path: string }, code: string, use: { at: Date; planId: string; currency: string }, field: string) {
  const coupon = await repo.findCoupon(db, org, code.trim().toUpperCase());
  const planIds = coupon ? (await repo.planIdsOf(db, [coupon.id])).get(coupon.id)! : [];
  const reason = coupon ? refusal(coupon, planIds, use) : 'unknown_code';
  if (reason) throw new UnprocessableError(refusalMessages[reason], [{ field, message: refusalMessages[reason] }]);
  return coupon!;
}

export interface RedeemCouponInput {
  /** The organization that sells: its coupons, then those of the organizations above it. */
  readonly organization: { readonly path: string };
  readonly code: string;
  readonly planId: string;
  readonly currency: string;
  /** What used it (a subscription id): the same reference redeems once, however often it is sent. */
  readonly reference: string;
}

/**
 * Uses a coupon inside the caller's transaction (a subscription being created): checks that it
 * applies now, records the use under its reference and counts it against the limit. Uses of one
 * coupon queue on its row, so a coupon for 5 is used 5 times however many try at once.
 */
export async function redeemCoupon(trx: Db, clock: Clock, input: RedeemCouponInput): Promise<{ discount: DiscountRow; replayed: boolean }> {
  const at = clock.now();
  const locked = await repo.findCoupon(trx, input.organization, input.code.trim().toUpperCase(), true);
  if (locked && (await repo.hasRedemption(trx, locked.id, input.reference))) return { discount: locked, replayed: true };
  const coupon = await applicableCoupon(trx, input.organization, input.code, { at, planId: input.planId, currency: input.currency }, 'couponCode');
  await repo.insertRedemption(trx, coupon.id, input.reference, at);
  if (!(await repo.countRedemption(trx, coupon.id))) throw new UnprocessableError(refusalMessages.used_up, [{ field: 'couponCode', message: refusalMessages.used_up }]);
  return { discount: { ...coupon, redemption_count: coupon.redemption_count + 1 }, replayed: false };
}
