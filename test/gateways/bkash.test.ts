/**
 * bKash tokenized checkout through the HTTP API against the bKash simulator: the portal creates
 * the payment and sends the payer to bkashURL; the payer comes back to the return page, which asks
 * us to complete (execute). The redirect itself proves nothing: money moves only on execute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BkashSimulator } from '../../src/integrations/payments/bkash/simulator.ts';
import { reconcileIntents } from '../../src/modules/gateways/reconcile.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, invoiceAndSubscription, listen, securityEvents, type PayingSubscriber } from './fixtures.ts';

let t: TestContext;
let sim: BkashSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;
let account: { id: string };
let base: string;

beforeAll(async () => {
  t = await createTestContext();
  base = await listen(t);
  sim = await BkashSimulator.start();
  world = await gatewayWorld(t, 'BDT');
  account = await world.saveAccount('bkash', sim.credentials);
}, 120_000);
afterAll(() => sim?.close());

async function start(who: PayingSubscriber) {
  const res = await who.customer.post('/api/portal/payments', { method: 'bkash', purpose: 'invoice', invoiceId: who.invoice.id });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const payment = sim.last();
  expect(intent.redirectUrl).toBe(`${sim.baseUrl}/checkout?paymentId=${payment.paymentID}`);
  expect(payment.callbackURL).toBe(`${base}/portal/payments/${intent.id}`);
  return { intentId: intent.id as string, paymentID: payment.paymentID };
}

const complete = async (who: PayingSubscriber, intentId: string) => {
  const res = await who.customer.post(`/api/portal/payments/${intentId}/complete`);
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
};

describe('bKash tokenized checkout', () => {
  it('success: create, the payer authorizes, execute on return; the invoice is paid and service is back', async () => {
    const who = await world.payingSubscriber(125_050n);
    const { intentId, paymentID } = await start(who);
    expect(sim.payments.get(paymentID)).toMatchObject({ amount: '1250.50', merchantInvoiceNumber: intentId, payerReference: who.accountNumber });
    const back = new URL(sim.pay(paymentID));
    expect(back.searchParams.get('status')).toBe('success');
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid', amount: '1250.50', currency: 'BDT' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 125_050n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'bkash', transaction_id: paymentID, amount: 125_050n, currency: 'BDT' }]);
    expect(payments[0]!.metadata).toMatchObject({ receipt: sim.payments.get(paymentID)!.trxID });
    expect(entries).toBe(1);
    // Coming back again (a reload of the return page) changes nothing.
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid' });
    expect((await counts(t, who.id)).payments).toHaveLength(1);
  });

  it('cancel, wrong PIN and insufficient balance: failed with their codes, nothing credited', async () => {
    const who = await world.payingSubscriber(50_000n);
    const expectations = [
      ['cancel', 'Cancelled'],
      ['wrongPin', '2014'],
      ['insufficientBalance', '2023'],
    ] as const;
    for (const [act, code] of expectations) {
      const { intentId, paymentID } = await start(who);
      sim[act](paymentID);
      expect(await complete(who, intentId)).toMatchObject({ status: 'failed', failureCode: code });
    }
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('a forged "success" redirect before the payer paid moves no money and fails nothing; paying afterwards works', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentID } = await start(who);
    expect(await complete(who, intentId)).toMatchObject({ status: 'pending' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    sim.pay(paymentID);
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('the return page 50 times at once: one execute moves the money, one payment, one journal entry', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentID } = await start(who);
    sim.pay(paymentID);
    const answers = await Promise.all(Array.from({ length: 50 }, () => who.customer.post(`/api/portal/payments/${intentId}/complete`)));
    expect(answers.every((a) => a.statusCode === 200 && json(a).status === 'paid')).toBe(true);
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
  });

  it("lost execute answer: bKash moved the money, the reconciliation job's query credits it once (run twice)", async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentID } = await start(who);
    sim.executeLost(paymentID);
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await reconcileIntents(t.ctx);
    expect(json(await who.customer.get(`/api/portal/payments/${intentId}`))).toMatchObject({ status: 'paid' });
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 50_000n, subscription: 'active' });
  });

  it('approved but the payer never came back: the reconciliation job executes it and credits it once; an attempt not approved stays pending', async () => {
    const who = await world.payingSubscriber(70_000n);
    const { intentId, paymentID } = await start(who);
    sim.pay(paymentID); // authorized at bKash; the payer closes the browser instead of returning
    const idle = await world.payingSubscriber(10_000n);
    const untouched = await start(idle); // the payer never entered a PIN
    expect(sim.payments.get(paymentID)!.state).toBe('Authorized');
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await reconcileIntents(t.ctx);
    expect(sim.payments.get(paymentID)!.state).toBe('Completed');
    expect(json(await who.customer.get(`/api/portal/payments/${intentId}`))).toMatchObject({ status: 'paid' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'bkash', transaction_id: paymentID, amount: 70_000n }]);
    expect(entries).toBe(1);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 70_000n, subscription: 'active' });
    expect(sim.payments.get(untouched.paymentID)!.state).toBe('Initiated');
    expect(json(await idle.customer.get(`/api/portal/payments/${untouched.intentId}`))).toMatchObject({ status: 'pending' });
    expect((await counts(t, idle.id)).payments).toHaveLength(0);
  });

  it('an answer with another amount than the attempt credits nothing and is a security event', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentID } = await start(who);
    const record = sim.payments.get(paymentID)!;
    sim.payments.set(paymentID, { ...record, amount: '1.00' });
    sim.pay(paymentID);
    const before = (await securityEvents(t, 'mismatch')).length;
    expect(await complete(who, intentId)).toMatchObject({ status: 'pending' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    expect((await securityEvents(t, 'mismatch')).length).toBe(before + 1);
  });

  it('a callback post without the account secret is refused and logged', async () => {
    const before = (await securityEvents(t, 'bad_secret')).length;
    const res = await fetch(`${base}/api/callbacks/${account.id}/webhook/wrong`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paymentID: 'TR0011X', status: 'success' }) });
    expect(res.status).toBe(403);
    expect((await securityEvents(t, 'bad_secret')).length).toBe(before + 1);
  });

  it('refund through the adapter gives money back at bKash', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentID } = await start(who);
    sim.pay(paymentID);
    await complete(who, intentId);
    const { bkashAdapter } = await import('../../src/integrations/payments/bkash/bkash.ts');
    const r = await bkashAdapter.refund!(sim.credentials, { transactionId: paymentID, amount: { minor: 10_000n, currency: 'BDT' }, reason: 'test', refundKey: 'k1' });
    expect(r.status).toBe('succeeded');
    expect(sim.payments.get(paymentID)!.refunds).toEqual([{ refundTrxID: r.refundId, amount: '100.00' }]);
  });
});
