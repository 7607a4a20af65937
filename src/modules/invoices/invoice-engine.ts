/**
 * The invoice engine: every invoice (manual, billing run, plan change, penalty) is created, issued
 * and settled through these functions, inside the caller's transaction. Issuing gives the invoice
 * its gapless number (the organization's counter row, locked until commit) and posts one balanced
 * journal entry keyed `invoice:<id>`; settling records an allocation and moves the status. Totals
 * are sums of lines that src/core priced and rounded: total = subtotal (net) + tax, exactly.
 */
import type { Transaction } from 'kysely';
import { type Charge, type TaxCharged, invoiceIssued, refundToWallet as refundLines } from '../../core/ledger.ts';
import { negateMoney } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, Invoice, InvoiceLineKind, InvoiceLineRow, InvoiceSource, InvoiceTaxRow } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import type { PricedLine } from '../catalog/pricing.ts';
import { postEvent } from '../ledger/ledger.service.ts';
import { payFromWallet as deductFromWallet, walletBalance } from '../ledger/wallets.service.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import * as repo from './invoices.repo.ts';
import { billsSettled, billsSettledForMany } from './settlement.ts';
import { addDays, formatInvoiceNumber, localDate } from './numbering.ts';

export interface LineTax {
  readonly code: string;
  readonly percent: string;
  /** Minor units. */
  readonly amount: bigint;
}

export interface NewInvoiceLine {
  readonly kind: InvoiceLineKind;
  readonly serviceType: string;
  readonly subscriptionId?: string | null;
  readonly planVersionId?: string | null;
  readonly descriptionKey?: string | null;
  readonly description?: string;
  readonly details?: Readonly<Record<string, string>>;
  /** Decimal strings. */
  readonly quantity: string;
  readonly unitPrice: string;
  /** Price before discount, minor units (negative for a credit line). */
  readonly amount: bigint;
  readonly discount?: bigint;
  readonly net: bigint;
  readonly taxes: readonly LineTax[];
  readonly gross: bigint;
  readonly periodStart?: Date | null;
  readonly periodEnd?: Date | null;
  readonly penaltyForInvoiceId?: string | null;
}

export interface NewInvoice {
  readonly organizationId: string;
  readonly subscriberId: string;
  readonly currency: string;
  readonly source: InvoiceSource;
  readonly lines: readonly NewInvoiceLine[];
  readonly periodStart?: Date | null;
  readonly periodEnd?: Date | null;
  readonly memo?: string;
  readonly createdBy?: string | null;
  readonly billingRunId?: string | null;
  /** 'issue': issued now, unless the organization wants invoices approved first (then in review). */
  readonly mode: 'draft' | 'issue';
}

/** An invoice line from a priced catalog line (rated, discounted, taxed by src/core). */
export function lineFromPriced(
  p: PricedLine,
  meta: { kind: InvoiceLineKind; serviceType: string; subscriptionId?: string | null; planVersionId?: string | null; periodStart?: Date | null; periodEnd?: Date | null },
): NewInvoiceLine {
  return {
    ...meta,
    descriptionKey: p.line.descriptionKey,
    details: p.line.details,
    quantity: p.line.quantity,
    unitPrice: p.line.unitPrice,
    amount: p.line.amount.minor,
    discount: p.discount.minor,
    net: p.taxed.net.minor,
    taxes: p.taxed.taxes.map((t) => ({ code: t.code, percent: t.percent, amount: t.amount.minor })),
    gross: p.taxed.gross.minor,
  };
}

/** Tax per code and rate over lines, in the order first met. */
export function taxSummary(lines: readonly Pick<NewInvoiceLine, 'taxes'>[]): InvoiceTaxRow[] {
  const byRate = new Map<string, { code: string; percent: string; amount: bigint }>();
  for (const t of lines.flatMap((l) => l.taxes)) {
    const key = `${t.code}\u0000${t.percent}`;
    const sofar = byRate.get(key);
    byRate.set(key, { code: t.code, percent: t.percent, amount: (sofar?.amount ?? 0n) + t.amount });
  }
  return [...byRate.values()].map((t) => ({ code: t.code, name: t.code, rate: t.percent, amount: t.amount.toString() }));
}

