/**
 * Stripe through the gateways module's HTTP API against the Stripe simulator: the portal starts a
 * Checkout Session, the payer pays on its hosted page (the simulator), Stripe's signed webhooks
 * (payment_intent.succeeded, checkout.session.completed) arrive at the account's callback URL and
 * the payer's return to the portal completes the payment by retrieving the session. Evidence of
 * issue 5 §7 for Stripe.
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

async function start(who: PayingSubscriber, body: Record<string, unknown> = { purpose: 'invoice', invoiceId: who.invoice.id }) {
  const res = await who.customer.post('/api/portal/payments', { method: 'stripe', ...body });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const session = [...sim.checkoutSessions.values()].find((s) => s.client_reference_id === intent.id)!;
  expect(session).toBeDefined();
  expect(intent.redirectUrl).toBe(session.url);
  return { intentId: intent.id as string, session: session.id };
}

/** The payer pays on the hosted page; answers the PaymentIntent Checkout created. */
async function payOnPage(session: string, card = 'pm_card_visa') {
  await sim.payCheckout(session, card);
  return sim.checkoutSessions.get(session)!.payment_intent!;
}

async function withoutWebhooks<T>(fn: () => Promise<T>): Promise<T> {
  sim.faults.dropWebhooks = true;
  try {
    return await fn();
  } finally {
    sim.faults.dropWebhooks = false;
  }
}

const status = async (who: PayingSubscriber, intentId: string) => json(await who.customer.get(`/api/portal/payments/${intentId}`));
const complete = async (who: PayingSubscriber, intentId: string) => json(await who.customer.post(`/api/portal/payments/${intentId}/complete`, {}));

function lastEvent(type: string, id: string): SimEvent {
  return sim.events.filter((e) => e.type === type && (e.data.object as { id?: string; payment_intent?: string }).id === id).at(-1)!;
}

