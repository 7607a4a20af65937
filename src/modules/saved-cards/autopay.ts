/**
 * Automatic payment of invoices with saved cards: a daily job (saved-cards.jobs.ts) charges each
 * unpaid invoice that is due (on or before the organization's today) of a subscriber with a saved
 * card, off-session, through the gateway. A charge is an ordinary payment attempt: the
 * payment_intents row is written first (marked with the card), the adapter is told to record the
 * PaymentIntent id on it before confirming, and what the gateway answers goes through
 * applyOutcome, as its webhook does (whichever comes first credits, once). A declined card or one
 * whose bank wants the cardholder (authentication_required) leaves a failed attempt with the
 * gateway's reason, shown to staff and the subscriber, and the invoice open; an invoice is charged
 * at most once a calendar day, so a failed card is tried again tomorrow, not in a loop.
 */
import { formatMoney } from '../../core/money.ts';
import type { GatewayOutcome } from '../../integrations/payments/contract.ts';
import type { AppContext } from '../../platform/context.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { applyOutcome } from '../gateways/apply-outcome.ts';
import { adapterOf, openCredentials } from '../gateways/credentials.ts';
import * as gateways from '../gateways/gateways.repo.ts';
import { cardGatewayOf } from './saved-cards.service.ts';
import * as repo from './saved-cards.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

export interface AutopayReport {
  charged: number;
  paid: number;
  failed: number;
  pending: number;
  errors: number;
}

/** The attempt, written (and the invoice locked meanwhile) only if nothing charged it today. */
async function recordAttempt(deps: Deps, invoiceId: string, cardId: string) {
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const due = await repo.lockAutopayCandidate(trx, now, invoiceId, cardId);
    const left = due ? due.total - due.amount_paid - due.amount_credited : 0n;
    if (!due || left <= 0n) return undefined;
    const intent = await gateways.insertIntent(trx, {
      organization_id: due.organization_id,
      subscriber_id: due.subscriber_id,
      gateway_account_id: due.gateway_account_id,
      gateway_kind: (await gateways.accountById(trx, due.gateway_account_id))!.kind,
      amount: left,
      currency: due.currency,
      purpose: 'invoice',
      invoice_id: due.id,
      saved_card_id: cardId,
      created_at: now,
      updated_at: now,
    });
    return { due, intent };
  });
}

/** Charges one invoice with one card; answers the attempt's status, or undefined when there was nothing to charge. */
export async function chargeInvoice(deps: Deps, invoiceId: string, cardId: string): Promise<'paid' | 'failed' | 'pending' | undefined> {
  const attempt = await recordAttempt(deps, invoiceId, cardId);
  if (!attempt) return undefined;
  const { due, intent } = attempt;
  const account = (await gateways.accountById(deps.db, due.gateway_account_id))!;
  const gateway = cardGatewayOf(adapterOf(account));
  const fail = async (code: string, message: string) => {
    const at = deps.clock.now();
    await gateways.updateIntent(deps.db, intent.id, { status: 'failed', failure_code: code.slice(0, 60), failure_message: message.slice(0, 500), settled_at: at, updated_at: at });
    return 'failed' as const;
  };
  if (!gateway) return fail('not_supported', `${account.kind} cannot charge a saved card`);
  let outcome: GatewayOutcome;
  try {
    outcome = await gateway.chargeSaved(openCredentials(deps.secrets, account), {
      customerId: due.customer_ref,
      paymentMethodId: due.payment_method_ref,
      amount: { minor: intent.amount, currency: intent.currency },
      intentId: intent.id,
      accountReference: due.account_number,
      description: `Invoice ${due.number ?? ''} (${formatMoney({ minor: intent.amount, currency: intent.currency })} ${intent.currency})`.trim(),
      onCreated: async (ref) => void (await gateways.updateIntent(deps.db, intent.id, { gateway_ref: ref, updated_at: deps.clock.now() })),
    });
  } catch (err) {
    // The gateway never took the charge (unreachable, refused the key): a failed attempt, tried again tomorrow.
    return fail(err instanceof AppError ? err.code : 'gateway_error', (err as Error).message);
  }
  const ref = outcome.kind === 'paid' ? outcome.payment.gatewayRef : outcome.kind === 'failed' || outcome.kind === 'pending' ? outcome.gatewayRef : undefined;
  if (ref) await gateways.updateIntent(deps.db, intent.id, { gateway_ref: ref, updated_at: deps.clock.now() });
  const applied = await deps.db.transaction().execute(async (trx) => {
    const done = await applyOutcome(trx, deps.clock, account, outcome);
    await gateways.insertEvents(trx, [{
      organization_id: account.organization_id,
      gateway_account_id: account.id,
      endpoint: 'autopay',
      body_hash: sha256Hex(Buffer.from(`autopay:${intent.id}:${ref ?? ''}`)),
      outcome: outcome.kind,
      result: done.result.slice(0, 500),
      intent_id: intent.id,
      payment_id: done.paymentId ?? null,
      remote_address: null,
      received_at: deps.clock.now(),
    }]);
    return done;
  });
  const status = await gateways.intentStatus(deps.db, intent.id);
  deps.logger.info({ intentId: intent.id, invoiceId, status, result: applied.result }, 'automatic card payment');
  return status === 'expired' ? 'failed' : status;
}

/** The daily run: every invoice due for an automatic charge, a batch at a time. */
export async function chargeDueInvoices(deps: Deps, opts: { limit?: number } = {}): Promise<AutopayReport> {
  const report: AutopayReport = { charged: 0, paid: 0, failed: 0, pending: 0, errors: 0 };
  const due = await repo.autopayDue(deps.db, deps.clock.now(), opts.limit ?? 500);
  for (const { invoice_id, card_id } of due) {
    try {
      const status = await chargeInvoice(deps, invoice_id, card_id);
      if (!status) continue;
      report.charged++;
      report[status]++;
    } catch (err) {
      report.errors++;
      deps.logger.warn({ invoiceId: invoice_id, err: (err as Error).message }, 'automatic card payment could not be made');
    }
  }
  return report;
}
