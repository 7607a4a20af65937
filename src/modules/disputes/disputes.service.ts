/**
 * Billing disputes: a subscriber contests an invoice or a payment. A dispute is open, then under
 * review, and ends resolved (by a credit note on the invoice, or a refund of the payment) or
 * rejected; notes record the conversation. While open, a dispute may hold collections on its
 * invoice: the overdue job charges it no late penalty and the lifecycle job does not suspend for it.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { parseMoney } from '../../core/money.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Dispute } from '../../platform/db/schema/payment-cases.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { createCreditNote } from '../invoices/corrections.ts';
import * as invoiceRepo from '../invoices/invoices.repo.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import { paymentInScope } from '../refunds/refunds.repo.ts';
import { refundToPayer } from '../refunds/reversals.ts';
import * as repo from './disputes.repo.ts';
import { type OpenDisputeInput, type ResolveDisputeInput, mapDispute, mapNote } from './disputes.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Trx = Transaction<DB>;

async function detail(db: Deps['db'] | Trx, actor: Actor, id: string) {
  const found = await listedOne(db, actor, id);
  return { ...mapDispute(found), notes: (await repo.notesOf(db, id)).map(mapNote) };
}

async function listedOne(db: Deps['db'] | Trx, actor: Actor, id: string): Promise<repo.ListedDispute> {
  const d = await repo.findInScope(db, actor.principal.scope, id);
  if (!d) throw new NotFoundError('Dispute');
  const subscriber = await db.selectFrom('subscribers').select('name').where('id', '=', d.subscriber_id).executeTakeFirstOrThrow();
  const invoice = d.invoice_id ? await db.selectFrom('invoices').select('number').where('id', '=', d.invoice_id).executeTakeFirst() : undefined;
  const payment = d.payment_id ? await db.selectFrom('payments').select('receipt_no').where('id', '=', d.payment_id).executeTakeFirst() : undefined;
  return { ...d, subscriber_name: subscriber.name, invoice_number: invoice?.number ?? null, receipt_no: payment?.receipt_no ?? null };
}

async function audit(trx: Trx, deps: Deps, actor: Actor, action: string, d: Dispute, before?: Dispute) {
  const org = await orgRepo.findById(trx, d.organization_id);
  await appendAudit(trx, deps.clock, actor.audit, {
    action,
    organizationId: d.organization_id,
    organizationPath: org?.path ?? null,
    objectType: 'dispute',
    objectId: d.id,
    before: before ? { status: before.status, holdCollections: before.hold_collections } : undefined,
    after: { status: d.status, subject: d.subject, invoiceId: d.invoice_id, paymentId: d.payment_id, holdCollections: d.hold_collections, resolution: d.resolution, resolutionNote: d.resolution_note },
  });
}

export async function openDispute(deps: Deps, actor: Actor, input: OpenDisputeInput) {
  requirePermission(actor, 'payments.create');
  return deps.db.transaction().execute(async (trx) => {
    const invoice = input.invoiceId ? await invoiceRepo.findInScope(trx, actor.principal.scope, input.invoiceId) : undefined;
    if (input.invoiceId && !invoice) throw new NotFoundError('Invoice');
    const payment = input.paymentId ? await paymentInScope(trx, actor.principal.scope, input.paymentId) : undefined;
    if (input.paymentId && !payment) throw new NotFoundError('Payment');
    if (invoice && (invoice.kind !== 'invoice' || ['draft', 'in_review', 'approved', 'void'].includes(invoice.status)))
      throw new UnprocessableError(`Invoice is ${invoice.kind === 'invoice' ? invoice.status : 'a credit note'}: only an issued invoice can be disputed`, [{ field: 'invoiceId', message: 'is not an issued invoice' }]);
    if (payment && !payment.subscriber_id) throw new UnprocessableError('This payment waits in suspense: match it to a subscriber first', [{ field: 'paymentId', message: 'is not matched to a subscriber' }]);
    const subscriberId = invoice?.subscriber_id ?? payment!.subscriber_id!;
    if (invoice && payment && payment.subscriber_id !== invoice.subscriber_id)
      throw new UnprocessableError('The invoice and the payment belong to different subscribers', [{ field: 'paymentId', message: "is not this invoice's subscriber's" }]);
    if (input.holdCollections && !invoice) throw new UnprocessableError('Only a dispute on an invoice can hold its collection', [{ field: 'holdCollections', message: 'needs an invoice' }]);
    const now = deps.clock.now();
    const d = await repo.insertDispute(trx, {
      organization_id: invoice?.organization_id ?? payment!.organization_id,
      subscriber_id: subscriberId,
      invoice_id: invoice?.id ?? null,
      payment_id: payment?.id ?? null,
      subject: input.subject,
      hold_collections: input.holdCollections,
      opened_by: actor.principal.userId,
      opened_at: now,
      updated_at: now,
    });
    if (input.note) await repo.addNote(trx, { dispute_id: d.id, author_id: actor.principal.userId, body: input.note, created_at: now });
    await audit(trx, deps, actor, 'dispute.open', d);
    return detail(trx, actor, d.id);
  });
}

export async function listDisputes(deps: Deps, actor: Actor, query: { status?: Dispute['status'] | 'active'; subscriberId?: string; invoiceId?: string; limit: number; cursor?: string }) {
  requirePermission(actor, 'payments.read');
  const rows = await repo.list(deps.db, actor.principal.scope, { ...query, before: query.cursor });
  const items = rows.slice(0, query.limit);
  return { items: items.map(mapDispute), nextCursor: rows.length > query.limit ? items[items.length - 1]!.id : null };
}

export async function getDispute(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'payments.read');
  return detail(deps.db, actor, id);
}

/** Runs a change on a dispute in scope under its row lock; a closed dispute takes no change. */
async function change(deps: Deps, actor: Actor, id: string, fn: (trx: Trx, d: Dispute) => Promise<{ dispute: Dispute; action: string } | null>) {
  return deps.db.transaction().execute(async (trx) => {
    const found = await repo.findInScope(trx, actor.principal.scope, id);
    if (!found) throw new NotFoundError('Dispute');
    const locked = (await repo.lockDispute(trx, found.id))!;
    const done = await fn(trx, locked);
    if (done) await audit(trx, deps, actor, done.action, done.dispute, locked);
    return detail(trx, actor, id);
  });
}

