/**
 * PayPal Orders v2 through the gateways module's HTTP API against the PayPal simulator: the portal
 * creates an order and sends the payer to PayPal; the payer approves and comes back, and the return
 * page asks us to complete (capture). Webhooks are verified by PayPal's verify-webhook-signature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPayPalSimulator, type PayPalSimulator, type SimWebhookEvent } from '../../src/integrations/payments/paypal/simulator.ts';
import { money } from '../../src/core/money.ts';
import { paypalAdapter } from '../../src/integrations/payments/paypal/adapter.ts';
import { reconcileIntents } from '../../src/modules/gateways/reconcile.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, invoiceAndSubscription, listen, securityEvents, type PayingSubscriber } from '../gateways/fixtures.ts';

let t: TestContext;
let sim: PayPalSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;
let creds: Record<string, string>;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await startPayPalSimulator();
  world = await gatewayWorld(t, 'USD');
  creds = { clientId: sim.clientId, clientSecret: sim.clientSecret, webhookId: sim.webhookId, apiBase: sim.url };
  const account = await world.saveAccount('paypal', creds);
  sim.webhookUrl = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls.webhook;
}, 120_000);
afterAll(() => sim?.close());

async function start(who: PayingSubscriber) {
  const res = await who.customer.post('/api/portal/payments', { method: 'paypal', purpose: 'invoice', invoiceId: who.invoice.id });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const orderId = new URL(intent.redirectUrl).searchParams.get('token')!;
  expect(sim.orders.get(orderId)?.purchase_units[0]?.reference_id).toBe(intent.id);
  return { intentId: intent.id as string, orderId };
}

const complete = async (who: PayingSubscriber, intentId: string) => {
  const res = await who.customer.post(`/api/portal/payments/${intentId}/complete`);
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
};
const status = async (who: PayingSubscriber, intentId: string) => json(await who.customer.get(`/api/portal/payments/${intentId}`));
const captureOf = (orderId: string) => sim.orders.get(orderId)!.purchase_units[0]!.payments!.captures[0]!;
const eventOf = (type: string, captureId: string): SimWebhookEvent => sim.events.filter((e) => e.event_type === type && e.resource.id === captureId).at(-1)!;

async function quietly<T>(fn: () => Promise<T> | T): Promise<T> {
  sim.faults.dropWebhooks = true;
  try {
    return await fn();
  } finally {
    sim.faults.dropWebhooks = false;
  }
}

describe('PayPal through the gateways module', () => {
  it('success: approve, return, capture; the capture webhook that follows is a duplicate; the invoice is paid and service is back', async () => {
    const who = await world.payingSubscriber(12_345n);
    const { intentId, orderId } = await start(who);
    expect(sim.orders.get(orderId)!.purchase_units[0]).toMatchObject({ custom_id: who.accountNumber, amount: { currency_code: 'USD', value: '123.45' } });
    sim.approve(orderId);
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid', amount: '123.45', currency: 'USD' });
    const capture = captureOf(orderId);
    expect((await sim.deliver(eventOf('PAYMENT.CAPTURE.COMPLETED', capture.id))).status).toBe(200);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 12_345n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'paypal', transaction_id: capture.id, amount: 12_345n, currency: 'USD' }]);
    expect(entries).toBe(1);
  });

  it('the payer cancels on PayPal and comes back: failed, nothing credited; a declined instrument likewise', async () => {
    const who = await world.payingSubscriber(5_000n);
    const cancelled = await start(who);
    expect(await complete(who, cancelled.intentId)).toMatchObject({ status: 'failed', failureCode: 'ORDER_NOT_APPROVED' });
    const declined = await start(who);
    sim.approve(declined.orderId, { funding: 'DECLINED' });
    expect(await complete(who, declined.intentId)).toMatchObject({ status: 'failed', failureCode: 'INSTRUMENT_DECLINED' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('timeout then webhook: a pending capture stays pending through reconciliation; PAYMENT.CAPTURE.COMPLETED later pays it', async () => {
    const who = await world.payingSubscriber(5_000n);
    const { intentId, orderId } = await start(who);
    sim.approve(orderId, { funding: 'PENDING' });
    expect(await complete(who, intentId)).toMatchObject({ status: 'pending' });
    t.clock.advance({ minutes: 2 });
    expect((await reconcileIntents(t.ctx)).errors).toBe(0);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
    await sim.settle(captureOf(orderId).id, 'COMPLETED');
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    expect((await counts(t, who.id)).entries).toBe(1);
  });

  it('the same webhook 50 times at once: one payment, one journal entry', async () => {
    const who = await world.payingSubscriber(5_000n);
    const { intentId, orderId } = await start(who);
    sim.approve(orderId, { funding: 'PENDING' });
    await complete(who, intentId);
    const event = await quietly(() => sim.settle(captureOf(orderId).id, 'COMPLETED'));
    const answers = await Promise.all(Array.from({ length: 50 }, () => sim.deliver(event)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('a webhook signed for another webhook id credits nothing and is a security event', async () => {
    const who = await world.payingSubscriber(5_000n);
    const { intentId, orderId } = await start(who);
    sim.approve(orderId, { funding: 'PENDING' });
    await complete(who, intentId);
    const event = await quietly(() => sim.settle(captureOf(orderId).id, 'COMPLETED'));
    const before = (await securityEvents(t, 'bad_signature')).length;
    expect(await sim.deliver(event, { webhookId: 'WH-SOMEONE-ELSE' })).toEqual({ status: 400, body: '{"error":"bad_signature"}' });
    expect((await securityEvents(t, 'bad_signature')).length).toBe(before + 1);
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
  });

  it('lost return and lost webhook: reconciliation captures the approved order and credits it once (run twice)', async () => {
    const who = await world.payingSubscriber(5_000n);
    const { intentId, orderId } = await start(who);
    sim.approve(orderId);
    t.clock.advance({ minutes: 2 });
    await quietly(async () => {
      await reconcileIntents(t.ctx);
      await reconcileIntents(t.ctx);
    });
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    expect(sim.orders.get(orderId)!.purchase_units[0]!.payments!.captures).toHaveLength(1);
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
  });

  it('out of order: the capture webhook before the payer is back, or after, ends the same', async () => {
    const ends = [];
    for (const order of ['return first', 'webhook first'] as const) {
      const who = await world.payingSubscriber(5_000n);
      const { intentId, orderId } = await start(who);
      sim.approve(orderId, { funding: 'PENDING' });
      await quietly(() => complete(who, intentId));
      const pending = eventOf('PAYMENT.CAPTURE.PENDING', captureOf(orderId).id);
      const done = await quietly(() => sim.settle(captureOf(orderId).id, 'COMPLETED'));
      if (order === 'return first') {
        await complete(who, intentId);
        await sim.deliver(pending);
        await sim.deliver(done);
      } else {
        await sim.deliver(done);
        await sim.deliver(pending);
        await complete(who, intentId);
      }
      const { payments, entries } = await counts(t, who.id);
      ends.push({ status: (await status(who, intentId)).status, payments: payments.length, entries, ...(await invoiceAndSubscription(t, who)) });
    }
    expect(ends[0]).toEqual({ status: 'paid', payments: 1, entries: 1, invoice: 'paid', paid: 5_000n, subscription: 'active' });
    expect(ends[1]).toEqual(ends[0]);
  });

  it('a partial refund and a dispute of the rest come back by webhook and are recorded once each', async () => {
    const who = await world.payingSubscriber(10_000n);
    const { intentId, orderId } = await start(who);
    sim.approve(orderId);
    await complete(who, intentId);
    const captureId = captureOf(orderId).id;
    const payment = (await counts(t, who.id)).payments[0]!;
    const refund = await quietly(() => paypalAdapter.refund!(creds, { transactionId: captureId, amount: money(2_500n, 'USD'), reason: 'Outage credit', refundKey: 'paypal-e2e-refund' }));
    const refunded = sim.events.filter((e) => e.event_type === 'PAYMENT.CAPTURE.REFUNDED' && e.resource.id === refund.refundId).at(-1)!;
    for (let i = 0; i < 3; i += 1) expect((await sim.deliver(refunded)).status).toBe(200);
    const dispute = await sim.dispute(captureId);
    expect((await sim.deliver(dispute)).status).toBe(200);
    const reversals = await t.ctx.db.selectFrom('payment_reversals').select(['kind', 'amount', 'external_id']).where('payment_id', '=', payment.id).orderBy('created_at').execute();
    expect(reversals).toEqual([
      { kind: 'refund', amount: 2_500n, external_id: refund.refundId },
      { kind: 'chargeback', amount: 7_500n, external_id: dispute.resource.dispute_id },
    ]);
  });
});
