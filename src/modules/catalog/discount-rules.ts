/**
 * When a discount applies, and what it is in the terms of src/core/tax.ts. Pure: the service
 * loads the rows and the caller's clock decides the instant.
 */
import { formatMoney, parseMoney } from '../../core/money.ts';
import { type Discount, discountFor } from '../../core/tax.ts';
import type { DiscountRow } from '../../platform/db/schema.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { CouponRefusal, DiscountOutput } from './discounts.schemas.ts';

export const refusalMessages: Record<CouponRefusal, string> = {
  unknown_code: 'There is no such coupon',
  not_started: 'The coupon is not valid yet',
  ended: 'The coupon has expired',
  used_up: 'The coupon has been used as many times as it may be',
  other_plan: 'The coupon does not apply to this plan',
  other_currency: 'The coupon is an amount in another currency',
};

export interface DiscountUse {
  readonly at: Date;
  readonly planId: string;
  readonly currency: string;
}

/** Why the discount cannot be used for this plan, currency and instant; null when it can. */
export function refusal(d: DiscountRow, planIds: readonly string[], use: DiscountUse): CouponRefusal | null {
  if (d.starts_at && use.at < d.starts_at) return 'not_started';
  if (d.ends_at && use.at >= d.ends_at) return 'ended';
  if (d.max_redemptions !== null && d.redemption_count >= d.max_redemptions) return 'used_up';
  if (planIds.length > 0 && !planIds.includes(use.planId)) return 'other_plan';
  if (d.kind === 'fixed' && d.currency !== use.currency) return 'other_currency';
  return null;
}

export function coreDiscount(d: DiscountRow): Discount {
  if (d.kind === 'percentage') return { kind: 'percentage', percent: d.percent! };
  return { kind: 'fixed', amount: formatMoney({ minor: d.amount_minor!, currency: d.currency! }) };
}

type Terms = Pick<DiscountOutput, 'kind' | 'percent' | 'amount' | 'currency' | 'startsAt' | 'endsAt'>;

/** The discount's terms as columns, or the field errors that keep them from being stored. */
export function discountTerms(t: Terms): { values: Pick<DiscountRow, 'kind' | 'percent' | 'amount_minor' | 'currency'>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  let amountMinor: bigint | null = null;
  if (t.kind === 'percentage') {
    if (t.percent === null) errors.push({ field: 'percent', message: 'is required for a percentage discount' });
    else if (!/^\d{1,3}(\.\d{1,4})?$/.test(t.percent) || /^0+(\.0+)?$/.test(t.percent)) errors.push({ field: 'percent', message: 'must be a percentage above 0 with at most 4 decimals, e.g. 10 or 12.5' });
    else {
      try {
        discountFor({ minor: 10_000n, currency: 'USD' }, { kind: 'percentage', percent: t.percent });
      } catch (err) {
        errors.push({ field: 'percent', message: (err as Error).message });
      }
    }
    if (t.amount !== null) errors.push({ field: 'amount', message: 'applies only to a fixed discount' });
    if (t.currency !== null) errors.push({ field: 'currency', message: 'applies only to a fixed discount' });
  } else {
    if (t.percent !== null) errors.push({ field: 'percent', message: 'applies only to a percentage discount' });
    if (t.currency === null) errors.push({ field: 'currency', message: 'is required for a fixed discount' });
    if (t.amount === null) errors.push({ field: 'amount', message: 'is required for a fixed discount' });
    else if (t.currency !== null) {
      try {
        amountMinor = parseMoney(t.amount, t.currency).minor;
        if (amountMinor <= 0n) errors.push({ field: 'amount', message: 'must be more than zero' });
      } catch (err) {
        errors.push({ field: 'amount', message: (err as Error).message });
      }
    }
  }
  if (t.startsAt && t.endsAt && new Date(t.endsAt) <= new Date(t.startsAt)) errors.push({ field: 'endsAt', message: 'must be after the start' });
  return {
    values: { kind: t.kind, percent: t.kind === 'percentage' ? t.percent : null, amount_minor: amountMinor, currency: t.kind === 'fixed' ? t.currency : null },
    errors,
  };
}
