/**
 * A Stripe simulator: the subset of the REST API the adapter calls, over HTTP, as Stripe speaks
 * it — form-encoded bodies with bracketed keys (`metadata[intentId]=…`), `Authorization: Bearer
 * sk_…`, `{ error: { type, code, message } }` problems with Stripe's statuses (401 bad key, 402
 * card error, 400 invalid request / idempotency error), and Idempotency-Key replay: the same key
 * with the same parameters answers the first response again, with other parameters a 400
 * `idempotency_error`. State changes produce events signed exactly as Stripe signs them
 * (`t=…,v1=…`, HMAC-SHA256 over `${t}.${body}`, one v1 per secret while a secret rolls) and
 * POSTed to `webhookUrl`.
 *
 * Checkout Sessions and their hosted payment page are in simulator-checkout.ts. The payer's side
 * (confirming the card form, paying on the hosted page, cancelling, disputing) is driven by
 * methods on the returned object, or by a browser on the hosted page. Test cards follow Stripe's test PaymentMethods: pm_card_visa succeeds,
 * pm_card_chargeDeclined and pm_card_chargeDeclinedInsufficientFunds decline,
 * pm_card_authenticationRequired needs the cardholder, so it fails off-session.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkoutSessions } from './simulator-checkout.ts';
import {
  canonical,
  cardBehaviours,
  decodeForm,
  invalid,
  missing,
  newId,
  obj,
  type Params,
  positiveInteger,
  type CardBehaviour,
  type SimCharge,
  type SimDispute,
  type SimEvent,
  type SimPaymentIntent,
  type SimPaymentMethod,
  type SimRefund,
  type StripeSimulator,
  type StripeSimulatorOptions,
  str,
  StripeHttpError,
} from './simulator-wire.ts';

export { decodeForm, type CardBehaviour, type SimEvent, type SimPaymentIntent, type StripeSimulator, type StripeSimulatorOptions };

export async function startStripeSimulator(options: StripeSimulatorOptions = {}): Promise<StripeSimulator> {
  const now = options.now ?? (() => Date.now());
  const secretKey = options.secretKey ?? 'sk_test_simulator';
  const seconds = () => Math.floor(now() / 1000);
  const paymentIntents = new Map<string, SimPaymentIntent>();
  const charges = new Map<string, SimCharge>();
  const refunds = new Map<string, SimRefund>();
  const disputes = new Map<string, SimDispute>();
  const customers = new Map<string, { id: string; object: 'customer'; email: string | null; name: string | null; metadata: Record<string, string> }>();
  const paymentMethods = new Map<string, SimPaymentMethod>();
  const idempotency = new Map<string, { fingerprint: string; status: number; body: string }>();
  const events: SimEvent[] = [];
  const requests: StripeSimulator['requests'] = [];
  const faults = { dropWebhooks: false, failRequests: 0 };
  let currentRequest: { id: string; key: string | null } = { id: '', key: null };

  const sim = {} as StripeSimulator;

  function emit(type: string, object: unknown, previous?: Record<string, unknown>): SimEvent {
    const event: SimEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      created: seconds(),
      type,
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: currentRequest.id || null, idempotency_key: currentRequest.key },
    };
    events.push(event);
    return event;
  }

  function signed(event: SimEvent, opts: { timestamp?: number; secrets?: string[] } = {}) {
    const rawBody = Buffer.from(JSON.stringify(event, null, 2));
    const t = opts.timestamp ?? seconds();
    const v1 = (opts.secrets ?? sim.webhookSecrets).map((secret) => `v1=${createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex')}`);
    return {
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'stripe-signature': [`t=${t}`, ...v1].join(',') },
      rawBody,
    };
  }

  async function deliver(event: SimEvent, opts?: { timestamp?: number; secrets?: string[] }) {
    if (!sim.webhookUrl) throw new Error('The Stripe simulator has no webhookUrl');
    const { headers, rawBody } = signed(event, opts);
    const res = await fetch(sim.webhookUrl, { method: 'POST', headers, body: rawBody });
    return { status: res.status, body: await res.text() };
  }

  /** Sends what Stripe would send now, unless the test is losing webhooks on purpose. */
  async function publish(event: SimEvent): Promise<SimEvent> {
    if (sim.webhookUrl && !faults.dropWebhooks) await deliver(event);
    return event;
  }

  function chargeCard(pi: SimPaymentIntent, pm: SimPaymentMethod, offSession: boolean): { event: SimEvent; error?: StripeHttpError } {
    pi.payment_method = pm.id;
    const declined =
      pm.behaviour === 'card_declined' || pm.behaviour === 'insufficient_funds' || (pm.behaviour === 'authentication_required' && offSession);
    if (declined) {
      const code = pm.behaviour === 'authentication_required' ? 'authentication_required' : 'card_declined';
      const decline = pm.behaviour === 'insufficient_funds' ? 'insufficient_funds' : pm.behaviour === 'authentication_required' ? 'authentication_required' : 'generic_decline';
      const message = pm.behaviour === 'authentication_required' ? 'Your card was declined. This transaction requires authentication.' : pm.behaviour === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.';
      pi.status = 'requires_payment_method';
      pi.last_payment_error = { type: 'card_error', code, decline_code: decline, message, payment_method: { id: pm.id } };
      const event = emit('payment_intent.payment_failed', pi);
      return { event, error: new StripeHttpError(402, { type: 'card_error', code, decline_code: decline, message, payment_intent: structuredClone(pi) }) };
    }
    const charge: SimCharge = {
      id: newId('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_refunded: 0,
      currency: pi.currency,
      payment_intent: pi.id,
      refunded: false,
      disputed: false,
      status: 'succeeded',
      created: seconds(),
      livemode: false,
    };
    charges.set(charge.id, charge);
    if (pi.setup_future_usage && pi.customer) pm.customer = pi.customer;
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.latest_charge = charge.id;
    pi.last_payment_error = null;
    return { event: emit('payment_intent.succeeded', pi) };
  }

  /** A test token like pm_card_visa becomes a fresh PaymentMethod, as Stripe does. */
  function paymentMethodFor(id: string): SimPaymentMethod {
    const saved = paymentMethods.get(id);
    if (saved) return saved;
    const test = cardBehaviours[id];
    if (!test) throw missing('PaymentMethod', id);
    const pm: SimPaymentMethod = {
      id: newId('pm'),
      object: 'payment_method',
      type: 'card',
      customer: null,
      card: { brand: test.brand, last4: test.last4, exp_month: 12, exp_year: 2034 },
      behaviour: test.behaviour,
    };
    paymentMethods.set(pm.id, pm);
    return pm;
  }

  function publicPm(pm: SimPaymentMethod) {
    const { behaviour: _behaviour, ...rest } = pm;
    return rest;
  }

  function intent(id: string): SimPaymentIntent {
    const pi = paymentIntents.get(id);
    if (!pi) throw missing('payment_intent', id);
    return pi;
  }

  /** A PaymentIntent as Stripe creates one: by the API, or by a Checkout Session when its payer pays. */
  function newPaymentIntent(params: Params): SimPaymentIntent {
    const amount = positiveInteger(params, 'amount', true)!;
    const currency = str(params, 'currency');
    if (!currency || !/^[a-z]{3}$/.test(currency)) throw invalid(`Invalid currency: ${currency ?? ''}`, 'currency');
    const customer = str(params, 'customer') ?? null;
    if (customer && !customers.has(customer)) throw missing('customer', customer);
    const id = newId('pi');
    const pi: SimPaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
      description: str(params, 'description') ?? null,
      metadata: obj(params, 'metadata'),
      customer,
      payment_method: null,
      setup_future_usage: str(params, 'setup_future_usage') ?? null,
      receipt_email: str(params, 'receipt_email') ?? null,
      latest_charge: null,
      last_payment_error: null,
      cancellation_reason: null,
      automatic_payment_methods: str(obj(params, 'automatic_payment_methods') as Params, 'enabled') === 'true' ? { enabled: true } : null,
      created: seconds(),
      livemode: false,
    };
    paymentIntents.set(id, pi);
    emit('payment_intent.created', pi);
    return pi;
  }

  /** Confirms with a PaymentMethod (create with confirm=true, or POST …/confirm). */
  function confirm(pi: SimPaymentIntent, params: Params): { status: number; body: unknown; after?: SimEvent } {
    const pmId = str(params, 'payment_method') ?? pi.payment_method;
    if (!pmId) throw invalid('You cannot confirm this PaymentIntent because it\'s missing a payment method.', 'payment_method', 'payment_intent_unexpected_state');
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      throw invalid(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, undefined, 'payment_intent_unexpected_state');
    }
    const pm = paymentMethodFor(pmId);
    if (pi.customer && pm.customer !== pi.customer) throw invalid(`The PaymentMethod ${pmId} does not belong to the Customer ${pi.customer}.`, 'payment_method');
    const { event, error } = chargeCard(pi, pm, str(params, 'off_session') === 'true');
    if (error) return { status: error.status, body: { error: error.body }, after: event };
    return { status: 200, body: pi, after: event };
  }

  function createPaymentIntent(params: Params): { status: number; body: unknown; after?: SimEvent } {
    const pi = newPaymentIntent(params);
    if (str(params, 'confirm') === 'true') return confirm(pi, params);
    const pmId = str(params, 'payment_method');
    if (pmId) {
      pi.payment_method = paymentMethodFor(pmId).id;
      pi.status = 'requires_confirmation';
    }
    return { status: 200, body: pi };
  }

  function createRefund(params: Params): { status: number; body: unknown; after: SimEvent } {
    const piId = str(params, 'payment_intent');
    const chargeId = str(params, 'charge') ?? (piId ? intent(piId).latest_charge : undefined);
    if (!chargeId) throw invalid(piId ? `PaymentIntent ${piId} does not have a successful charge to refund.` : 'Missing required param: charge.', 'payment_intent', piId ? 'charge_not_refundable' : 'parameter_missing');
    const charge = charges.get(chargeId);
    if (!charge) throw missing('charge', chargeId);
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
    const amount = positiveInteger(params, 'amount', false) ?? remaining;
    if (amount > remaining) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, 'amount', 'amount_too_large');
    const refund: SimRefund = {
      id: newId('re'),
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      reason: str(params, 'reason') ?? null,
      metadata: obj(params, 'metadata'),
      status: 'succeeded',
      created: seconds(),
    };
    refunds.set(refund.id, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    return { status: 200, body: refund, after: emit('charge.refunded', charge, previous) };
  }

  const checkout = checkoutSessions({
    baseUrl: () => sim.url,
    seconds,
    customers,
    paymentIntents,
    emit,
    publish,
    newPaymentIntent,
    chargeCard,
    paymentMethodFor,
  });

  function route(method: string, path: string, params: Params, query: URLSearchParams): { status: number; body: unknown; after?: SimEvent } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') return createPaymentIntent(params);
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) return { status: 200, body: intent(decodeURIComponent(m[1]!)) };
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path))) return confirm(intent(decodeURIComponent(m[1]!)), params);
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path))) {
      const pi = intent(decodeURIComponent(m[1]!));
      if (pi.status === 'succeeded' || pi.status === 'canceled') {
        throw invalid(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`, undefined, 'payment_intent_unexpected_state');
      }
      pi.status = 'canceled';
      pi.cancellation_reason = str(params, 'cancellation_reason') ?? 'requested_by_customer';
      return { status: 200, body: pi, after: emit('payment_intent.canceled', pi) };
    }
    if (method === 'POST' && path === '/v1/customers') {
      const customer = { id: newId('cus'), object: 'customer' as const, email: str(params, 'email') ?? null, name: str(params, 'name') ?? null, metadata: obj(params, 'metadata') };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === 'GET' && (m = /^\/v1\/customers\/([^/]+)\/payment_methods$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      if (!customers.has(id)) throw missing('customer', id);
      const data = [...paymentMethods.values()].filter((pm) => pm.customer === id).map(publicPm);
      return { status: 200, body: { object: 'list', data, has_more: false, url: path } };
    }
    if (method === 'POST' && (m = /^\/v1\/payment_methods\/([^/]+)\/detach$/.exec(path))) {
      const pm = paymentMethods.get(decodeURIComponent(m[1]!));
      if (!pm) throw missing('PaymentMethod', decodeURIComponent(m[1]!));
      if (!pm.customer) throw invalid(`The payment method you provided is not attached to a customer so detachment is impossible.`, undefined, 'payment_method_unexpected_state');
      const previous = { customer: pm.customer };
      pm.customer = null;
      return { status: 200, body: publicPm(pm), after: emit('payment_method.detached', publicPm(pm), previous) };
    }
    const checkoutAnswer = checkout.route(method, path, params, query);
    if (checkoutAnswer) return checkoutAnswer;
    if (method === 'POST' && path === '/v1/refunds') return createRefund(params);
    if (method === 'GET' && path === '/v1/refunds') {
      const charge = query.get('charge');
      const data = [...refunds.values()].filter((r) => !charge || r.charge === charge).sort((a, b) => b.created - a.created);
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/refunds' } };
    }
    throw new StripeHttpError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: string, extra: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': currentRequest.id, 'stripe-version': '2026-10-28.endive', ...extra });
        res.end(body);
      };
      const url = new URL(req.url ?? '/', 'http://stripe.local');
      const raw = Buffer.concat(chunks).toString('utf8');
      if (url.pathname.startsWith('/c/pay/')) return checkout.page(req, res, raw);
      const params = decodeForm(req.method === 'GET' ? url.search.slice(1) : raw);
      const key = req.headers['idempotency-key'] as string | undefined;
      const record = { method: req.method ?? 'GET', path: url.pathname, idempotencyKey: key, params, replayed: false };
      requests.push(record);
      currentRequest = { id: newId('req'), key: key ?? null };
      if (faults.failRequests > 0) {
        faults.failRequests -= 1;
        return send(500, JSON.stringify({ error: { type: 'api_error', message: 'An unknown error occurred' } }));
      }
      const auth = req.headers.authorization ?? '';
      if (auth !== `Bearer ${secretKey}`) {
        const given = auth.replace(/^Bearer /, '');
        const message = given ? `Invalid API Key provided: ${given.slice(0, 8)}****${given.slice(-4)}` : 'You did not provide an API key.';
        return send(401, JSON.stringify({ error: { type: 'invalid_request_error', message } }));
      }
      const fingerprint = `${req.method} ${url.pathname} ${canonical(params)}`;
      const idemKey = key ? `${secretKey}\n${key}` : undefined;
      if (req.method === 'POST' && idemKey) {
        const previous = idempotency.get(idemKey);
        if (previous) {
          if (previous.fingerprint !== fingerprint) {
            const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`;
            return send(400, JSON.stringify({ error: { type: 'idempotency_error', message } }));
          }
          record.replayed = true;
          return send(previous.status, previous.body, { 'idempotent-replayed': 'true' });
        }
      }
      let result: { status: number; body: unknown; after?: SimEvent };
      try {
        result = route(req.method ?? 'GET', url.pathname, params, url.searchParams);
      } catch (err) {
        if (!(err instanceof StripeHttpError)) throw err;
        result = { status: err.status, body: { error: err.body } };
      }
      const body = JSON.stringify(result.body);
      if (req.method === 'POST' && idemKey) idempotency.set(idemKey, { fingerprint, status: result.status, body });
      send(result.status, body);
      // Stripe sends webhooks after it has answered, not in the API call's response path.
      if (result.after) void publish(result.after).catch(() => undefined);
    });
  });
  // Idle keep-alive sockets stay open longer than a client keeps them, so a client never reuses
  // one the simulator is closing at that moment (a reset under load, after a long synchronous step).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  Object.assign(sim, {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    webhookSecrets: options.webhookSecrets ?? ['whsec_simulator'],
    webhookUrl: options.webhookUrl,
    paymentIntents,
    checkoutSessions: checkout.sessions,
    events,
    requests,
    faults,
    signed,
    deliver,
    async pay(paymentIntentId: string, card = 'pm_card_visa') {
      const pi = intent(paymentIntentId);
      if (pi.status === 'succeeded' || pi.status === 'canceled') throw new Error(`PaymentIntent ${pi.id} is ${pi.status}`);
      return publish(chargeCard(pi, paymentMethodFor(card), false).event);
    },
    async cancel(paymentIntentId: string, reason = 'abandoned') {
      const pi = intent(paymentIntentId);
      pi.status = 'canceled';
      pi.cancellation_reason = reason;
      return publish(emit('payment_intent.canceled', pi));
    },
    payCheckout: (sessionId: string, card?: string) => checkout.pay(sessionId, card),
    expireCheckout: (sessionId: string) => checkout.expire(sessionId),
    async dispute(paymentIntentId: string) {
      const pi = intent(paymentIntentId);
      const charge = pi.latest_charge ? charges.get(pi.latest_charge) : undefined;
      if (!charge) throw new Error(`PaymentIntent ${pi.id} has no charge to dispute`);
      const dispute: SimDispute = {
        id: newId('dp'),
        object: 'dispute',
        amount: charge.amount - charge.amount_refunded,
        currency: charge.currency,
        charge: charge.id,
        payment_intent: pi.id,
        reason: 'fraudulent',
        status: 'needs_response',
        created: seconds(),
      };
      disputes.set(dispute.id, dispute);
      charge.disputed = true;
      return publish(emit('charge.dispute.created', dispute));
    },
    async closeDispute(disputeId: string, status: 'won' | 'lost') {
      const dispute = disputes.get(disputeId);
      if (!dispute) throw new Error(`No dispute ${disputeId}`);
      dispute.status = status;
      return publish(emit('charge.dispute.closed', dispute, { status: 'needs_response' }));
    },
    setCardBehaviour(paymentMethodId: string, behaviour: CardBehaviour) {
      const pm = paymentMethods.get(paymentMethodId);
      if (!pm) throw new Error(`No PaymentMethod ${paymentMethodId}`);
      pm.behaviour = behaviour;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
  return sim;
}
