/**
 * Receiving money: the one use case every channel ends in (cash at the counter, a bank transfer
 * staff record, an M-PESA confirmation, a Stripe webhook, a reconciliation job, a card). Runs inside
 * the caller's transaction and is idempotent on the event's key (organization, channel, transaction
 * id): the same event again answers the payment already recorded and changes nothing; the same key
 * with another amount or currency is refused.
 *
 * The money lands in the subscriber's wallet (one journal entry from the settlement account), then
 * pays the chosen invoices and the rest of what is unpaid, oldest first; what is left stays in the
 * wallet as prepaid balance. Money collected by one organization for a subscriber of another (an
 * ISP's paybill, a reseller's subscriber) is posted in both books: the collector owes it on, the
 * subscriber's organization holds it in the wallet. Paying the last unpaid invoice unlocks service (the invoice engine's
 * settlement handlers), and a funded wallet renews a prepaid plan that expired unpaid. A payment
 * whose reference names nobody waits in suspense (unapplied payments) until staff match it.
 */
import type { Transaction } from 'kysely';
import { type Settlement, collectedByOrganization, collectedForOrganization, unappliedPaymentMatched, unappliedPaymentReceived, walletTopUp } from '../../core/ledger.ts';
import { formatMoney, type Money } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { outstanding, recordAllocation, unpaidStatuses } from '../invoices/invoice-engine.ts';
import { unpaidInvoiceIds } from '../invoices/invoices.repo.ts';
import { walletFunded } from '../invoices/settlement.ts';
import { postEvent } from '../ledger/ledger.service.ts';
import { payFromWallet as deductFromWallet, walletBalance } from '../ledger/wallets.service.ts';
import * as repo from './payments.repo.ts';

export interface IncomingPayment {
  readonly organizationId: string;
  /** cash, bank_transfer, cheque, mobile_transfer, mpesa, bkash, nagad, stripe, paypal, bank:<code>, card */
  readonly channel: string;
  /** The outside event's own id (TransID, MpesaReceiptNumber, trxID, PaymentIntent id, a receipt number). */
  readonly transactionId: string;
  readonly amount: Money;
  /** The account the money sits in: the cash drawer, the bank, the gateway's clearing account. */
  readonly via: Settlement;
  readonly receivedAt: Date;
  /** The subscriber, when the caller knows it (staff, the portal, an intent started for a subscriber). */
  readonly subscriberId?: string | null;
  /** What the payer gave (account number, phone, invoice number, login); finds the subscriber when none is given. */
  readonly reference?: string | null;
  /** Invoices to pay first, in this order. */
  readonly invoiceIds?: readonly string[];
  /** False: the money stays in the wallet (a top-up); default true. */
  readonly applyToInvoices?: boolean;
  readonly payer?: { readonly name?: string | null; readonly phone?: string | null; readonly email?: string | null };
  readonly memo?: string | null;
  readonly collectorId?: string | null;
  readonly recordedBy?: string | null;
  readonly metadata?: Record<string, unknown>;
}

export interface PaymentAllocation {
  readonly invoiceId: string;
  readonly amount: bigint;
}

export interface ReceivedPayment {
  readonly payment: Payment;
  /** True when this event was recorded before: nothing changed. */
  readonly replayed: boolean;
  /** What this call paid (empty on a replay or for a payment in suspense). */
  readonly allocations: readonly PaymentAllocation[];
}

/**
 * Who a reference names: an account number (what most payers type), an invoice number (that
 * invoice first), a login, a phone.
 */
export async function resolveReference(trx: Transaction<DB>, organizationId: string, reference: string): Promise<{ subscriberId: string; invoiceId?: string } | undefined> {
  const ref = reference.trim();
  if (!ref) return undefined;
  const byAccount = await repo.subscriberByAccountNumber(trx, organizationId, ref);
  if (byAccount) return { subscriberId: byAccount };
  const invoice = await repo.invoiceByNumber(trx, organizationId, ref);
  if (invoice) return { subscriberId: invoice.subscriber_id, invoiceId: invoice.id };
  const byLogin = await repo.subscriberByLogin(trx, organizationId, ref);
  if (byLogin) return { subscriberId: byLogin };
  const byPhone = await repo.subscriberByPhone(trx, organizationId, ref);
  return byPhone ? { subscriberId: byPhone } : undefined;
}

