/**
 * Family Bank (the generic bank adapter's example) through the gateways module's HTTP API against
 * the bank simulator: a request to pay pushed to the payer's phone, HMAC-signed IPNs, the status
 * query for a lost IPN, and paybill payments nobody requested, matched by account reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBankSimulator, type BankSimulator } from '../../src/integrations/payments/bank/simulator.ts';
import { reconcileIntents } from '../../src/modules/gateways/reconcile.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, invoiceAndSubscription, listen, securityEvents, type PayingSubscriber } from '../gateways/fixtures.ts';

let t: TestContext;
let sim: BankSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await startBankSimulator();
  world = await gatewayWorld(t);
  const account = await world.saveAccount('bank:family-bank', { apiKey: sim.apiKey, merchantCode: sim.merchantCode, notificationSecret: sim.notificationSecret, apiBase: sim.url });
  sim.notificationUrl = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls.webhook;
}, 120_000);
afterAll(() => sim?.close());

async function start(who: PayingSubscriber) {
  const res = await who.customer.post('/api/portal/payments', { method: 'bank:family-bank', purpose: 'invoice', invoiceId: who.invoice.id, phone: '254712345678' });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const request = [...sim.requests.values()].find((r) => r.requestId === intent.id)!;
  expect(request.callbackUrl).toBe(sim.notificationUrl);
  return { intentId: intent.id as string, requestId: request.paymentRequestId };
}

const status = async (who: PayingSubscriber, intentId: string) => json(await who.customer.get(`/api/portal/payments/${intentId}`));

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  sim.faults.dropNotifications = true;
  try {
    return await fn();
  } finally {
    sim.faults.dropNotifications = false;
  }
}

describe('Family Bank through the gateways module', () => {
  it('success: the payer approves the prompt; the signed IPN pays the invoice and service is back', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, requestId } = await start(who);
    expect(sim.requests.get(requestId)).toMatchObject({ amount: '1500.00', currency: 'KES', accountReference: who.accountNumber, msisdn: '254712345678' });
    expect(await status(who, intentId)).toMatchObject({ status: 'pending', method: 'bank:family-bank' });
    await sim.respond(requestId);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_000n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'bank:family-bank', transaction_id: sim.requests.get(requestId)!.transactionReference, amount: 150_000n }]);
    expect(entries).toBe(1);
  });

  it('the payer cancels the prompt: failed, nothing credited', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, requestId } = await start(who);
    await sim.respond(requestId, 'CANCELLED');
    expect(await status(who, intentId)).toMatchObject({ status: 'failed', failureCode: 'FAILED', failureMessage: 'The customer cancelled the prompt' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('timeout then IPN: pending through reconciliation while the payer waits, then the IPN pays it', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, requestId } = await start(who);
    t.clock.advance({ minutes: 2 });
    expect((await reconcileIntents(t.ctx)).errors).toBe(0);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
    await sim.respond(requestId);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('the same IPN 50 times at once: one payment, one journal entry, every delivery acknowledged', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { requestId } = await start(who);
    const ipn = await quietly(() => sim.respond(requestId));
    const answers = await Promise.all(Array.from({ length: 50 }, () => sim.deliver(sim.notificationUrl!, ipn)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(JSON.parse(answers[0]!.body)).toEqual({ status: 'ACCEPTED' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
  });

  it('forged and stale IPNs are refused with the bank\'s answer, credit nothing and are security events; the lost IPN is credited once by reconciliation', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, requestId } = await start(who);
    const ipn = await quietly(() => sim.respond(requestId));
    const bad = (await securityEvents(t, 'bad_signature')).length;
    const stale = (await securityEvents(t, 'stale_timestamp')).length;
    expect(await sim.deliver(sim.notificationUrl!, ipn, { secret: 'guess' })).toEqual({ status: 400, body: '{"status":"REJECTED","reason":"bad_signature"}' });
    expect(await sim.deliver(sim.notificationUrl!, ipn, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).toEqual({ status: 400, body: '{"status":"REJECTED","reason":"stale_timestamp"}' });
    expect((await securityEvents(t, 'bad_signature')).length).toBe(bad + 1);
    expect((await securityEvents(t, 'stale_timestamp')).length).toBe(stale + 1);
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await reconcileIntents(t.ctx);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
  });

  it('out of order: the IPN before or after the status query ends the same', async () => {
    const ends = [];
    for (const order of ['query first', 'ipn first'] as const) {
      const who = await world.payingSubscriber(50_000n);
      const { intentId, requestId } = await start(who);
      const ipn = await quietly(() => sim.respond(requestId));
      t.clock.advance({ minutes: 2 });
      if (order === 'query first') {
        await reconcileIntents(t.ctx);
        await sim.deliver(sim.notificationUrl!, ipn);
      } else {
        await sim.deliver(sim.notificationUrl!, ipn);
        await reconcileIntents(t.ctx);
      }
      const { payments, entries } = await counts(t, who.id);
      ends.push({ status: (await status(who, intentId)).status, payments: payments.length, entries, ...(await invoiceAndSubscription(t, who)) });
    }
    expect(ends[0]).toEqual({ status: 'paid', payments: 1, entries: 1, invoice: 'paid', paid: 50_000n, subscription: 'active' });
    expect(ends[1]).toEqual(ends[0]);
  });

  it('a paybill payment nobody requested is matched by the account reference', async () => {
    const who = await world.payingSubscriber(50_000n);
    const ipn = await sim.paybill({ accountReference: who.accountNumber, amount: '500.00' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 50_000n, subscription: 'active' });
    expect((await counts(t, who.id)).payments).toMatchObject([{ transaction_id: ipn.transactionReference, amount: 50_000n }]);
  });
});
