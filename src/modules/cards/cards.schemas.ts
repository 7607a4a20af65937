import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import { cardStates } from '../../platform/db/schema/cards.ts';
import type { BatchRow, CardRow } from './cards.repo.ts';

const decimal = z.string().describe('Decimal amount in major units, e.g. "500.00"');
const amountText = z.string().trim().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 500.00');
const currency = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be a currency code such as KES');
const pinText = z.string().trim().min(1).max(40).describe('The PIN as printed; case, spaces and dashes do not matter');

export const cardStateSchema = z.enum(cardStates);

export const createBatchSchema = z
  .object({
    organizationId: z.uuid().optional().describe('The ISP or reseller that sells the cards; defaults to yours'),
    name: z.string().trim().min(1).max(100),
    prefix: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{0,8}$/, 'must be up to 8 letters or digits').default(''),
    value: amountText.describe('What each card is worth: credited to the wallet on redemption'),
    currency: currency.optional().describe("Defaults to the organization's currency"),
    planId: z.uuid().optional().describe('A plan card: redemption also activates or renews this plan'),
    quantity: z.number().int().min(1).max(10_000),
    expiresAt: z.iso.datetime({ offset: true }).describe('After this instant the cards can no longer be redeemed'),
  })
  .meta({ id: 'CreateCardBatch' });

