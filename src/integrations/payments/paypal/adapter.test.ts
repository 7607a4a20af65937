import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { TestClock } from '../../../platform/clock.ts';
import type { GatewayOutcome } from '../contract.ts';
import { appError, rejection } from '../test-support.ts';
import { createPayPalAdapter } from './adapter.ts';
import { fromPayPalAmount, toPayPalAmount } from './amounts.ts';
import { startPayPalSimulator, type PayPalSimulator, type SimWebhookEvent } from './simulator.ts';

const clock = new TestClock('2026-11-22T06:00:00Z');
const adapter = createPayPalAdapter({ clock });
let sim: PayPalSimulator;
let creds: Record<string, string>;
let seq = 0;

function checkout(amount = money(1234n, 'USD')) {
  seq += 1;
  return {
    intentId: `0193a0c0-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    amount,
    accountReference: `ACC-${seq}`,
    description: 'Internet, November',
    callbackUrl: 'https://isp.example/api/gateways/callback/paypal',
    returnUrl: 'https://isp.example/portal/pay/return',
  };
}

function parse(event: SimWebhookEvent, options?: { webhookId?: string; tamper?: boolean }): Promise<GatewayOutcome> {
  const { headers, rawBody } = sim.signed(event, options);
  return Promise.resolve(adapter.parseCallback(creds, { headers, rawBody, endpoint: 'webhook' }));
}

async function paidOrder(amount = money(1234n, 'USD')) {
  const started = await adapter.startCheckout(creds, checkout(amount));
  sim.approve(started.gatewayRef);
  const outcome = await adapter.complete!(creds, started.gatewayRef);
  if (outcome.kind !== 'paid') throw new Error(`expected paid, got ${outcome.kind}`);
  return { orderId: started.gatewayRef, captureId: outcome.payment.transactionId };
}

beforeAll(async () => {
  sim = await startPayPalSimulator({ now: () => clock.now().getTime(), tokenTtl: 3600 });
  creds = { clientId: sim.clientId, clientSecret: sim.clientSecret, webhookId: sim.webhookId, apiBase: sim.url };
});
afterAll(() => sim.close());

describe('PayPal amounts', () => {
  it('decimal strings convert exactly, with PayPal whole-unit currencies', () => {
    expect(toPayPalAmount(money(1234n, 'USD'))).toEqual({ currency_code: 'USD', value: '12.34' });
    expect(toPayPalAmount(money(5n, 'USD'))).toEqual({ currency_code: 'USD', value: '0.05' });
    expect(toPayPalAmount(money(500n, 'JPY'))).toEqual({ currency_code: 'JPY', value: '500' });
    expect(toPayPalAmount(money(150000n, 'HUF'))).toEqual({ currency_code: 'HUF', value: '1500' });
    expect(() => toPayPalAmount(money(150050n, 'HUF'))).toThrow(/whole units/);
    expect(fromPayPalAmount({ currency_code: 'USD', value: '12.3' })).toEqual(money(1230n, 'USD'));
    expect(fromPayPalAmount({ currency_code: 'USD', value: '0.10' })).toEqual(money(10n, 'USD'));
    expect(fromPayPalAmount({ currency_code: 'HUF', value: '1500' })).toEqual(money(150000n, 'HUF'));
    expect(fromPayPalAmount({ currency_code: 'KWD', value: '1.234' })).toEqual(money(1234n, 'KWD'));
    expect(() => fromPayPalAmount({ currency_code: 'USD', value: '12.345' })).toThrow(/more decimals/);
    expect(() => fromPayPalAmount({ currency_code: 'USD', value: '1e3' })).toThrow(/plain decimal/);
    expect(() => fromPayPalAmount({ currency_code: 'USD' })).toThrow(/missing/);
  });
});

describe('PayPal OAuth token', () => {
  it('is cached until a minute before it expires, and renewed once when PayPal revokes it', async () => {
    expect(sim.tokensIssued()).toBe(0);
    await adapter.startCheckout(creds, checkout());
    await adapter.startCheckout(creds, checkout());
    expect(sim.tokensIssued()).toBe(1);
    const afterFirst = 1;
    clock.advance({ seconds: 3600 - 61 });
    await adapter.startCheckout(creds, checkout());
    expect(sim.tokensIssued()).toBe(afterFirst);
    clock.advance({ seconds: 2 });
    await adapter.startCheckout(creds, checkout());
    expect(sim.tokensIssued()).toBe(afterFirst + 1);
    sim.revokeTokens();
    const started = await adapter.startCheckout(creds, checkout());
    expect(started.gatewayRef).toMatch(/^[0-9A-F]{17}$/);
    expect(sim.tokensIssued()).toBe(afterFirst + 2);
    const token = sim.requests.filter((r) => r.path === '/v1/oauth2/token').at(-1)!;
    expect(token.body).toBe('grant_type=client_credentials');
  });

  it('a wrong client secret is a clear error that does not show the secret', async () => {
    const err = await appError(adapter.startCheckout({ ...creds, clientSecret: 'EKwrong-secret-value' }, checkout()));
    expect(err).toMatchObject({ status: 502, code: 'gateway-auth' });
    expect(err.message).toMatch(/PayPal refused the organization's client id and secret \(invalid_client\)/);
    expect(err.message).not.toContain('EKwrong');
  });
});

describe('PayPal Orders v2', () => {
  it('creates an order with intent CAPTURE, our ids and an exact decimal amount, and a retry is the same order', async () => {
    const req = checkout(money(150050n, 'KES'));
    const started = await adapter.startCheckout(creds, req);
    const sent = sim.requests.filter((r) => r.path === '/v2/checkout/orders').at(-1)!;
    expect(sent.requestId).toBe(req.intentId);
    expect(sent.body).toMatchObject({
      intent: 'CAPTURE',
      purchase_units: [{ reference_id: req.intentId, custom_id: req.accountReference, amount: { currency_code: 'KES', value: '1500.50' } }],
      payment_source: { paypal: { experience_context: { return_url: req.returnUrl, user_action: 'PAY_NOW' } } },
    });
    expect(started.redirectUrl).toBe(`${sim.url}/checkoutnow?token=${started.gatewayRef}`);
    const again = await adapter.startCheckout(creds, req);
    expect(again.gatewayRef).toBe(started.gatewayRef);
    expect(sim.requests.at(-1)!.replayed).toBe(true);
  });

  it('capture after approval pays with the capture id; a second capture reads the same capture back', async () => {
    const started = await adapter.startCheckout(creds, checkout(money(2500n, 'USD')));
    const early = await adapter.complete!(creds, started.gatewayRef);
    expect(early).toEqual({ kind: 'failed', gatewayRef: started.gatewayRef, code: 'ORDER_NOT_APPROVED', message: 'The payer did not approve the payment' });
    sim.approve(started.gatewayRef, { email: 'rahim@example.com' });
    const paid = await adapter.complete!(creds, started.gatewayRef);
    expect(paid).toMatchObject({
      kind: 'paid',
      payment: { gatewayRef: started.gatewayRef, amount: money(2500n, 'USD'), accountReference: expect.stringMatching(/^ACC-/), payer: { email: 'rahim@example.com', name: 'Rahim Uddin' } },
    });
    const captureId = paid.kind === 'paid' ? paid.payment.transactionId : '';
    expect(captureId).toMatch(/^[0-9A-F]{17}$/);
    expect(captureId).not.toBe(started.gatewayRef);
    const twice = await adapter.complete!(creds, started.gatewayRef);
    expect(twice).toMatchObject({ kind: 'paid', payment: { transactionId: captureId } });
    expect(await adapter.query(creds, started.gatewayRef)).toMatchObject({ kind: 'paid', payment: { transactionId: captureId } });
  });

  it('a declined instrument fails; an expired order fails on query; an unapproved one is pending', async () => {
    const declined = await adapter.startCheckout(creds, checkout());
    sim.approve(declined.gatewayRef, { funding: 'DECLINED' });
    expect(await adapter.complete!(creds, declined.gatewayRef)).toMatchObject({ kind: 'failed', code: 'INSTRUMENT_DECLINED' });
    const waiting = await adapter.startCheckout(creds, checkout());
    expect(await adapter.query(creds, waiting.gatewayRef)).toEqual({ kind: 'pending', gatewayRef: waiting.gatewayRef });
    sim.expire(waiting.gatewayRef);
    expect(await adapter.query(creds, waiting.gatewayRef)).toMatchObject({ kind: 'failed', code: 'RESOURCE_NOT_FOUND' });
  });

  it('reconciliation captures an order the payer approved but never came back from, once', async () => {
    const started = await adapter.startCheckout(creds, checkout(money(990n, 'USD')));
    sim.approve(started.gatewayRef);
    const first = await adapter.query(creds, started.gatewayRef);
    const second = await adapter.query(creds, started.gatewayRef);
    expect(first).toMatchObject({ kind: 'paid', payment: { amount: money(990n, 'USD') } });
    expect(second).toEqual(first);
    expect(sim.orders.get(started.gatewayRef)!.purchase_units[0]!.payments!.captures).toHaveLength(1);
  });

  it('a pending capture is pending, then its webhook settles it: completed pays, denied fails', async () => {
    for (const result of ['COMPLETED', 'DENIED'] as const) {
      const started = await adapter.startCheckout(creds, checkout());
      sim.approve(started.gatewayRef, { funding: 'PENDING' });
      expect(await adapter.complete!(creds, started.gatewayRef)).toEqual({ kind: 'pending', gatewayRef: started.gatewayRef });
      const captureId = sim.orders.get(started.gatewayRef)!.purchase_units[0]!.payments!.captures[0]!.id;
      const outcome = await parse(await sim.settle(captureId, result));
      if (result === 'COMPLETED') expect(outcome).toMatchObject({ kind: 'paid', payment: { transactionId: captureId, gatewayRef: started.gatewayRef } });
      else expect(outcome).toEqual({ kind: 'failed', gatewayRef: started.gatewayRef, code: 'DENIED', message: 'PayPal denied the payment' });
    }
  });
});

describe('PayPal webhooks', () => {
  let completed: SimWebhookEvent;
  let captureId: string;
  beforeAll(async () => {
    ({ captureId } = await paidOrder(money(4200n, 'USD')));
    completed = sim.events.filter((e) => e.event_type === 'PAYMENT.CAPTURE.COMPLETED').at(-1)!;
  });

  it('PAYMENT.CAPTURE.COMPLETED verified by PayPal is a payment of the capture', async () => {
    const outcome = await parse(completed);
    expect(outcome).toMatchObject({ kind: 'paid', payment: { transactionId: captureId, amount: money(4200n, 'USD') } });
    const verify = sim.requests.filter((r) => r.path === '/v1/notifications/verify-webhook-signature').at(-1)!;
    expect(verify.body).toMatchObject({ auth_algo: 'SHA256withRSA', webhook_id: sim.webhookId, webhook_event: { id: completed.id } });
  });

  it('a signature for another webhook, a tampered body and missing headers are rejected', async () => {
    expect((await rejection(parse(completed, { webhookId: 'WH-ATTACKER' }))).reason).toBe('bad_signature');
    expect((await rejection(parse(completed, { tamper: true }))).reason).toBe('bad_signature');
    const { headers, rawBody } = sim.signed(completed);
    const { 'paypal-transmission-sig': _, ...unsigned } = headers;
    expect((await rejection(Promise.resolve(adapter.parseCallback(creds, { headers: unsigned, rawBody, endpoint: 'webhook' })))).reason).toBe('bad_signature');
    const malformed = await rejection(Promise.resolve(adapter.parseCallback(creds, { headers, rawBody: Buffer.from('{oops'), endpoint: 'webhook' })));
    expect(malformed.reason).toBe('malformed');
    expect(adapter.answer(malformed, false)).toEqual({ status: 400, body: { error: 'malformed' } });
  });

  it('refunds (partial, then the rest) and a dispute come back as refunded and charged_back', async () => {
    const first = await adapter.refund!(creds, { transactionId: captureId, amount: money(1000n, 'USD'), reason: 'Outage credit', refundKey: 'pp-refund-1' });
    expect(first).toEqual({ refundId: expect.stringMatching(/^[0-9A-F]{17}$/), status: 'succeeded' });
    const sent = sim.requests.at(-1)!;
    expect(sent).toMatchObject({ path: `/v2/payments/captures/${captureId}/refund`, requestId: 'pp-refund-1', body: { amount: { currency_code: 'USD', value: '10.00' } } });
    expect((await adapter.refund!(creds, { transactionId: captureId, amount: money(1000n, 'USD'), reason: 'Outage credit', refundKey: 'pp-refund-1' })).refundId).toBe(first.refundId);
    const refundedEvent = sim.events.filter((e) => e.event_type === 'PAYMENT.CAPTURE.REFUNDED').at(-1)!;
    expect(await parse(refundedEvent)).toEqual({ kind: 'refunded', transactionId: captureId, amount: money(1000n, 'USD'), refundId: first.refundId });
    const tooMuch = await appError(adapter.refund!(creds, { transactionId: captureId, amount: money(3201n, 'USD'), reason: 'x', refundKey: 'pp-refund-2' }));
    expect(tooMuch.message).toMatch(/PayPal refused the refund: .*\(REFUND_AMOUNT_EXCEEDED\)/);
    const { captureId: disputed } = await paidOrder(money(700n, 'USD'));
    const outcome = await parse(await sim.dispute(disputed));
    expect(outcome).toEqual({ kind: 'charged_back', transactionId: disputed, amount: money(700n, 'USD'), refundId: expect.stringMatching(/^PP-D-/) });
  });
});