function checkLines(lines: readonly NewInvoiceLine[]): void {
  if (lines.length === 0) throw new UnprocessableError('An invoice needs at least one line');
  if (lines.length > 500) throw new UnprocessableError('An invoice holds at most 500 lines');
  for (const [i, l] of lines.entries()) {
    const tax = l.taxes.reduce((s, t) => s + t.amount, 0n);
    if (l.net + tax !== l.gross) throw new UnprocessableError(`Line ${i + 1}: net plus tax must equal gross`);
  }
}

/** Writes the invoice and its lines (a draft), then issues it when asked. */
export async function createInvoice(trx: Transaction<DB>, clock: Clock, input: NewInvoice): Promise<Invoice> {
  checkLines(input.lines);
  const now = clock.now();
  const invoice = await repo.insertInvoice(trx, {
    organization_id: input.organizationId,
    subscriber_id: input.subscriberId,
    currency: input.currency,
    source: input.source,
    period_start: input.periodStart ?? null,
    period_end: input.periodEnd ?? null,
    memo: input.memo ?? '',
    billing_run_id: input.billingRunId ?? null,
    created_by: input.createdBy ?? null,
    created_at: now,
    updated_at: now,
  });
  await repo.replaceLines(trx, invoice.id, input.lines);
  const drafted = await repo.refreshTotals(trx, invoice.id, taxSummary(input.lines), now);
  if (input.mode === 'draft') return drafted;
  const settings = await billingSettingsOf(trx, input.organizationId);
  if (settings.approvalRequired) return repo.setStatus(trx, invoice.id, 'in_review', now);
  return issueInvoice(trx, clock, invoice.id, input.createdBy ?? null);
}

/** Replaces a draft's lines (manual edits happen only while an invoice is a draft). */
export async function replaceDraftLines(trx: Transaction<DB>, clock: Clock, invoiceId: string, lines: readonly NewInvoiceLine[]): Promise<Invoice> {
  checkLines(lines);
  const invoice = await lockInvoice(trx, invoiceId);
  if (invoice.status !== 'draft') throw new ConflictError(`Invoice is ${invoice.status}: only a draft can be edited`);
  await repo.replaceLines(trx, invoiceId, lines);
  return repo.refreshTotals(trx, invoiceId, taxSummary(lines), clock.now());
}

async function lockInvoice(trx: Transaction<DB>, invoiceId: string): Promise<Invoice> {
  const invoice = await repo.lockInvoice(trx, invoiceId);
  if (!invoice) throw new NotFoundError('Invoice not found');
  return invoice;
}

/** Revenue per service type and tax per code: what the ledger entry of an invoice or credit note moves. */
export function ledgerCharges(lines: readonly Pick<InvoiceLineRow, 'service_type' | 'net' | 'taxes'>[], currency: string): { charges: Charge[]; taxes: TaxCharged[] } {
  const byService = new Map<string, bigint>();
  for (const l of lines) byService.set(l.service_type, (byService.get(l.service_type) ?? 0n) + l.net);
  const byTax = new Map<string, bigint>();
  for (const t of lines.flatMap((l) => l.taxes)) byTax.set(t.code, (byTax.get(t.code) ?? 0n) + BigInt(t.amount));
  const money = (minor: bigint) => ({ minor, currency });
  return {
    charges: [...byService].filter(([, net]) => net !== 0n).map(([serviceType, net]) => ({ serviceType, net: money(net) })),
    taxes: [...byTax].filter(([, amount]) => amount !== 0n).map(([code, amount]) => ({ code, amount: money(amount) })),
  };
}

/**
 * Issues a draft, in-review or approved invoice: number, dates, the subscriber as billed, the
 * ledger entry. A total of zero is paid at once; a negative total (a downgrade's net credit) is
 * paid into the subscriber's wallet.
 */
