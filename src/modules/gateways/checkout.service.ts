/**
 * Paying from the customer portal: the gateways usable by the subscriber (for each kind, the account
 * nearest up the organization tree: a reseller may use its own), starting a payment for an invoice or
 * a wallet top-up, following it, and completing a redirect checkout when the payer comes back. The
 * attempt is recorded before the gateway is called, so a crash in between leaves a pending attempt
 * the reconciliation job settles, never money without a record.
 */
import type { PaymentIntent } from '../../platform/db/schema/gateways.ts';
import { formatMoney, parseMoney } from '../../core/money.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { outstanding, unpaidStatuses } from '../invoices/invoice-engine.ts';
import type { Customer } from '../portal/portal.access.ts';
import { cardGatewayOf, customerFor, syncCards } from '../saved-cards/saved-cards.service.ts';
import { settleByQuery } from './callbacks.service.ts';
import { adapterOf, callbackUrl, openCredentials } from './credentials.ts';
import { endpointsOf } from './gateways.service.ts';
import * as repo from './gateways.repo.ts';
import type { PaymentIntentOutput, StartPaymentInput } from './gateways.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'config' | 'logger'>;

/** Gateways that take whole units only (M-PESA: no cents): an invoice's amount is rounded up, the rest goes to the wallet. */
const wholeUnitsOnly = new Set(['mpesa']);
const needsPhone = new Set(['mpesa']);

export function mapIntent(i: PaymentIntent): PaymentIntentOutput {
  return {
    id: i.id,
    method: i.gateway_kind,
    purpose: i.purpose,
    invoiceId: i.invoice_id,
    amount: formatMoney({ minor: i.amount, currency: i.currency }),
    currency: i.currency,
    status: i.status,
    failureCode: i.failure_code,
    failureMessage: i.failure_message,
    paymentId: i.payment_id,
    redirectUrl: i.status === 'pending' ? i.redirect_url : null,
    createdAt: i.created_at.toISOString(),
    settledAt: i.settled_at?.toISOString() ?? null,
  };
}

export async function usableGateways(deps: Deps, c: Customer) {
  const rows = await repo.usableAccounts(deps.db, c.organizationPath);
  return {
    items: rows.map((r) => ({ kind: r.kind, label: r.label, needsPhone: needsPhone.has(r.kind), redirects: !needsPhone.has(r.kind), savesCards: !!cardGatewayOf(adapterOf(r)) })),
  };
}

async function amountToPay(deps: Deps, c: Customer, input: StartPaymentInput, currency: string): Promise<{ minor: bigint; currency: string; invoiceId: string | null }> {
  if (input.purpose === 'invoice') {
    if (!input.invoiceId) throw new BadRequestError('Say which invoice to pay', [{ field: 'invoiceId', message: 'is required to pay an invoice' }]);
    const invoice = await repo.invoiceOfSubscriber(deps.db, c.subscriberId, input.invoiceId);
    if (!invoice) throw new NotFoundError('Invoice');
    if (!unpaidStatuses.includes(invoice.status as (typeof unpaidStatuses)[number])) throw new ConflictError(`Invoice ${invoice.number ?? ''} is not waiting for payment`);
    let minor = outstanding(invoice);
    if (minor <= 0n) throw new ConflictError('Nothing is left to pay on this invoice');
    if (wholeUnitsOnly.has(input.method)) minor = ((minor + 99n) / 100n) * 100n;
    return { minor, currency: invoice.currency, invoiceId: invoice.id };
  }
  if (!input.amount) throw new BadRequestError('Say how much to top up', [{ field: 'amount', message: 'is required for a top-up' }]);
  let money;
  try {
    money = parseMoney(input.amount, currency);
  } catch (err) {
    throw new BadRequestError((err as Error).message, [{ field: 'amount', message: 'is not an amount in this currency' }]);
  }
  if (money.minor <= 0n) throw new BadRequestError('A top-up must be more than zero', [{ field: 'amount', message: 'must be more than zero' }]);
  return { minor: money.minor, currency, invoiceId: null };
}

