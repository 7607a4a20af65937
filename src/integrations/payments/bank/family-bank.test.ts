import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { TestClock } from '../../../platform/clock.ts';
import type { GatewayOutcome } from '../contract.ts';
import { appError, rejection } from '../test-support.ts';
import { createBankAdapter } from './bank-api.ts';
import { familyBank } from './family-bank.ts';
import { startBankSimulator, type BankSimulator } from './simulator.ts';

const clock = new TestClock('2026-11-22T06:00:00Z');
const adapter = createBankAdapter(familyBank, { clock });
let sim: BankSimulator;
let creds: Record<string, string>;
let seq = 0;

function checkout(amount = money(150000n, 'KES')) {
  seq += 1;
  return {
    intentId: `0193a0c0-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    amount,
    accountReference: `ACC-${seq}`,
    description: 'Internet, November',
    callbackUrl: 'https://isp.example/api/callbacks/acc/ipn',
    phone: '254712345678',
  };
}

async function parse(body: Record<string, unknown>, options?: { secret?: string; timestamp?: number }, c = creds): Promise<GatewayOutcome> {
  const { headers, rawBody } = sim.signed(body, options);
  return adapter.parseCallback(c, { headers, rawBody, endpoint: 'ipn' });
}

async function parseRaw(headers: Record<string, string>, rawBody: Buffer): Promise<GatewayOutcome> {
  return adapter.parseCallback(creds, { headers, rawBody, endpoint: 'ipn' });
}

const now = () => Math.floor(clock.now().getTime() / 1000);

beforeAll(async () => {
  sim = await startBankSimulator({ now: () => clock.now().getTime() });
  creds = { apiKey: sim.apiKey, merchantCode: sim.merchantCode, notificationSecret: sim.notificationSecret, apiBase: sim.url };
});
afterAll(() => sim.close());

describe('Family Bank through the generic bank adapter', () => {
  it('is the kind bank:family-bank with the generic and the bank\'s own settings', () => {
    expect(adapter.kind).toBe('bank:family-bank');
    expect(adapter.fields.map((f) => [f.key, f.secret])).toEqual([
      ['apiKey', true],
      ['notificationSecret', true],
      ['previousNotificationSecret', true],
      ['merchantCode', false],
      ['apiBase', false],
    ]);
  });

  it('a request to pay carries an exact decimal amount and our intent id; a retry is the same request', async () => {
    const req = checkout(money(150050n, 'KES'));
    const started = await adapter.startCheckout(creds, req);
    expect(sim.received.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/collections/requests',
      idempotencyKey: req.intentId,
      body: { requestId: req.intentId, amount: '1500.50', currency: 'KES', accountReference: req.accountReference, msisdn: '254712345678', callbackUrl: req.callbackUrl },
    });
    expect(started).toMatchObject({ gatewayRef: expect.stringMatching(/^PR/), message: 'Approve the Family Bank prompt on your phone' });
    expect((await adapter.startCheckout(creds, req)).gatewayRef).toBe(started.gatewayRef);
  });

  it('the signed IPN and the status query agree: pending, then paid with the bank reference', async () => {
    const { gatewayRef } = await adapter.startCheckout(creds, checkout(money(250000n, 'KES')));
    expect(await adapter.query(creds, gatewayRef)).toEqual({ kind: 'pending', gatewayRef });
    const ipn = await sim.respond(gatewayRef);
    const outcome = await parse(ipn);
    expect(outcome).toEqual({
      kind: 'paid',
      payment: {
        transactionId: ipn.transactionReference,
        gatewayRef,
        amount: money(250000n, 'KES'),
        accountReference: expect.stringMatching(/^ACC-/),
        payer: { phone: '254712345678', name: 'JANE WANJIKU' },
        occurredAt: clock.now(),
      },
    });
    expect(await adapter.query(creds, gatewayRef)).toEqual(outcome);
    expect(adapter.answer(outcome, true)).toEqual({ status: 200, body: { status: 'ACCEPTED' } });
  });

  it('a cancelled or failed prompt is a failure; a paybill payment nobody requested carries its account reference', async () => {
    const cancelled = await adapter.startCheckout(creds, checkout());
    expect(await parse(await sim.respond(cancelled.gatewayRef, 'CANCELLED'))).toEqual({ kind: 'failed', gatewayRef: cancelled.gatewayRef, code: 'FAILED', message: 'The customer cancelled the prompt' });
    expect(await adapter.query(creds, cancelled.gatewayRef)).toMatchObject({ kind: 'failed', code: 'CANCELLED' });
    const c2b = await sim.paybill({ accountReference: 'ACC-0042', amount: '999.99' });
    expect(await parse(c2b)).toMatchObject({ kind: 'paid', payment: { transactionId: c2b.transactionReference, gatewayRef: undefined, accountReference: 'ACC-0042', amount: money(99999n, 'KES') } });
  });

  it('forged, tampered, re-timed, stale and unsigned IPNs are refused; the previous secret works while rotating', async () => {
    const ipn = await sim.paybill({ accountReference: 'ACC-7', amount: '100.00' });
    expect((await rejection(parse(ipn, { secret: 'attacker' }))).reason).toBe('bad_signature');
    const signed = sim.signed(ipn);
    const tampered = Buffer.from(signed.rawBody.toString().replace('"100.00"', '"100000.00"'));
    expect(tampered.equals(signed.rawBody)).toBe(false);
    expect((await rejection(parseRaw(signed.headers, tampered))).reason).toBe('bad_signature');
    const retimed = { ...signed.headers, 'x-timestamp': String(now() - 10) };
    expect((await rejection(parseRaw(retimed, signed.rawBody))).reason).toBe('bad_signature');
    expect((await rejection(parse(ipn, { timestamp: now() - 301 }))).reason).toBe('stale_timestamp');
    expect((await parse(ipn, { timestamp: now() - 299 })).kind).toBe('paid');
    const { 'x-signature': _, ...unsigned } = signed.headers;
    expect((await rejection(parseRaw(unsigned, signed.rawBody))).reason).toBe('bad_signature');
    const rotating = { ...creds, notificationSecret: 'fb_new_secret', previousNotificationSecret: sim.notificationSecret };
    expect((await parse(ipn, undefined, rotating)).kind).toBe('paid');
    const rejected = await rejection(parse(ipn, { secret: 'attacker' }));
    expect(adapter.answer(rejected, false)).toEqual({ status: 400, body: { status: 'REJECTED', reason: 'bad_signature' } });
  });

  it('an amount sent as a JSON number, or with more decimals than KES has, is malformed', async () => {
    const ipn = await sim.paybill({ accountReference: 'ACC-8', amount: '10.00' });
    expect((await rejection(parse({ ...ipn, amount: 10 }))).reason).toBe('malformed');
    expect((await rejection(parse({ ...ipn, amount: '10.001' }))).reason).toBe('malformed');
    expect((await rejection(parse({ ...ipn, transactionReference: undefined }))).reason).toBe('malformed');
  });

  it('our reversal comes back as refunded, the bank\'s own as a chargeback', async () => {
    const { gatewayRef } = await adapter.startCheckout(creds, checkout(money(300000n, 'KES')));
    const ipn = await sim.respond(gatewayRef);
    const transactionId = ipn.transactionReference as string;
    const refund = await adapter.refund!(creds, { transactionId, amount: money(100000n, 'KES'), reason: 'Outage credit', refundKey: 'fb-refund-1' });
    expect(refund).toEqual({ refundId: expect.stringMatching(/^FB/), status: 'succeeded' });
    expect(sim.received.at(-1)).toMatchObject({ path: '/v1/collections/reversals', idempotencyKey: 'fb-refund-1', body: { originalTransactionReference: transactionId, amount: '1000.00' } });
    expect((await adapter.refund!(creds, { transactionId, amount: money(100000n, 'KES'), reason: 'Outage credit', refundKey: 'fb-refund-1' })).refundId).toBe(refund.refundId);
    const ours = sim.notifications.at(-1)!.body;
    expect(await parse(ours)).toEqual({ kind: 'refunded', transactionId, amount: money(100000n, 'KES'), refundId: refund.refundId });
    const theirs = await sim.reverse(transactionId, '500.00');
    expect(await parse(theirs)).toEqual({ kind: 'charged_back', transactionId, amount: money(50000n, 'KES'), refundId: theirs.transactionReference });
    const tooMuch = await appError(adapter.refund!(creds, { transactionId, amount: money(200000n, 'KES'), reason: 'x', refundKey: 'fb-refund-2' }));
    expect(tooMuch.message).toBe('Family Bank refused the refund: Reversal exceeds what is left of the transaction (AMOUNT_EXCEEDS_BALANCE)');
  });

  it('errors are clear: a wrong API key, a refused request, an unreachable bank', async () => {
    expect(await appError(adapter.startCheckout({ ...creds, apiKey: 'wrong' }, checkout()))).toMatchObject({ status: 502, code: 'gateway-auth' });
    const refused = await appError(adapter.startCheckout(creds, { ...checkout(), phone: '0712345678' }));
    expect(refused.message).toBe('Family Bank refused the payment request: msisdn must be 254XXXXXXXXX (INVALID_MSISDN)');
    expect(await appError(adapter.query({ ...creds, apiBase: 'http://127.0.0.1:9' }, 'PR1'))).toMatchObject({ status: 503, code: 'gateway-unavailable' });
    expect(await appError(adapter.startCheckout({ ...creds, apiKey: '' }, checkout()))).toMatchObject({ status: 422, code: 'gateway-misconfigured' });
  });
});
