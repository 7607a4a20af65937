import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { Invoice, InvoiceAllocation, InvoiceLineRow } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import { numberFormatPattern } from './numbering.ts';

export const invoiceStatuses = ['draft', 'in_review', 'approved', 'open', 'partially_paid', 'overdue', 'paid', 'void'] as const;
const decimal = z.string().describe('Decimal amount in major units of the invoice currency, e.g. "1500.50"');
const exactDecimal = (what: string) => z.string().trim().regex(/^\d{1,12}(\.\d{1,6})?$/, `${what} must be a decimal number such as 2 or 1500.50`);
const date = z.iso.date();

const taxSchema = z.object({ code: z.string(), rate: z.string().describe('Percent, e.g. "16"'), amount: decimal });

export const invoiceLineSchema = z
  .object({
    lineNo: z.number().int(),
    kind: z.enum(['recurring', 'usage', 'one_time', 'proration_credit', 'proration_charge', 'penalty', 'manual', 'credit']),
    subscriptionId: z.uuid().nullable(),
    planVersionId: z.uuid().nullable(),
    serviceType: z.string(),
    descriptionKey: z.string().nullable().describe('Translation key of the description (the web app and PDFs translate it with details)'),
    description: z.string(),
    details: z.record(z.string(), z.string()),
    quantity: z.string(),
    unitPrice: z.string(),
    amount: decimal.describe('Quantity × unit price, before discount'),
    discount: decimal,
    net: decimal,
    tax: decimal,
    gross: decimal,
    taxes: z.array(taxSchema),
    periodStart: z.iso.datetime().nullable(),
    periodEnd: z.iso.datetime().nullable(),
  })
  .meta({ id: 'InvoiceLine' });

export const allocationSchema = z
  .object({ id: z.string(), source: z.enum(['wallet', 'payment', 'credit_note', 'write_off']), sourceId: z.uuid().nullable(), amount: decimal, createdAt: z.iso.datetime() })
  .meta({ id: 'InvoiceAllocation' });

export const invoiceSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    subscriberId: z.uuid(),
    kind: z.enum(['invoice', 'credit_note']),
    creditsInvoiceId: z.uuid().nullable(),
    number: z.string().nullable().describe('Given when issued; drafts have none'),
    status: z.enum(invoiceStatuses),
    source: z.enum(['manual', 'billing_run', 'plan_change', 'penalty', 'renewal']),
    currency: z.string(),
    issueDate: date.nullable(),
    dueDate: date.nullable(),
    periodStart: z.iso.datetime().nullable(),
    periodEnd: z.iso.datetime().nullable(),
    subtotal: decimal.describe('Sum of the lines net of discount and tax'),
    discountTotal: decimal,
    taxTotal: decimal,
    total: decimal,
    amountPaid: decimal,
    amountCredited: decimal,
    balanceDue: decimal.describe('What is owed now: nothing on a draft, a void invoice or a credit note'),
    taxes: z.array(taxSchema),
    customer: z.record(z.string(), z.unknown()).describe('The subscriber as billed, frozen at issue'),
    memo: z.string(),
    billingRunId: z.uuid().nullable(),
    journalEntryId: z.uuid().nullable(),
    issuedAt: z.iso.datetime().nullable(),
    voidedAt: z.iso.datetime().nullable(),
    voidReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Invoice' });

export const invoiceDetailSchema = invoiceSchema
  .extend({ lines: z.array(invoiceLineSchema), allocations: z.array(allocationSchema), creditNotes: z.array(z.object({ id: z.uuid(), number: z.string().nullable(), total: decimal })) })
  .meta({ id: 'InvoiceDetail' });

export const invoiceListQuery = listQuerySchema.extend({
  status: z
    .union([z.enum(invoiceStatuses), z.array(z.enum(invoiceStatuses))])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional(),
  kind: z.enum(['invoice', 'credit_note']).optional(),
  subscriberId: z.uuid().optional(),
  organizationId: z.uuid().optional(),
  billingRunId: z.uuid().optional(),
  issuedFrom: date.optional(),
  issuedTo: date.optional(),
  q: z.string().trim().max(60).optional().describe('Part of an invoice number'),
});
export const invoicePage = pageSchema(invoiceSchema, 'InvoicePage');

export const manualLineInput = z.object({
  description: z.string().trim().min(1).max(500),
  serviceType: z.string().trim().regex(/^[a-z_]{1,40}$/, 'must be a service type such as pppoe, installation or other').default('other'),
  quantity: exactDecimal('Quantity').default('1'),
  unitPrice: exactDecimal('Unit price'),
  taxClassId: z.uuid().nullable().optional(),
});

export const createInvoiceSchema = z
  .object({
    subscriberId: z.uuid(),
    currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/).optional().describe("Defaults to the subscriber's organization currency"),
    memo: z.string().trim().max(2000).optional(),
    lines: z.array(manualLineInput).min(1).max(200),
    issue: z.boolean().default(false).describe('Issue at once (or send for review where approval is required); otherwise a draft'),
  })
  .meta({ id: 'CreateInvoice' });

