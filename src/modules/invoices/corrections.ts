/**
 * Corrections after issue: an issued invoice is never edited. One nobody has paid can be voided
 * (its ledger entry reversed); otherwise a credit note gives back the lines credited, first off
 * what is still owed on the invoice and the rest into the subscriber's wallet.
 */
import type { Transaction } from 'kysely';
import { creditNoteIssued } from '../../core/ledger.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, Invoice } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { findEntry } from '../ledger/ledger.repo.ts';
import { postEvent, reverseEntry } from '../ledger/ledger.service.ts';
import { type NewInvoiceLine, createInvoice, ledgerCharges, outstanding, recordAllocation, unpaidStatuses } from './invoice-engine.ts';
import * as repo from './invoices.repo.ts';
import { billsSettled } from './settlement.ts';
import { formatInvoiceNumber, localDate } from './numbering.ts';
import { billingSettingsOf } from '../billing/settings.ts';

export async function voidInvoice(trx: Transaction<DB>, clock: Clock, invoiceId: string, reason: string, actorId: string | null): Promise<Invoice> {
  const invoice = await repo.lockInvoice(trx, invoiceId);
  if (!invoice) throw new NotFoundError('Invoice not found');
  if (invoice.kind !== 'invoice') throw new ConflictError('A credit note cannot be voided');
  if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number]))
    throw new ConflictError(`Invoice is ${invoice.status}: only an issued, unpaid invoice can be voided (delete a draft; credit a paid invoice)`);
  if (invoice.amount_paid > 0n || invoice.amount_credited > 0n) throw new ConflictError('Invoice has payments or credits: issue a credit note instead');
  if (invoice.journal_entry_id) {
    const entry = (await findEntry(trx, invoice.journal_entry_id))!;
    await reverseEntry(trx, clock, entry, { idempotencyKey: `invoice-void:${invoice.id}`, memo: `Void invoice ${invoice.number}: ${reason}`.slice(0, 500), createdBy: actorId });
  }
  const voided = await repo.setStatus(trx, invoice.id, 'void', clock.now(), { voided_at: clock.now(), void_reason: reason });
  await billsSettled(trx, clock, invoice.subscriber_id);
  return voided;
}

/** Lines of the invoice already given back by earlier credit notes (by line number). */
async function creditedLineNos(trx: Transaction<DB>, invoiceId: string): Promise<Set<number>> {
  const rows = await trx
    .selectFrom('invoice_lines as l')
    .innerJoin('invoices as cn', 'cn.id', 'l.invoice_id')
    .select('l.details')
    .where('cn.credits_invoice_id', '=', invoiceId)
    .where('cn.status', '<>', 'void')
    .execute();
  return new Set(rows.map((r) => Number(r.details.creditsLine)));
}

export async function createCreditNote(
  trx: Transaction<DB>,
  clock: Clock,
  invoiceId: string,
  input: { reason: string; lineNos?: readonly number[]; actorId: string | null },
): Promise<Invoice> {
  const invoice = await repo.lockInvoice(trx, invoiceId);
  if (!invoice) throw new NotFoundError('Invoice not found');
  if (invoice.kind !== 'invoice') throw new ConflictError('A credit note cannot itself be credited');
  if (!['open', 'partially_paid', 'overdue', 'paid'].includes(invoice.status)) throw new ConflictError(`Invoice is ${invoice.status}: only an issued invoice can be credited`);
  const lines = await repo.linesOf(trx, [invoice.id]);
  const done = await creditedLineNos(trx, invoice.id);
  const wanted = input.lineNos ? new Set(input.lineNos) : new Set(lines.map((l) => l.line_no).filter((n) => !done.has(n)));
  const unknown = [...wanted].filter((n) => !lines.some((l) => l.line_no === n));
  if (unknown.length) throw new UnprocessableError(`Invoice has no line ${unknown.join(', ')}`);
  const again = [...wanted].filter((n) => done.has(n));
  if (again.length) throw new ConflictError(`Line ${again.join(', ')} is already credited`);
  const chosen = lines.filter((l) => wanted.has(l.line_no));
  if (chosen.length === 0) throw new ConflictError('Every line of the invoice is already credited');
  const creditLines: NewInvoiceLine[] = chosen.map((l) => ({
    kind: 'credit',
    serviceType: l.service_type,
    subscriptionId: l.subscription_id,
    planVersionId: l.plan_version_id,
    descriptionKey: l.description_key,
    description: l.description,
    details: { ...l.details, creditsLine: String(l.line_no) },
    quantity: l.quantity,
    unitPrice: l.unit_price,
    amount: l.amount,
    discount: l.discount,
    net: l.net,
    taxes: l.taxes.map((t) => ({ code: t.code, percent: t.rate, amount: BigInt(t.amount) })),
    gross: l.gross,
    periodStart: l.period_start,
    periodEnd: l.period_end,
  }));
  const total = creditLines.reduce((s, l) => s + l.gross, 0n);
  if (total <= 0n) throw new UnprocessableError('The lines chosen credit nothing: their total is not above zero');
  const draft = await createInvoice(trx, clock, {
    organizationId: invoice.organization_id,
    subscriberId: invoice.subscriber_id,
    currency: invoice.currency,
    source: 'manual',
    lines: creditLines,
    memo: input.reason,
    createdBy: input.actorId,
    mode: 'draft',
  });
  const note = await trx
    .updateTable('invoices')
    .set({ kind: 'credit_note', credits_invoice_id: invoice.id })
    .where('id', '=', draft.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return issueCreditNote(trx, clock, note, invoice, input.actorId);
}

async function issueCreditNote(trx: Transaction<DB>, clock: Clock, note: Invoice, invoice: Invoice, actorId: string | null): Promise<Invoice> {
  const settings = await billingSettingsOf(trx, note.organization_id);
  const now = clock.now();
  const issueDate = localDate(now, settings.timeZone);
  const sequence = await repo.advanceSequence(trx, note.organization_id, 'credit_note');
  const number = formatInvoiceNumber(sequence.format, sequence.last, issueDate);
  const owed = outstanding(invoice);
  const against = invoice.status === 'paid' ? 0n : owed < note.total ? owed : note.total;
  const { charges, taxes } = ledgerCharges(await repo.linesOf(trx, [note.id]), note.currency);
  const posted = await postEvent(trx, clock, {
    organizationId: note.organization_id,
    kind: 'credit_note',
    idempotencyKey: `invoice:${note.id}`,
    memo: `Credit note ${number} for invoice ${invoice.number}`,
    createdBy: actorId,
    lines: creditNoteIssued({
      subscriberId: note.subscriber_id,
      charges,
      taxes,
      againstReceivable: { minor: against, currency: note.currency },
    }),
  });
  const issued = await repo.markIssued(trx, note.id, {
    number,
    status: 'paid',
    issue_date: issueDate,
    customer: JSON.stringify(invoice.customer),
    journal_entry_id: posted.entry.id,
    issued_at: now,
    updated_at: now,
  });
  if (against > 0n) await recordAllocation(trx, clock, { invoiceId: invoice.id, source: 'credit_note', sourceId: note.id, amount: against, journalEntryId: posted.entry.id });
  return issued;
}
