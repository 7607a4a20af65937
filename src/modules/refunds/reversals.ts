/**
 * Money of a payment given back, inside the caller's transaction. Every path locks the payment row
 * first, so reversals of one payment queue, and each is idempotent on its key (the payment row
 * lock makes the check-then-insert safe; the unique keys of payment_reversals back it up).
 *
 * - A refund to the payer: the subscriber's wallet is debited and the settlement account (drawer,
 *   bank) credited. The wallet must hold it: money that paid an invoice comes back to the wallet
 *   first through a credit note (service not delivered), which the refund can issue itself.
 * - A refund to the wallet: a credit note on an invoice the payment paid; no money leaves.
 * - Money taken back by the bank or gateway (a chargeback, a refund the gateway made): it cannot
 *   be refused, so it comes from wherever the payment's money went. A chargeback first reopens the
 *   invoices the payment paid (the subscriber owes them again), then takes what the wallet holds,
 *   then reopens invoices the wallet paid since the payment arrived, and books what is still
 *   missing as owed without an invoice. A gateway refund takes from the wallet first.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { paymentRefunded, paymentTakenBack, type Settlement } from '../../core/ledger.ts';
import { formatMoney, type Money } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { PaymentReversal, ReversalKind } from '../../platform/db/schema/payment-cases.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { createCreditNote } from '../invoices/corrections.ts';
import { reopenInvoice } from '../invoices/invoice-engine.ts';
import { CreditLimitError, postEvent } from '../ledger/ledger.service.ts';
import { walletBalance } from '../ledger/wallets.service.ts';
import { lockPayment } from '../payments/payments.repo.ts';
import * as repo from './refunds.repo.ts';

export interface Reversed {
  readonly reversal: PaymentReversal;
  /** True when this key was seen before: nothing changed. */
  readonly replayed: boolean;
}

const show = (minor: bigint, currency: string) => `${formatMoney({ minor, currency })} ${currency}`;

async function lockOrFail(trx: Transaction<DB>, paymentId: string): Promise<Payment> {
  const payment = await lockPayment(trx, paymentId);
  if (!payment) throw new NotFoundError('Payment');
  await refuseAcrossBooks(trx, payment);
  return payment;
}

/**
 * A payment one organization collected for a subscriber of another (the ISP's gateway, a reseller's
 * subscriber) sits in two sets of books; giving it back would have to unwind both and the debt
 * between them. Not done yet: refused, so no entry is half right.
 */
async function refuseAcrossBooks(trx: Transaction<DB>, payment: Payment): Promise<void> {
  if (!payment.subscriber_id) return;
  const sub = await trx.selectFrom('subscribers').select('organization_id').where('id', '=', payment.subscriber_id).executeTakeFirst();
  if (sub && sub.organization_id !== payment.organization_id)
    throw new UnprocessableError(
      `Receipt ${payment.receipt_no} was collected by another organization than the subscriber's: refunds and chargebacks of such payments are settled between the two organizations by hand for now`,
    );
}

function replay(existing: PaymentReversal, kind: ReversalKind, amount: bigint | null): Reversed {
  if (existing.kind !== kind || (amount !== null && existing.amount !== amount))
    throw new ConflictError(`This key already recorded a ${existing.kind} of ${show(existing.amount, existing.currency)} on the payment`);
  return { reversal: existing, replayed: true };
}

/** Refuses what cannot be given back: a payment in suspense, one charged back, more than is left. */
export function checkRefundable(payment: Payment, amount: Money): void {
  if (payment.status === 'unapplied') throw new ConflictError('This payment waits in suspense: match it to a subscriber before refunding it');
  if (payment.status === 'reversed') throw new ConflictError('This payment was charged back: nothing of it is left to give back');
  if (amount.currency !== payment.currency) throw new UnprocessableError(`The payment is in ${payment.currency}, not ${amount.currency}`);
  if (amount.minor <= 0n) throw new UnprocessableError('A refund must be more than zero', [{ field: 'amount', message: 'must be more than zero' }]);
  const left = payment.amount - payment.amount_refunded;
  if (amount.minor > left)
    throw new UnprocessableError(
      `At most ${show(left, payment.currency)} of receipt ${payment.receipt_no} can be given back: it was ${show(payment.amount, payment.currency)} and ${show(payment.amount_refunded, payment.currency)} is already refunded`,
      [{ field: 'amount', message: `must be at most ${formatMoney({ minor: left, currency: payment.currency })}` }],
    );
}

async function markRefunded(trx: Transaction<DB>, payment: Payment, amount: bigint, chargeback: boolean): Promise<Payment> {
  const refunded = payment.amount_refunded + amount;
  return repo.setPaymentRefunded(trx, payment.id, refunded, chargeback ? 'reversed' : refunded === payment.amount ? 'refunded' : 'partially_refunded');
}

