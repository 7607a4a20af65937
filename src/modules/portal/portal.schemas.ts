import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { Invoice } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import { allocationSchema, invoiceLineSchema, invoiceSchema, mapInvoice } from '../invoices/invoices.schemas.ts';
import { subscriberStatusSchema } from '../subscribers/subscribers.schemas.ts';
import { password } from '../users/users.schemas.ts';
import { walletSchema } from '../wallets/wallets.schemas.ts';

/** Drafts and invoices waiting for approval are the ISP's work in progress, not yet the customer's. */
export const visibleStatuses = ['open', 'partially_paid', 'overdue', 'paid', 'void'] as const;

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const instant = z.iso.datetime();

export const portalProfileSchema = z
  .object({
    subscriber: z.object({
      id: z.uuid(),
      kind: z.enum(['person', 'company']),
      name: z.string(),
      companyName: z.string().nullable(),
      accountNumber: z.string(),
      status: subscriberStatusSchema,
      contacts: z.array(z.object({ kind: z.enum(['phone', 'email', 'whatsapp']), value: z.string() })),
    }),
    organization: z.object({
      name: z.string(),
      currency: z.string(),
      timezone: z.string(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
    }),
    wallet: walletSchema.describe("The wallet in the organization's currency"),
    due: z
      .array(z.object({ currency: z.string(), amount: decimal, invoices: z.number().int(), nextDueDate: z.iso.date().nullable() }))
      .describe('What is owed on unpaid invoices, per currency; empty when nothing is owed'),
  })
  .meta({ id: 'PortalProfile' });

export const portalSubscriptionSchema = z
  .object({
    id: z.uuid(),
    planName: z.string(),
    serviceType: z.string(),
    billingModel: z.enum(['prepaid', 'postpaid', 'usage']),
    status: z.enum(['pending', 'active', 'grace', 'suspended', 'terminated']),
    statusReason: z.string(),
    quantity: z.number().int(),
    currency: z.string(),
    autoRenew: z.boolean(),
    username: z.string().nullable().describe('The PPPoE or hotspot login'),
    startsAt: instant,
    activatedAt: instant.nullable(),
    paidThrough: instant.nullable().describe('End of the last period invoiced: a prepaid plan runs until then'),
    nextBillAt: instant.nullable().describe('When the next invoice or renewal comes'),
    graceUntil: instant.nullable(),
    suspendAt: instant.nullable(),
    terminatedAt: instant.nullable(),
    currentPeriod: z.object({ start: instant, end: instant }).nullable().describe('The billing period holding now; null before activation, after termination and for one-off charges'),
    usage: z.array(z.object({ unit: z.string(), quantity: z.string().describe('Exact decimal') })).describe('Usage recorded in the current period, per unit'),
  })
  .meta({ id: 'PortalSubscription' });

export const portalSubscriptionListSchema = z.object({ items: z.array(portalSubscriptionSchema) }).meta({ id: 'PortalSubscriptionList' });

/** An invoice as its subscriber sees it: the staff fields (ledger entry, billing run, author) left out. */
export const portalInvoiceSchema = invoiceSchema
  .pick({
    id: true,
    kind: true,
    creditsInvoiceId: true,
    number: true,
    status: true,
    currency: true,
    issueDate: true,
    dueDate: true,
    periodStart: true,
    periodEnd: true,
    subtotal: true,
    discountTotal: true,
    taxTotal: true,
    total: true,
    amountPaid: true,
    amountCredited: true,
    balanceDue: true,
    taxes: true,
    memo: true,
    issuedAt: true,
    voidedAt: true,
  })
  .extend({ status: z.enum(visibleStatuses) })
  .meta({ id: 'PortalInvoice' });

export const portalInvoiceDetailSchema = portalInvoiceSchema
  .extend({
    customer: z.record(z.string(), z.unknown()).describe('You as billed, frozen at issue'),
    lines: z.array(invoiceLineSchema),
    payments: z.array(allocationSchema.omit({ sourceId: true })),
    creditNotes: z.array(z.object({ id: z.uuid(), number: z.string().nullable(), total: decimal })),
  })
  .meta({ id: 'PortalInvoiceDetail' });

export const portalInvoicePage = pageSchema(portalInvoiceSchema, 'PortalInvoicePage');

export const portalInvoiceQuery = listQuerySchema.pick({ limit: true, cursor: true }).extend({
  status: z
    .union([z.enum(visibleStatuses), z.array(z.enum(visibleStatuses))])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional(),
});

export const portalPaymentSchema = z
  .object({
    paid: decimal.describe('What the wallet paid of the invoice now'),
    invoice: portalInvoiceDetailSchema,
    wallet: walletSchema,
  })
  .meta({ id: 'PortalWalletPayment' });

export const portalLoginSchema = z
  .object({
    email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
    password: password.optional().describe('Omit to get a one-time link for the subscriber to choose a password'),
  })
  .meta({ id: 'CreatePortalLogin' });

export type PortalInvoiceQuery = z.infer<typeof portalInvoiceQuery>;
export type PortalLoginInput = z.infer<typeof portalLoginSchema>;

export function mapPortalInvoice(i: Invoice): z.infer<typeof portalInvoiceSchema> {
  const m = mapInvoice(i);
  return {
    id: m.id,
    kind: m.kind,
    creditsInvoiceId: m.creditsInvoiceId,
    number: m.number,
    // The portal's queries read only these statuses.
    status: m.status as (typeof visibleStatuses)[number],
    currency: m.currency,
    issueDate: m.issueDate,
    dueDate: m.dueDate,
    periodStart: m.periodStart,
    periodEnd: m.periodEnd,
    subtotal: m.subtotal,
    discountTotal: m.discountTotal,
    taxTotal: m.taxTotal,
    total: m.total,
    amountPaid: m.amountPaid,
    amountCredited: m.amountCredited,
    balanceDue: m.balanceDue,
    taxes: m.taxes,
    memo: m.memo,
    issuedAt: m.issuedAt,
    voidedAt: m.voidedAt,
  };
}

export const money = (minor: bigint, currency: string) => formatMoney({ minor, currency });
