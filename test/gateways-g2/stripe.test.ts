/**
 * Stripe through the gateways module's HTTP API against the Stripe simulator: the portal starts a
 * PaymentIntent, the payer pays in the card form (the simulator), and Stripe's signed webhook
 * arrives at the account's callback URL. Evidence of issue 5 §7 for Stripe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type SimEvent, type StripeSimulator } from '../../src/integrations/payments/stripe/simulator.ts';
import { stripeAdapter } from '../../src/integrations/payments/stripe/adapter.ts';
import { money } from '../../src/core/money.ts';
import { reconcileIntents } from '../../src/modules/gateways/reconcile.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, invoiceAndSubscription, listen, securityEvents, type PayingSubscriber } from '../gateways/fixtures.ts';

let t: TestContext;
let sim: StripeSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;
let creds: Record<string, string>;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await startStripeSimulator({ secretKey: 'sk_test_uplink', webhookSecrets: ['whsec_uplink'] });
  world = await gatewayWorld(t);
  creds = { secretKey: 'sk_test_uplink', publishableKey: 'pk_test_uplink', webhookSecret: 'whsec_uplink', apiBase: sim.url };
  const account = await world.saveAccount('stripe', creds);
  expect(account.secretsSet.sort()).toEqual(['secretKey', 'webhookSecret']);
  expect(JSON.stringify(account)).not.toContain('whsec_uplink');
  const urls = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls;
  sim.webhookUrl = urls.webhook;
}, 120_000);
afterAll(() => sim?.close());

async function start(who: PayingSubscriber) {
  const res = await who.customer.post('/api/portal/payments', { method: 'stripe', purpose: 'invoice', invoiceId: who.invoice.id });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const pi = [...sim.paymentIntents.values()].find((p) => p.metadata.intentId === intent.id)!;
  expect(pi).toBeDefined();
  return { intentId: intent.id as string, pi: pi.id };
}

const status = async (who: PayingSubscriber, intentId: string) => json(await who.customer.get(`/api/portal/payments/${intentId}`));

function lastEvent(type: string, pi: string): SimEvent {
  return sim.events.filter((e) => e.type === type && (e.data.object as { id?: string; payment_intent?: string }).id === pi).at(-1)!;
}

describe('Stripe through the gateways module', () => {
  it('success: the PaymentIntent carries the invoice amount in minor units; the signed webhook pays the invoice and service is back', async () => {
    const who = await world.payingSubscriber(150_050n);
    const { intentId, pi } = await start(who);
    expect(sim.paymentIntents.get(pi)).toMatchObject({ amount: 150050, currency: 'kes', metadata: { intentId, accountReference: who.accountNumber } });
    expect(sim.requests.find((r) => r.path === '/v1/payment_intents' && r.params.metadata && (r.params.metadata as Record<string, string>).intentId === intentId)?.idempotencyKey).toBe(intentId);
    await sim.pay(pi);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid', amount: '1500.50', currency: 'KES' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_050n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'stripe', transaction_id: pi, amount: 150_050n, currency: 'KES' }]);
    expect(entries).toBe(1);
  });

  it('the payer cancels, or the card is declined: failed with Stripe\'s code, nothing credited', async () => {
    const who = await world.payingSubscriber(50_000n);
    const cancelled = await start(who);
    await sim.cancel(cancelled.pi);
    expect(await status(who, cancelled.intentId)).toMatchObject({ status: 'failed', failureCode: 'abandoned' });
    const declined = await start(who);
    await sim.pay(declined.pi, 'pm_card_chargeDeclinedInsufficientFunds');
    expect(await status(who, declined.intentId)).toMatchObject({ status: 'failed', failureCode: 'insufficient_funds' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('timeout then webhook: the payer takes minutes, reconciliation finds it pending, the late webhook pays it', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, pi } = await start(who);
    t.clock.advance({ minutes: 2 });
    const report = await reconcileIntents(t.ctx);
    expect(report.errors).toBe(0);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
    await sim.pay(pi);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    expect((await counts(t, who.id)).entries).toBe(1);
  });

  it('the same webhook 50 times at once: one payment, one journal entry, every delivery answered 200', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, pi } = await start(who);
    sim.faults.dropWebhooks = true;
    try {
      await sim.pay(pi);
    } finally {
      sim.faults.dropWebhooks = false;
    }
    const event = lastEvent('payment_intent.succeeded', pi);
    const answers = await Promise.all(Array.from({ length: 50 }, () => sim.deliver(event)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers[0]!.body).toBe('{"received":true}');
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('a forged webhook (another secret) and a stale one (signed 10 minutes ago) credit nothing and are security events', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, pi } = await start(who);
    sim.faults.dropWebhooks = true;
    try {
      await sim.pay(pi);
    } finally {
      sim.faults.dropWebhooks = false;
    }
    const event = lastEvent('payment_intent.succeeded', pi);
    const badBefore = (await securityEvents(t, 'bad_signature')).length;
    const staleBefore = (await securityEvents(t, 'stale_timestamp')).length;
    expect(await sim.deliver(event, { secrets: ['whsec_attacker'] })).toEqual({ status: 400, body: '{"error":"bad_signature"}' });
    expect(await sim.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 })).toEqual({ status: 400, body: '{"error":"stale_timestamp"}' });
    expect((await securityEvents(t, 'bad_signature')).length).toBe(badBefore + 1);
    expect((await securityEvents(t, 'stale_timestamp')).length).toBe(staleBefore + 1);
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    expect(json(await world.admin.get('/api/gateways/security-events?limit=5')).items[0]).toMatchObject({ gateway: 'stripe', kind: 'stale_timestamp' });
    // The genuine one still pays.
    expect((await sim.deliver(event)).status).toBe(200);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('lost webhook: the reconciliation job retrieves the PaymentIntent and credits it once (run twice)', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, pi } = await start(who);
    sim.faults.dropWebhooks = true;
    try {
      await sim.pay(pi);
    } finally {
      sim.faults.dropWebhooks = false;
    }
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await reconcileIntents(t.ctx);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    // The webhook that finally arrives is a duplicate.
    expect((await sim.deliver(lastEvent('payment_intent.succeeded', pi))).status).toBe(200);
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 50_000n, subscription: 'active' });
  });

  it('out of order: payment_failed (a first declined card) arriving after succeeded leaves the same end state as in order', async () => {
    const ends = [];
    for (const order of ['in order', 'reversed'] as const) {
      const who = await world.payingSubscriber(50_000n);
      const { intentId, pi } = await start(who);
      sim.faults.dropWebhooks = true;
      try {
        await sim.pay(pi, 'pm_card_chargeDeclined');
        await sim.pay(pi, 'pm_card_visa');
      } finally {
        sim.faults.dropWebhooks = false;
      }
      const failed = lastEvent('payment_intent.payment_failed', pi);
      const succeeded = lastEvent('payment_intent.succeeded', pi);
      for (const event of order === 'in order' ? [failed, succeeded] : [succeeded, failed]) expect((await sim.deliver(event)).status).toBe(200);
      const { payments, entries } = await counts(t, who.id);
      ends.push({ status: (await status(who, intentId)).status, payments: payments.length, entries, ...(await invoiceAndSubscription(t, who)) });
    }
    expect(ends[0]).toEqual({ status: 'paid', payments: 1, entries: 1, invoice: 'paid', paid: 50_000n, subscription: 'active' });
    expect(ends[1]).toEqual(ends[0]);
  });

  it('a refund made at Stripe and a lost dispute come back by webhook and are recorded once each', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { pi } = await start(who);
    await sim.pay(pi);
    const payment = (await counts(t, who.id)).payments[0]!;
    sim.faults.dropWebhooks = true;
    let refund;
    try {
      refund = await stripeAdapter.refund!(creds, { transactionId: pi, amount: money(20_000n, 'KES'), reason: 'Outage credit', refundKey: 'stripe-e2e-refund' });
    } finally {
      sim.faults.dropWebhooks = false;
    }
    const refunded = lastEvent('charge.refunded', (sim.paymentIntents.get(pi)!.latest_charge)!);
    for (let i = 0; i < 3; i += 1) expect((await sim.deliver(refunded)).status).toBe(200);
    const dispute = await sim.dispute(pi);
    await sim.closeDispute((dispute.data.object as { id: string }).id, 'lost');
    const reversals = await t.ctx.db.selectFrom('payment_reversals').select(['kind', 'amount', 'external_id']).where('payment_id', '=', payment.id).orderBy('created_at').execute();
    expect(reversals).toEqual([
      { kind: 'refund', amount: 20_000n, external_id: refund.refundId },
      { kind: 'chargeback', amount: 30_000n, external_id: (dispute.data.object as { id: string }).id },
    ]);
  });
});
