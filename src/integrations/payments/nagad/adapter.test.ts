import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../core/money.ts';
import { TestClock } from '../../../platform/clock.ts';
import type { GatewayOutcome } from '../contract.ts';
import { appError, rejection } from '../test-support.ts';
import { createNagadAdapter, nagadDateTime, nagadOrderId } from './adapter.ts';
import { bareBase64, decryptWith, encryptFor, privateKeyOf, publicKeyOf, sign, verify } from './crypto.ts';
import { startNagadSimulator, type NagadSimulator } from './simulator.ts';

const clock = new TestClock('2026-11-22T06:00:00Z');
const adapter = createNagadAdapter({ clock });
let sim: NagadSimulator;
let creds: Record<string, string>;
let seq = 0;

function merchantKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey: bareBase64(publicKey), privateKey: bareBase64(privateKey), privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function checkout(amount = money(150050n, 'BDT')) {
  seq += 1;
  return {
    intentId: `0193a0c0-${String(seq).padStart(4, '0')}-7000-8000-000000000000`,
    amount,
    accountReference: `ACC-${seq}`,
    description: 'Internet, November',
    callbackUrl: 'https://isp.example/api/callbacks/acc/return/secret',
    returnUrl: 'https://isp.example/portal/pay/nagad-return',
  };
}

function callbackFrom(redirect: string) {
  return { headers: {}, rawBody: Buffer.from(new URL(redirect).search.slice(1)), endpoint: 'return' };
}

beforeAll(async () => {
  sim = await startNagadSimulator({ now: () => clock.now().getTime() });
  const keys = merchantKeys();
  sim.registerMerchant('683002007104225', keys.publicKey);
  creds = {
    merchantId: '683002007104225',
    merchantNumber: '01711428036',
    merchantPrivateKey: keys.privatePem,
    nagadPublicKey: sim.nagadPublicKey,
    serverIp: '203.0.113.10',
    apiBase: sim.apiBase,
  };
});
afterAll(() => sim.close());

describe('Nagad crypto and formats', () => {
  it('RSA PKCS#1 v1.5 round trip with a hand-checked unpadding; a wrong key fails, a changed text fails its signature', () => {
    const keys = merchantKeys();
    const pub = publicKeyOf(keys.publicKey);
    const priv = privateKeyOf(keys.privateKey);
    const text = JSON.stringify({ merchantId: '683002007104225', orderId: 'A1', challenge: 'x'.repeat(40) });
    const sealed = encryptFor(pub, text);
    expect(decryptWith(priv, sealed)).toBe(text);
    expect(decryptWith(privateKeyOf(keys.privatePem), sealed)).toBe(text);
    const other = privateKeyOf(merchantKeys().privateKey);
    expect(() => decryptWith(other, sealed)).toThrow(/padding|decrypted/);
    expect(verify(pub, text, sign(priv, text))).toBe(true);
    expect(verify(pub, `${text} `, sign(priv, text))).toBe(false);
    expect(verify(pub, text, 'not-a-signature')).toBe(false);
  });

  it('order ids and Bangladesh time', () => {
    expect(nagadOrderId('0193a0c0-1234-7000-8000-00000000abcd')).toBe('0193a0c0123470008000');
    expect(nagadDateTime(new Date('2026-11-22T20:30:05Z'))).toBe('20261123023005');
  });
});