describe('Stripe through the gateways module', () => {
  it('success: the session carries the invoice amount in minor units; paid on the hosted page, the webhooks pay the invoice and service is back', async () => {
    const who = await world.payingSubscriber(150_050n);
    const { intentId, session } = await start(who);
    expect(sim.checkoutSessions.get(session)).toMatchObject({ amount_total: 150050, currency: 'kes', mode: 'payment', metadata: { intentId, accountReference: who.accountNumber } });
    expect(sim.checkoutSessions.get(session)!.success_url).toBe(`${t.ctx.config.publicUrl}/portal/payments/${intentId}?status=success&session_id={CHECKOUT_SESSION_ID}`);
    expect(sim.requests.find((r) => r.path === '/v1/checkout/sessions' && r.params.client_reference_id === intentId)?.idempotencyKey).toBe(intentId);
    const pi = await payOnPage(session);
    expect(sim.paymentIntents.get(pi)!.metadata).toMatchObject({ intentId, via: 'checkout' });
    expect(await status(who, intentId)).toMatchObject({ status: 'paid', amount: '1500.50', currency: 'KES', redirectUrl: null });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_050n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'stripe', transaction_id: pi, amount: 150_050n, currency: 'KES' }]);
    expect(entries).toBe(1);
  });

  it('back in the portal before any webhook: the payer sees it paid at once; both webhooks then arrive and credit nothing more', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, session } = await start(who);
    const pi = await withoutWebhooks(() => payOnPage(session));
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid' });
    for (const type of ['checkout.session.completed', 'payment_intent.succeeded']) expect((await sim.deliver(lastEvent(type, type.startsWith('checkout') ? session : pi))).status).toBe(200);
    const { payments, entries } = await counts(t, who.id);
    expect(payments.map((p) => p.transaction_id)).toEqual([pi]);
    expect(entries).toBe(1);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 50_000n, subscription: 'active' });
  });

  it('a wallet top-up by Stripe lands in the wallet', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, session } = await start(who, { purpose: 'wallet', amount: '250.00' });
    expect(sim.checkoutSessions.get(session)).toMatchObject({ amount_total: 25000, currency: 'kes' });
    await payOnPage(session);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid', purpose: 'wallet', amount: '250.00' });
    expect((await counts(t, who.id)).payments).toMatchObject([{ channel: 'stripe', amount: 25_000n }]);
  });

  it('a declined card leaves the page open (still pending); the payer leaves it, or it expires: failed, nothing credited', async () => {
    const who = await world.payingSubscriber(50_000n);
    const left = await start(who);
    const declined = await sim.payCheckout(left.session, 'pm_card_chargeDeclinedInsufficientFunds');
    expect(declined.error).toBe('Your card has insufficient funds.');
    expect(await status(who, left.intentId)).toMatchObject({ status: 'pending' });
    expect(await complete(who, left.intentId)).toMatchObject({ status: 'failed', failureCode: 'expired' });
    expect(sim.checkoutSessions.get(left.session)!.status).toBe('expired');
    const ranOut = await start(who);
    await sim.expireCheckout(ranOut.session);
    expect(await status(who, ranOut.intentId)).toMatchObject({ status: 'failed', failureCode: 'expired' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('timeout then webhook: the payer takes minutes, reconciliation finds it pending, the late webhook pays it', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, session } = await start(who);
    t.clock.advance({ minutes: 2 });
    const report = await reconcileIntents(t.ctx);
    expect(report.errors).toBe(0);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
    await payOnPage(session);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    expect((await counts(t, who.id)).entries).toBe(1);
  });

  it('both webhooks 25 times each, all at once: one payment, one journal entry, every delivery answered 200', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, session } = await start(who);
    const pi = await withoutWebhooks(() => payOnPage(session));
    const events = [lastEvent('payment_intent.succeeded', pi), lastEvent('checkout.session.completed', session)];
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => sim.deliver(events[i % 2]!)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers[0]!.body).toBe('{"received":true}');
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('a forged webhook (another secret) and a stale one (signed 10 minutes ago) credit nothing and are security events', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, session } = await start(who);
    await withoutWebhooks(() => payOnPage(session));
    const event = lastEvent('checkout.session.completed', session);
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

  it('lost webhooks and a payer who never came back: the reconciliation job retrieves the session and credits it once (run twice)', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, session } = await start(who);
    const pi = await withoutWebhooks(() => payOnPage(session));
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

  it('out of order: a first declined card, then success; the words in reverse leave the same end state as in order', async () => {
    const ends = [];
    for (const order of ['in order', 'reversed'] as const) {
      const who = await world.payingSubscriber(50_000n);
      const { intentId, session } = await start(who);
      const pi = await withoutWebhooks(async () => {
        await sim.payCheckout(session, 'pm_card_chargeDeclined');
        return payOnPage(session, 'pm_card_visa');
      });
      const words = [lastEvent('payment_intent.payment_failed', pi), lastEvent('payment_intent.succeeded', pi), lastEvent('checkout.session.completed', session)];
      for (const event of order === 'in order' ? words : words.reverse()) expect((await sim.deliver(event)).status).toBe(200);
      const { payments, entries } = await counts(t, who.id);
      ends.push({ status: (await status(who, intentId)).status, payments: payments.length, entries, ...(await invoiceAndSubscription(t, who)) });
    }
    expect(ends[0]).toEqual({ status: 'paid', payments: 1, entries: 1, invoice: 'paid', paid: 50_000n, subscription: 'active' });
    expect(ends[1]).toEqual(ends[0]);
  });

  it('a refund made at Stripe and a lost dispute come back by webhook and are recorded once each', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { session } = await start(who);
    const pi = await payOnPage(session);
    const payment = (await counts(t, who.id)).payments[0]!;
    const refund = await withoutWebhooks(() => stripeAdapter.refund!(creds, { transactionId: pi, amount: money(20_000n, 'KES'), reason: 'Outage credit', refundKey: 'stripe-e2e-refund' }));
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