export async function issueInvoice(trx: Transaction<DB>, clock: Clock, invoiceId: string, actorId: string | null): Promise<Invoice> {
  const invoice = await lockInvoice(trx, invoiceId);
  if (!['draft', 'in_review', 'approved'].includes(invoice.status)) throw new ConflictError(`Invoice is already ${invoice.status}`);
  const settings = await billingSettingsOf(trx, invoice.organization_id);
  const now = clock.now();
  const issueDate = localDate(now, settings.timeZone);
  const sequence = await repo.advanceSequence(trx, invoice.organization_id, invoice.kind);
  const number = formatInvoiceNumber(sequence.format, sequence.last, issueDate);
  const customer = await repo.customerSnapshot(trx, invoice.subscriber_id);
  const { charges, taxes } = ledgerCharges(await repo.linesOf(trx, [invoice.id]), invoice.currency);
  let journalEntryId: string | null = null;
  if (invoice.total > 0n) {
    const posted = await postEvent(trx, clock, {
      organizationId: invoice.organization_id,
      kind: 'invoice_issued',
      idempotencyKey: `invoice:${invoice.id}`,
      memo: `Invoice ${number}`,
      createdBy: actorId,
      lines: invoiceIssued({ subscriberId: invoice.subscriber_id, charges, taxes }),
    });
    journalEntryId = posted.entry.id;
  } else if (invoice.total < 0n) {
    const posted = await postEvent(trx, clock, {
      organizationId: invoice.organization_id,
      kind: 'invoice_credit_to_wallet',
      idempotencyKey: `invoice:${invoice.id}`,
      memo: `Invoice ${number}: credit to wallet`,
      createdBy: actorId,
      lines: refundLines({ subscriberId: invoice.subscriber_id, charges: charges.map((c) => ({ ...c, net: negateMoney(c.net) })), taxes: taxes.map((t) => ({ ...t, amount: negateMoney(t.amount) })) }),
    });
    journalEntryId = posted.entry.id;
  }
  return repo.markIssued(trx, invoice.id, {
    number,
    status: invoice.total > 0n ? 'open' : 'paid',
    issue_date: issueDate,
    due_date: addDays(issueDate, settings.dueDays),
    customer: JSON.stringify(customer),
    journal_entry_id: journalEntryId,
    issued_at: now,
    approved_by: invoice.approved_by ?? (invoice.status === 'draft' ? null : actorId),
    updated_at: now,
  });
}

export const unpaidStatuses = ['open', 'partially_paid', 'overdue'] as const;

/** What is still owed on an invoice. */
export function outstanding(invoice: Pick<Invoice, 'total' | 'amount_paid' | 'amount_credited'>): bigint {
  const left = invoice.total - invoice.amount_paid - invoice.amount_credited;
  return left > 0n ? left : 0n;
}

export interface Allocation {
  readonly invoiceId: string;
  /** write_off: bad debt (core/ledger badDebtWriteOff), counted as credited like a credit note. */
  readonly source: 'wallet' | 'payment' | 'credit_note' | 'write_off';
  readonly sourceId?: string | null;
  readonly amount: bigint;
  readonly journalEntryId?: string | null;
}

/**
 * Records money settling an invoice (the caller has posted its ledger entry) and moves the status;
 * once nothing is owed, the subscriber's service is unlocked when nothing else is unpaid.
 */
export async function recordAllocation(trx: Transaction<DB>, clock: Clock, a: Allocation): Promise<Invoice> {
  const invoice = await lockInvoice(trx, a.invoiceId);
  if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number])) throw new ConflictError(`Invoice is ${invoice.status}: nothing is owed on it`);
  if (a.amount <= 0n || a.amount > outstanding(invoice)) throw new UnprocessableError(`An allocation must be between 0 and the ${outstanding(invoice)} minor units owed`);
  const now = clock.now();
  const updated = await repo.addAllocation(trx, invoice, { ...a, created_at: now });
  if (outstanding(updated) === 0n) await billsSettled(trx, clock, updated.subscriber_id);
  return updated;
}

/**
 * Many allocations at once (a batch of payments), with the checks of recordAllocation, on invoices
 * the caller has locked (lockPayable). Two statements write them all; then the subscribers whose
 * bills an invoice here settled are told, as recordAllocation tells them. Answers the invoices as
 * they are now.
 */