export interface RefundInput {
  readonly paymentId: string;
  readonly amount: Money;
  /** The caller's key (a refund voucher number, or one made up per request). */
  readonly key: string;
  readonly reason: string;
  readonly createdBy: string | null;
  /** Credit these lines of an invoice the payment paid first (service not delivered), so the wallet holds the money. */
  readonly creditNote?: { readonly invoiceId: string; readonly lineNos?: readonly number[] };
}

/** Gives money back to the payer in cash or by bank transfer. */
export async function refundToPayer(trx: Transaction<DB>, clock: Clock, input: RefundInput & { destination: 'cash' | 'bank' }): Promise<Reversed> {
  const payment = await lockOrFail(trx, input.paymentId);
  const earlier = await repo.findReversal(trx, payment.organization_id, payment.id, input.key);
  if (earlier) return replay(earlier, 'refund', input.amount.minor);
  checkRefundable(payment, input.amount);
  const subscriberId = payment.subscriber_id!;
  const creditNoteId = input.creditNote ? (await creditPaidInvoice(trx, clock, payment, input.creditNote, input.reason, input.createdBy)).id : null;
  const via: Settlement = { kind: input.destination };
  let entryId: string;
  try {
    const posted = await postEvent(trx, clock, {
      organizationId: payment.organization_id,
      kind: 'refund',
      lines: paymentRefunded({ subscriberId, amount: input.amount, via }),
      idempotencyKey: `payment-refund:${payment.id}:${input.key}`,
      memo: `Refund of receipt ${payment.receipt_no}: ${input.reason}`.slice(0, 500),
      createdBy: input.createdBy,
    });
    entryId = posted.entry.id;
  } catch (err) {
    if (!(err instanceof CreditLimitError)) throw err;
    const { balance } = await walletBalance(trx, { organizationId: payment.organization_id, subscriberId, currency: payment.currency });
    throw new UnprocessableError(
      `The subscriber's wallet holds ${show(balance.minor, payment.currency)}, less than the ${show(input.amount.minor, payment.currency)} to refund: what the payment paid on invoices comes back to the wallet through a credit note first`,
      [{ field: 'amount', message: `the wallet holds ${formatMoney(balance)}` }],
    );
  }
  const reversal = await repo.insertReversal(trx, {
    organization_id: payment.organization_id,
    payment_id: payment.id,
    subscriber_id: subscriberId,
    kind: 'refund',
    destination: input.destination,
    amount: input.amount.minor,
    currency: payment.currency,
    key: input.key,
    reason: input.reason,
    credit_note_id: creditNoteId,
    from_wallet: input.amount.minor,
    entry_id: entryId,
    occurred_at: clock.now(),
    created_by: input.createdBy,
    created_at: clock.now(),
  });
  await markRefunded(trx, payment, input.amount.minor, false);
  return { reversal, replayed: false };
}

async function creditPaidInvoice(trx: Transaction<DB>, clock: Clock, payment: Payment, note: { invoiceId: string; lineNos?: readonly number[] }, reason: string, actorId: string | null) {
  if (!(await repo.invoicesPaidBy(trx, payment.id)).includes(note.invoiceId))
    throw new UnprocessableError('That invoice was not paid by this payment', [{ field: 'invoiceId', message: 'is not an invoice this payment paid' }]);
  return createCreditNote(trx, clock, note.invoiceId, { reason, lineNos: note.lineNos ? [...note.lineNos] : undefined, actorId });
}

/**
 * Refund to the wallet for service not delivered: a credit note on lines of an invoice the payment
 * paid gives their price back as prepaid balance. Counts against what may still be refunded.
 */
export async function refundToWallet(
  trx: Transaction<DB>,
  clock: Clock,
  input: { paymentId: string; key: string; reason: string; createdBy: string | null; invoiceId: string; lineNos?: readonly number[] },
): Promise<Reversed> {
  const payment = await lockOrFail(trx, input.paymentId);
  const earlier = await repo.findReversal(trx, payment.organization_id, payment.id, input.key);
  if (earlier) return replay(earlier, 'refund', null);
  checkRefundable(payment, { minor: 1n, currency: payment.currency });
  const note = await creditPaidInvoice(trx, clock, payment, input, input.reason, input.createdBy);
  checkRefundable(payment, { minor: note.total, currency: payment.currency });
  const reversal = await repo.insertReversal(trx, {
    organization_id: payment.organization_id,
    payment_id: payment.id,
    subscriber_id: payment.subscriber_id,
    kind: 'refund',
    destination: 'wallet',
    amount: note.total,
    currency: payment.currency,
    key: input.key,
    reason: input.reason,
    credit_note_id: note.id,
    entry_id: note.journal_entry_id,
    occurred_at: clock.now(),
    created_by: input.createdBy,
    created_at: clock.now(),
  });
  await markRefunded(trx, payment, note.total, false);
  return { reversal, replayed: false };
}

