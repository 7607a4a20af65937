/**
 * A Nagad payment gateway simulator: check-out/initialize and check-out/complete with RSA
 * sensitiveData and SHA256withRSA signatures checked both ways, the hosted payment page (driven by
 * `pay`), the unsigned redirect back to the merchant, and verify/payment. It generates Nagad's own
 * key pair and holds each merchant's public key, as Nagad does after onboarding.
 * Errors are `{ reason, message }` as in Nagad's samples.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bareBase64, decryptWith, encryptFor, NagadCryptoError, publicKeyOf, sign, verify } from './crypto.ts';

export type NagadPaymentStatus = 'Initiated' | 'Ready' | 'Success' | 'Aborted' | 'Cancelled' | 'Failed';

export interface SimNagadPayment {
  paymentRefId: string;
  merchantId: string;
  orderId: string;
  challenge: string;
  amount?: string;
  callbackUrl?: string;
  additionalMerchantInfo?: unknown;
  status: NagadPaymentStatus;
  issuerPaymentRefNo?: string;
  clientMobileNo?: string;
  orderDateTime: string;
  issuerPaymentDateTime?: string;
}

export interface NagadSimulator {
  readonly url: string;
  /** What to put in the adapter's apiBase. */
  readonly apiBase: string;
  /** Nagad's public key, bare base64 as the merchant portal shows it. */
  readonly nagadPublicKey: string;
  readonly payments: Map<string, SimNagadPayment>;
  readonly requests: { method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown }[];
  readonly faults: { badResponseSignature: boolean };
  registerMerchant(merchantId: string, publicKey: string): void;
  /** The payer on Nagad's page: pays (or aborts); answers the URL Nagad redirects the browser to. */
  pay(paymentRefId: string, outcome?: { status?: 'Success' | 'Aborted' | 'Cancelled' | 'Failed'; phone?: string }): string;
  close(): Promise<void>;
}

