/**
 * Stripe Checkout for the customer portal: a Checkout Session (mode=payment) whose hosted page
 * takes the card, so no card number ever reaches Uplink and no Stripe.js is loaded. The attempt's
 * gateway reference is the session (cs_…); the money is the PaymentIntent Checkout creates when the
 * payer pays (pi_…), which carries our intent id in its metadata and is the transaction id that
 * credits, whether `checkout.session.completed`, `payment_intent.succeeded` or a retrieve says so first.
 */
import type Stripe from 'stripe';
import { AppError } from '../../../platform/errors.ts';
import type { CheckoutRequest, GatewayCredentials, GatewayOutcome } from '../contract.ts';
import { fromStripeAmount, toStripeAmount } from './amounts.ts';
import { call, client } from './client.ts';

/** Metadata on the PaymentIntent a Checkout Session creates: its events speak for the session. */
export const checkoutMetadata = { via: 'checkout' } as const;

function withQuery(url: string, query: string): string {
  // Not through URL: Stripe fills in {CHECKOUT_SESSION_ID} only if the braces stay as they are.
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

export function sessionParams(req: CheckoutRequest, customerId?: string): Stripe.Checkout.SessionCreateParams {
  if (!req.returnUrl) throw new AppError(422, 'gateway-misconfigured', 'Stripe Checkout needs a page to send the payer back to');
  const metadata = { intentId: req.intentId, accountReference: req.accountReference };
  return {
    mode: 'payment',
    line_items: [{ quantity: 1, price_data: { currency: req.amount.currency.toLowerCase(), unit_amount: toStripeAmount(req.amount), product_data: { name: req.description } } }],
    success_url: withQuery(req.returnUrl, 'status=success&session_id={CHECKOUT_SESSION_ID}'),
    cancel_url: withQuery(req.returnUrl, 'status=cancel'),
    client_reference_id: req.intentId,
    metadata,
    payment_intent_data: {
      description: req.description,
      metadata: { ...metadata, ...checkoutMetadata },
      ...(customerId ? { setup_future_usage: 'off_session' as const } : {}),
    },
    ...(customerId ? { customer: customerId } : req.email ? { customer_email: req.email } : {}),
  };
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.id;
}

/** What a Checkout Session says, the same by webhook or by retrieve. */
export function outcomeOfSession(session: Stripe.Checkout.Session, at: Date): GatewayOutcome {
  if (session.status === 'expired') return { kind: 'failed', gatewayRef: session.id, code: 'expired', message: 'The payment page was left without paying' };
  const paymentIntent = idOf(session.payment_intent);
  if (session.status !== 'complete' || session.payment_status !== 'paid' || !paymentIntent) return { kind: 'pending', gatewayRef: session.id };
  const email = session.customer_details?.email ?? session.customer_email;
  return {
    kind: 'paid',
    payment: {
      transactionId: paymentIntent,
      gatewayRef: session.id,
      amount: fromStripeAmount(session.amount_total ?? 0, session.currency ?? ''),
      accountReference: session.metadata?.accountReference || undefined,
      payer: email ? { email } : undefined,
      occurredAt: at,
    },
  };
}

/**
 * A PaymentIntent created by Checkout, as its events tell it: a success credits the session it
 * belongs to (found by `payment_intent`, as Stripe lists them); a declined card is not the end,
 * the payer may try another on the same page, and the session's own expiry ends it.
 */
export async function outcomeOfCheckoutPayment(creds: GatewayCredentials, pi: Stripe.PaymentIntent, at: Date): Promise<GatewayOutcome> {
  if (pi.status !== 'succeeded') return { kind: 'ignored', reason: `PaymentIntent ${pi.id} of a Checkout Session is ${pi.status}; the session decides` };
  const sessions = await call('finding the Checkout Session', () => client(creds).checkout.sessions.list({ payment_intent: pi.id, limit: 1 }));
  const session = sessions.data[0];
  if (!session) return { kind: 'ignored', reason: `PaymentIntent ${pi.id} names no Checkout Session` };
  return {
    kind: 'paid',
    payment: {
      transactionId: pi.id,
      gatewayRef: session.id,
      amount: fromStripeAmount(pi.amount_received, pi.currency),
      accountReference: pi.metadata?.accountReference || undefined,
      payer: pi.receipt_email ? { email: pi.receipt_email } : undefined,
      occurredAt: at,
    },
  };
}

export async function retrieveSession(creds: GatewayCredentials, id: string): Promise<Stripe.Checkout.Session> {
  return call('looking up the payment', () => client(creds).checkout.sessions.retrieve(id));
}

/**
 * The payer is back on our page. A complete session is paid (before any webhook); one still open
 * means the payer left the hosted page (Cancel, or the back button), so it is expired at Stripe
 * and nobody can pay it later behind our back. When it completed in between, that answer stands.
 */
export async function completeSession(creds: GatewayCredentials, id: string, at: Date): Promise<GatewayOutcome> {
  const session = await retrieveSession(creds, id);
  if (session.status !== 'open') return outcomeOfSession(session, at);
  try {
    return outcomeOfSession(await client(creds).checkout.sessions.expire(id), at);
  } catch {
    return outcomeOfSession(await retrieveSession(creds, id), at);
  }
}