export interface TakeBackInput {
  readonly kind: ReversalKind;
  readonly amount: Money;
  readonly key: string;
  readonly reason: string;
  readonly createdBy: string | null;
  readonly occurredAt: Date;
  /** What the gateway or bank calls it (its refund or dispute id), with the payment's channel. */
  readonly external?: { readonly channel: string; readonly id: string };
}

/** A chargeback, or a refund the gateway made: see the file's comment for where the money comes from. */
export async function takeBack(trx: Transaction<DB>, clock: Clock, payment: Payment, input: TakeBackInput): Promise<Reversed> {
  await refuseAcrossBooks(trx, payment);
  const earlier = input.external
    ? await repo.findExternalReversal(trx, payment.organization_id, input.external.channel, input.external.id)
    : await repo.findReversal(trx, payment.organization_id, payment.id, input.key);
  if (earlier) return replay(earlier, input.kind, input.amount.minor);
  checkRefundable(payment, input.amount);
  const subscriberId = payment.subscriber_id!;
  const currency = payment.currency;
  const id = randomUUID();
  const now = clock.now();
  const reopenedInvoices: { allocationId: bigint; invoiceId: string; amount: bigint }[] = [];
  let left = input.amount.minor;

  const reopen = async (allocations: repo.OpenAllocation[]) => {
    let done = 0n;
    for (const a of allocations) {
      if (left <= 0n) break;
      const take = a.left < left ? a.left : left;
      await reopenInvoice(trx, clock, { invoiceId: a.invoice_id, amount: take, from: 'paid' });
      reopenedInvoices.push({ allocationId: a.id, invoiceId: a.invoice_id, amount: take });
      left -= take;
      done += take;
    }
    return done;
  };
  const fromWallet = async () => {
    const { balance } = await walletBalance(trx, { organizationId: payment.organization_id, subscriberId, currency });
    const take = balance.minor <= 0n ? 0n : balance.minor < left ? balance.minor : left;
    left -= take;
    return take;
  };

  let reopened = 0n;
  let walletPart = 0n;
  if (input.kind === 'chargeback') {
    reopened += await reopen(await repo.openAllocations(trx, { paymentId: payment.id }));
    walletPart = await fromWallet();
  } else {
    walletPart = await fromWallet();
    reopened += await reopen(await repo.openAllocations(trx, { paymentId: payment.id }));
  }
  reopened += await reopen(await repo.openAllocations(trx, { walletOf: subscriberId, currency, since: payment.received_at }));
  const unbilled = left;

  const via = await repo.settlementOf(trx, payment);
  const posted = await postEvent(trx, clock, {
    organizationId: payment.organization_id,
    kind: input.kind,
    lines: paymentTakenBack({ subscriberId, via, amount: input.amount, reopened, fromWallet: walletPart, unbilled }),
    idempotencyKey: input.external ? `payment-reversal:${input.external.channel}:${input.external.id}` : `payment-reversal:${payment.id}:${input.key}`,
    memo: `${input.kind === 'chargeback' ? 'Chargeback' : 'Gateway refund'} of receipt ${payment.receipt_no}${input.reason ? `: ${input.reason}` : ''}`.slice(0, 500),
    occurredAt: input.occurredAt,
    createdBy: input.createdBy,
  });
  const reversal = await repo.insertReversal(trx, {
    id,
    organization_id: payment.organization_id,
    payment_id: payment.id,
    subscriber_id: subscriberId,
    kind: input.kind,
    destination: via.kind === 'gateway' ? 'gateway' : via.kind === 'bank' ? 'bank' : 'cash',
    amount: input.amount.minor,
    currency,
    key: input.key,
    channel: input.external?.channel ?? null,
    external_id: input.external?.id ?? null,
    reason: input.reason,
    reopened,
    from_wallet: walletPart,
    unbilled,
    entry_id: posted.entry.id,
    occurred_at: input.occurredAt,
    created_by: input.createdBy,
    created_at: now,
  });
  for (const r of reopenedInvoices) await repo.insertAllocationReversal(trx, { allocation_id: r.allocationId, invoice_id: r.invoiceId, reversal_id: reversal.id, amount: r.amount, created_at: now });
  await markRefunded(trx, payment, input.amount.minor, input.kind === 'chargeback');
  return { reversal, replayed: false };
}

/** Staff record a chargeback the bank or gateway notified: the whole payment, or what is left of it, unless an amount is given. */
export async function chargeBack(trx: Transaction<DB>, clock: Clock, input: { paymentId: string; amount?: Money; key: string; reason: string; createdBy: string | null }): Promise<Reversed> {
  const payment = await lockOrFail(trx, input.paymentId);
  const earlier = await repo.findReversal(trx, payment.organization_id, payment.id, input.key);
  if (earlier) return replay(earlier, 'chargeback', input.amount?.minor ?? null);
  const amount = input.amount ?? { minor: payment.amount - payment.amount_refunded, currency: payment.currency };
  return takeBack(trx, clock, payment, { kind: 'chargeback', amount, key: input.key, reason: input.reason, createdBy: input.createdBy, occurredAt: clock.now() });
}