function bdTime(ms: number): string {
  return new Date(ms + 6 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export async function startNagadSimulator(options: { now?: () => number } = {}): Promise<NagadSimulator> {
  const now = options.now ?? (() => Date.now());
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const nagadPrivate = pair.privateKey;
  const merchants = new Map<string, KeyObject>();
  const payments = new Map<string, SimNagadPayment>();
  const requests: NagadSimulator['requests'] = [];
  const faults = { badResponseSignature: false };
  let trx = 0;
  const sim = {} as NagadSimulator;

  class NagadError extends Error {
    constructor(
      readonly status: number,
      readonly reason: string,
      message: string,
    ) {
      super(message);
    }
  }

  /** Decrypts and checks a merchant's sensitiveData and signature. */
  function open(merchantId: string, body: { sensitiveData?: unknown; signature?: unknown }): Record<string, unknown> {
    const key = merchants.get(merchantId);
    if (!key) throw new NagadError(400, 'InvalidMerchant', 'Merchant is not registered');
    if (typeof body.sensitiveData !== 'string' || typeof body.signature !== 'string') throw new NagadError(400, 'InvalidRequest', 'sensitiveData and signature are required');
    let plain: string;
    try {
      plain = decryptWith(nagadPrivate, body.sensitiveData);
    } catch (err) {
      if (err instanceof NagadCryptoError) throw new NagadError(400, 'InvalidSensitiveData', 'Sensitive data could not be decrypted');
      throw err;
    }
    if (!verify(key, plain, body.signature)) throw new NagadError(400, 'InvalidSignature', 'Signature verification failed');
    return JSON.parse(plain) as Record<string, unknown>;
  }

  function seal(merchantId: string, data: unknown) {
    const plain = JSON.stringify(data);
    const signature = sign(nagadPrivate, faults.badResponseSignature ? `${plain} ` : plain);
    return { sensitiveData: encryptFor(merchants.get(merchantId)!, plain), signature };
  }

  function route(method: string, path: string, body: Record<string, unknown>): { status: number; body: unknown } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && (m = /^\/api\/dfs\/check-out\/initialize\/([^/]+)\/([^/?]+)$/.exec(path))) {
      const [merchantId, orderId] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      if (!/^[0-9A-Za-z]{1,20}$/.test(orderId)) throw new NagadError(400, 'InvalidOrderId', 'orderId must be alphanumeric, at most 20 characters');
      const data = open(merchantId, body);
      if (data.merchantId !== merchantId || data.orderId !== orderId) throw new NagadError(400, 'InvalidRequest', 'merchantId or orderId differs from the URL');
      if (typeof data.datetime !== 'string' || !/^\d{14}$/.test(data.datetime)) throw new NagadError(400, 'InvalidDateTime', 'datetime must be yyyyMMddHHmmss');
      if (typeof data.challenge !== 'string' || data.challenge.length < 8) throw new NagadError(400, 'InvalidChallenge', 'challenge is required');
      if ([...payments.values()].some((p) => p.merchantId === merchantId && p.orderId === orderId)) throw new NagadError(409, 'DuplicateOrderId', 'Order ID already used');
      const payment: SimNagadPayment = {
        paymentRefId: `MTEyMjA${randomBytes(9).toString('hex').toUpperCase()}`,
        merchantId,
        orderId,
        challenge: randomBytes(20).toString('hex'),
        status: 'Initiated',
        orderDateTime: bdTime(now()),
      };
      payments.set(payment.paymentRefId, payment);
      return { status: 200, body: seal(merchantId, { paymentReferenceId: payment.paymentRefId, challenge: payment.challenge, acceptDateTime: bdTime(now()) }) };
    }
    if (method === 'POST' && (m = /^\/api\/dfs\/check-out\/complete\/([^/]+)$/.exec(path))) {
      const payment = payments.get(decodeURIComponent(m[1]!));
      if (!payment) throw new NagadError(404, 'InvalidPaymentRefId', 'Payment reference not found');
      const data = open(payment.merchantId, body);
      if (data.challenge !== payment.challenge) throw new NagadError(400, 'InvalidChallenge', 'Challenge does not match');
      if (data.merchantId !== payment.merchantId || data.orderId !== payment.orderId) throw new NagadError(400, 'InvalidRequest', 'merchantId or orderId differs');
      if (data.currencyCode !== '050') throw new NagadError(400, 'InvalidCurrency', 'currencyCode must be 050 (BDT)');
      if (typeof data.amount !== 'string' || !/^\d+(\.\d{1,2})?$/.test(data.amount) || /^0+(\.0+)?$/.test(data.amount)) throw new NagadError(400, 'InvalidAmount', 'amount must be a positive decimal with at most 2 places');
      if (typeof body.merchantCallbackURL !== 'string') throw new NagadError(400, 'InvalidRequest', 'merchantCallbackURL is required');
      if (payment.status !== 'Initiated') throw new NagadError(400, 'InvalidRequest', 'Payment already completed');
      payment.amount = data.amount;
      payment.callbackUrl = body.merchantCallbackURL;
      payment.additionalMerchantInfo = body.additionalMerchantInfo;
      payment.status = 'Ready';
      return { status: 200, body: { status: 'Success', callBackUrl: `${sim.url}/check-out/payment/${payment.paymentRefId}` } };
    }
    if (method === 'GET' && (m = /^\/api\/dfs\/verify\/payment\/([^/]+)$/.exec(path))) {
      const payment = payments.get(decodeURIComponent(m[1]!));
      if (!payment) throw new NagadError(404, 'InvalidPaymentRefId', 'Payment reference not found');
      return {
        status: 200,
        body: {
          merchantId: payment.merchantId,
          orderId: payment.orderId,
          paymentRefId: payment.paymentRefId,
          amount: payment.amount ?? '0',
          clientMobileNo: payment.clientMobileNo ?? null,
          merchantMobileNo: null,
          orderDateTime: payment.orderDateTime,
          issuerPaymentDateTime: payment.issuerPaymentDateTime ?? null,
          issuerPaymentRefNo: payment.issuerPaymentRefNo ?? null,
          additionalMerchantInfo: payment.additionalMerchantInfo ?? null,
          status: payment.status,
          statusCode: payment.status === 'Success' ? '000' : '001',
        },
      };
    }
    throw new NagadError(404, 'NotFound', `No route ${method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://nagad.local').pathname;
      let body: Record<string, unknown> = {};
      const raw = Buffer.concat(chunks).toString('utf8');
      let result: { status: number; body: unknown };
      try {
        body = raw ? JSON.parse(raw) : {};
        requests.push({ method: req.method ?? '', path, headers: req.headers, body });
        result = route(req.method ?? 'GET', path, body);
      } catch (err) {
        if (err instanceof SyntaxError) result = { status: 400, body: { reason: 'InvalidRequest', message: 'Body is not JSON' } };
        else if (err instanceof NagadError) result = { status: err.status, body: { reason: err.reason, message: err.message } };
        else throw err;
      }
      res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
    });
  });
  // Idle keep-alive sockets stay open longer than a client keeps them, so a client never reuses
  // one the simulator is closing at that moment (a reset under load, after a long synchronous step).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  Object.assign(sim, {
    url,
    apiBase: `${url}/api/dfs`,
    nagadPublicKey: bareBase64(pair.publicKey),
    payments,
    requests,
    faults,
    registerMerchant(merchantId: string, publicKey: string) {
      merchants.set(merchantId, publicKeyOf(publicKey));
    },
    pay(paymentRefId: string, outcome: { status?: 'Success' | 'Aborted' | 'Cancelled' | 'Failed'; phone?: string } = {}) {
      const payment = payments.get(paymentRefId);
      if (!payment || payment.status !== 'Ready') throw new Error(`Nagad payment ${paymentRefId} is not waiting for the payer`);
      payment.status = outcome.status ?? 'Success';
      if (payment.status === 'Success') {
        trx += 1;
        payment.issuerPaymentRefNo = `7${String(trx).padStart(7, '0')}${randomBytes(2).toString('hex').toUpperCase()}`;
        payment.clientMobileNo = outcome.phone ?? '01711000000';
        payment.issuerPaymentDateTime = bdTime(now());
      }
      const back = new URL(payment.callbackUrl!);
      back.searchParams.set('merchant', payment.merchantId);
      back.searchParams.set('order_id', payment.orderId);
      back.searchParams.set('payment_ref_id', payment.paymentRefId);
      back.searchParams.set('status', payment.status);
      back.searchParams.set('status_code', payment.status === 'Success' ? '00_0000_000' : '00_1050_001');
      back.searchParams.set('message', payment.status === 'Success' ? 'Successful Transaction' : `Transaction ${payment.status}`);
      back.searchParams.set('payment_dt', payment.issuerPaymentDateTime ?? bdTime(now()));
      if (payment.issuerPaymentRefNo) back.searchParams.set('issuer_payment_ref', payment.issuerPaymentRefNo);
      return back.toString();
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
  return sim;
}