export const updateDraftSchema = z
  .object({ memo: z.string().trim().max(2000).optional(), lines: z.array(manualLineInput).min(1).max(200).optional() })
  .meta({ id: 'UpdateDraftInvoice' });

export const voidSchema = z.object({ reason: z.string().trim().min(1).max(500) }).meta({ id: 'VoidInvoice' });

export const creditNoteSchema = z
  .object({
    reason: z.string().trim().min(1).max(500),
    lineNos: z.array(z.number().int().min(1)).min(1).max(500).optional().describe('Lines credited in full; all lines not yet credited when omitted'),
  })
  .meta({ id: 'CreateCreditNote' });

export const billingSettingsSchema = z
  .object({
    organizationId: z.uuid(),
    approvalRequired: z.boolean().describe('Invoices go draft → review → approve → send; prepaid renewals are issued at once, paid from the wallet'),
    dueDays: z.number().int(),
    graceDays: z.number().int(),
    rounding: z.record(z.string(), z.object({ mode: z.enum(['half-up', 'half-even']), increment: z.string().describe('Minor units, e.g. "100" rounds KES to whole shillings') })),
    paymentInstructions: z.string(),
    invoiceFooter: z.string(),
    invoiceNumberFormat: z.string(),
    creditNoteNumberFormat: z.string(),
    lastInvoiceNumber: z.string(),
  })
  .meta({ id: 'BillingSettings' });

const numberFormat = z.string().trim().regex(numberFormatPattern, 'must hold {seq} or {seq:N} (and may hold {year}) with up to 12 letters, digits or ./_- around them');

export const updateBillingSettingsSchema = z
  .object({
    approvalRequired: z.boolean(),
    dueDays: z.number().int().min(0).max(365),
    graceDays: z.number().int().min(0).max(365),
    rounding: z.record(
      z.string().regex(/^[A-Z]{3}$/, 'keys are currency codes'),
      z.object({ mode: z.enum(['half-up', 'half-even']), increment: z.string().regex(/^[1-9]\d{0,6}$/, 'must be a whole number of minor units such as 1, 5 or 100') }),
    ),
    paymentInstructions: z.string().trim().max(2000),
    invoiceFooter: z.string().trim().max(2000),
    invoiceNumberFormat: numberFormat,
    creditNoteNumberFormat: numberFormat,
  })
  .partial()
  .meta({ id: 'UpdateBillingSettings' });

export type InvoiceListQuery = z.infer<typeof invoiceListQuery>;
export type CreateInvoiceInput = z.infer<typeof createInvoiceSchema>;
export type ManualLineInput = z.infer<typeof manualLineInput>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function mapInvoice(i: Invoice): z.infer<typeof invoiceSchema> {
  const m = (minor: bigint) => formatMoney({ minor, currency: i.currency });
  const left = i.total - i.amount_paid - i.amount_credited;
  return {
    id: i.id,
    organizationId: i.organization_id,
    subscriberId: i.subscriber_id,
    kind: i.kind,
    creditsInvoiceId: i.credits_invoice_id,
    number: i.number,
    status: i.status,
    source: i.source,
    currency: i.currency,
    issueDate: i.issue_date,
    dueDate: i.due_date,
    periodStart: iso(i.period_start),
    periodEnd: iso(i.period_end),
    subtotal: m(i.subtotal),
    discountTotal: m(i.discount_total),
    taxTotal: m(i.tax_total),
    total: m(i.total),
    amountPaid: m(i.amount_paid),
    amountCredited: m(i.amount_credited),
    balanceDue: m(i.kind === 'invoice' && left > 0n && ['open', 'partially_paid', 'overdue'].includes(i.status) ? left : 0n),
    taxes: i.taxes.map((t) => ({ code: t.code, rate: t.rate, amount: m(BigInt(t.amount)) })),
    customer: i.customer,
    memo: i.memo,
    billingRunId: i.billing_run_id,
    journalEntryId: i.journal_entry_id,
    issuedAt: iso(i.issued_at),
    voidedAt: iso(i.voided_at),
    voidReason: i.void_reason,
    createdAt: i.created_at.toISOString(),
  };
}

export function mapLine(l: InvoiceLineRow, currency: string): z.infer<typeof invoiceLineSchema> {
  const m = (minor: bigint) => formatMoney({ minor, currency });
  return {
    lineNo: l.line_no,
    kind: l.kind,
    subscriptionId: l.subscription_id,
    planVersionId: l.plan_version_id,
    serviceType: l.service_type,
    descriptionKey: l.description_key,
    description: l.description,
    details: l.details,
    quantity: l.quantity,
    unitPrice: l.unit_price,
    amount: m(l.amount),
    discount: m(l.discount),
    net: m(l.net),
    tax: m(l.tax),
    gross: m(l.gross),
    taxes: l.taxes.map((t) => ({ code: t.code, rate: t.rate, amount: m(BigInt(t.amount)) })),
    periodStart: iso(l.period_start),
    periodEnd: iso(l.period_end),
  };
}

export function mapAllocation(a: InvoiceAllocation, currency: string): z.infer<typeof allocationSchema> {
  return { id: a.id.toString(), source: a.source, sourceId: a.source_id, amount: formatMoney({ minor: a.amount, currency }), createdAt: a.created_at.toISOString() };
}