export async function recordAllocations(trx: Transaction<DB>, clock: Clock, locked: ReadonlyMap<string, Invoice>, allocations: readonly Allocation[]): Promise<Map<string, Invoice>> {
  const now = clock.now();
  const moved = new Map<string, Invoice>();
  const settled = new Set<string>();
  for (const a of allocations) {
    const invoice = moved.get(a.invoiceId) ?? locked.get(a.invoiceId);
    if (!invoice) throw new NotFoundError('Invoice not found');
    if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number])) throw new ConflictError(`Invoice is ${invoice.status}: nothing is owed on it`);
    if (a.amount <= 0n || a.amount > outstanding(invoice)) throw new UnprocessableError(`An allocation must be between 0 and the ${outstanding(invoice)} minor units owed`);
    const updated = { ...invoice, ...repo.afterAllocation(invoice, a.source, a.amount), updated_at: now };
    moved.set(invoice.id, updated);
    if (outstanding(updated) === 0n) settled.add(updated.subscriber_id);
  }
  await repo.addAllocations(
    trx,
    allocations.map((a) => ({ invoiceId: a.invoiceId, source: a.source, sourceId: a.sourceId ?? null, amount: a.amount, journalEntryId: a.journalEntryId ?? null })),
    [...moved.values()],
    now,
  );
  await billsSettledForMany(trx, clock, [...settled]);
  return moved;
}

/**
 * Pays an unpaid invoice from the subscriber's wallet: what the wallet can (balance plus credit
 * limit), or nothing unless it covers everything when `allOrNothing`. Answers the minor units paid.
 */
export async function payFromWallet(trx: Transaction<DB>, clock: Clock, invoiceId: string, opts: { allOrNothing?: boolean; createdBy?: string | null } = {}): Promise<bigint> {
  const invoice = await lockInvoice(trx, invoiceId);
  if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number])) return 0n;
  const owed = outstanding(invoice);
  const ref = { organizationId: invoice.organization_id, subscriberId: invoice.subscriber_id, currency: invoice.currency };
  const { available } = await walletBalance(trx, ref);
  const amount = available.minor >= owed ? owed : opts.allOrNothing ? 0n : available.minor;
  if (amount <= 0n) return 0n;
  const posted = await deductFromWallet(trx, clock, ref, {
    amount: { minor: amount, currency: invoice.currency },
    idempotencyKey: `invoice-wallet:${invoice.id}:${invoice.amount_paid}`,
    memo: `Wallet pays invoice ${invoice.number}`,
    createdBy: opts.createdBy ?? null,
  });
  await recordAllocation(trx, clock, { invoiceId, source: 'wallet', amount, journalEntryId: posted.entry.id });
  return amount;
}

/** After a top-up: the wallet pays the subscriber's unpaid invoices in the currency, oldest first. */
export async function settleFromWallet(trx: Transaction<DB>, clock: Clock, subscriberId: string, currency: string): Promise<bigint> {
  let paid = 0n;
  for (const id of await repo.unpaidInvoiceIds(trx, subscriberId, currency)) {
    const amount = await payFromWallet(trx, clock, id);
    if (amount === 0n) break;
    paid += amount;
  }
  return paid;
}

/**
 * Takes back part of what settled an invoice (a chargeback of the payment that paid it, a reversed
 * write-off): amount_paid (or amount_credited) goes down and the invoice owes again, open, partly
 * paid or, past its due date in the organization's time zone, overdue. The caller posts the entry.
 */
export async function reopenInvoice(trx: Transaction<DB>, clock: Clock, input: { invoiceId: string; amount: bigint; from: 'paid' | 'credited' }): Promise<Invoice> {
  const invoice = await lockInvoice(trx, input.invoiceId);
  if (invoice.kind !== 'invoice' || !['open', 'partially_paid', 'overdue', 'paid'].includes(invoice.status)) throw new ConflictError(`Invoice is ${invoice.status}: nothing settled on it can be taken back`);
  const settled = input.from === 'paid' ? invoice.amount_paid : invoice.amount_credited;
  if (input.amount <= 0n || input.amount > settled) throw new UnprocessableError(`Invoice ${invoice.number}: ${input.amount} minor units cannot be taken back of the ${settled} ${input.from}`);
  const settings = await billingSettingsOf(trx, invoice.organization_id);
  const now = clock.now();
  const paid = input.from === 'paid' ? invoice.amount_paid - input.amount : invoice.amount_paid;
  const credited = input.from === 'credited' ? invoice.amount_credited - input.amount : invoice.amount_credited;
  const pastDue = invoice.due_date !== null && invoice.due_date < localDate(now, settings.timeZone);
  const status = pastDue ? 'overdue' : paid + credited > 0n ? 'partially_paid' : 'open';
  return repo.setStatus(trx, invoice.id, status, now, { amount_paid: paid, amount_credited: credited });
}
