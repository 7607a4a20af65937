import { z } from 'zod';
import type { DisputeNote } from '../../platform/db/schema/payment-cases.ts';
import type { ListedDispute } from './disputes.repo.ts';

const statuses = ['open', 'under_review', 'resolved', 'rejected'] as const;
const amountText = z.string().trim().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 1500.50');
const text = (max: number) => z.string().trim().min(1).max(max);

export const openDisputeSchema = z
  .object({
    invoiceId: z.uuid().optional().describe('The invoice disputed'),
    paymentId: z.uuid().optional().describe('The payment disputed (needed to resolve it with a refund)'),
    subject: text(200),
    note: text(4000).optional().describe("The subscriber's complaint, as the first note"),
    holdCollections: z.boolean().default(false).describe('While open: no late penalty and no suspension for the disputed invoice'),
  })
  .refine((v) => v.invoiceId || v.paymentId, { message: 'name the invoice or the payment disputed', path: ['invoiceId'] })
  .meta({ id: 'DisputeOpen' });
export type OpenDisputeInput = z.infer<typeof openDisputeSchema>;

export const disputeNoteSchema = z.object({ body: text(4000) }).meta({ id: 'DisputeNoteNew' });

export const disputeReviewSchema = z.object({ note: text(4000).optional() }).meta({ id: 'DisputeReview' });

export const resolveDisputeSchema = z
  .discriminatedUnion('resolution', [
    z.object({
      resolution: z.literal('credit_note').describe('The invoice is corrected by a credit note (all its lines not yet credited, or those named)'),
      lineNos: z.array(z.number().int().min(1)).min(1).optional(),
      note: text(1000),
    }),
    z.object({
      resolution: z.literal('refund').describe('The disputed payment is refunded, in part or in full'),
      destination: z.enum(['cash', 'bank']),
      amount: amountText,
      note: text(1000),
    }),
    z.object({ resolution: z.literal('rejected').describe('The complaint is not upheld: the invoice stands'), note: text(1000) }),
  ])
  .meta({ id: 'DisputeResolve' });
export type ResolveDisputeInput = z.infer<typeof resolveDisputeSchema>;

export const disputeListQuery = z.object({
  status: z.enum([...statuses, 'active']).optional().describe('One status, or active (open and under review)'),
  subscriberId: z.uuid().optional(),
  invoiceId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

export const disputeSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    subscriberId: z.uuid(),
    subscriberName: z.string(),
    invoiceId: z.uuid().nullable(),
    invoiceNumber: z.string().nullable(),
    paymentId: z.uuid().nullable(),
    receiptNo: z.string().nullable(),
    status: z.enum(statuses),
    subject: z.string(),
    holdCollections: z.boolean(),
    resolution: z.enum(['credit_note', 'refund', 'rejected']).nullable(),
    resolutionNote: z.string().nullable(),
    creditNoteId: z.uuid().nullable(),
    reversalId: z.uuid().nullable(),
    openedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    resolvedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Dispute' });

export const disputeNoteViewSchema = z.object({ id: z.uuid(), authorId: z.uuid().nullable(), authorName: z.string().nullable(), body: z.string(), createdAt: z.iso.datetime() }).meta({ id: 'DisputeNote' });
export const disputeDetailSchema = disputeSchema.extend({ notes: z.array(disputeNoteViewSchema) }).meta({ id: 'DisputeDetail' });
export const disputePage = z.object({ items: z.array(disputeSchema), nextCursor: z.string().nullable() }).meta({ id: 'DisputePage' });

export function mapDispute(d: ListedDispute): z.infer<typeof disputeSchema> {
  return {
    id: d.id,
    organizationId: d.organization_id,
    subscriberId: d.subscriber_id,
    subscriberName: d.subscriber_name,
    invoiceId: d.invoice_id,
    invoiceNumber: d.invoice_number,
    paymentId: d.payment_id,
    receiptNo: d.receipt_no === null ? null : d.receipt_no.toString(),
    status: d.status,
    subject: d.subject,
    holdCollections: d.hold_collections,
    resolution: d.resolution,
    resolutionNote: d.resolution_note,
    creditNoteId: d.credit_note_id,
    reversalId: d.reversal_id,
    openedAt: d.opened_at.toISOString(),
    updatedAt: d.updated_at.toISOString(),
    resolvedAt: d.resolved_at?.toISOString() ?? null,
  };
}

export function mapNote(n: DisputeNote & { author_name: string | null }): z.infer<typeof disputeNoteViewSchema> {
  return { id: n.id, authorId: n.author_id, authorName: n.author_name, body: n.body, createdAt: n.created_at.toISOString() };
}
