import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { DiscountRow } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import { currencySchema } from './plans.schemas.ts';

const couponRefusals = ['unknown_code', 'not_started', 'ended', 'used_up', 'other_plan', 'other_currency'] as const;
export type CouponRefusal = (typeof couponRefusals)[number];

const couponCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9_-]{3,40}$/, 'must be 3-40 letters, digits, dashes or underscores');
const decimal = z.string().trim().max(40);

export const discountSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    name: z.string(),
    couponCode: z.string().nullable().describe('What a subscriber types; null for a promotion applied by staff'),
    kind: z.enum(['percentage', 'fixed']),
    percent: z.string().nullable().describe('Percentage off, e.g. "10" or "12.5"'),
    amount: z.string().nullable().describe('Fixed amount off in major units of `currency`'),
    currency: z.string().nullable(),
    startsAt: z.iso.datetime().nullable(),
    endsAt: z.iso.datetime().nullable(),
    maxRedemptions: z.number().int().nullable(),
    redemptions: z.number().int(),
    planIds: z.array(z.uuid()).describe('The plans it applies to; empty for every plan'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Discount' });

const discountFields = {
  name: z.string().trim().min(1).max(200),
  couponCode: couponCode.nullable(),
  kind: z.enum(['percentage', 'fixed']),
  percent: decimal.nullable(),
  amount: decimal.nullable(),
  currency: currencySchema.nullable(),
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  endsAt: z.iso.datetime({ offset: true }).nullable().describe('The first instant it no longer applies'),
  maxRedemptions: z.number().int().min(1).max(100_000_000).nullable(),
  planIds: z.array(z.uuid()).max(200),
};

export const createDiscountSchema = z
  .object({ organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'), ...discountFields })
  .partial({ couponCode: true, percent: true, amount: true, currency: true, startsAt: true, endsAt: true, maxRedemptions: true, planIds: true })
  .meta({ id: 'CreateDiscount' });

export const updateDiscountSchema = z.object(discountFields).partial().meta({ id: 'UpdateDiscount' });

export const validateCouponSchema = z
  .object({ code: z.string().trim().toUpperCase().min(1).max(40), planId: z.uuid(), currency: currencySchema })
  .meta({ id: 'ValidateCoupon' });

export const couponCheckSchema = z
  .object({
    valid: z.boolean(),
    reason: z.enum(couponRefusals).nullable().describe('Why the coupon does not apply; null when it does'),
    discount: discountSchema.nullable(),
  })
  .meta({ id: 'CouponCheck' });

export const discountListQuery = listQuerySchema.extend({
  organizationId: z.uuid().optional(),
  planId: z.uuid().optional().describe('Only discounts that apply to this plan'),
});
export const discountPage = pageSchema(discountSchema, 'DiscountPage');

export type CreateDiscountInput = z.infer<typeof createDiscountSchema>;
export type UpdateDiscountInput = z.infer<typeof updateDiscountSchema>;
export type ValidateCouponInput = z.infer<typeof validateCouponSchema>;
export type DiscountListQuery = z.infer<typeof discountListQuery>;
export type DiscountOutput = z.infer<typeof discountSchema>;

export function mapDiscount(d: DiscountRow, planIds: readonly string[]): DiscountOutput {
  return {
    id: d.id,
    organizationId: d.organization_id,
    name: d.name,
    couponCode: d.coupon_code,
    kind: d.kind,
    percent: d.percent,
    amount: d.amount_minor === null || d.currency === null ? null : formatMoney({ minor: d.amount_minor, currency: d.currency }),
    currency: d.currency,
    startsAt: d.starts_at?.toISOString() ?? null,
    endsAt: d.ends_at?.toISOString() ?? null,
    maxRedemptions: d.max_redemptions,
    redemptions: d.redemption_count,
    planIds: [...planIds],
    createdAt: d.created_at.toISOString(),
    updatedAt: d.updated_at.toISOString(),
  };
}
