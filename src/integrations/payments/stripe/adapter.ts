/**
 * Stripe through the official `stripe` package: Checkout Sessions for the portal (a hosted page
 * takes the card; see checkout.ts), PaymentIntents for a card form of an app that loads Stripe.js,
 * retrieve for reconciliation, refunds, webhooks verified by `stripe.webhooks.constructEvent` on
 * the raw body, and saved cards (a Customer, `setup_future_usage=off_session`, then off-session
 * charges) for paying invoices automatically.
 *
 * What credits an account is the PaymentIntent id: one PaymentIntent settles at most once, so
 * `payment_intent.succeeded` delivered fifty times, or seen again by a retrieve, is one payment.
 * Every POST carries an idempotency key derived from our own ids, so a retry after a timeout
 * never creates a second PaymentIntent or refund.
 */
import Stripe from 'stripe';
import type { Money } from '../../../core/money.ts';
import { type Clock, systemClock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import { call, client, gatewayFailure } from './client.ts';
import { checkoutMetadata, completeSession, outcomeOfCheckoutPayment, outcomeOfSession, retrieveSession, sessionParams } from './checkout.ts';
import {
  CallbackRejected,
  type CallbackAnswer,
  type CallbackRequest,
  type CheckoutRequest,
  type CheckoutStarted,
  type GatewayAdapter,
  type GatewayCredentials,
  type GatewayOutcome,
} from '../contract.ts';
import { fromStripeAmount, StripeAmountError, toStripeAmount } from './amounts.ts';

/** Stripe's documented default and the most a webhook may be late: never 0 (that disables the check). */
export const stripeWebhookTolerance = 300;

export interface SavedCardCheckout extends CheckoutRequest {
  /** The Stripe Customer the card is saved to (see createCustomer). */
  readonly customerId: string;
}

export interface SavedCardCharge {
  readonly customerId: string;
  readonly paymentMethodId: string;
  readonly amount: Money;
  /** Our id for this charge; the idempotency key, so a retried charge never charges twice. */
  readonly intentId: string;
  readonly accountReference?: string;
  readonly description?: string;
  /**
   * Called with the PaymentIntent id after it is created and before it is confirmed, so the
   * attempt knows its gateway reference before any webhook about it can arrive.
   */
  readonly onCreated?: (paymentIntentId: string) => Promise<void>;
}

export interface SavedCard {
  readonly paymentMethodId: string;
  readonly brand: string;
  readonly last4: string;
  readonly expMonth: number;
  readonly expYear: number;
}

export interface StripeAdapter extends GatewayAdapter {
  readonly kind: 'stripe';
  /** A Customer to save cards on, keyed by our subscriber id so a retry finds the same one. */
  createCustomer(creds: GatewayCredentials, input: { readonly subscriberId: string; readonly email?: string; readonly name?: string }): Promise<string>;
  /** A PaymentIntent for a card form that loads Stripe.js (its client secret); the portal uses startCheckout. */
  createPaymentIntent(creds: GatewayCredentials, req: CheckoutRequest): Promise<CheckoutStarted>;
  /** A Checkout Session whose payment also saves the card on the Customer for later off-session charges. */
  startSavedCardCheckout(creds: GatewayCredentials, req: SavedCardCheckout): Promise<CheckoutStarted>;
  listSavedCards(creds: GatewayCredentials, customerId: string): Promise<SavedCard[]>;
  /** Takes a saved card off its Customer: it can never be charged again. */
  detachCard(creds: GatewayCredentials, paymentMethodId: string): Promise<void>;
  /** Charges a saved card with nobody present: paid, or failed with Stripe's decline code. */
  chargeSaved(creds: GatewayCredentials, input: SavedCardCharge): Promise<GatewayOutcome>;
}

function paymentIntentParams(req: CheckoutRequest): Stripe.PaymentIntentCreateParams {
  return {
    amount: toStripeAmount(req.amount),
    currency: req.amount.currency.toLowerCase(),
    description: req.description,
    metadata: { intentId: req.intentId, accountReference: req.accountReference },
    automatic_payment_methods: { enabled: true },
    ...(req.email ? { receipt_email: req.email } : {}),
  };
}

function sessionStarted(session: Stripe.Checkout.Session): CheckoutStarted {
  if (!session.url) throw new AppError(502, 'gateway-error', `Stripe gave Checkout Session ${session.id} no page to send the payer to`);
  return { gatewayRef: session.id, redirectUrl: session.url, message: "Pay by card on Stripe's page", raw: { id: session.id, status: session.status } };
}

function started(pi: Stripe.PaymentIntent): CheckoutStarted {
  return {
    gatewayRef: pi.id,
    clientSecret: pi.client_secret ?? undefined,
    message: 'Enter your card details to pay',
    raw: { id: pi.id, status: pi.status },
  };
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.id;
}

/** What a PaymentIntent says, the same whether it came by webhook or by retrieve. */
export function outcomeOfPaymentIntent(pi: Stripe.PaymentIntent, at: Date): GatewayOutcome {
  switch (pi.status) {
    case 'succeeded':
      return {
        kind: 'paid',
        payment: {
          transactionId: pi.id,
          gatewayRef: pi.id,
          amount: fromStripeAmount(pi.amount_received, pi.currency),
          accountReference: pi.metadata?.accountReference || undefined,
          payer: pi.receipt_email ? { email: pi.receipt_email } : undefined,
          occurredAt: at,
        },
      };
    case 'canceled':
      return { kind: 'failed', gatewayRef: pi.id, code: pi.cancellation_reason ?? 'canceled', message: 'The payment was cancelled' };
    default:
      if (pi.last_payment_error && pi.status === 'requires_payment_method') {
        const e = pi.last_payment_error;
        return { kind: 'failed', gatewayRef: pi.id, code: e.decline_code ?? e.code ?? 'payment_failed', message: e.message ?? 'The card was declined' };
      }
      return { kind: 'pending', gatewayRef: pi.id };
  }
}

function secretsOf(creds: GatewayCredentials): string[] {
  return [creds.webhookSecret, creds.previousWebhookSecret].filter((s): s is string => !!s);
}

function headerValue(headers: CallbackRequest['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a webhook with the official package: every v1 signature in the header is tried against
 * each secret we hold (during a secret roll Stripe signs with both), then the timestamp must be no
 * older than 300 s — and, our addition, no more than 300 s ahead of our clock.
 */
function verifyEvent(creds: GatewayCredentials, req: CallbackRequest, clock: Clock): Stripe.Event {
  const header = headerValue(req.headers, 'stripe-signature');
  if (!header) throw new CallbackRejected('bad_signature', 'Missing Stripe-Signature header');
  const secrets = secretsOf(creds);
  if (secrets.length === 0) throw new CallbackRejected('bad_signature', 'No Stripe webhook secret is configured', 503);
  const now = clock.now().getTime();
  let stale = false;
  for (const secret of secrets) {
    try {
      const event = Stripe.webhooks.constructEvent(req.rawBody, header, secret, stripeWebhookTolerance, undefined, now);
      const t = Number(/(?:^|,)t=(\d+)/.exec(header)?.[1]);
      if (t * 1000 - now > stripeWebhookTolerance * 1000) stale = true;
      else return event;
    } catch (err) {
      if (err instanceof SyntaxError) throw new CallbackRejected('malformed', 'Webhook body is not JSON');
      if (err instanceof Error && err.message.startsWith('Timestamp outside the tolerance zone')) stale = true;
    }
  }
  if (stale) throw new CallbackRejected('stale_timestamp', 'Stripe-Signature timestamp is outside the 300 s tolerance');
  throw new CallbackRejected('bad_signature', 'No Stripe-Signature v1 signature matches the webhook secret');
}

/**
 * The refund a `charge.refunded` event is about. The event's charge carries the cumulative
 * `amount_refunded`; with refunds listed oldest first, the refund whose running total reaches
 * exactly that figure is this event's, so each delivery maps to the same refund id whatever
 * the order. Falls back to a key made of the charge and that total.
 */
async function refundOfCharge(creds: GatewayCredentials, charge: Stripe.Charge): Promise<string> {
  const listed = charge.refunds?.data;
  const refunds = listed?.length
    ? listed
    : await call('listing refunds', async () => (await client(creds).refunds.list({ charge: charge.id, limit: 100 })).data);
  let total = 0;
  for (const refund of [...refunds].sort((a, b) => a.created - b.created || a.id.localeCompare(b.id))) {
    if (refund.status === 'failed' || refund.status === 'canceled') continue;
    total += refund.amount;
    if (total === charge.amount_refunded) return refund.id;
  }
  return `${charge.id}:refunded:${charge.amount_refunded}`;
}

async function outcomeOfEvent(creds: GatewayCredentials, event: Stripe.Event): Promise<GatewayOutcome> {
  const at = new Date(event.created * 1000);
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled': {
      const pi = event.data.object;
      if (pi.metadata?.via === checkoutMetadata.via) return outcomeOfCheckoutPayment(creds, pi, at);
      const outcome = outcomeOfPaymentIntent(pi, at);
      if (event.type === 'payment_intent.payment_failed' && outcome.kind === 'pending') {
        return { kind: 'failed', gatewayRef: pi.id, code: 'payment_failed', message: 'The payment failed' };
      }
      return outcome;
    }
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.expired':
      return outcomeOfSession(event.data.object, at);
    case 'charge.refunded': {
      const charge = event.data.object;
      const transactionId = idOf(charge.payment_intent);
      if (!transactionId) return { kind: 'ignored', reason: 'refund of a charge without a PaymentIntent' };
      const previous = (event.data.previous_attributes as { amount_refunded?: number } | undefined)?.amount_refunded ?? 0;
      const step = charge.amount_refunded - previous;
      if (step <= 0) return { kind: 'ignored', reason: 'charge.refunded without a new refunded amount' };
      return { kind: 'refunded', transactionId, amount: fromStripeAmount(step, charge.currency), refundId: await refundOfCharge(creds, charge) };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const transactionId = idOf(dispute.payment_intent);
      if (!transactionId) return { kind: 'ignored', reason: 'dispute on a charge without a PaymentIntent' };
      // Stripe takes the disputed amount when the dispute opens; a lost dispute is the same money
      // (same refund id, so recorded once); a won one gives it back, which staff settle.
      if (event.type === 'charge.dispute.closed' && dispute.status !== 'lost') {
        return { kind: 'ignored', reason: `dispute ${dispute.id} closed ${dispute.status}` };
      }
      return { kind: 'charged_back', transactionId, amount: fromStripeAmount(dispute.amount, dispute.currency), refundId: dispute.id };
    }
    default:
      return { kind: 'ignored', reason: `event ${event.type} is not used` };
  }
}

export function createStripeAdapter(options: { readonly clock?: Clock } = {}): StripeAdapter {
  const clock = options.clock ?? systemClock;
  return {
    kind: 'stripe',
    fields: [
      { key: 'secretKey', label: 'Secret key (sk_…)', secret: true, required: true },
      { key: 'publishableKey', label: 'Publishable key (pk_…)', secret: false, required: true },
      { key: 'webhookSecret', label: 'Webhook signing secret (whsec_…)', secret: true, required: true },
      { key: 'previousWebhookSecret', label: 'Previous webhook signing secret, while rolling it', secret: true, required: false },
      { key: 'apiBase', label: 'API base URL (empty for api.stripe.com)', secret: false, required: false },
    ],

    async startCheckout(creds, req) {
      const params = toStripeAmountOrFail(() => sessionParams(req));
      return sessionStarted(await call('creating the payment', () => client(creds).checkout.sessions.create(params, { idempotencyKey: req.intentId })));
    },

    async createPaymentIntent(creds, req) {
      const pi = await call('creating the payment', () => client(creds).paymentIntents.create(paymentIntentParams(req), { idempotencyKey: req.intentId }));
      return started(pi);
    },

    async complete(creds, gatewayRef) {
      if (!gatewayRef.startsWith('cs_')) return this.query(creds, gatewayRef);
      return completeSession(creds, gatewayRef, clock.now());
    },

    async query(creds, gatewayRef) {
      if (gatewayRef.startsWith('cs_')) return outcomeOfSession(await retrieveSession(creds, gatewayRef), clock.now());
      const pi = await call('looking up the payment', () => client(creds).paymentIntents.retrieve(gatewayRef));
      return outcomeOfPaymentIntent(pi, clock.now());
    },

    async parseCallback(creds, req) {
      const event = verifyEvent(creds, req, clock);
      try {
        return await outcomeOfEvent(creds, event);
      } catch (err) {
        if (err instanceof StripeAmountError || err instanceof TypeError) throw new CallbackRejected('malformed', `Stripe event ${event.id} could not be read: ${err.message}`);
        throw err;
      }
    },

    answer(outcome): CallbackAnswer {
      if (outcome instanceof CallbackRejected) return { status: outcome.status, body: { error: outcome.reason } };
      return { status: 200, body: { received: true } };
    },

    async refund(creds, input) {
      const refund = await call('the refund', () =>
        client(creds).refunds.create(
          {
            payment_intent: input.transactionId,
            amount: toStripeAmount(input.amount),
            reason: 'requested_by_customer',
            metadata: { reason: input.reason.slice(0, 500) },
          },
          { idempotencyKey: input.refundKey },
        ),
      );
      if (refund.status === 'failed' || refund.status === 'canceled') {
        throw new AppError(502, 'gateway-error', `Stripe refund ${refund.id} ${refund.status}${refund.failure_reason ? `: ${refund.failure_reason}` : ''}`);
      }
      return { refundId: refund.id, status: refund.status === 'succeeded' ? 'succeeded' : 'pending' };
    },

    async createCustomer(creds, input) {
      const customer = await call('saving the customer', () =>
        client(creds).customers.create(
          { email: input.email, name: input.name, metadata: { subscriberId: input.subscriberId } },
          { idempotencyKey: `customer-${input.subscriberId}` },
        ),
      );
      return customer.id;
    },

    async startSavedCardCheckout(creds, req) {
      const params = toStripeAmountOrFail(() => sessionParams(req, req.customerId));
      return sessionStarted(await call('creating the payment', () => client(creds).checkout.sessions.create(params, { idempotencyKey: req.intentId })));
    },

    async detachCard(creds, paymentMethodId) {
      await call('removing the saved card', () => client(creds).paymentMethods.detach(paymentMethodId));
    },

    async listSavedCards(creds, customerId) {
      const list = await call('listing saved cards', () => client(creds).customers.listPaymentMethods(customerId, { type: 'card', limit: 100 }));
      return list.data.flatMap((pm) =>
        pm.card ? [{ paymentMethodId: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year }] : [],
      );
    },

    async chargeSaved(creds, input) {
      const params: Stripe.PaymentIntentCreateParams = {
        amount: toStripeAmountOrFail(() => toStripeAmount(input.amount)),
        currency: input.amount.currency.toLowerCase(),
        customer: input.customerId,
        payment_method: input.paymentMethodId,
        description: input.description,
        metadata: { intentId: input.intentId, ...(input.accountReference ? { accountReference: input.accountReference } : {}) },
      };
      const stripe = client(creds);
      const created = await call('charging the saved card', () => stripe.paymentIntents.create(params, { idempotencyKey: input.intentId }));
      if (created.status === 'succeeded' || created.status === 'canceled') return outcomeOfPaymentIntent(created, clock.now());
      await input.onCreated?.(created.id);
      try {
        const pi = await stripe.paymentIntents.confirm(created.id, { payment_method: input.paymentMethodId, off_session: true }, { idempotencyKey: `${input.intentId}:confirm` });
        return outcomeOfPaymentIntent(pi, clock.now());
      } catch (err) {
        // A decline or a bank asking for the cardholder (authentication_required) is an answer, not a fault.
        if (err instanceof Stripe.errors.StripeCardError) {
          return { kind: 'failed', gatewayRef: created.id, code: err.decline_code ?? err.code ?? 'card_error', message: err.message };
        }
        throw gatewayFailure(err, 'charging the saved card');
      }
    },
  };
}

function toStripeAmountOrFail<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    throw gatewayFailure(err, 'the charge');
  }
}

export const stripeAdapter = createStripeAdapter();
