import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

/** What staff record at the counter or from a statement; gateways and cards record their own channels. */
export const staffMethods = ['cash', 'bank_transfer', 'cheque', 'mobile_transfer'] as const;
export type StaffMethod = (typeof staffMethods)[number];
export const paymentStatuses = ['applied', 'unapplied', 'partially_refunded', 'refunded', 'reversed'] as const;

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const amountText = z.string().trim().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 1500.50');
const currency = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be a currency code such as KES');
const text = (max: number) => z.string().trim().min(1).max(max);
const date = z.iso.date();

/** R-000123: the receipt number printed and searched for. */
export const receiptNumber = (receiptNo: bigint) => `R-${receiptNo.toString().padStart(6, '0')}`;

export const recordPaymentSchema = z
  .object({
    subscriberId: z.uuid(),
    method: z.enum(staffMethods).default('cash'),
    amount: amountText,
    currency: currency.optional().describe("Defaults to the subscriber's organization currency"),
    reference: text(100)
      .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'must be printable characters')
      .optional()
      .describe('Receipt book number, bank reference, cheque number or transfer code: the same method and reference again is refused (409). A cash payment without one gets its receipt number'),
    collectorId: z.uuid().optional().describe('The staff member who took the money; defaults to the one recording it'),
    receivedAt: z.iso.datetime({ offset: true }).optional().describe('When the money was received; not in the future; defaults to now'),
    invoiceIds: z.array(z.uuid()).max(50).optional().describe('Invoices to pay first, in this order; then the rest oldest first'),
    memo: z.string().trim().max(500).optional(),
    payerName: z.string().trim().max(200).optional(),
    payerPhone: z.string().trim().max(40).optional(),
    chequeNumber: z.string().trim().max(40).optional(),
    bank: z.string().trim().max(100).optional().describe('The bank a cheque is drawn on or a transfer came from'),
    provider: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9_-]{1,40}$/, 'must be a provider code such as mpesa')
      .optional()
      .describe('Mobile money provider of a mobile transfer (mpesa, airtel, mtn…): the money sits in its clearing account'),
  })
  .superRefine((v, ctx) => {
    if (v.method === 'mobile_transfer' && !v.provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'is required for a mobile transfer' });
    if (v.method !== 'cash' && !v.reference) ctx.addIssue({ code: 'custom', path: ['reference'], message: `is required for a ${v.method.replace('_', ' ')}` });
    if (v.method === 'cheque' && !v.chequeNumber && !v.reference) ctx.addIssue({ code: 'custom', path: ['chequeNumber'], message: 'is required for a cheque' });
  })
  .meta({ id: 'RecordPayment' });
export type RecordPaymentInput = z.infer<typeof recordPaymentSchema>;

export const paymentSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    subscriberId: z.uuid().nullable().describe('Null while the payment waits in suspense'),
    subscriberName: z.string().nullable(),
    accountNumber: z.string().nullable(),
    channel: z.string().describe('cash, bank_transfer, cheque, mobile_transfer, mpesa, bkash, stripe, card…'),
    transactionId: z.string().describe("The outside event's id or the receipt number: unique per channel"),
    receiptNumber: z.string(),
    amount: decimal,
    currency: z.string(),
    status: z.enum(paymentStatuses),
    amountRefunded: decimal,
    reference: z.string().nullable(),
    payerName: z.string().nullable(),
    payerPhone: z.string().nullable(),
    payerEmail: z.string().nullable(),
    memo: z.string().nullable(),
    collectorId: z.uuid().nullable(),
    collectorName: z.string().nullable(),
    recordedBy: z.uuid().nullable(),
    receivedAt: z.iso.datetime(),
    entryId: z.uuid(),
    matchedAt: z.iso.datetime().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Payment' });

export const paymentDetailSchema = paymentSchema
  .extend({
    allocations: z.array(z.object({ invoiceId: z.uuid(), invoiceNumber: z.string().nullable(), amount: decimal, createdAt: z.iso.datetime() })),
    entries: z.array(
      z.object({
        id: z.uuid(),
        seq: z.string(),
        kind: z.string(),
        memo: z.string(),
        occurredAt: z.iso.datetime(),
        lines: z.array(z.object({ account: z.string().describe('Chart code and name'), systemKey: z.string().nullable(), amount: decimal.describe('Debit positive, credit negative') })),
      }),
    ).describe('The journal entries of the payment: received, matched, reversed'),
    walletBalance: decimal.nullable().describe("The subscriber's wallet balance now"),
  })
  .meta({ id: 'PaymentDetail' });

