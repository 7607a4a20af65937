/**
 * What an outside word about a payment does: a callback, a status query by the reconciliation job,
 * or the completion of a redirect checkout all end here, in one transaction. Money is credited only
 * through receivePayment, keyed on the gateway's transaction id, so the same word twice (or fifty
 * times at once) credits once. A paid attempt is never downgraded by a later failure, so words that
 * arrive out of order leave the same end state. A payment that does not match the attempt it names
 * (another amount or currency, an attempt we never started) credits nothing and is a security event.
 */
import type { Transaction } from 'kysely';
import type { GatewayOutcome, GatewayPayment } from '../../integrations/payments/contract.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { GatewayAccount, PaymentIntent, SecurityEventKind } from '../../platform/db/schema/gateways.ts';
import { ConflictError } from '../../platform/errors.ts';
import { type IncomingPayment, type Received, receivePayments, resolveReference } from '../payments/receive.ts';
import { recordGatewayReversal } from '../refunds/refunds.service.ts';
import * as repo from './gateways.repo.ts';

/**
 * What adapters may say beyond the contract: the receipt the payer sees when the payment is keyed
 * on something else (M-PESA STK: MpesaReceiptNumber vs CheckoutRequestID; bKash: trxID vs
 * paymentID), and that the amount is unknown (M-PESA's STK Query): the attempt's amount then.
 */
type AdapterPayment = GatewayPayment & { readonly receipt?: string; readonly amountUnknown?: boolean };

export interface Applied {
  /** Whether the gateway is told yes (a C2B validation that is refused, a forged payment: no). */
  readonly accepted: boolean;
  /** One line on what happened, kept with the gateway event. */
  readonly result: string;
  readonly intentId?: string;
  readonly paymentId?: string;
  readonly security?: { readonly kind: SecurityEventKind; readonly detail: string };
}

const sameMoney = (p: GatewayPayment, i: PaymentIntent) => p.amount.minor === i.amount && p.amount.currency === i.currency;

/** The payment a gateway reports, as the payments module receives it (for the attempt it names, if any). */
function incoming(account: GatewayAccount, payment: AdapterPayment, intent: PaymentIntent | undefined): IncomingPayment {
  const amount = payment.amountUnknown && intent ? { minor: intent.amount, currency: intent.currency } : payment.amount;
  return {
    organizationId: intent?.organization_id ?? account.organization_id,
    channel: account.kind,
    transactionId: payment.transactionId,
    amount,
    via: { kind: 'gateway', gateway: account.kind },
    receivedAt: payment.occurredAt,
    subscriberId: intent?.subscriber_id ?? null,
    reference: intent ? null : (payment.accountReference ?? null),
    invoiceIds: intent?.invoice_id ? [intent.invoice_id] : [],
    applyToInvoices: intent ? intent.purpose === 'invoice' : true,
    payer: payment.payer,
    metadata: { gatewayAccountId: account.id, ...(payment.gatewayRef ? { gatewayRef: payment.gatewayRef } : {}), ...(payment.receipt ? { receipt: payment.receipt } : {}), ...(intent ? { intentId: intent.id } : {}) },
  };
}

/** What receiving the payment came to, as the gateway event records it; a refusal other than a mismatch is thrown. */
function creditResult(received: Received, intent: PaymentIntent | undefined): Applied {
  if (!received.ok) {
    if (received.error instanceof ConflictError) return { accepted: false, result: 'refused: transaction id already recorded with another amount', security: { kind: 'mismatch', detail: received.error.message } };
    throw received.error;
  }
  const { payment, replayed } = received.value;
  const where = payment.subscriber_id ? 'credited' : 'held in suspense (reference names nobody)';
  return { accepted: true, result: replayed ? `duplicate of payment ${payment.receipt_no}` : `payment ${payment.receipt_no} ${where}`, intentId: intent?.id, paymentId: payment.id };
}

async function credit(trx: Transaction<DB>, clock: Clock, account: GatewayAccount, payment: AdapterPayment, intent: PaymentIntent | undefined): Promise<Applied> {
  const [received] = await receivePayments(trx, clock, [incoming(account, payment, intent)]);
  if (intent && intent.status !== 'paid' && received!.ok)
    await repo.updateIntent(trx, intent.id, { status: 'paid', payment_id: received!.value.payment.id, transaction_id: payment.transactionId, failure_code: null, failure_message: null, settled_at: clock.now(), updated_at: clock.now() });
  return creditResult(received!, intent);
}