export async function startPayment(deps: Deps, c: Customer, input: StartPaymentInput, origin: string) {
  const account = (await repo.usableAccounts(deps.db, c.organizationPath)).find((a) => a.kind === input.method);
  if (!account) throw new NotFoundError('Payment method');
  const adapter = adapterOf(account);
  const cardGateway = input.saveCard ? cardGatewayOf(adapter) : undefined;
  if (input.saveCard && !cardGateway) throw new BadRequestError(`${account.label} cannot save a card`, [{ field: 'saveCard', message: 'is only for card payments' }]);
  const subscriber = await repo.subscriberWithOrganization(deps.db, c.subscriberId);
  const amount = await amountToPay(deps, c, input, subscriber.currency);
  const customerId = cardGateway ? await customerFor(deps, c.subscriberId, account) : undefined;
  const now = deps.clock.now();
  const intent = await repo.insertIntent(deps.db, {
    organization_id: subscriber.organization_id,
    subscriber_id: c.subscriberId,
    gateway_account_id: account.id,
    gateway_kind: account.kind,
    amount: amount.minor,
    currency: amount.currency,
    purpose: input.purpose,
    invoice_id: amount.invoiceId,
    phone: input.phone ?? null,
    save_card: !!cardGateway,
    created_at: now,
    updated_at: now,
  });
  const creds = openCredentials(deps.secrets, account);
  const base = deps.config.publicUrl ?? origin;
  try {
    const request = {
      intentId: intent.id,
      amount: { minor: amount.minor, currency: amount.currency },
      accountReference: subscriber.account_number,
      description: amount.invoiceId ? 'Invoice' : 'Top up',
      callbackUrl: callbackUrl(base, account, endpointsOf(account.kind)[0]!, creds.callbackSecret!),
      returnUrl: input.returnUrl ?? `${base.replace(/\/+$/, '')}/portal/payments/${intent.id}`,
      phone: input.phone,
    };
    const started = cardGateway && customerId ? await cardGateway.startSavedCardCheckout(creds, { ...request, customerId }) : await adapter.startCheckout(creds, request);
    const updated = await repo.updateIntent(deps.db, intent.id, { gateway_ref: started.gatewayRef, redirect_url: started.redirectUrl ?? null, updated_at: deps.clock.now() });
    return { intent: mapIntent(updated), message: started.message };
  } catch (err) {
    // Refused input (a phone M-PESA cannot reach, cents it cannot take) leaves nothing behind; a gateway that failed leaves a failed attempt.
    if (err instanceof AppError && err.status < 500) await repo.deleteIntent(deps.db, intent.id);
    else await repo.updateIntent(deps.db, intent.id, { status: 'failed', failure_code: 'not_started', failure_message: (err as Error).message.slice(0, 500), settled_at: deps.clock.now(), updated_at: deps.clock.now() });
    throw err;
  }
}

async function ownIntent(deps: Deps, c: Customer, id: string): Promise<PaymentIntent> {
  const intent = await repo.intentOfSubscriber(deps.db, c.subscriberId, id);
  if (!intent) throw new NotFoundError('Payment');
  return intent;
}

/**
 * An attempt as it stands. One still pending after a minute is asked about at once (at most every
 * 20 s), so a payer whose callback was lost does not wait for the reconciliation job.
 */
export async function getIntent(deps: Deps, c: Customer, id: string) {
  let intent = await ownIntent(deps, c, id);
  const now = deps.clock.now().getTime();
  const stale = intent.status === 'pending' && intent.gateway_ref && now - intent.created_at.getTime() > 60_000 && (!intent.checked_at || now - intent.checked_at.getTime() > 20_000);
  if (stale) {
    try {
      await settleByQuery(deps, intent);
    } catch (err) {
      deps.logger.warn({ intentId: intent.id, err: (err as Error).message }, 'status query failed');
    }
    intent = await ownIntent(deps, c, id);
  }
  return mapIntent(intent);
}

/**
 * The payer is back from a redirect checkout: the gateway is asked to complete (bKash execute,
 * Stripe Checkout retrieve); the redirect itself proves nothing. A card the payer asked to save
 * is learnt from the gateway now (also when its webhook settled the payment first).
 */
export async function completePayment(deps: Deps, c: Customer, id: string) {
  const intent = await ownIntent(deps, c, id);
  if (intent.status === 'pending') {
    if (!intent.gateway_ref) throw new UnprocessableError('This payment was never started');
    await settleByQuery(deps, intent, 'complete');
  }
  const after = await ownIntent(deps, c, id);
  if (after.save_card && after.status === 'paid') {
    try {
      await syncCards(deps, c.subscriberId, after.gateway_account_id);
    } catch (err) {
      deps.logger.warn({ intentId: id, err: (err as Error).message }, 'could not ask the gateway for the saved card');
    }
  }
  return mapIntent(after);
}
