/**
 * What a new subscription sells, checked before it is written: a plan the subscriber's
 * organization sells, priced in the subscription's currency, and a discount or coupon that applies
 * to it. The catalog answers through its service functions; nothing here reads prices itself.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB, DiscountRow, Organization, PlanVersionRow } from '../../platform/db/schema.ts';
import { NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import type { Scope } from '../../platform/tenancy/scope.ts';
import { chargeTerms, versionInForce } from '../catalog/catalog.service.ts';
import { refusal, refusalMessages } from '../catalog/discount-rules.ts';
import * as discounts from '../catalog/discounts.repo.ts';
import { redeemCoupon } from '../catalog/discounts.service.ts';
import { findReadable } from '../catalog/plans.repo.ts';
import { pricesOf } from '../catalog/plan-versions.ts';
import * as repo from './subscriptions.repo.ts';

type Trx = Transaction<DB>;

/** True when the organization sells the plan: its own, or a master package of an organization above it. */
function sells(org: Pick<Organization, 'id' | 'path'>, plan: repo.PlanSummary): boolean {
  return plan.organization_id === org.id || (plan.shared_with_subtree && org.path.startsWith(plan.organization_path));
}

/** The plan the caller names, when the caller may read it and the subscriber's organization sells it now. */
export async function planForSale(trx: Trx, scope: Scope, org: Organization, planId: string): Promise<repo.PlanSummary> {
  if (!(await findReadable(trx, scope, planId))) throw new NotFoundError('Plan');
  const plan = (await repo.planSummary(trx, planId))!;
  if (!sells(org, plan)) throw new UnprocessableError(`${org.name} does not sell the plan ${plan.code}`, [{ field: 'planId', message: 'is not sold by the subscriber’s organization' }]);
  if (plan.status !== 'active') throw new UnprocessableError(`The plan ${plan.code} is archived`, [{ field: 'planId', message: 'is archived' }]);
  return plan;
}

/** The version in force at `at`, which must have a price in the currency. */
export async function pricedVersion(trx: Trx, plan: repo.PlanSummary, currency: string, at: Date, field = 'currency'): Promise<PlanVersionRow> {
  const version = await versionInForce(trx, plan, at);
  if (!(await chargeTerms(trx, version, currency))) {
    const priced = pricesOf(version).map((p) => p.currency);
    throw new UnprocessableError(`The plan ${plan.code} has no ${currency} price`, [{ field, message: `must be one of ${priced.join(', ')}` }]);
  }
  return version;
}

export interface DiscountChoice {
  readonly discountId?: string;
  readonly couponCode?: string;
}

/**
 * The discount of a new subscription, its use recorded under the subscription's id: a coupon code
 * is redeemed through the catalog (the nearest organization's coupon, counted against its limit);
 * a discount named by id must be one of the caller's tree that the subscriber's organization may
 * use, and is counted the same way.
 */
export async function takeDiscount(trx: Trx, clock: Clock, scope: Scope, org: Organization, use: { planId: string; currency: string; reference: string }, choice: DiscountChoice): Promise<DiscountRow | null> {
  if (choice.couponCode) return (await redeemCoupon(trx, clock, { organization: org, code: choice.couponCode, ...use })).discount;
  if (!choice.discountId) return null;
  const found = await discounts.findInScope(trx, scope, choice.discountId, true);
  if (!found || !org.path.startsWith(found.organization_path)) throw new UnprocessableError('There is no such discount for this subscriber', [{ field: 'discountId', message: 'is not a discount of the subscriber’s organization or those above it' }]);
  const planIds = (await discounts.planIdsOf(trx, [found.id])).get(found.id)!;
  const reason = refusal(found, planIds, { at: clock.now(), planId: use.planId, currency: use.currency });
  if (reason) throw new UnprocessableError(refusalMessages[reason], [{ field: 'discountId', message: refusalMessages[reason] }]);
  await discounts.insertRedemption(trx, found.id, use.reference, clock.now());
  if (!(await discounts.countRedemption(trx, found.id))) throw new UnprocessableError(refusalMessages.used_up, [{ field: 'discountId', message: refusalMessages.used_up }]);
  return found;
}
