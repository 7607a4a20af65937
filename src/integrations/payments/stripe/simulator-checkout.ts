/**
 * Stripe Checkout in the simulator: Checkout Sessions over the API (`POST /v1/checkout/sessions`,
 * `GET /v1/checkout/sessions/:id`, `GET /v1/checkout/sessions?payment_intent=`, `POST
 * /v1/checkout/sessions/:id/expire`) and the hosted payment page the session's `url` points at
 * (`/c/pay/:id`, as checkout.stripe.com/c/pay/cs_… does), with a test card to choose and Pay /
 * Cancel buttons. As at Stripe since API version 2022-08-01, the PaymentIntent is created when
 * the payer first pays, with `payment_intent_data`'s metadata, description and setup_future_usage;
 * a declined card leaves the session open for another try; success completes the session and
 * sends the payer to `success_url` ({CHECKOUT_SESSION_ID} filled in); Cancel goes to `cancel_url`
 * and leaves the session open, as Stripe does.
 */
import type http from 'node:http';
import { stripeDigits } from './amounts.ts';
import {
  cardBehaviours,
  invalid,
  missing,
  newId,
  obj,
  type Params,
  positiveInteger,
  type SimCheckoutSession,
  type SimEvent,
  type SimPaymentIntent,
  type SimPaymentMethod,
  str,
  StripeHttpError,
} from './simulator-wire.ts';

type Answer = { status: number; body: unknown; after?: SimEvent };

export interface CheckoutDeps {
  readonly baseUrl: () => string;
  readonly seconds: () => number;
  readonly customers: ReadonlyMap<string, unknown>;
  readonly paymentIntents: ReadonlyMap<string, SimPaymentIntent>;
  emit(type: string, object: unknown, previous?: Record<string, unknown>): SimEvent;
  publish(event: SimEvent): Promise<SimEvent>;
  newPaymentIntent(params: Params): SimPaymentIntent;
  chargeCard(pi: SimPaymentIntent, pm: SimPaymentMethod, offSession: boolean): { event: SimEvent; error?: StripeHttpError };
  paymentMethodFor(id: string): SimPaymentMethod;
}

export interface CheckoutPayment {
  /** What Stripe sends: payment_intent.payment_failed, or payment_intent.succeeded then checkout.session.completed. */
  readonly events: SimEvent[];
  /** The decline the page shows, when the card was declined. */
  readonly error?: string;
}

