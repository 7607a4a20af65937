/**
 * Writing a chunk's invoices, one organization and currency at a time, in four steps. Prepare: the
 * accounts the entries post to (the organization's, opened on first use; each subscriber's
 * receivable, opened set-based), the wallets of the renewals (locked, so what they can pay stays
 * true until commit) and ids. Lines: every invoice's lines. Post: the ledger entries of the issued
 * invoices and of the wallet paying them. Those three come before any counter is locked. Write:
 * the invoice numbers (the organization's counter, locked until commit: no gaps), then the
 * invoices and the wallet payments.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { PostingLine } from '../../core/ledger.ts';
import type { DB } from '../../platform/db/schema.ts';
import { ensureAccount } from '../ledger/ledger.service.ts';
import { addDays, formatInvoiceNumber, localDate } from '../invoices/numbering.ts';
import type { BillingSettings } from './settings.ts';
import { type DraftInvoice, type LineTemplates, type Shape, entryTemplates, issuedEntryLines, walletEntryLines } from './billing-run.invoices.ts';
import * as repo from './billing-run.repo.ts';
import * as writes from './billing-run.rows.ts';
import type { FaultPoint } from './billing-run.service.ts';

/**
 * A time-ordered id (UUID version 7: milliseconds, then random bits). A run adds a million invoices,
 * entries and accounts; random ids would scatter them over every page of their indexes, ordered
 * ids append to the last pages, which stay in memory.
 */
export function orderedId(): string {
  // randomUUID draws from a buffered pool of random bytes; randomBytes(16) per id was a system call each (a second per 100,000 subscribers).
  const random = randomUUID();
  const ms = Date.now().toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}

export interface PreparedInvoice {
  readonly invoice: DraftInvoice;
  readonly id: string;
  /** Numbered and posted now; false while it waits in review (an organization that approves its invoices). */
  readonly issued: boolean;
  /** The entry of an issued invoice with something to pay. */
  readonly entryId: string | null;
  /** The subscriber's accounts the entries post to (receivable when owing, wallet when it pays). */
  readonly receivableId: string | null;
  readonly walletId: string | null;
  /** A renewal the wallet pays whole. */
  readonly paid: boolean;
  /** The entry of the wallet paying it. */
  readonly walletEntryId: string | null;
}

export interface PreparedBatch {
  readonly organizationId: string;
  readonly currency: string;
  readonly settings: BillingSettings;
  readonly invoices: readonly PreparedInvoice[];
  readonly postings: ReadonlyMap<number, { shape: Shape; issued: PostingLine[]; wallet: PostingLine[] }>;
  readonly accountIds: ReadonlyMap<string, string>;
}

export async function prepareBatch(trx: Transaction<DB>, batch: readonly DraftInvoice[], settings: BillingSettings): Promise<PreparedBatch> {
  const { organizationId, currency } = batch[0]!;
  const owing = batch.filter((i) => issuedNow(i, settings) && i.shape.total > 0n);
  // Once per shape (a few dozen per chunk), not per invoice (tens of thousands).
  const shapes = new Map(owing.map((i) => [i.shape.idx, i.shape]));
  const postings = new Map([...shapes].map(([idx, shape]) => [idx, { shape, issued: issuedEntryLines(shape, currency), wallet: walletEntryLines(shape, currency) }]));
  const accountIds = new Map<string, string>();
  for (const key of new Set([...postings.values()].flatMap((p) => p.issued.filter((l) => !l.account.owner).map((l) => l.account.systemKey))))
    accountIds.set(key, (await ensureAccount(trx, { organizationId, account: { systemKey: key }, currency })).id);
  await repo.replan(trx);
  const receivables = await repo.openReceivables(trx, organizationId, currency, [...new Set(owing.map((i) => i.subscriberId))], orderedId);
  const renewals = owing.filter((i) => i.source === 'renewal');
  const wallets = new Map((await repo.lockWallets(trx, organizationId, currency, renewals.map((i) => i.subscriberId))).map((w) => [w.subscriber_id, { ...w }]));
  const paid = new Set<DraftInvoice>();
  for (const invoice of renewals) {
    const wallet = wallets.get(invoice.subscriberId);
    if (!wallet || wallet.available < invoice.shape.total) continue;
    paid.add(invoice);
    wallet.available -= invoice.shape.total;
  }
  const invoices = batch.map((invoice) => {
    const issued = issuedNow(invoice, settings);
    const pays = paid.has(invoice);
    return {
      invoice,
      id: orderedId(),
      issued,
      entryId: issued && invoice.shape.total > 0n ? orderedId() : null,
      receivableId: receivables.get(invoice.subscriberId) ?? null,
      walletId: pays ? wallets.get(invoice.subscriberId)!.account_id : null,
      paid: pays,
      walletEntryId: pays ? orderedId() : null,
    };
  });
  return { organizationId, currency, settings, invoices, postings, accountIds };
}

/**
 * Whether an invoice is issued as the run writes it. Where the organization approves its invoices,
 * the run's postpaid invoices wait in review; a prepaid renewal does not: it is the plan the
 * subscriber bought again at its catalog price, paid from the wallet now, and holding it for review
 * would leave the line unpaid (into grace, then suspended) however much the wallet holds.
 */
export function issuedNow(invoice: DraftInvoice, settings: BillingSettings): boolean {
  return !settings.approvalRequired || invoice.source === 'renewal';
}