function requireActive(d: Dispute): void {
  if (d.status === 'resolved' || d.status === 'rejected') throw new ConflictError(`This dispute is already ${d.status}`);
}

export function addNote(deps: Deps, actor: Actor, id: string, body: string) {
  requirePermission(actor, 'payments.create');
  return change(deps, actor, id, async (trx, d) => {
    await repo.addNote(trx, { dispute_id: d.id, author_id: actor.principal.userId, body, created_at: deps.clock.now() });
    await repo.updateDispute(trx, d.id, { updated_at: deps.clock.now() });
    return null;
  });
}

export function startReview(deps: Deps, actor: Actor, id: string, note?: string) {
  requirePermission(actor, 'payments.update');
  return change(deps, actor, id, async (trx, d) => {
    if (d.status !== 'open') throw new ConflictError(`This dispute is ${d.status}: only an open dispute goes under review`);
    const now = deps.clock.now();
    if (note) await repo.addNote(trx, { dispute_id: d.id, author_id: actor.principal.userId, body: note, created_at: now });
    return { dispute: await repo.updateDispute(trx, d.id, { status: 'under_review', updated_at: now }), action: 'dispute.review' };
  });
}

export function resolveDispute(deps: Deps, actor: Actor, id: string, input: ResolveDisputeInput) {
  requirePermission(actor, 'payments.update');
  return change(deps, actor, id, async (trx, d) => {
    requireActive(d);
    const now = deps.clock.now();
    const closed = { resolution: input.resolution, resolution_note: input.note, resolved_by: actor.principal.userId, resolved_at: now, updated_at: now };
    if (input.resolution === 'rejected') return { dispute: await repo.updateDispute(trx, d.id, { ...closed, status: 'rejected' }), action: 'dispute.reject' };
    if (input.resolution === 'credit_note') {
      if (!d.invoice_id) throw new UnprocessableError('This dispute names no invoice to credit: resolve it with a refund or reject it');
      const note = await createCreditNote(trx, deps.clock, d.invoice_id, { reason: `Dispute: ${input.note}`.slice(0, 500), lineNos: input.lineNos, actorId: actor.principal.userId });
      return { dispute: await repo.updateDispute(trx, d.id, { ...closed, status: 'resolved', credit_note_id: note.id }), action: 'dispute.resolve' };
    }
    if (!d.payment_id) throw new UnprocessableError('This dispute names no payment to refund: resolve it with a credit note or reject it');
    const payment = (await trx.selectFrom('payments').select('currency').where('id', '=', d.payment_id).executeTakeFirstOrThrow()).currency;
    let amount;
    try {
      amount = parseMoney(input.amount, payment);
    } catch (err) {
      throw new UnprocessableError((err as Error).message, [{ field: 'amount', message: (err as Error).message }]);
    }
    const refund = await refundToPayer(trx, deps.clock, {
      paymentId: d.payment_id,
      amount,
      destination: input.destination,
      key: `dispute:${d.id}:${randomUUID()}`,
      reason: `Dispute: ${input.note}`.slice(0, 500),
      createdBy: actor.principal.userId,
    });
    return { dispute: await repo.updateDispute(trx, d.id, { ...closed, status: 'resolved', reversal_id: refund.reversal.id }), action: 'dispute.resolve' };
  });
}