/** The organization whose books hold the subscriber's wallet and invoices. */
async function booksOf(trx: Transaction<DB>, subscriberId: string): Promise<string> {
  const organizationId = await repo.organizationOfSubscriber(trx, subscriberId);
  if (!organizationId) throw new NotFoundError('Subscriber');
  return organizationId;
}

function sameEvent(existing: Payment, p: IncomingPayment): void {
  if (existing.amount !== p.amount.minor || existing.currency !== p.amount.currency)
    throw new ConflictError(
      `Transaction ${p.transactionId} on ${p.channel} is already recorded as ${formatMoney({ minor: existing.amount, currency: existing.currency })}, not ${formatMoney(p.amount)}`,
    );
}

export async function receivePayment(trx: Transaction<DB>, clock: Clock, p: IncomingPayment): Promise<ReceivedPayment> {
  if (p.amount.minor <= 0n) throw new UnprocessableError('A payment must be more than zero');
  await repo.lockEventKey(trx, p.organizationId, p.channel, p.transactionId);
  const existing = await repo.findByEvent(trx, p.organizationId, p.channel, p.transactionId);
  if (existing) {
    sameEvent(existing, p);
    return { payment: existing, replayed: true, allocations: [] };
  }

  let subscriberId = p.subscriberId ?? null;
  const firstInvoices = [...(p.invoiceIds ?? [])];
  if (!subscriberId && p.reference) {
    const found = await resolveReference(trx, p.organizationId, p.reference);
    if (found) {
      subscriberId = found.subscriberId;
      if (found.invoiceId && !firstInvoices.includes(found.invoiceId)) firstInvoices.unshift(found.invoiceId);
    }
  }
  if (!subscriberId && !p.reference && !p.payer?.phone) throw new UnprocessableError('A payment needs a subscriber or a reference to find one by');
  if (!subscriberId && p.payer?.phone) subscriberId = (await repo.subscriberByPhone(trx, p.organizationId, p.payer.phone)) ?? null;

  const key = `payment:${p.channel}:${p.transactionId}`;
  const memo = p.memo ?? `${p.channel} ${p.transactionId}`;
  const books = subscriberId ? await booksOf(trx, subscriberId) : p.organizationId;
  const across = books !== p.organizationId;
  const posted = await postEvent(trx, clock, {
    organizationId: p.organizationId,
    kind: subscriberId ? 'payment' : 'payment_unapplied',
    lines: !subscriberId
      ? unappliedPaymentReceived({ amount: p.amount, via: p.via })
      : across
        ? collectedForOrganization({ beneficiaryId: books, amount: p.amount, via: p.via })
        : walletTopUp({ subscriberId, amount: p.amount, via: p.via }),
    idempotencyKey: key,
    memo,
    occurredAt: p.receivedAt,
    createdBy: p.recordedBy ?? null,
  });
  if (subscriberId && across) await passOn(trx, clock, { collectorId: p.organizationId, books, subscriberId, amount: p.amount, key, memo, at: p.receivedAt, by: p.recordedBy ?? null });
  const payment = await repo.insertPayment(trx, {
    organization_id: p.organizationId,
    subscriber_id: subscriberId,
    channel: p.channel,
    transaction_id: p.transactionId,
    amount: p.amount.minor,
    currency: p.amount.currency,
    status: subscriberId ? 'applied' : 'unapplied',
    reference: p.reference ?? null,
    payer_name: p.payer?.name ?? null,
    payer_phone: p.payer?.phone ?? null,
    payer_email: p.payer?.email ?? null,
    memo: p.memo ?? null,
    collector_id: p.collectorId ?? null,
    recorded_by: p.recordedBy ?? null,
    received_at: p.receivedAt,
    entry_id: posted.entry.id,
    metadata: p.metadata ?? {},
  });
  if (!subscriberId) return { payment, replayed: false, allocations: [] };
  const allocations = p.applyToInvoices === false ? [] : await allocate(trx, clock, payment, subscriberId, firstInvoices, p.recordedBy ?? null);
  await walletFunded(trx, clock, subscriberId, payment.currency);
  return { payment, replayed: false, allocations };
}

/**
 * A payment collected by one organization for a subscriber of another reaches the subscriber's
 * wallet in the subscriber's organization's books, as owed by the collector (the collector's entry
 * records the debt the other way round).
 */