export const recordedPaymentSchema = paymentDetailSchema.extend({ replayed: z.boolean() }).meta({ id: 'RecordedPayment' });

export const paymentListQuery = listQuerySchema.extend({
  channel: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .optional()
    .describe('Method or gateway, comma-separated: cash,mpesa'),
  status: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(paymentStatuses)))
    .optional()
    .describe('Comma-separated: applied,unapplied'),
  collectorId: z.uuid().optional(),
  subscriberId: z.uuid().optional(),
  organizationId: z.uuid().optional().describe('Payments of this organization and its subtree'),
  from: date.optional().describe('Received on or after this day (organization time)'),
  to: date.optional().describe('Received on or before this day (organization time)'),
});
export type PaymentListQuery = z.infer<typeof paymentListQuery>;
export const paymentPage = pageSchema(paymentSchema, 'PaymentPage');
export const paymentExportQuery = paymentListQuery.omit({ cursor: true, limit: true });
export type PaymentExportQuery = z.infer<typeof paymentExportQuery>;

export const matchPaymentSchema = z
  .object({ subscriberId: z.uuid(), invoiceIds: z.array(z.uuid()).max(50).optional(), memo: z.string().trim().max(500).optional() })
  .meta({ id: 'MatchPayment' });

export const cancelPaymentQuery = z.object({ reason: z.string().trim().min(1).max(200).optional() });

export const reportQuery = z
  .object({
    from: date.describe('First day (organization time)'),
    to: date.describe('Last day, inclusive'),
    organizationId: z.uuid().optional().describe('This organization and its subtree; defaults to the caller’s scope'),
    currency: currency.optional().describe("Defaults to the organization's currency"),
  })
  .refine((q) => q.from <= q.to, { message: 'must not be after to', path: ['from'] });
export type ReportQuery = z.infer<typeof reportQuery>;

const reportRow = { count: z.number().int(), amount: decimal, refunded: decimal };
export const paymentReportSchema = z
  .object({
    organizationId: z.uuid(),
    currency: z.string(),
    from: date,
    to: date,
    timezone: z.string(),
    total: z.object(reportRow),
    byMethod: z.array(z.object({ channel: z.string(), ...reportRow })),
    byCollector: z.array(z.object({ collectorId: z.uuid().nullable(), collectorName: z.string().nullable(), ...reportRow })),
    byDay: z.array(z.object({ date, ...reportRow })),
  })
  .meta({ id: 'PaymentReport' });

export interface PaymentNames {
  subscriberName: string | null;
  accountNumber: string | null;
  collectorName: string | null;
}

export function mapPayment(p: Payment, names: PaymentNames) {
  const money = (minor: bigint) => formatMoney({ minor, currency: p.currency });
  return {
    id: p.id,
    organizationId: p.organization_id,
    subscriberId: p.subscriber_id,
    subscriberName: names.subscriberName,
    accountNumber: names.accountNumber,
    channel: p.channel,
    transactionId: p.transaction_id,
    receiptNumber: receiptNumber(p.receipt_no),
    amount: money(p.amount),
    currency: p.currency,
    status: p.status,
    amountRefunded: money(p.amount_refunded),
    reference: p.reference,
    payerName: p.payer_name,
    payerPhone: p.payer_phone,
    payerEmail: p.payer_email,
    memo: p.memo,
    collectorId: p.collector_id,
    collectorName: names.collectorName,
    recordedBy: p.recorded_by,
    receivedAt: p.received_at.toISOString(),
    entryId: p.entry_id,
    matchedAt: p.matched_at?.toISOString() ?? null,
    metadata: p.metadata,
    createdAt: p.created_at.toISOString(),
  };
}

/** A payment as the subscriber sees it in the portal. */
export const portalPaymentSchema = z
  .object({
    id: z.uuid(),
    receiptNumber: z.string(),
    channel: z.string(),
    reference: z.string().nullable(),
    amount: decimal,
    currency: z.string(),
    status: z.enum(paymentStatuses),
    amountRefunded: decimal,
    receivedAt: z.iso.datetime(),
    invoices: z.array(z.object({ number: z.string().nullable(), amount: decimal })).describe('What the payment paid'),
  })
  .meta({ id: 'PortalPaymentReceipt' });
export const portalPaymentQuery = listQuerySchema.pick({ limit: true, cursor: true });
export const portalPaymentPage = pageSchema(portalPaymentSchema, 'PortalPaymentReceiptPage');