export const batchSchema = z
  .object({
    id: z.uuid(),
    number: z.string(),
    name: z.string(),
    prefix: z.string(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    value: decimal,
    currency: z.string(),
    plan: z.object({ id: z.uuid(), code: z.string(), name: z.string() }).nullable(),
    quantity: z.number().int(),
    expiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    counts: z.record(z.string(), z.number().int()).describe('Cards per state'),
  })
  .meta({ id: 'CardBatch' });

export const batchPage = z.object({ items: z.array(batchSchema), nextCursor: z.string().nullable() }).meta({ id: 'CardBatchPage' });

export const cardSchema = z
  .object({
    id: z.uuid(),
    batchId: z.uuid(),
    serial: z.string(),
    seq: z.number().int(),
    state: cardStateSchema,
    distributor: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    commission: decimal,
    expiresAt: z.iso.datetime(),
    assignedAt: z.iso.datetime().nullable(),
    soldAt: z.iso.datetime().nullable(),
    redeemedAt: z.iso.datetime().nullable(),
    subscriberId: z.uuid().nullable(),
    paymentId: z.uuid().nullable(),
    voidedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Card' });

export const cardListQuery = z.object({
  state: cardStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.coerce.number().int().min(0).optional().describe('The last serial place (seq) of the previous page'),
});
export const cardPage = z.object({ items: z.array(cardSchema), nextCursor: z.string().nullable() }).meta({ id: 'CardPage' });

export const batchListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.uuid().optional() });

const range = {
  from: z.number().int().min(1).describe('First card (its place in the batch, as in the serial)'),
  to: z.number().int().min(1).describe('Last card, inclusive'),
};
export const assignSchema = z
    .object({
      ...range,
      distributorId: z.uuid().describe('A card partner organization under the batch’s organization'),
      commissionPercent: z
        .string()
        .trim()
        .regex(/^\d{1,2}(\.\d{1,2})?$|^100$/, 'must be a percentage such as 5 or 7.5')
        .default('0')
        .describe("The distributor's commission, percent of face value"),
    })
    .refine((s) => s.to >= s.from, { message: 'must not come before from', path: ['to'] })
    .meta({ id: 'AssignCards' });

export const sellSchema = z
  .object({
    ...range,
    commissionSettlement: z.enum(['withheld', 'payable']).default('withheld').describe('withheld: the distributor keeps its commission from what it owes; payable: the ISP pays it out later'),
    via: z.enum(['cash', 'bank']).default('cash').describe('Where the money went, for cards sold without a distributor'),
  })
  .refine((s) => s.to >= s.from, { message: 'must not come before from', path: ['to'] })
  .meta({ id: 'SellCards' });

export const voidSchema = z
  .object({ ...range, reason: z.string().trim().min(1).max(500) })
  .refine((s) => s.to >= s.from, { message: 'must not come before from', path: ['to'] })
  .meta({ id: 'VoidCards' });

export const rangeResultSchema = z
  .object({ changed: z.number().int(), skipped: z.array(z.object({ serial: z.string(), state: cardStateSchema })), entryId: z.uuid().nullable() })
  .meta({ id: 'CardRangeResult' });

export const cardEventSchema = z
  .object({ from: cardStateSchema.nullable(), to: cardStateSchema, at: z.iso.datetime(), by: z.string().nullable(), note: z.string() })
  .meta({ id: 'CardEvent' });
export const cardDetailSchema = cardSchema.extend({ history: z.array(cardEventSchema) }).meta({ id: 'CardDetail' });

export const distributorBalanceSchema = z
  .object({
    distributorId: z.uuid(),
    name: z.string(),
    currency: z.string(),
    owed: decimal.describe('What the distributor owes for cards sold, after withheld commission and payments'),
    commissionPayable: decimal.describe('Commission the ISP owes the distributor'),
    cards: z.record(z.string(), z.number().int()).describe('Its cards per state'),
  })
  .meta({ id: 'CardDistributorBalance' });
export const distributorListSchema = z.object({ items: z.array(distributorBalanceSchema) }).meta({ id: 'CardDistributorList' });

export const distributorPaymentSchema = z
  .object({ amount: amountText, currency: currency.optional(), via: z.enum(['cash', 'bank']).default('cash'), reference: z.string().trim().min(1).max(100) })
  .meta({ id: 'CardDistributorPayment' });

export const redeemSchema = z.object({ pin: pinText }).meta({ id: 'RedeemCard' });
export const smsRedeemSchema = z
  .object({
    organizationId: z.uuid().describe('The provider whose short code received the message'),
    phone: z.string().trim().min(5).max(40).describe('The sender, which names the subscriber'),
    pin: pinText,
  })
  .meta({ id: 'RedeemCardBySms' });

export const redemptionSchema = z
  .object({
    serial: z.string(),
    amount: decimal,
    currency: z.string(),
    receiptNo: z.string(),
    paymentId: z.uuid(),
    redeemedAt: z.iso.datetime(),
    invoicesPaid: decimal,
    plan: z.object({ id: z.uuid(), name: z.string(), subscriptionId: z.uuid(), status: z.string() }).nullable(),
    wallet: z.object({ balance: decimal }),
  })
  .meta({ id: 'CardRedemption' });

export type CreateBatchInput = z.infer<typeof createBatchSchema>;
export type AssignInput = z.infer<typeof assignSchema>;
export type SellInput = z.infer<typeof sellSchema>;
export type VoidInput = z.infer<typeof voidSchema>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function mapBatch(b: BatchRow): z.infer<typeof batchSchema> {
  return {
    id: b.id,
    number: b.number.toString(),
    name: b.name,
    prefix: b.prefix,
    organizationId: b.organization_id,
    organizationName: b.organization_name,
    value: formatMoney({ minor: b.face_value, currency: b.currency }),
    currency: b.currency,
    plan: b.plan_id && b.plan_code && b.plan_name ? { id: b.plan_id, code: b.plan_code, name: b.plan_name } : null,
    quantity: b.quantity,
    expiresAt: b.expires_at.toISOString(),
    createdAt: b.created_at.toISOString(),
    counts: b.counts ?? {},
  };
}

export function mapCard(c: CardRow, currencyOf: string): z.infer<typeof cardSchema> {
  return {
    id: c.id,
    batchId: c.batch_id,
    serial: c.serial,
    seq: c.seq,
    state: c.state,
    distributor: c.distributor_id && c.distributor_name ? { id: c.distributor_id, name: c.distributor_name } : null,
    commission: formatMoney({ minor: c.commission, currency: currencyOf }),
    expiresAt: c.expires_at.toISOString(),
    assignedAt: iso(c.assigned_at),
    soldAt: iso(c.sold_at),
    redeemedAt: iso(c.redeemed_at),
    subscriberId: c.subscriber_id,
    paymentId: c.payment_id,
    voidedAt: iso(c.voided_at),
  };
}
