import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { TestClock } from '../../../platform/clock.ts';
import { CallbackRejected, type CallbackRequest, type GatewayOutcome } from '../contract.ts';
import { appError, rejection } from '../test-support.ts';
import { createStripeAdapter } from './adapter.ts';
import { fromStripeAmount, toStripeAmount } from './amounts.ts';
import { startStripeSimulator, type SimEvent, type StripeSimulator } from './simulator.ts';

const start = new Date('2026-11-22T06:00:00Z');
const clock = new TestClock(start);
const adapter = createStripeAdapter({ clock });
let sim: StripeSimulator;
let creds: Record<string, string>;
let seq = 0;

function checkout(amount = money(150000n, 'KES'), extra: { intentId?: string } = {}) {
  seq += 1;
  return {
    intentId: extra.intentId ?? `0193a0c0-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    amount,
    accountReference: `ACC-${seq}`,
    description: 'Internet, November',
    callbackUrl: 'https://isp.example/api/gateways/callback/stripe',
    email: 'payer@example.com',
  };
}

function callback(signed: { headers: Record<string, string>; rawBody: Buffer }): CallbackRequest {
  return { headers: signed.headers, rawBody: signed.rawBody, endpoint: 'webhook' };
}

async function parse(event: SimEvent, options?: { timestamp?: number; secrets?: string[] }, c = creds): Promise<GatewayOutcome> {
  return adapter.parseCallback(c, callback(sim.signed(event, options)));
}

const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

beforeAll(async () => {
  sim = await startStripeSimulator({ secretKey: 'sk_test_51Uplink', webhookSecrets: ['whsec_current'], now: () => clock.now().getTime() });
  creds = { secretKey: 'sk_test_51Uplink', publishableKey: 'pk_test_51Uplink', webhookSecret: 'whsec_current', apiBase: sim.url };
});
afterAll(() => sim.close());

describe('Stripe amounts', () => {
  it('converts ISO minor units to Stripe units and back exactly', () => {
    expect(toStripeAmount(money(1234n, 'USD'))).toBe(1234);
    expect(toStripeAmount(money(500n, 'JPY'))).toBe(500);
    expect(toStripeAmount(money(500n, 'ISK'))).toBe(50000);
    expect(toStripeAmount(money(12300n, 'MGA'))).toBe(123);
    expect(toStripeAmount(money(1230n, 'KWD'))).toBe(1230);
    expect(fromStripeAmount(50000, 'isk')).toEqual(money(500n, 'ISK'));
    expect(fromStripeAmount(123, 'mga')).toEqual(money(12300n, 'MGA'));
    expect(fromStripeAmount(150000, 'kes')).toEqual(money(150000n, 'KES'));
  });

  it('refuses amounts Stripe cannot express instead of rounding them', () => {
    expect(() => toStripeAmount(money(12345n, 'MGA'))).toThrow(/whole units/);
    expect(() => toStripeAmount(money(1235n, 'KWD'))).toThrow(/0\.010/);
    expect(() => toStripeAmount(money(0n, 'USD'))).toThrow(/positive/);
    expect(() => fromStripeAmount(12.5, 'usd')).toThrow(/integer/);
    expect(() => fromStripeAmount(50001, 'isk')).toThrow(/finer/);
  });
});

describe('Stripe PaymentIntents (a card form with Stripe.js) against the simulator', () => {
  it('creates a PaymentIntent in minor units with our intent id as the idempotency key, and a retry creates nothing new', async () => {
    const req = checkout(money(150050n, 'KES'));
    const first = await adapter.createPaymentIntent(creds, req);
    const sent = sim.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/payment_intents', idempotencyKey: req.intentId });
    expect(sent.params).toMatchObject({
      amount: '150050',
      currency: 'kes',
      metadata: { intentId: req.intentId, accountReference: req.accountReference },
      automatic_payment_methods: { enabled: 'true' },
      receipt_email: 'payer@example.com',
    });
    expect(first.gatewayRef).toMatch(/^pi_/);
    expect(first.clientSecret).toMatch(new RegExp(`^${first.gatewayRef}_secret_`));
    const again = await adapter.createPaymentIntent(creds, req);
    expect(again.gatewayRef).toBe(first.gatewayRef);
    expect(sim.requests.at(-1)!.replayed).toBe(true);
    expect([...sim.paymentIntents.values()].filter((pi) => pi.metadata.intentId === req.intentId)).toHaveLength(1);
  });

  it('the same idempotency key with other parameters is refused with a clear message', async () => {
    const req = checkout();
    await adapter.createPaymentIntent(creds, req);
    const err = await appError(adapter.createPaymentIntent(creds, { ...req, amount: money(99n, 'KES') }));
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/Stripe refused creating the payment: Keys for idempotent requests can only be used with the same parameters/);
  });

  it('a 500 from Stripe is retried with the same idempotency key and makes one PaymentIntent', async () => {
    const req = checkout();
    sim.faults.failRequests = 1;
    const before = sim.paymentIntents.size;
    const started = await adapter.createPaymentIntent(creds, req);
    const tries = sim.requests.filter((r) => r.idempotencyKey === req.intentId);
    expect(tries).toHaveLength(2);
    expect(sim.paymentIntents.size).toBe(before + 1);
    expect(sim.paymentIntents.get(started.gatewayRef)?.metadata.intentId).toBe(req.intentId);
  });

  it('a wrong secret key and an unreachable API are clear errors that never show the key', async () => {
    const err = await appError(adapter.createPaymentIntent({ ...creds, secretKey: 'sk_test_wrongwrongwrong' }, checkout()));
    expect(err).toMatchObject({ status: 502, code: 'gateway-auth' });
    expect(err.message).not.toContain('wrongwrong');
    const down = await appError(adapter.query({ ...creds, apiBase: 'http://127.0.0.1:9' }, 'pi_x'));
    expect(down).toMatchObject({ status: 503, code: 'gateway-unavailable' });
    const unset = await appError(adapter.createPaymentIntent({ ...creds, secretKey: '' }, checkout()));
    expect(unset).toMatchObject({ status: 422, code: 'gateway-misconfigured' });
    const amount = await appError(adapter.createPaymentIntent(creds, checkout(money(1235n, 'KWD'))));
    expect(amount).toMatchObject({ status: 422, code: 'gateway-amount' });
  });

  it('query follows the PaymentIntent: pending, then paid with the PaymentIntent id as the transaction', async () => {
    const { gatewayRef } = await adapter.createPaymentIntent(creds, checkout(money(250000n, 'KES')));
    expect(await adapter.query(creds, gatewayRef)).toEqual({ kind: 'pending', gatewayRef });
    await sim.pay(gatewayRef);
    const paid = await adapter.query(creds, gatewayRef);
    expect(paid).toMatchObject({ kind: 'paid', payment: { transactionId: gatewayRef, gatewayRef, amount: money(250000n, 'KES'), payer: { email: 'payer@example.com' } } });
  });

  it('a declined card and a cancellation are failures with Stripe codes', async () => {
    const declined = await adapter.createPaymentIntent(creds, checkout());
    const failedEvent = await sim.pay(declined.gatewayRef, 'pm_card_chargeDeclinedInsufficientFunds');
    expect(await parse(failedEvent)).toMatchObject({ kind: 'failed', gatewayRef: declined.gatewayRef, code: 'insufficient_funds' });
    expect(await adapter.query(creds, declined.gatewayRef)).toMatchObject({ kind: 'failed', code: 'insufficient_funds' });
    const cancelled = await adapter.createPaymentIntent(creds, checkout());
    const cancelEvent = await sim.cancel(cancelled.gatewayRef);
    expect(await parse(cancelEvent)).toEqual({ kind: 'failed', gatewayRef: cancelled.gatewayRef, code: 'abandoned', message: 'The payment was cancelled' });
  });
});

describe('Stripe webhooks', () => {
  let paidEvent: SimEvent;
  let piId: string;
  beforeAll(async () => {
    piId = (await adapter.createPaymentIntent(creds, checkout(money(99900n, 'KES')))).gatewayRef;
    paidEvent = await sim.pay(piId);
  });

  it('payment_intent.succeeded signed by the simulator is a payment of the amount received', async () => {
    const outcome = await parse(paidEvent);
    expect(outcome).toMatchObject({ kind: 'paid', payment: { transactionId: piId, amount: money(99900n, 'KES'), accountReference: expect.stringMatching(/^ACC-/) } });
    expect(outcome.kind === 'paid' && outcome.payment.occurredAt.getTime()).toBe(paidEvent.created * 1000);
  });

  it('a forged signature, a tampered body and a missing header are bad_signature', async () => {
    expect((await rejection(parse(paidEvent, { secrets: ['whsec_attacker'] }))).reason).toBe('bad_signature');
    const signed = sim.signed(paidEvent);
    const tampered = Buffer.from(signed.rawBody.toString().replace('"amount_received": 99900', '"amount_received": 99999900'));
    expect(tampered.equals(signed.rawBody)).toBe(false);
    expect((await rejection(adapter.parseCallback(creds, { ...callback(signed), rawBody: tampered }))).reason).toBe('bad_signature');
    const { 'stripe-signature': _, ...noSignature } = signed.headers;
    expect((await rejection(adapter.parseCallback(creds, { ...callback(signed), headers: noSignature }))).reason).toBe('bad_signature');
  });

  it('a timestamp older than 300 s is stale; 299 s is fine; far in the future is stale too', async () => {
    const stale = await rejection(parse(paidEvent, { timestamp: nowSeconds() - 301 }));
    expect(stale.reason).toBe('stale_timestamp');
    expect((await parse(paidEvent, { timestamp: nowSeconds() - 299 })).kind).toBe('paid');
    expect((await rejection(parse(paidEvent, { timestamp: nowSeconds() + 400 }))).reason).toBe('stale_timestamp');
    // A stale timestamp signed with the wrong key is a bad signature first.
    expect((await rejection(parse(paidEvent, { timestamp: nowSeconds() - 1000, secrets: ['whsec_attacker'] }))).reason).toBe('bad_signature');
  });

  it('secret rotation: several v1 signatures, and our previous secret while it rolls', async () => {
    const rolling = await parse(paidEvent, { secrets: ['whsec_old', 'whsec_current'] });
    expect(rolling.kind).toBe('paid');
    expect(sim.signed(paidEvent, { secrets: ['whsec_old', 'whsec_current'] }).headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const byOld = await parse(paidEvent, { secrets: ['whsec_old'] }, { ...creds, previousWebhookSecret: 'whsec_old' });
    expect(byOld.kind).toBe('paid');
    expect((await rejection(parse(paidEvent, { secrets: ['whsec_old'] }))).reason).toBe('bad_signature');
  });

  it('a signed body that is not an event is malformed, and unused events are ignored', async () => {
    const body = Buffer.from('not json');
    const t = nowSeconds();
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', 'whsec_current').update(`${t}.`).update(body).digest('hex');
    const bad = await rejection(adapter.parseCallback(creds, { headers: { 'stripe-signature': `t=${t},v1=${sig}` }, rawBody: body, endpoint: 'webhook' }));
    expect(bad.reason).toBe('malformed');
    const created = sim.events.find((e) => e.type === 'payment_intent.created')!;
    expect(await parse(created)).toEqual({ kind: 'ignored', reason: 'event payment_intent.created is not used' });
  });

  it('webhooks arrive over HTTP at the endpoint, and answer() is what Stripe expects', async () => {
    const outcomes: GatewayOutcome[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        let answer;
        try {
          const outcome = await adapter.parseCallback(creds, { headers: req.headers, rawBody: Buffer.concat(chunks), endpoint: 'webhook' });
          outcomes.push(outcome);
          answer = adapter.answer(outcome, true);
        } catch (err) {
          answer = adapter.answer(err as CallbackRejected, false);
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    sim.webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    try {
      const { gatewayRef } = await adapter.createPaymentIntent(creds, checkout(money(10000n, 'KES')));
      await sim.pay(gatewayRef);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ kind: 'paid', payment: { transactionId: gatewayRef } });
      const forged = await sim.deliver(sim.events.at(-1)!, { secrets: ['whsec_attacker'] });
      expect(forged).toEqual({ status: 400, body: '{"error":"bad_signature"}' });
      expect(outcomes).toHaveLength(1);
    } finally {
      sim.webhookUrl = undefined;
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});

describe('Stripe refunds and disputes', () => {
  it('partial then full refund: refund ids, amounts, and charge.refunded events mapped to the same refunds in any order', async () => {
    const { gatewayRef } = await adapter.createPaymentIntent(creds, checkout(money(300000n, 'KES')));
    await sim.pay(gatewayRef);
    clock.advance({ seconds: 5 });
    const first = await adapter.refund!(creds, { transactionId: gatewayRef, amount: money(100000n, 'KES'), reason: 'Outage credit', refundKey: 'refund-1' });
    expect(first).toEqual({ refundId: expect.stringMatching(/^re_/), status: 'succeeded' });
    expect(sim.requests.at(-1)).toMatchObject({ path: '/v1/refunds', idempotencyKey: 'refund-1', params: { payment_intent: gatewayRef, amount: '100000' } });
    clock.advance({ seconds: 5 });
    const second = await adapter.refund!(creds, { transactionId: gatewayRef, amount: money(200000n, 'KES'), reason: 'Closed account', refundKey: 'refund-2' });
    const again = await adapter.refund!(creds, { transactionId: gatewayRef, amount: money(200000n, 'KES'), reason: 'Closed account', refundKey: 'refund-2' });
    expect(again.refundId).toBe(second.refundId);
    const events = sim.events.filter((e) => e.type === 'charge.refunded' && (e.data.object as { payment_intent: string }).payment_intent === gatewayRef);
    expect(events).toHaveLength(2);
    const later = await parse(events[1]!);
    const earlier = await parse(events[0]!);
    expect(earlier).toEqual({ kind: 'refunded', transactionId: gatewayRef, amount: money(100000n, 'KES'), refundId: first.refundId });
    expect(later).toEqual({ kind: 'refunded', transactionId: gatewayRef, amount: money(200000n, 'KES'), refundId: second.refundId });
    const tooMuch = await appError(adapter.refund!(creds, { transactionId: gatewayRef, amount: money(1n, 'KES'), reason: 'x', refundKey: 'refund-3' }));
    expect(tooMuch.message).toMatch(/Stripe refused the refund: Charge ch_\w+ has already been refunded/);
  });

  it('a dispute is a chargeback once: created and closed lost share the dispute id; won is ignored', async () => {
    const { gatewayRef } = await adapter.createPaymentIntent(creds, checkout(money(50000n, 'KES')));
    await sim.pay(gatewayRef);
    const created = await sim.dispute(gatewayRef);
    const chargedBack = await parse(created);
    expect(chargedBack).toMatchObject({ kind: 'charged_back', transactionId: gatewayRef, amount: money(50000n, 'KES'), refundId: expect.stringMatching(/^dp_/) });
    const dispute = created.data.object as { id: string };
    const lost = await parse(await sim.closeDispute(dispute.id, 'lost'));
    expect(lost).toEqual(chargedBack);
    const won = await parse(await sim.closeDispute(dispute.id, 'won'));
    expect(won).toEqual({ kind: 'ignored', reason: `dispute ${dispute.id} closed won` });
  });
});

describe('Stripe Checkout Sessions (the portal\'s hosted page)', () => {
  const returnUrl = 'https://isp.example/portal/payments/abc';

  it('creates a session in Stripe units whose PaymentIntent will carry our intent id; its page is the redirect', async () => {
    const req = { ...checkout(money(150050n, 'KES')), returnUrl };
    const started = await adapter.startCheckout(creds, req);
    const sent = sim.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions', idempotencyKey: req.intentId });
    expect(sent.params).toMatchObject({
      mode: 'payment',
      line_items: { 0: { quantity: '1', price_data: { currency: 'kes', unit_amount: '150050', product_data: { name: 'Internet, November' } } } },
      success_url: `${returnUrl}?status=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${returnUrl}?status=cancel`,
      client_reference_id: req.intentId,
      customer_email: 'payer@example.com',
      payment_intent_data: { metadata: { intentId: req.intentId, accountReference: req.accountReference, via: 'checkout' } },
    });
    expect(started.gatewayRef).toMatch(/^cs_test_/);
    expect(started.redirectUrl).toBe(`${sim.url}/c/pay/${started.gatewayRef}`);
    expect(started.clientSecret).toBeUndefined();
    expect((await adapter.startCheckout(creds, req)).gatewayRef).toBe(started.gatewayRef);
    expect(await appError(adapter.startCheckout(creds, { ...req, returnUrl: undefined }))).toMatchObject({ status: 422 });
  });

  it('paid on the page: completed session, PaymentIntent webhook and retrieve all name the same PaymentIntent as the transaction', async () => {
    const req = { ...checkout(money(99900n, 'KES')), returnUrl };
    const { gatewayRef } = await adapter.startCheckout(creds, req);
    expect(await adapter.query(creds, gatewayRef)).toEqual({ kind: 'pending', gatewayRef });
    const { events } = await sim.payCheckout(gatewayRef);
    expect(events.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
    const pi = sim.checkoutSessions.get(gatewayRef)!.payment_intent!;
    expect(sim.paymentIntents.get(pi)!.metadata).toEqual({ intentId: req.intentId, accountReference: req.accountReference, via: 'checkout' });
    const expected = { kind: 'paid', payment: { transactionId: pi, gatewayRef, amount: money(99900n, 'KES'), accountReference: req.accountReference } };
    expect(await parse(events[0]!)).toMatchObject(expected);
    expect(await parse(events[1]!)).toMatchObject(expected);
    expect(await adapter.query(creds, gatewayRef)).toMatchObject(expected);
    expect(await adapter.complete!(creds, gatewayRef)).toMatchObject(expected);
  });

  it('a declined card leaves the session open (its failure event is not the end); back without paying expires it', async () => {
    const { gatewayRef } = await adapter.startCheckout(creds, { ...checkout(), returnUrl });
    const declined = await sim.payCheckout(gatewayRef, 'pm_card_chargeDeclined');
    expect(declined.error).toBe('Your card was declined.');
    expect(await parse(declined.events[0]!)).toMatchObject({ kind: 'ignored' });
    expect(await adapter.complete!(creds, gatewayRef)).toEqual({ kind: 'failed', gatewayRef, code: 'expired', message: 'The payment page was left without paying' });
    expect(sim.checkoutSessions.get(gatewayRef)!.status).toBe('expired');
    const expired = sim.events.filter((e) => e.type === 'checkout.session.expired').at(-1)!;
    expect(await parse(expired)).toMatchObject({ kind: 'failed', gatewayRef, code: 'expired' });
  });

  it('the hosted page: Cancel goes back to cancel_url, Pay to success_url with the session id filled in', async () => {
    const { gatewayRef, redirectUrl } = await adapter.startCheckout(creds, { ...checkout(money(50000n, 'KES')), returnUrl });
    const page = await fetch(redirectUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pay KES 500.00');
    const post = (action: string) => fetch(redirectUrl!, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `action=${action}&card=pm_card_visa` });
    const cancelled = await post('cancel');
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('location')).toBe(`${returnUrl}?status=cancel`);
    const paid = await post('pay');
    expect(paid.headers.get('location')).toBe(`${returnUrl}?status=success&session_id=${gatewayRef}`);
    expect(await adapter.complete!(creds, gatewayRef)).toMatchObject({ kind: 'paid' });
  });
});

describe('Stripe saved cards', () => {
  const returnUrl = 'https://isp.example/portal/payments/def';

  it('saves the card on a Customer through Checkout and charges it off-session once per intent id', async () => {
    const customerId = await adapter.createCustomer(creds, { subscriberId: 'sub-1', email: 'amina@example.com', name: 'Amina' });
    expect(await adapter.createCustomer(creds, { subscriberId: 'sub-1', email: 'amina@example.com', name: 'Amina' })).toBe(customerId);
    const req = { ...checkout(money(200000n, 'KES')), customerId, returnUrl };
    const { gatewayRef } = await adapter.startSavedCardCheckout(creds, req);
    expect(sim.requests.at(-1)!.params).toMatchObject({ customer: customerId, payment_intent_data: { setup_future_usage: 'off_session' } });
    expect(sim.requests.at(-1)!.params.customer_email).toBeUndefined();
    await sim.payCheckout(gatewayRef, 'pm_card_visa');
    const cards = await adapter.listSavedCards(creds, customerId);
    expect(cards).toEqual([{ paymentMethodId: expect.stringMatching(/^pm_/), brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 }]);
    let createdFirst: string | undefined;
    const charge = { customerId, paymentMethodId: cards[0]!.paymentMethodId, amount: money(200000n, 'KES'), intentId: 'auto-invoice-42', accountReference: 'INV-42', onCreated: async (id: string) => void (createdFirst ??= id) };
    const paid = await adapter.chargeSaved(creds, charge);
    expect(paid).toMatchObject({ kind: 'paid', payment: { amount: money(200000n, 'KES'), transactionId: createdFirst } });
    expect(sim.requests.at(-1)).toMatchObject({ path: `/v1/payment_intents/${createdFirst}/confirm`, params: { off_session: 'true', payment_method: cards[0]!.paymentMethodId } });
    const retried = await adapter.chargeSaved(creds, charge);
    expect(retried.kind === 'paid' && paid.kind === 'paid' && retried.payment.transactionId).toBe(paid.kind === 'paid' && paid.payment.transactionId);
    expect([...sim.paymentIntents.values()].filter((pi) => pi.metadata.intentId === 'auto-invoice-42')).toHaveLength(1);
    await adapter.detachCard(creds, cards[0]!.paymentMethodId);
    expect(await adapter.listSavedCards(creds, customerId)).toEqual([]);
  });

  it('a saved card that needs its holder, or later lacks funds, fails off-session with the decline code', async () => {
    const customerId = await adapter.createCustomer(creds, { subscriberId: 'sub-2' });
    const needsHolder = await adapter.startSavedCardCheckout(creds, { ...checkout(money(1000n, 'KES')), customerId, returnUrl });
    await sim.payCheckout(needsHolder.gatewayRef, 'pm_card_authenticationRequired');
    const good = await adapter.startSavedCardCheckout(creds, { ...checkout(money(1000n, 'KES')), customerId, returnUrl });
    await sim.payCheckout(good.gatewayRef, 'pm_card_visa');
    const cards = await adapter.listSavedCards(creds, customerId);
    expect(cards.map((c) => c.last4).sort()).toEqual(['3184', '4242']);
    const sca = cards.find((c) => c.last4 === '3184')!;
    const needs = await adapter.chargeSaved(creds, { customerId, paymentMethodId: sca.paymentMethodId, amount: money(1000n, 'KES'), intentId: 'auto-sca' });
    expect(needs).toMatchObject({ kind: 'failed', gatewayRef: expect.stringMatching(/^pi_/), code: 'authentication_required' });
    const visa = cards.find((c) => c.last4 === '4242')!;
    sim.setCardBehaviour(visa.paymentMethodId, 'insufficient_funds');
    const broke = await adapter.chargeSaved(creds, { customerId, paymentMethodId: visa.paymentMethodId, amount: money(1000n, 'KES'), intentId: 'auto-broke' });
    expect(broke).toMatchObject({ kind: 'failed', code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    const stranger = await adapter.createCustomer(creds, { subscriberId: 'sub-3' });
    const notTheirs = await appError(adapter.chargeSaved(creds, { customerId: stranger, paymentMethodId: visa.paymentMethodId, amount: money(1000n, 'KES'), intentId: 'auto-stranger' }));
    expect(notTheirs.message).toMatch(/does not belong to the Customer/);
  });
});