describe('Nagad checkout against the simulator', () => {
  it('initialize and complete carry encrypted, signed sensitive data; Nagad\'s answer is checked; the payer gets the payment page', async () => {
    const req = checkout();
    const started = await adapter.startCheckout(creds, req);
    const [init, complete] = sim.requests.slice(-2);
    expect(init).toMatchObject({ method: 'POST', path: `/api/dfs/check-out/initialize/683002007104225/${nagadOrderId(req.intentId)}` });
    expect(init!.headers).toMatchObject({ 'x-km-api-version': 'v-0.2.0', 'x-km-ip-v4': '203.0.113.10', 'x-km-client-type': 'PC_WEB' });
    expect(init!.body).toMatchObject({ accountNumber: '01711428036', dateTime: '20261122120000', sensitiveData: expect.any(String), signature: expect.any(String) });
    expect(JSON.stringify(init!.body)).not.toContain(req.intentId.replace(/-/g, '').slice(0, 20));
    expect(complete).toMatchObject({ path: `/api/dfs/check-out/complete/${started.gatewayRef}`, body: { merchantCallbackURL: req.returnUrl, additionalMerchantInfo: { intentId: req.intentId } } });
    expect(started.redirectUrl).toBe(`${sim.url}/check-out/payment/${started.gatewayRef}`);
    expect(sim.payments.get(started.gatewayRef)).toMatchObject({ amount: '1500.50', status: 'Ready' });
  });

  it('the redirect back is believed only through verify: paid with the Nagad transaction id, amount and phone', async () => {
    const started = await adapter.startCheckout(creds, checkout(money(99900n, 'BDT')));
    expect(await adapter.query(creds, started.gatewayRef)).toEqual({ kind: 'pending', gatewayRef: started.gatewayRef });
    const redirect = sim.pay(started.gatewayRef, { phone: '01819000001' });
    const outcome = await adapter.parseCallback(creds, callbackFrom(redirect));
    const trx = sim.payments.get(started.gatewayRef)!.issuerPaymentRefNo!;
    expect(outcome).toEqual({
      kind: 'paid',
      payment: { transactionId: trx, gatewayRef: started.gatewayRef, amount: money(99900n, 'BDT'), payer: { phone: '01819000001' }, occurredAt: new Date('2026-11-22T06:00:00Z') },
    });
    expect(await adapter.complete!(creds, started.gatewayRef)).toEqual(outcome);
    expect(await adapter.query(creds, started.gatewayRef)).toEqual(outcome);
  });

  it('a forged "Success" redirect for an unpaid, unknown, other order or other merchant\'s payment credits nothing', async () => {
    const unpaid = await adapter.startCheckout(creds, checkout());
    const forged = `order_id=${sim.payments.get(unpaid.gatewayRef)!.orderId}&payment_ref_id=${unpaid.gatewayRef}&status=Success&issuer_payment_ref=FAKE`;
    const claimed: GatewayOutcome = await adapter.parseCallback(creds, { headers: {}, rawBody: Buffer.from(forged), endpoint: 'return' });
    expect(claimed).toEqual({ kind: 'pending', gatewayRef: unpaid.gatewayRef });
    expect((await rejection(adapter.parseCallback(creds, { headers: {}, rawBody: Buffer.from('payment_ref_id=MTEyMjANOSUCH&status=Success'), endpoint: 'return' }))).reason).toBe('mismatch');
    const paid = await adapter.startCheckout(creds, checkout());
    const redirect = new URL(sim.pay(paid.gatewayRef));
    redirect.searchParams.set('order_id', 'SOMEONEELSE');
    expect((await rejection(adapter.parseCallback(creds, callbackFrom(redirect.toString())))).reason).toBe('mismatch');
    const other = merchantKeys();
    sim.registerMerchant('683002007100000', other.publicKey);
    const otherCreds = { ...creds, merchantId: '683002007100000', merchantPrivateKey: other.privateKey };
    const theirs = await adapter.startCheckout(otherCreds, checkout());
    const theirRedirect = sim.pay(theirs.gatewayRef);
    expect((await rejection(adapter.parseCallback(creds, callbackFrom(theirRedirect)))).reason).toBe('mismatch');
    expect((await adapter.parseCallback(otherCreds, callbackFrom(theirRedirect))).kind).toBe('paid');
    expect((await rejection(adapter.parseCallback(creds, { headers: {}, rawBody: Buffer.from('{"status":'), endpoint: 'return' }))).reason).toBe('malformed');
    expect((await rejection(adapter.parseCallback(creds, { headers: {}, rawBody: Buffer.from('status=Success'), endpoint: 'return' }))).reason).toBe('malformed');
  });

  it('the payer aborting is a failure', async () => {
    const started = await adapter.startCheckout(creds, checkout());
    const redirect = sim.pay(started.gatewayRef, { status: 'Aborted' });
    expect(await adapter.parseCallback(creds, callbackFrom(redirect))).toMatchObject({ kind: 'failed', gatewayRef: started.gatewayRef, code: 'Aborted' });
  });

  it('errors are clear: another key, a tampered answer, a non-BDT amount, missing settings', async () => {
    const stranger = merchantKeys();
    const refused = await appError(adapter.startCheckout({ ...creds, merchantPrivateKey: stranger.privateKey }, checkout()));
    expect(refused.message).toBe('Nagad refused starting the payment: Signature verification failed (InvalidSignature)');
    sim.faults.badResponseSignature = true;
    try {
      const tampered = await appError(adapter.startCheckout(creds, checkout()));
      expect(tampered.message).toMatch(/failed its signature or decryption check/);
    } finally {
      sim.faults.badResponseSignature = false;
    }
    expect((await appError(adapter.startCheckout(creds, checkout(money(100n, 'USD'))))).message).toBe('Nagad takes BDT only, not USD');
    expect((await appError(adapter.startCheckout({ ...creds, nagadPublicKey: '' }, checkout()))).code).toBe('gateway-misconfigured');
    expect((await appError(adapter.startCheckout({ ...creds, nagadPublicKey: 'bm90IGEga2V5' }, checkout()))).message).toMatch(/not RSA keys/);
    expect((await appError(adapter.query({ ...creds, apiBase: 'http://127.0.0.1:9/api/dfs' }, 'X'))).code).toBe('gateway-unavailable');
  });
});
