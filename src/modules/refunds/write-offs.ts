/**
 * Bad debt: what a subscriber will not pay on an invoice leaves receivables as an expense
 * (core/ledger badDebtWriteOff) and settles the invoice as an allocation of source 'write_off'
 * (counted as credited, so the invoice is paid and out of dunning). Never edited: a write-off is
 * undone only by the entry that reverses it, which reopens the invoice for the same amount.
 */
import type { Transaction } from 'kysely';
import { badDebtWriteOff } from '../../core/ledger.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { WriteOff } from '../../platform/db/schema/payment-cases.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { outstanding, recordAllocation, reopenInvoice, unpaidStatuses } from '../invoices/invoice-engine.ts';
import { lockInvoice } from '../invoices/invoices.repo.ts';
import { findEntry } from '../ledger/ledger.repo.ts';
import { postEvent, reverseEntry } from '../ledger/ledger.service.ts';
import * as repo from './refunds.repo.ts';

export async function writeOffInvoice(trx: Transaction<DB>, clock: Clock, input: { invoiceId: string; reason: string; createdBy: string | null }): Promise<WriteOff> {
  const invoice = await lockInvoice(trx, input.invoiceId);
  if (!invoice) throw new NotFoundError('Invoice');
  if (invoice.kind !== 'invoice' || !unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number]))
    throw new ConflictError(`Invoice ${invoice.number ?? ''} is ${invoice.status}: only an unpaid invoice can be written off`.replace('  ', ' '));
  const amount = outstanding(invoice);
  const now = clock.now();
  const earlier = (await repo.writeOffsOfInvoice(trx, invoice.id)).length;
  const posted = await postEvent(trx, clock, {
    organizationId: invoice.organization_id,
    kind: 'write_off',
    lines: badDebtWriteOff({ subscriberId: invoice.subscriber_id, amount: { minor: amount, currency: invoice.currency } }),
    // One live write-off per invoice (a unique index too); after a reversal the next one is a new key.
    idempotencyKey: `write-off:${invoice.id}:${earlier + 1}`,
    memo: `Bad debt written off on invoice ${invoice.number}: ${input.reason}`.slice(0, 500),
    createdBy: input.createdBy,
  });
  if (posted.replayed) throw new ConflictError(`Invoice ${invoice.number} is already written off`);
  const writeOff = await repo.insertWriteOff(trx, {
    organization_id: invoice.organization_id,
    subscriber_id: invoice.subscriber_id,
    invoice_id: invoice.id,
    amount,
    currency: invoice.currency,
    reason: input.reason,
    entry_id: posted.entry.id,
    created_by: input.createdBy,
    created_at: now,
  });
  await recordAllocation(trx, clock, { invoiceId: invoice.id, source: 'write_off', sourceId: writeOff.id, amount, journalEntryId: posted.entry.id });
  return writeOff;
}

export async function reverseWriteOff(trx: Transaction<DB>, clock: Clock, input: { writeOffId: string; reason: string; createdBy: string | null }): Promise<WriteOff> {
  const writeOff = await repo.lockWriteOff(trx, input.writeOffId);
  if (!writeOff) throw new NotFoundError('Write-off');
  if (writeOff.reversed_at) throw new ConflictError('This write-off is already reversed');
  const entry = (await findEntry(trx, writeOff.entry_id))!;
  const reversal = await reverseEntry(trx, clock, entry, {
    idempotencyKey: `write-off-reversal:${writeOff.id}`,
    memo: `Write-off reversed: ${input.reason}`.slice(0, 500),
    createdBy: input.createdBy,
  });
  await reopenInvoice(trx, clock, { invoiceId: writeOff.invoice_id, amount: writeOff.amount, from: 'credited' });
  return repo.markWriteOffReversed(trx, writeOff.id, { at: clock.now(), by: input.createdBy, entryId: reversal.entry.id, reason: input.reason });
}