/** Issued renewals the wallet could not pay. */
export function unpaidRenewals(p: PreparedBatch): PreparedInvoice[] {
  return p.invoices.filter((i) => i.entryId !== null && i.invoice.source === 'renewal' && !i.paid);
}

/** Subscribers whose renewal the wallet paid. */
export function paidRenewals(p: PreparedBatch): string[] {
  return p.invoices.filter((i) => i.paid).map((i) => i.invoice.subscriberId);
}

/**
 * The lines of every invoice of the batches, before their invoices exist: written before the invoice
 * counter is locked, so another worker holding it is not waited for. Their reference to the invoice
 * is checked at commit (deferred for this transaction only), when the invoices are there.
 */
export async function writeLines(trx: Transaction<DB>, batches: readonly PreparedBatch[], templates: LineTemplates): Promise<void> {
  await repo.deferLineChecks(trx);
  const lines = batches.flatMap((p) => p.invoices.flatMap((x) => x.invoice.lines.map((l, n) => ({ invoice_id: x.id, line_no: n + 1, subscription_id: l.subscriptionId, template: l.template }))));
  await writes.insertLines(trx, templates.rows, lines);
}

/**
 * The ledger entries of a batch's issued invoices and of the wallet paying them, posted before the
 * invoice counter is locked: posting is most of a chunk's writing, and under the lock it would wait
 * for the other worker's commit. The invoice numbers are not known yet, so an entry names its
 * invoice by its key (`invoice:<id>`, as the invoice engine's) and its memo by the period billed.
 * (An invoice engine posting for the same subscriber at the same moment takes the counter first and
 * the balances second, the other order: PostgreSQL then rolls one back as a deadlock victim, and
 * the platform runs it again, as it does for every transaction.)
 */
export async function postBatch(trx: Transaction<DB>, now: Date, p: PreparedBatch, fault: (point: FaultPoint) => Promise<void>): Promise<void> {
  const { organizationId, currency, settings } = p;
  // Entry templates: 2n for an invoice issued, 2n + 1 for the wallet paying it.
  const entryLines = [...p.postings].flatMap(([idx, { issued, wallet }]) => [...entryTemplates(2 * idx, issued, p.accountIds), ...entryTemplates(2 * idx + 1, wallet, p.accountIds)]);
  // Once per shape: a shape's invoices bill the same period.
  const periods = new Map([...p.postings].map(([idx, { shape }]) => [idx, billedPeriod(shape, now, settings.timeZone)]));
  const entries = p.invoices.flatMap((x) => {
    if (!x.entryId) return [];
    const accounts = { receivable_id: x.receivableId!, wallet_id: x.walletId };
    const idx = x.invoice.shape.idx;
    const billed = periods.get(idx)!;
    const issued = { id: x.entryId, ...accounts, template: 2 * idx, kind: 'invoice_issued', memo: `Invoice ${billed}`, idempotency_key: `invoice:${x.id}` };
    if (!x.paid) return [issued];
    return [issued, { id: x.walletEntryId!, ...accounts, template: 2 * idx + 1, kind: 'wallet_deduction', memo: `Wallet pays the invoice ${billed}`, idempotency_key: `invoice-wallet:${x.id}:0` }];
  });
  await repo.replan(trx);
  await writes.postEntries(trx, organizationId, currency, now, entryLines, entries);
  await fault('entries');
}

/** How an entry's memo names what an invoice bills: its first period's local start date, else the day it is issued. */
export function billedPeriod(shape: Shape, now: Date, timeZone: string): string {
  return shape.period_start ? `for the period from ${localDate(shape.period_start, timeZone)}` : `of ${localDate(now, timeZone)}`;
}

/** The invoices of a batch, numbered under the counter's lock (held until commit: no gaps), and the wallet payments. */
export async function writeBatch(trx: Transaction<DB>, now: Date, p: PreparedBatch, runId: string | null, fault: (point: FaultPoint) => Promise<void>): Promise<void> {
  const { organizationId, currency, settings } = p;
  const issuing = p.invoices.filter((x) => x.issued).length;
  const numbers = issuing > 0 ? await repo.takeInvoiceNumbers(trx, organizationId, issuing) : null;
  const issueDate = localDate(now, settings.timeZone);
  await fault('numbered');
  let next = numbers?.first ?? 0n;
  const rows = p.invoices.map((x) => ({
    x,
    row: {
      id: x.id,
      subscriber_id: x.invoice.subscriberId,
      shape: x.invoice.shape.idx,
      status: !x.issued ? ('in_review' as const) : x.paid || x.invoice.shape.total === 0n ? ('paid' as const) : ('open' as const),
      number: numbers && x.issued ? formatInvoiceNumber(numbers.format, next++, issueDate) : null,
      amount_paid: x.paid ? x.invoice.shape.total : 0n,
      journal_entry_id: x.entryId,
    },
  }));
  const shapes = [...new Map(p.invoices.map((x) => [x.invoice.shape.idx, x.invoice.shape])).values()];
  // Dates, the customer snapshot and issued_at are written for the numbered rows only.
  await writes.insertInvoices(trx, { organizationId, currency, runId, now, issueDate, dueDate: addDays(issueDate, settings.dueDays), shapes, invoices: rows.map((r) => r.row) });
  await fault('invoices');

  const allocations = p.invoices.filter((x) => x.paid).map((x) => ({ invoice_id: x.id, amount: x.invoice.shape.total, journal_entry_id: x.walletEntryId! }));
  await writes.insertWalletAllocations(trx, now, allocations);
  await fault('allocations');
}