export function checkoutSessions(deps: CheckoutDeps) {
  const sessions = new Map<string, SimCheckoutSession>();
  /** payment_intent_data of each session: Stripe keeps it for the PaymentIntent and never shows it on the session. */
  const intentData = new Map<string, Params>();

  function session(id: string): SimCheckoutSession {
    const found = sessions.get(id);
    if (!found) throw missing('checkout.session', id);
    return found;
  }

  function create(params: Params): Answer {
    const mode = str(params, 'mode');
    if (mode !== 'payment') throw invalid(mode ? `The simulator supports mode=payment only, not ${mode}.` : 'Missing required param: mode.', 'mode', mode ? 'parameter_invalid' : 'parameter_missing');
    const successUrl = str(params, 'success_url');
    if (!successUrl) throw invalid('Missing required param: success_url.', 'success_url', 'parameter_missing');
    const customer = str(params, 'customer') ?? null;
    const customerEmail = str(params, 'customer_email') ?? null;
    if (customer && customerEmail) throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
    if (customer && !deps.customers.has(customer)) throw missing('customer', customer);
    const items = params.line_items;
    if (typeof items !== 'object' || Object.keys(items).length === 0) throw invalid('Missing required param: line_items.', 'line_items', 'parameter_missing');
    let total = 0;
    let currency: string | undefined;
    for (const [i, raw] of Object.entries(items)) {
      const item = typeof raw === 'object' ? raw : {};
      const price = typeof item.price_data === 'object' ? item.price_data : undefined;
      if (!price) throw invalid(`Missing required param: line_items[${i}][price_data].`, `line_items[${i}][price_data]`, 'parameter_missing');
      const c = str(price, 'currency');
      if (!c || !/^[a-z]{3}$/.test(c)) throw invalid(`Invalid currency: ${c ?? ''}`, `line_items[${i}][price_data][currency]`);
      if (currency && c !== currency) throw invalid('All line items must use the same currency.', `line_items[${i}][price_data][currency]`);
      currency = c;
      if (!str(obj(price, 'product_data'), 'name')) throw invalid(`Missing required param: line_items[${i}][price_data][product_data][name].`, undefined, 'parameter_missing');
      total += positiveInteger(price, 'unit_amount', true)! * (positiveInteger(item, 'quantity', false) ?? 1);
    }
    const piData = typeof params.payment_intent_data === 'object' ? params.payment_intent_data : {};
    const future = str(piData, 'setup_future_usage');
    if (future && future !== 'off_session' && future !== 'on_session') throw invalid(`Invalid setup_future_usage: ${future}`, 'payment_intent_data[setup_future_usage]');
    const id = `cs_test_${newId('x').slice(2)}`;
    const created = deps.seconds();
    const s: SimCheckoutSession = {
      id,
      object: 'checkout.session',
      amount_subtotal: total,
      amount_total: total,
      cancel_url: str(params, 'cancel_url') ?? null,
      client_reference_id: str(params, 'client_reference_id') ?? null,
      created,
      currency: currency!,
      customer,
      customer_details: null,
      customer_email: customerEmail,
      expires_at: positiveInteger(params, 'expires_at', false) ?? created + 24 * 3600,
      livemode: false,
      metadata: obj(params, 'metadata'),
      mode: 'payment',
      payment_intent: null,
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      status: 'open',
      success_url: successUrl,
      url: `${deps.baseUrl()}/c/pay/${id}`,
    };
    sessions.set(id, s);
    intentData.set(id, piData);
    return { status: 200, body: s };
  }

  function expire(s: SimCheckoutSession): Answer {
    if (s.status !== 'open') throw invalid('Only Checkout Sessions with a status in ["open"] can be expired.', undefined, 'checkout_session_unexpected_state');
    s.status = 'expired';
    s.url = null;
    return { status: 200, body: s, after: deps.emit('checkout.session.expired', s) };
  }

  function route(method: string, path: string, params: Params, query: URLSearchParams): Answer | undefined {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/checkout/sessions') return create(params);
    if (method === 'GET' && path === '/v1/checkout/sessions') {
      const pi = query.get('payment_intent');
      const customer = query.get('customer');
      const data = [...sessions.values()].filter((s) => (!pi || s.payment_intent === pi) && (!customer || s.customer === customer)).sort((a, b) => b.created - a.created);
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/checkout/sessions' } };
    }
    if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path))) {
      const s = session(decodeURIComponent(m[1]!));
      const expand = Object.values(obj(params, 'expand'));
      const pi = expand.includes('payment_intent') && s.payment_intent ? deps.paymentIntents.get(s.payment_intent) : undefined;
      return { status: 200, body: pi ? { ...s, payment_intent: pi } : s };
    }
    if (method === 'POST' && (m = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path))) return expire(session(decodeURIComponent(m[1]!)));
    return undefined;
  }

  /** The payer pays on the hosted page with a test card (pm_card_visa…). */
  function pay(id: string, card: string): { events: SimEvent[]; error?: string } {
    const s = session(id);
    if (s.status !== 'open') throw new Error(`Checkout Session ${id} is ${s.status}`);
    let pi = s.payment_intent ? deps.paymentIntents.get(s.payment_intent) : undefined;
    if (!pi) {
      const data = intentData.get(id) ?? {};
      pi = deps.newPaymentIntent({
        amount: String(s.amount_total),
        currency: s.currency,
        ...(s.customer ? { customer: s.customer } : {}),
        ...(str(data, 'description') ? { description: str(data, 'description')! } : {}),
        ...(str(data, 'setup_future_usage') ? { setup_future_usage: str(data, 'setup_future_usage')! } : {}),
        ...(s.customer_email ? { receipt_email: s.customer_email } : {}),
        metadata: obj(data, 'metadata'),
      });
      s.payment_intent = pi.id;
    }
    const { event, error } = deps.chargeCard(pi, deps.paymentMethodFor(card), false);
    if (error) return { events: [event], error: error.body.message };
    s.status = 'complete';
    s.payment_status = 'paid';
    s.url = null;
    s.customer_details = { email: s.customer_email };
    return { events: [event, deps.emit('checkout.session.completed', s)] };
  }

  async function payAndPublish(id: string, card = 'pm_card_visa'): Promise<CheckoutPayment> {
    const done = pay(id, card);
    for (const event of done.events) await deps.publish(event);
    return done;
  }

  async function expireAndPublish(id: string): Promise<SimEvent> {
    return deps.publish(expire(session(id)).after!);
  }

  /** The hosted page: GET shows it, POST is its form (Pay with the chosen card, or Cancel). */
  function page(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): void {
    const id = decodeURIComponent(new URL(req.url ?? '/', 'http://stripe.local').pathname.replace(/^\/c\/pay\//, ''));
    const s = sessions.get(id);
    const html = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    };
    const redirect = (to: string) => {
      res.writeHead(303, { location: to });
      res.end();
    };
    if (!s) return html(404, layout('Not found', '<p>This payment page does not exist.</p>'));
    if (req.method === 'POST') {
      const form = new URLSearchParams(rawBody);
      if (s.status !== 'open') return html(409, closed(s));
      if (form.get('action') === 'cancel') return redirect(s.cancel_url ?? s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id));
      const card = form.get('card') ?? 'pm_card_visa';
      if (!cardBehaviours[card]) return html(400, form_(s, 'Choose a test card.'));
      const done = pay(s.id, card);
      // Stripe sends its webhooks on its own schedule: the payer is redirected without waiting for them.
      setImmediate(() => void (async () => {
        for (const event of done.events) await deps.publish(event).catch(() => undefined);
      })());
      if (done.error) return html(402, form_(s, done.error));
      return redirect(s.success_url.replaceAll('{CHECKOUT_SESSION_ID}', s.id));
    }
    if (s.status !== 'open') return html(200, closed(s));
    return html(200, form_(s));
  }

  return { sessions, route, page, pay: payAndPublish, expire: expireAndPublish };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function amountText(s: SimCheckoutSession): string {
  const digits = stripeDigits(s.currency.toUpperCase());
  return `${s.currency.toUpperCase()} ${(s.amount_total / 10 ** digits).toFixed(digits)}`;
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1f36}fieldset{border:1px solid #e3e8ee;border-radius:8px}label{display:block;margin:.4rem 0}button{font-size:1rem;padding:.6rem 1.2rem;margin:.8rem .4rem 0 0;border-radius:6px;border:0;background:#635bff;color:#fff}button[value=cancel]{background:#e3e8ee;color:#1a1f36}.error{color:#df1b41}</style></head><body>${body}</body></html>`;
}

function form_(s: SimCheckoutSession, error?: string): string {
  const cards = Object.entries(cardBehaviours)
    .map(([id, c], i) => `<label><input type="radio" name="card" value="${id}"${i === 0 ? ' checked' : ''}> ${escape(c.brand)} •••• ${c.last4}</label>`)
    .join('');
  return layout(
    'Stripe Checkout (simulator)',
    `<h1>Pay ${escape(amountText(s))}</h1>
<p>Stripe Checkout simulator: no real card is charged.</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post"><fieldset><legend>Test card</legend>${cards}</fieldset>
<button type="submit" name="action" value="pay">Pay</button><button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></form>`,
  );
}

function closed(s: SimCheckoutSession): string {
  return layout('Stripe Checkout (simulator)', `<h1>${s.status === 'complete' ? 'This payment is complete' : 'This payment page has expired'}</h1>`);
}
