/**
 * M-PESA through the HTTP API against the Daraja simulator: STK Push from the portal, callbacks
 * posted by the simulator to the listening app, reconciliation by STK Query, and C2B paybill
 * validation and confirmation. Each outcome is checked in the database: payments, journal entries,
 * the invoice, the subscription, security events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MpesaSimulator } from '../../src/integrations/payments/mpesa/simulator.ts';
import { reconcileIntents } from '../../src/modules/gateways/reconcile.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, invoiceAndSubscription, listen, securityEvents, type PayingSubscriber } from './fixtures.ts';

let t: TestContext;
let sim: MpesaSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;
let account: { id: string };
let urls: Record<string, string>;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await MpesaSimulator.start();
  world = await gatewayWorld(t);
  account = await world.saveAccount('mpesa', sim.credentials);
  urls = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls;
  sim.c2bUrls = { validation: urls['c2b-validation'], confirmation: urls['c2b-confirmation'], responseType: 'Completed' };
}, 120_000);
afterAll(() => sim?.close());

async function startStk(who: PayingSubscriber) {
  const res = await who.customer.post('/api/portal/payments', { method: 'mpesa', purpose: 'invoice', invoiceId: who.invoice.id, phone: '0712 345 678' });
  expect(res.statusCode, res.body).toBe(201);
  const started = json(res);
  expect(started.intent.status).toBe('pending');
  const push = sim.lastPush();
  return { intentId: started.intent.id as string, ref: push.checkoutRequestId, push, message: started.message as string };
}

const intentOf = async (who: PayingSubscriber, id: string) => json((await who.customer.get(`/api/portal/payments/${id}`)));

describe('M-PESA STK Push', () => {
  it('the portal lists M-PESA; the admin API keeps the secrets to itself', async () => {
    const who = await world.payingSubscriber(150_000n);
    expect(json(await who.customer.get('/api/portal/gateways')).items).toEqual([{ kind: 'mpesa', label: 'MPESA', needsPhone: true, redirects: false, savesCards: false }]);
    const res = await world.admin.get(`/api/gateways/${account.id}`);
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.secretsSet.sort()).toEqual(['consumerKey', 'consumerSecret', 'passkey']);
    expect(body.settings).toEqual({ baseUrl: sim.baseUrl, shortCode: sim.shortCode });
    for (const secret of [sim.consumerKey, sim.consumerSecret, sim.passkey]) expect(res.body).not.toContain(secret);
    const stored = await t.ctx.db.selectFrom('gateway_accounts').select('credentials_enc').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(stored.credentials_enc).not.toContain(sim.passkey);
  });

  it('success: the payer enters the PIN, the invoice is paid and the suspended subscription is active again', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref, push, message } = await startStk(who);
    expect(message).toMatch(/accepted/i);
    expect(push).toMatchObject({ amount: 1500, phone: '254712345678', accountReference: who.accountNumber.slice(0, 12) });
    const [delivered] = await sim.pay(ref);
    expect(delivered).toEqual({ status: 200, body: { ResultCode: 0, ResultDesc: 'Accepted' } });
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid', amount: '1500.00' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_000n, subscription: 'active' });
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ channel: 'mpesa', transaction_id: ref, amount: 150_000n, status: 'applied' });
    expect(payments[0]!.metadata).toMatchObject({ receipt: sim.pushes.get(ref)!.receipt, intentId });
    expect(entries).toBe(1);
  });

  it('user cancel, wrong PIN and insufficient funds: the attempt fails with its code, nothing is credited', async () => {
    const who = await world.payingSubscriber(150_000n);
    for (const [act, code] of [['cancel', '1032'], ['wrongPin', '2001'], ['insufficientFunds', '1']] as const) {
      const { intentId, ref } = await startStk(who);
      await sim[act](ref);
      expect(await intentOf(who, intentId)).toMatchObject({ status: 'failed', failureCode: code });
    }
    expect((await counts(t, who.id)).payments).toHaveLength(0);
    expect(await invoiceAndSubscription(t, who)).toMatchObject({ invoice: 'open', subscription: 'suspended' });
  });

  it('timeout then callback: the payer is slow, the status query says pending, then the payment arrives', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    t.clock.advance({ minutes: 2 });
    const report = await reconcileIntents(t.ctx);
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'pending' });
    await sim.pay(ref);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid' });
    expect((await counts(t, who.id)).payments).toHaveLength(1);
    // An STK timeout (1037) is a failure of its own attempt only.
    const second = await who.customer.post('/api/portal/payments', { method: 'mpesa', purpose: 'wallet', amount: '100', phone: '0712345678' });
    await sim.timeout(sim.lastPush().checkoutRequestId);
    expect(await intentOf(who, json(second).intent.id)).toMatchObject({ status: 'failed', failureCode: '1037' });
  });

  it('the same callback 50 times at once credits once: one payment, one journal entry', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    const answers = await sim.pay(ref, { times: 50 });
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(entries).toBe(1);
    const allocations = await t.ctx.db.selectFrom('invoice_allocations').select('amount').where('source_id', '=', payments[0]!.id).execute();
    expect(allocations).toEqual([{ amount: 150_000n }]);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid' });
    const events = await t.ctx.db.selectFrom('gateway_events').select('result').where('intent_id', '=', intentId).execute();
    expect(events).toHaveLength(50);
    expect(events.filter((e) => e.result.startsWith('duplicate'))).toHaveLength(49);
  });

  it('forged callbacks (bad path secret, made-up CheckoutRequestID, wrong amount) credit nothing and are security events', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    await sim.pay(ref, 'held');
    const good = urls.stk!;
    const before = (await securityEvents(t)).length;

    const wrongSecret = await fetch(good.replace(/\/[^/]+$/, '/not-the-secret'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sim.stkCallbackBody(ref)) });
    expect(wrongSecret.status).toBe(403);
    const noSecret = await fetch(good.replace(/\/[^/]+$/, ''), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sim.stkCallbackBody(ref)) });
    expect(noSecret.status).toBe(403);
    const [madeUp] = await sim.deliver(ref, 1, sim.stkCallbackBody(ref, { checkoutRequestId: 'ws_CO_000000000000000000' }));
    expect(madeUp!.status).toBe(400);
    const [wrongAmount] = await sim.deliver(ref, 1, sim.stkCallbackBody(ref, { amount: 1 }));
    expect(wrongAmount!.status).toBe(400);
    const unknownAccount = await fetch(good.replace(account.id, crypto.randomUUID()), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknownAccount.status).toBe(404);

    expect((await counts(t, who.id)).payments).toHaveLength(0);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'pending' });
    const events = (await securityEvents(t)).slice(before);
    expect(events.map((e) => e.kind).sort()).toEqual(['bad_secret', 'bad_secret', 'mismatch', 'mismatch', 'unknown_account']);
    expect(events.every((e) => e.remote_address === '127.0.0.1')).toBe(true);
    const listed = json(await world.admin.get('/api/gateways/security-events?limit=10')).items;
    expect(listed.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['bad_secret', 'mismatch']));

    // The real callback still credits, once.
    await sim.deliver(ref);
    expect((await counts(t, who.id)).payments).toHaveLength(1);
  });

  it('lost callback: the reconciliation job credits it once (run twice), and the late callback changes nothing', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    await sim.pay(ref, 'lost');
    // Under a minute old: left alone.
    expect((await reconcileIntents(t.ctx)).paid).toBe(0);
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await reconcileIntents(t.ctx);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid' });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_000n, subscription: 'active' });
    await sim.deliver(ref, 3);
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ transaction_id: ref, amount: 150_000n });
    expect(entries).toBe(1);
  });

  it('a payer watching the waiting page gets the answer by STK Query once the callback is a minute late', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    await sim.pay(ref, 'lost');
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'pending' });
    t.clock.advance({ seconds: 61 });
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid' });
    expect((await counts(t, who.id)).payments).toHaveLength(1);
  });

  it('out of order: a failure after the success, and the success again after the query, leave the same end state', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    await sim.pay(ref);
    const [late] = await sim.deliver(ref, 1, sim.stkCallbackBody(ref, { resultCode: 1032 }));
    expect(late!.status).toBe(200);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid' });
    t.clock.advance({ minutes: 2 });
    await reconcileIntents(t.ctx);
    await sim.deliver(ref);
    expect((await counts(t, who.id)).payments).toHaveLength(1);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_000n, subscription: 'active' });
  });

  it('cents: an invoice of KES 1,500.50 is pushed as 1,501 (the rest to the wallet); a top-up with cents is refused', async () => {
    const who = await world.payingSubscriber(150_050n);
    const { ref, intentId } = await startStk(who);
    expect(sim.pushes.get(ref)!.amount).toBe(1501);
    await sim.pay(ref);
    expect(await intentOf(who, intentId)).toMatchObject({ status: 'paid', amount: '1501.00' });
    expect(await invoiceAndSubscription(t, who)).toMatchObject({ invoice: 'paid', paid: 150_050n });
    const refused = await who.customer.post('/api/portal/payments', { method: 'mpesa', purpose: 'wallet', amount: '10.50', phone: '0712345678' });
    expect(refused.statusCode).toBe(422);
    expect(json(refused).detail).toMatch(/whole shillings.*11\.00/);
    const badPhone = await who.customer.post('/api/portal/payments', { method: 'mpesa', purpose: 'wallet', amount: '10', phone: '12345' });
    expect(badPhone.statusCode).toBe(422);
    expect(json(badPhone).errors).toEqual([{ field: 'phone', message: 'is not a Kenyan mobile number' }]);
    // Refused input leaves no attempt behind.
    expect(await t.ctx.db.selectFrom('payment_intents').select('id').where('subscriber_id', '=', who.id).where('purpose', '=', 'wallet').execute()).toEqual([]);
  });

  it('a wallet top-up stays in the wallet', async () => {
    const who = await world.payingSubscriber(150_000n);
    const res = await who.customer.post('/api/portal/payments', { method: 'mpesa', purpose: 'wallet', amount: '200', phone: '0712345678' });
    expect(res.statusCode, res.body).toBe(201);
    await sim.pay(sim.lastPush().checkoutRequestId);
    expect(await intentOf(who, json(res).intent.id)).toMatchObject({ status: 'paid', purpose: 'wallet' });
    expect(await invoiceAndSubscription(t, who)).toMatchObject({ invoice: 'open' });
  });
});

describe('M-PESA C2B paybill', () => {
  it('a payment with the account number is validated, confirmed once (confirmation × 50) and pays the invoice', async () => {
    const who = await world.payingSubscriber(150_000n);
    const result = await sim.c2bPay({ billRefNumber: who.accountNumber, amount: 1500, delivery: { times: 50 } });
    expect(result.validation).toEqual({ status: 200, body: { ResultCode: 0, ResultDesc: 'Accepted' } });
    expect(result.confirmation!.every((c) => c.status === 200)).toBe(true);
    const { payments, entries } = await counts(t, who.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ transaction_id: result.transId, amount: 150_000n, reference: who.accountNumber, payer_name: 'JOHN' });
    expect(entries).toBe(1);
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_000n, subscription: 'active' });
  });

  it('the invoice number as reference pays that invoice', async () => {
    const who = await world.payingSubscriber(80_000n);
    await sim.c2bPay({ billRefNumber: who.invoice.number!, amount: 800 });
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 80_000n, subscription: 'active' });
  });

  it('an unknown reference lands in suspense; with unknown references refused, validation says C2B00012 and nothing is recorded', async () => {
    const ref = `NOBODY${Math.floor(Math.random() * 1e6)}`;
    const result = await sim.c2bPay({ billRefNumber: ref, amount: 700, msisdn: '254799000111' });
    const suspense = await t.ctx.db.selectFrom('payments').selectAll().where('transaction_id', '=', result.transId).execute();
    expect(suspense).toMatchObject([{ status: 'unapplied', subscriber_id: null, amount: 70_000n, reference: ref }]);

    await world.saveAccount('mpesa', {}, { acceptUnknownReferences: false });
    try {
      const refused = await sim.c2bPay({ billRefNumber: `${ref}X`, amount: 700 });
      expect(refused.validation).toEqual({ status: 200, body: { ResultCode: 'C2B00012', ResultDesc: 'Rejected' } });
      expect(refused.confirmation).toBeUndefined();
      expect(await t.ctx.db.selectFrom('payments').select('id').where('transaction_id', '=', refused.transId).execute()).toHaveLength(0);
    } finally {
      await world.saveAccount('mpesa', {}, { acceptUnknownReferences: true });
    }
  });

  it('a confirmation to another short code, or with a bad secret, is refused', async () => {
    const before = (await securityEvents(t)).length;
    const body = { TransID: 'SFORGED001', TransAmount: '500.00', BusinessShortCode: '999999', BillRefNumber: 'X', MSISDN: '254700000000' };
    const other = await fetch(urls['c2b-confirmation']!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(other.status).toBe(400);
    const forged = await fetch(urls['c2b-confirmation']!.replace(/\/[^/]+$/, '/guess'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, BusinessShortCode: sim.shortCode }) });
    expect(forged.status).toBe(403);
    expect(await t.ctx.db.selectFrom('payments').select('id').where('transaction_id', '=', 'SFORGED001').execute()).toHaveLength(0);
    expect((await securityEvents(t)).slice(before).map((e) => e.kind).sort()).toEqual(['bad_secret', 'mismatch']);
  });
});

// Last in the file: 31 minutes on the clock end every session opened before.
describe('M-PESA attempts nobody answers', () => {
  it('expire after 30 minutes; money that arrives later still credits them', async () => {
    const who = await world.payingSubscriber(150_000n);
    const { intentId, ref } = await startStk(who);
    const status = async () => (await t.ctx.db.selectFrom('payment_intents').select('status').where('id', '=', intentId).executeTakeFirstOrThrow()).status;
    t.clock.advance({ minutes: 31 });
    expect((await reconcileIntents(t.ctx)).expired).toBeGreaterThanOrEqual(1);
    expect(await status()).toBe('expired');
    await sim.pay(ref);
    expect(await status()).toBe('paid');
    expect(await invoiceAndSubscription(t, who)).toEqual({ invoice: 'paid', paid: 150_000n, subscription: 'active' });
  });
});
