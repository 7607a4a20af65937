import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { PaymentReversal, WriteOff } from '../../platform/db/schema/payment-cases.ts';

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const amountText = z.string().trim().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 1500.50');
const reason = z.string().trim().min(1).max(500);
const key = z
  .string()
  .trim()
  .regex(/^[\x21-\x7e]{1,100}$/, 'must be 1-100 visible characters')
  .describe('Your id of this refund (a refund voucher number): the same key again answers the refund already made');

export const refundSchema = z
  .discriminatedUnion('destination', [
    z.object({
      destination: z.enum(['cash', 'bank']).describe('Money handed back at the counter, or sent by bank transfer'),
      amount: amountText,
      reason,
      key: key.optional(),
      creditNote: z
        .object({ invoiceId: z.uuid(), lineNos: z.array(z.number().int().min(1)).min(1).optional() })
        .optional()
        .describe('Service not delivered: credit these lines of an invoice the payment paid first, so the wallet holds the money'),
    }),
    z.object({
      destination: z.literal('gateway').describe("Back through the gateway the payment came by (its refund API), from the subscriber's wallet"),
      amount: amountText,
      reason,
      key: key.optional(),
    }),
    z.object({
      destination: z.literal('wallet').describe('Service not delivered: a credit note gives the price back as prepaid balance; no money leaves'),
      invoiceId: z.uuid(),
      lineNos: z.array(z.number().int().min(1)).min(1).optional(),
      reason,
      key: key.optional(),
    }),
  ])
  .meta({ id: 'PaymentRefundRequest' });
export type RefundRequest = z.infer<typeof refundSchema>;

export const chargebackSchema = z
  .object({
    amount: amountText.optional().describe('What the bank or gateway took back; the whole unrefunded payment when absent'),
    reason,
    key: key.optional().describe("The bank's or gateway's case number: the same key again answers the chargeback already recorded"),
  })
  .meta({ id: 'PaymentChargebackRequest' });

export const reversalSchema = z
  .object({
    id: z.uuid(),
    paymentId: z.uuid(),
    subscriberId: z.uuid().nullable(),
    kind: z.enum(['refund', 'chargeback']),
    destination: z.enum(['wallet', 'cash', 'bank', 'gateway']),
    amount: decimal,
    currency: z.string(),
    key: z.string(),
    externalId: z.string().nullable().describe("The gateway's refund or dispute id, for what a gateway reported"),
    reason: z.string(),
    creditNoteId: z.uuid().nullable(),
    reopened: decimal.describe('Of the amount: taken back from invoices the payment (or the wallet since) paid; they are owed again'),
    fromWallet: decimal.describe("Of the amount: taken from the subscriber's wallet"),
    unbilled: decimal.describe('Of the amount: owed by the subscriber without an invoice'),
    entryId: z.uuid().nullable(),
    occurredAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PaymentReversal' });

export const paymentStandingSchema = z
  .object({
    id: z.uuid(),
    receiptNo: z.string(),
    subscriberId: z.uuid().nullable(),
    channel: z.string(),
    currency: z.string(),
    status: z.string(),
    amount: decimal,
    amountRefunded: decimal,
    refundable: decimal.describe('What may still be refunded or charged back'),
    invoiceIds: z.array(z.uuid()).describe('Invoices the payment paid (a refund for service not delivered credits one of them)'),
  })
  .meta({ id: 'PaymentStanding' });

export const reversalResultSchema = z.object({ reversal: reversalSchema, replayed: z.boolean(), payment: paymentStandingSchema }).meta({ id: 'PaymentReversalResult' });

export const reversalListSchema = z.object({ payment: paymentStandingSchema, items: z.array(reversalSchema) }).meta({ id: 'PaymentReversalList' });

export function mapReversal(r: PaymentReversal): z.infer<typeof reversalSchema> {
  const m = (minor: bigint) => formatMoney({ minor, currency: r.currency });
  return {
    id: r.id,
    paymentId: r.payment_id,
    subscriberId: r.subscriber_id,
    kind: r.kind,
    destination: r.destination,
    amount: m(r.amount),
    currency: r.currency,
    key: r.key,
    externalId: r.external_id,
    reason: r.reason,
    creditNoteId: r.credit_note_id,
    reopened: m(r.reopened),
    fromWallet: m(r.from_wallet),
    unbilled: m(r.unbilled),
    entryId: r.entry_id,
    occurredAt: r.occurred_at.toISOString(),
    createdAt: r.created_at.toISOString(),
  };
}

export const writeOffSchema = z.object({ reason }).meta({ id: 'InvoiceWriteOffRequest' });
export const writeOffReversalSchema = z.object({ reason }).meta({ id: 'WriteOffReversalRequest' });

export const writeOffViewSchema = z
  .object({
    id: z.uuid(),
    invoiceId: z.uuid(),
    subscriberId: z.uuid(),
    amount: decimal,
    currency: z.string(),
    reason: z.string(),
    entryId: z.uuid(),
    createdAt: z.iso.datetime(),
    reversedAt: z.iso.datetime().nullable(),
    reversalEntryId: z.uuid().nullable(),
    reversalReason: z.string().nullable(),
  })
  .meta({ id: 'WriteOff' });

export const writeOffListQuery = z.object({ subscriberId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export const writeOffListSchema = z.object({ items: z.array(writeOffViewSchema) }).meta({ id: 'WriteOffList' });

export function mapWriteOff(w: WriteOff): z.infer<typeof writeOffViewSchema> {
  return {
    id: w.id,
    invoiceId: w.invoice_id,
    subscriberId: w.subscriber_id,
    amount: formatMoney({ minor: w.amount, currency: w.currency }),
    currency: w.currency,
    reason: w.reason,
    entryId: w.entry_id,
    createdAt: w.created_at.toISOString(),
    reversedAt: w.reversed_at?.toISOString() ?? null,
    reversalEntryId: w.reversal_entry_id,
    reversalReason: w.reversal_reason,
  };
}
