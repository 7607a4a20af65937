/**
 * A refund staff start back through the gateway, against the Stripe simulator: the gateway refunds
 * once (the refund key makes a retry the same refund), the ledger records it once, and Stripe's
 * charge.refunded webhook that follows changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../src/integrations/payments/stripe/simulator.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { gatewayWorld, listen } from '../gateways/fixtures.ts';
import { topUp } from '../subscriptions/support.ts';

let t: TestContext;
let sim: StripeSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await startStripeSimulator({ secretKey: 'sk_test_cases', webhookSecrets: ['whsec_cases'] });
  world = await gatewayWorld(t);
  const account = await world.saveAccount('stripe', { secretKey: 'sk_test_cases', publishableKey: 'pk_test_cases', webhookSecret: 'whsec_cases', apiBase: sim.url });
  sim.webhookUrl = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls.webhook;
}, 120_000);
afterAll(() => sim?.close());

describe(`refund through the gateway (${engine})`, () => {
  it('refunds by Stripe from the wallet once per key; the webhook after it is a replay; the books balance', async () => {
    const who = await world.payingSubscriber(100_000n);
    const started = await who.customer.post('/api/portal/payments', { method: 'stripe', purpose: 'invoice', invoiceId: who.invoice.id });
    expect(started.statusCode, started.body).toBe(201);
    const intentId = json(started).intent.id as string;
    const session = [...sim.checkoutSessions.values()].find((s) => s.client_reference_id === intentId)!;
    await sim.payCheckout(session.id);
    const pi = sim.paymentIntents.get(sim.checkoutSessions.get(session.id)!.payment_intent!)!;
    const payment = await t.ctx.db.selectFrom('payments').selectAll().where('channel', '=', 'stripe').where('transaction_id', '=', pi.id).executeTakeFirstOrThrow();
    const admin = world.admin;

    // The payment paid the invoice: the wallet holds nothing, so the gateway is not even asked.
    const empty = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'gateway', amount: '200', reason: 'Outage credit' });
    expect(empty.statusCode, empty.body).toBe(422);
    expect(json(empty).detail).toMatch(/wallet holds 0\.00 KES/);
    expect(sim.requests.filter((r) => r.path === '/v1/refunds')).toHaveLength(0);

    await topUp(t, world.org.id, who.id, '200');
    const body = { destination: 'gateway', amount: '200', reason: 'Outage credit', key: 'GR-1' };
    const res = await admin.post(`/api/payments/${payment.id}/refunds`, body);
    expect(res.statusCode, res.body).toBe(201);
    const done = json(res);
    expect(done.reversal).toMatchObject({ kind: 'refund', destination: 'gateway', amount: '200.00', fromWallet: '200.00' });
    expect(done.payment).toMatchObject({ status: 'partially_refunded', refundable: '800.00' });
    expect(done.reversal.externalId).toMatch(/^re_/);

    const again = await admin.post(`/api/payments/${payment.id}/refunds`, body);
    expect(again.statusCode, again.body).toBe(200);
    expect(json(again)).toMatchObject({ replayed: true, reversal: { id: done.reversal.id } });
    const charge = sim.paymentIntents.get(pi.id)!.latest_charge!;
    const refunded = sim.events.filter((e) => e.type === 'charge.refunded' && (e.data.object as { id?: string }).id === charge);
    expect(refunded.length).toBeGreaterThanOrEqual(1);
    for (const e of refunded) expect((await sim.deliver(e)).status).toBe(200);

    const reversals = await t.ctx.db.selectFrom('payment_reversals').selectAll().where('payment_id', '=', payment.id).execute();
    expect(reversals.map((r) => [r.kind, r.amount, r.external_id])).toEqual([['refund', 20_000n, done.reversal.externalId]]);
    const trial = json(await admin.get(`/api/ledger/trial-balance?organizationId=${world.org.id}`));
    for (const c of trial.currencies) expect(c.debit).toBe(c.credit);
  });
});
