/**
 * Nagad through the gateways module's HTTP API against the Nagad simulator: the portal initializes
 * and completes the checkout (RSA sensitive data both ways) and sends the payer to Nagad's page;
 * the payer's way back (the return page, or the same query posted to the callback URL) is only a
 * hint: verify/payment decides.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareBase64 } from '../../src/integrations/payments/nagad/crypto.ts';
import { startNagadSimulator, type NagadSimulator } from '../../src/integrations/payments/nagad/simulator.ts';
import { reconcileIntents } from '../../src/modules/gateways/reconcile.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, invoiceAndSubscription, listen, securityEvents, type PayingSubscriber } from '../gateways/fixtures.ts';

let t: TestContext;
let sim: NagadSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;
let callbackUrl: string;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await startNagadSimulator();
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  sim.registerMerchant('683002007104225', bareBase64(keys.publicKey));
  world = await gatewayWorld(t, 'BDT');
  const account = await world.saveAccount('nagad', {
    merchantId: '683002007104225',
    merchantNumber: '01711428036',
    merchantPrivateKey: bareBase64(keys.privateKey),
    nagadPublicKey: sim.nagadPublicKey,
    apiBase: sim.apiBase,
  });
  expect(account.secretsSet).toEqual(['merchantPrivateKey']);
  callbackUrl = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls.webhook;
}, 120_000);
afterAll(() => sim?.close());

async function start(who: PayingSubscriber) {
  const res = await who.customer.post('/api/portal/payments', { method: 'nagad', purpose: 'invoice', invoiceId: who.invoice.id });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const paymentRefId = intent.redirectUrl.split('/').at(-1) as string;
  expect(sim.payments.get(paymentRefId)).toMatchObject({ status: 'Ready', additionalMerchantInfo: { intentId: intent.id, accountReference: who.accountNumber } });
  return { intentId: intent.id as string, paymentRefId };
}

const complete = async (who: PayingSubscriber, intentId: string) => {
  const res = await who.customer.post(`/api/portal/payments/${intentId}/complete`);
  expect(res.statusCode, res.body).toBe(200);
  return json(res);
};
const status = async (who: PayingSubscriber, intentId: string) => json(await who.customer.get(`/api/portal/payments/${intentId}`));
/** The payer's way back, posted to our callback URL as Nagad's query string. */
const post = (query: string) => fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query });
const queryOf = (redirect: string) => new URL(redirect).search.slice(1);

describe('Nagad through the gateways module', () => {
  it('success: the payer pays on Nagad and comes back; verify says Success; the invoice is paid and service is back', async () => {
    const who = await world.payingSubscriber(125_050n);
    const { intentId, paymentRefId } = await start(who);
    expect(sim.payments.get(paymentRefId)!.amount).toBe('1250.50');
    const back = new URL(sim.pay(paymentRefId));
    expect(back.pathname).toBe(`/portal/payments/${intentId}`);
    expect(await complete(who, intentId)).toMatchObject({ status: 'paid', amount: '1250.50', currency: 'BDT' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 125_050n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toMatchObject([{ channel: 'nagad', transaction_id: sim.payments.get(paymentRefId)!.issuerPaymentRefNo, amount: 125_050n }]);
    expect(entries).toBe(1);
  });

  it('the payer aborts on Nagad: failed, nothing credited', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentRefId } = await start(who);
    sim.pay(paymentRefId, { status: 'Aborted' });
    expect(await complete(who, intentId)).toMatchObject({ status: 'failed', failureCode: 'Aborted' });
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('timeout then callback: pending through reconciliation while the payer waits, then the callback pays it', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentRefId } = await start(who);
    t.clock.advance({ minutes: 2 });
    expect((await reconcileIntents(t.ctx)).errors).toBe(0);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
    expect((await post(queryOf(sim.pay(paymentRefId)))).status).toBe(200);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('the same callback 50 times at once: one payment, one journal entry', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentRefId } = await start(who);
    const query = queryOf(sim.pay(paymentRefId));
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(query)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
  });

  it('a forged "Success" for an unpaid payment moves nothing; one for a payment Nagad never made is a security event', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentRefId } = await start(who);
    const orderId = sim.payments.get(paymentRefId)!.orderId;
    expect((await post(`order_id=${orderId}&payment_ref_id=${paymentRefId}&status=Success&issuer_payment_ref=FAKE1`)).status).toBe(200);
    expect(await status(who, intentId)).toMatchObject({ status: 'pending' });
    const before = (await securityEvents(t, 'mismatch')).length;
    const forged = await post('order_id=X&payment_ref_id=MTEyMjAMADEUP&status=Success');
    expect(forged.status).toBe(400);
    expect((await securityEvents(t, 'mismatch')).length).toBe(before + 1);
    expect((await counts(t, who.id)).payments).toHaveLength(0);
  });

  it('lost callback and no return: the reconciliation job verifies and credits once (run twice)', async () => {
    const who = await world.payingSubscriber(50_000n);
    const { intentId, paymentRefId } = await start(who);
    sim.pay(paymentRefId);
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await reconcileIntents(t.ctx);
    expect(await status(who, intentId)).toMatchObject({ status: 'paid' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
  });

  it('out of order: the callback before or after the payer is back ends the same', async () => {
    const ends = [];
    for (const order of ['return first', 'callback first'] as const) {
      const who = await world.payingSubscriber(50_000n);
      const { intentId, paymentRefId } = await start(who);
      const query = queryOf(sim.pay(paymentRefId));
      if (order === 'return first') {
        await complete(who, intentId);
        await post(query);
      } else {
        await post(query);
        await complete(who, intentId);
      }
      const { payments, entries } = await counts(t, who.id);
      ends.push({ status: (await status(who, intentId)).status, payments: payments.length, entries, ...(await invoiceAndSubscription(t, who)) });
    }
    expect(ends[0]).toEqual({ status: 'paid', payments: 1, entries: 1, invoice: 'paid', paid: 50_000n, subscription: 'active' });
    expect(ends[1]).toEqual(ends[0]);
  });
});
