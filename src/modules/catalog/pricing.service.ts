/**
 * Price preview: one period of a plan version rated, discounted and taxed exactly as an invoice
 * line will be, so staff see the amounts before a subscriber is billed.
 */
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { BadRequestError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { organizationById } from './catalog.repo.ts';
import { chargeTerms, versionInForce } from './catalog.service.ts';
import { coreDiscount } from './discount-rules.ts';
import { applicableCoupon } from './discounts.service.ts';
import { pricesOf } from './plan-versions.ts';
import * as plans from './plans.repo.ts';
import { mapPeriodPrice, type PricePreview, type PricePreviewRequest } from './pricing.schemas.ts';
import { firstPeriod, pricePeriod } from './pricing.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export async function previewPrice(deps: Deps, actor: Actor, planId: string, input: PricePreviewRequest): Promise<PricePreview> {
  requirePermission(actor, 'plans.read');
  const scope = actor.principal.scope;
  const plan = await plans.findReadable(deps.db, scope, planId);
  if (!plan) throw new NotFoundError('Plan');
  const start = input.periodStart ? new Date(input.periodStart) : deps.clock.now();
  const version = input.version ? await plans.versionNumbered(deps.db, plan.id, input.version) : await versionInForce(deps.db, plan, start);
  if (!version) throw new NotFoundError(`Version ${input.version} of the plan`);

  const org = (await organizationById(deps.db, plan.organization_id))!;
  const currencies = pricesOf(version).map((p) => p.currency);
  const currency = input.currency ?? (currencies.includes(org.currency) ? org.currency : currencies[0]!);
  const terms = await chargeTerms(deps.db, version, currency);
  if (!terms) throw new UnprocessableError(`Version ${version.version} has no ${currency} price`, [{ field: 'currency', message: `must be one of ${currencies.join(', ')}` }]);

  const coupon = input.couponCode ? await applicableCoupon(deps.db, { path: scope.orgPath }, input.couponCode, { at: start, planId: plan.id, currency }, 'couponCode') : undefined;
  const period = firstPeriod(version, start, org.timezone);
  let priced;
  try {
    priced = pricePeriod({
      components: terms.components,
      currency,
      usage: input.usage,
      period: period ?? { start, end: new Date(start.getTime() + 86_400_000), timeZone: org.timezone },
      taxClass: terms.taxClass,
      discount: coupon ? coreDiscount(coupon) : null,
    });
  } catch (err) {
    if (err instanceof RangeError) throw new BadRequestError(err.message, [{ field: 'usage', message: err.message }]);
    throw err;
  }
  return {
    planId: plan.id,
    version: version.version,
    currency,
    period: period && { start: period.start.toISOString(), end: period.end.toISOString() },
    taxClass: terms.taxClass && { id: terms.taxClass.id, code: terms.taxClass.code, name: terms.taxClass.name, inclusive: terms.taxClass.inclusive },
    discount: coupon ? { id: coupon.id, name: coupon.name, couponCode: coupon.coupon_code } : null,
    ...mapPeriodPrice(priced),
  };
}
