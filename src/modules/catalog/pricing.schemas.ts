import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { TaxAmount } from '../../core/tax.ts';
import type { PeriodPrice } from './pricing.ts';
import { currencySchema } from './plans.schemas.ts';

const amount = z.string().describe('Decimal amount in major units, e.g. "2155.17"');

export const pricePreviewRequest = z
  .object({
    version: z.number().int().min(1).optional().describe('Defaults to the version valid at the start of the period'),
    currency: currencySchema.optional().describe("Defaults to the plan organization's currency when the plan has a price in it"),
    periodStart: z.iso.datetime({ offset: true }).optional().describe('When the subscription starts (or an instant in a calendar period); defaults to now'),
    usage: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,19}$/), z.string().trim().max(40))
      .optional()
      .describe('Usage of the period per unit, as decimals: {"GB": "73.25"}'),
    couponCode: z.string().trim().min(1).max(40).optional(),
  })
  .meta({ id: 'PricePreviewRequest' });

const taxAmountSchema = z.object({ code: z.string(), percent: z.string(), amount });

export const pricePreviewSchema = z
  .object({
    planId: z.uuid(),
    version: z.number().int(),
    currency: z.string(),
    period: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }).nullable().describe('null for a one-off charge'),
    taxClass: z.object({ id: z.uuid(), code: z.string(), name: z.string(), inclusive: z.boolean() }).nullable(),
    discount: z.object({ id: z.uuid(), name: z.string(), couponCode: z.string().nullable() }).nullable(),
    lines: z.array(
      z.object({
        descriptionKey: z.string().describe('Translation key, e.g. invoiceLine.fixedCharge'),
        details: z.record(z.string(), z.string()),
        quantity: z.string(),
        unitPrice: z.string(),
        amount: amount.describe('Quantity × unit price, rounded once'),
        discount: amount,
        net: amount,
        taxes: z.array(taxAmountSchema),
        gross: amount.describe('What the subscriber pays for the line'),
      }),
    ),
    totals: z.object({ discount: amount, net: amount, tax: amount, gross: amount, taxes: z.array(taxAmountSchema) }),
  })
  .meta({ id: 'PricePreview' });

export type PricePreviewRequest = z.infer<typeof pricePreviewRequest>;
export type PricePreview = z.infer<typeof pricePreviewSchema>;

const taxes = (list: readonly TaxAmount[]) => list.map((t) => ({ code: t.code, percent: t.percent, amount: formatMoney(t.amount) }));

export function mapPeriodPrice(price: PeriodPrice): Pick<PricePreview, 'lines' | 'totals'> {
  return {
    lines: price.lines.map(({ line, discount, taxed }) => ({
      descriptionKey: line.descriptionKey,
      details: { ...line.details },
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount: formatMoney(line.amount),
      discount: formatMoney(discount),
      net: formatMoney(taxed.net),
      taxes: taxes(taxed.taxes),
      gross: formatMoney(taxed.gross),
    })),
    totals: {
      discount: formatMoney(price.discount),
      net: formatMoney(price.totals.net),
      tax: formatMoney(price.totals.tax),
      gross: formatMoney(price.totals.gross),
      taxes: taxes(price.totals.taxes),
    },
  };
}