/** Whether an outcome is a payment that names no attempt of ours (an M-PESA C2B confirmation): what can be applied in a batch. */
export function isUnsolicitedPayment(outcome: GatewayOutcome): outcome is Extract<GatewayOutcome, { kind: 'paid' }> {
  return outcome.kind === 'paid' && !outcome.payment.gatewayRef;
}

/**
 * Many unsolicited payments (see isUnsolicitedPayment) applied as applyOutcome applies each, with
 * a fixed number of statements for the lot. Answers each one's outcome, or the error that refuses
 * it alone (the others stand).
 */
export async function applyUnsolicitedPayments(
  trx: Transaction<DB>,
  clock: Clock,
  items: readonly { account: GatewayAccount; outcome: Extract<GatewayOutcome, { kind: 'paid' }> }[],
): Promise<({ ok: true; applied: Applied } | { ok: false; error: unknown })[]> {
  const received = await receivePayments(trx, clock, items.map(({ account, outcome }) => incoming(account, outcome.payment as AdapterPayment, undefined)));
  return received.map((r) => {
    try {
      return { ok: true as const, applied: creditResult(r, undefined) };
    } catch (error) {
      return { ok: false as const, error };
    }
  });
}

export async function applyOutcome(trx: Transaction<DB>, clock: Clock, account: GatewayAccount, outcome: GatewayOutcome): Promise<Applied> {
  switch (outcome.kind) {
    case 'paid': {
      const payment = outcome.payment as AdapterPayment;
      if (!payment.gatewayRef) return credit(trx, clock, account, payment, undefined);
      const intent = await repo.lockIntentByRef(trx, account.id, payment.gatewayRef);
      if (!intent) return { accepted: false, result: 'refused: names no attempt of ours', security: { kind: 'mismatch', detail: `A payment for ${payment.gatewayRef}, which this account never started` } };
      if (!payment.amountUnknown && !sameMoney(payment, intent))
        return {
          accepted: false,
          result: 'refused: amount differs from the attempt',
          intentId: intent.id,
          security: { kind: 'mismatch', detail: `${payment.gatewayRef} paid ${payment.amount.currency} ${payment.amount.minor} minor units; the attempt was for ${intent.currency} ${intent.amount}` },
        };
      return credit(trx, clock, account, payment, intent);
    }
    case 'failed': {
      const intent = await repo.lockIntentByRef(trx, account.id, outcome.gatewayRef);
      if (!intent) return { accepted: false, result: 'refused: names no attempt of ours', security: { kind: 'mismatch', detail: `A failure for ${outcome.gatewayRef}, which this account never started` } };
      if (intent.status !== 'pending') return { accepted: true, result: `attempt already ${intent.status}; unchanged`, intentId: intent.id };
      await repo.updateIntent(trx, intent.id, { status: 'failed', failure_code: outcome.code.slice(0, 60), failure_message: outcome.message.slice(0, 500), settled_at: clock.now(), updated_at: clock.now() });
      return { accepted: true, result: `attempt failed (${outcome.code})`, intentId: intent.id };
    }
    case 'pending': {
      const intent = await repo.lockIntentByRef(trx, account.id, outcome.gatewayRef);
      if (intent) await repo.updateIntent(trx, intent.id, { checked_at: clock.now() });
      return { accepted: true, result: 'still pending', intentId: intent?.id };
    }
    case 'validate': {
      const ref = outcome.payment.accountReference ?? '';
      const found = ref ? await resolveReference(trx, account.organization_id, ref) : undefined;
      if (found) return { accepted: true, result: `accepted: reference ${ref} found` };
      if (account.accept_unknown_references) return { accepted: true, result: `accepted into suspense: reference ${ref || '(none)'} names nobody` };
      return { accepted: false, result: `refused: reference ${ref || '(none)'} names nobody` };
    }
    case 'refunded':
    case 'charged_back': {
      const organizationId = await repo.paymentOrganization(trx, account, outcome.transactionId);
      if (!organizationId) return { accepted: true, result: `${outcome.kind} of ${outcome.transactionId}, a payment we never recorded: nothing to take back` };
      const done = await recordGatewayReversal(trx, clock, {
        organizationId,
        channel: account.kind,
        transactionId: outcome.transactionId,
        refundId: outcome.refundId,
        amount: outcome.amount,
        kind: outcome.kind,
        occurredAt: clock.now(),
      });
      return { accepted: true, result: `${outcome.kind} ${outcome.refundId} of ${outcome.transactionId} ${done.applied ? 'applied' : 'already applied'}` };
    }
    case 'ignored':
      return { accepted: true, result: `ignored: ${outcome.reason}` };
  }
}