async function passOn(
  trx: Transaction<DB>,
  clock: Clock,
  e: { collectorId: string; books: string; subscriberId: string; amount: Money; key: string; memo: string; at: Date; by: string | null },
): Promise<void> {
  await postEvent(trx, clock, {
    organizationId: e.books,
    kind: 'payment',
    lines: collectedByOrganization({ collectorId: e.collectorId, subscriberId: e.subscriberId, amount: e.amount }),
    idempotencyKey: `${e.key}:passed-on`,
    memo: e.memo,
    occurredAt: e.at,
    createdBy: e.by,
  });
}

/**
 * Pays invoices with a payment that has reached the subscriber's wallet: the chosen ones first, then
 * the unpaid ones oldest first, never more than the payment nor more than the wallet holds.
 */
export async function allocate(
  trx: Transaction<DB>,
  clock: Clock,
  payment: Payment,
  subscriberId: string,
  firstInvoiceIds: readonly string[],
  createdBy: string | null,
): Promise<PaymentAllocation[]> {
  // The wallet and the invoices are in the subscriber's organization's books (the collector's when it is the same).
  const ref = { organizationId: await booksOf(trx, subscriberId), subscriberId, currency: payment.currency };
  let left = payment.amount;
  const done: PaymentAllocation[] = [];
  const order = [...new Set([...firstInvoiceIds, ...(await unpaidInvoiceIds(trx, subscriberId, payment.currency))])];
  for (const invoiceId of order) {
    if (left <= 0n) break;
    const invoice = await trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).forUpdate().executeTakeFirst();
    if (!invoice) throw new NotFoundError('Invoice');
    if (invoice.subscriber_id !== subscriberId || invoice.currency !== payment.currency || invoice.kind !== 'invoice')
      throw new UnprocessableError(`Invoice ${invoice.number ?? invoice.id} is not one of this subscriber's ${payment.currency} invoices`);
    if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number])) continue;
    const { available } = await walletBalance(trx, ref);
    const amount = [outstanding(invoice), left, available.minor].reduce((a, b) => (b < a ? b : a));
    if (amount <= 0n) break;
    const posted = await deductFromWallet(trx, clock, ref, {
      amount: { minor: amount, currency: payment.currency },
      idempotencyKey: `payment-allocation:${payment.id}:${invoice.id}`,
      memo: `Payment ${payment.receipt_no} pays invoice ${invoice.number}`,
      createdBy,
    });
    await recordAllocation(trx, clock, { invoiceId: invoice.id, source: 'payment', sourceId: payment.id, amount, journalEntryId: posted.entry.id });
    done.push({ invoiceId: invoice.id, amount });
    left -= amount;
  }
  return done;
}

/**
 * Staff match a payment in suspense to a subscriber: the money moves from unapplied payments to the
 * subscriber's wallet and pays what is owed, as if it had arrived with the right reference.
 */
export async function matchUnapplied(
  trx: Transaction<DB>,
  clock: Clock,
  input: { paymentId: string; subscriberId: string; invoiceIds?: readonly string[]; matchedBy: string | null },
): Promise<ReceivedPayment> {
  const payment = await repo.lockPayment(trx, input.paymentId);
  if (!payment) throw new NotFoundError('Payment');
  if (payment.status !== 'unapplied') throw new ConflictError('This payment is already matched to a subscriber');
  const amount = { minor: payment.amount, currency: payment.currency };
  const books = await booksOf(trx, input.subscriberId);
  const key = `payment-match:${payment.id}`;
  const memo = `Payment ${payment.receipt_no} matched`;
  await postEvent(trx, clock, {
    organizationId: payment.organization_id,
    kind: 'payment_matched',
    lines:
      books === payment.organization_id
        ? unappliedPaymentMatched({ subscriberId: input.subscriberId, amount })
        : collectedForOrganization({ beneficiaryId: books, amount, via: 'unapplied' }),
    idempotencyKey: key,
    memo,
    occurredAt: clock.now(),
    createdBy: input.matchedBy,
  });
  if (books !== payment.organization_id)
    await passOn(trx, clock, { collectorId: payment.organization_id, books, subscriberId: input.subscriberId, amount, key, memo, at: clock.now(), by: input.matchedBy });
  const matched = await repo.markMatched(trx, payment.id, { subscriberId: input.subscriberId, at: clock.now(), by: input.matchedBy });
  const allocations = await allocate(trx, clock, matched, input.subscriberId, input.invoiceIds ?? [], input.matchedBy);
  await walletFunded(trx, clock, input.subscriberId, matched.currency);
  return { payment: matched, replayed: false, allocations };
}
