/**
 * Nagad (Bangladesh) hosted checkout, as Nagad's merchant integration guide and sample code
 * describe it:
 *
 * 1. initialize — POST {base}/check-out/initialize/{merchantId}/{orderId} with
 *    `{ accountNumber, dateTime, sensitiveData, signature }`; sensitiveData is
 *    `{ merchantId, datetime, orderId, challenge }` encrypted for Nagad's public key, signed with
 *    the merchant's private key. Nagad answers its own sensitiveData (for the merchant's key):
 *    `{ paymentReferenceId, challenge, acceptDateTime }`, signed with Nagad's key — checked here.
 * 2. complete — POST {base}/check-out/complete/{paymentReferenceId} with sensitiveData
 *    `{ merchantId, orderId, currencyCode: '050', amount: '50.55', challenge }` (Nagad's
 *    challenge echoed back), its signature, merchantCallbackURL and additionalMerchantInfo →
 *    `{ status: 'Success', callBackUrl }`, the page the payer is sent to.
 * 3. The payer comes back to merchantCallbackURL with `payment_ref_id`, `order_id`, `status` in
 *    the query. That redirect is not signed, so it is never believed: verify —
 *    GET {base}/verify/payment/{paymentRefId} — says what happened, and its merchantId and
 *    orderId must be ours.
 *
 * Assumed where the public material is silent (see the report of issue 5): orderId is
 * alphanumeric and at most 20 characters; amounts are BDT with two decimals; the verify answer
 * is plain JSON over TLS (not signed); `issuerPaymentRefNo` is the Nagad transaction id.
 */
import { randomBytes } from 'node:crypto';
import { type Money, formatMoney, parseMoney } from '../../../core/money.ts';
import { type Clock, systemClock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import {
  CallbackRejected,
  type CallbackAnswer,
  type CallbackRequest,
  type GatewayAdapter,
  type GatewayCredentials,
  type GatewayOutcome,
} from '../contract.ts';
import { decryptWith, encryptFor, NagadCryptoError, privateKeyOf, publicKeyOf, sign, verify } from './crypto.ts';

export const nagadLiveBase = 'https://api.mynagad.com/api/dfs';

/** Nagad's merchant order id from our intent id (a UUID): its hex digits, first 20. */
export function nagadOrderId(intentId: string): string {
  return intentId.replace(/[^0-9A-Za-z]/g, '').slice(0, 20);
}

/** yyyyMMddHHmmss in Bangladesh time (UTC+6, no daylight saving). */
export function nagadDateTime(at: Date): string {
  return new Date(at.getTime() + 6 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** What GET verify/payment/{paymentRefId} answers. */
export interface NagadVerification {
  merchantId?: string;
  orderId?: string;
  paymentRefId?: string;
  amount?: string;
  clientMobileNo?: string;
  issuerPaymentDateTime?: string;
  issuerPaymentRefNo?: string;
  status?: string;
  statusCode?: string;
  reason?: string;
  message?: string;
}

/** Nagad said no: its `reason` code kept for the caller, the message for people. */
export class NagadRefused extends AppError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(502, 'gateway-error', message);
  }
}

function randomChallenge(): string {
  return randomBytes(20).toString('hex');
}

function parseIssuerTime(text: string | undefined, fallback: Date): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text ?? '');
  if (!m) return fallback;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]! - 6, +m[5]!, +m[6]!));
}

export function createNagadAdapter(options: { readonly clock?: Clock; readonly fetch?: typeof fetch } = {}): GatewayAdapter & { readonly kind: 'nagad' } {
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? fetch;

  function base(creds: GatewayCredentials): string {
    return (creds.apiBase || nagadLiveBase).replace(/\/$/, '');
  }

  function keys(creds: GatewayCredentials) {
    if (!creds.merchantId || !creds.merchantPrivateKey || !creds.nagadPublicKey) {
      throw new AppError(422, 'gateway-misconfigured', 'Nagad merchant id, merchant private key and Nagad public key must be set');
    }
    try {
      return { merchant: privateKeyOf(creds.merchantPrivateKey), nagad: publicKeyOf(creds.nagadPublicKey) };
    } catch {
      throw new AppError(422, 'gateway-misconfigured', 'The Nagad keys in the settings are not RSA keys');
    }
  }

  async function call<T>(creds: GatewayCredentials, method: 'GET' | 'POST', path: string, doing: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-km-api-version': 'v-0.2.0',
      'x-km-client-type': 'PC_WEB',
      'x-km-ip-v4': creds.serverIp || '127.0.0.1',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base(creds)}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
    } catch {
      throw new AppError(503, 'gateway-unavailable', `Nagad could not be reached while ${doing}; try again shortly`);
    }
    let parsed: T & { reason?: string; message?: string };
    try {
      parsed = (await res.json()) as T & { reason?: string; message?: string };
    } catch {
      throw new AppError(502, 'gateway-error', `Nagad answered ${doing} with something that is not JSON (HTTP ${res.status})`);
    }
    if (!res.ok || (parsed.reason && !('sensitiveData' in parsed) && !('status' in parsed))) {
      throw new NagadRefused(parsed.reason ?? `HTTP ${res.status}`, `Nagad refused ${doing}: ${parsed.message ?? `HTTP ${res.status}`}${parsed.reason ? ` (${parsed.reason})` : ''}`);
    }
    return parsed;
  }

  function outcomeOf(v: NagadVerification, paymentRefId: string, creds: GatewayCredentials): GatewayOutcome {
    if (v.merchantId !== undefined && v.merchantId !== creds.merchantId) {
      throw new CallbackRejected('mismatch', `Nagad payment ${paymentRefId} belongs to another merchant`);
    }
    switch (v.status) {
      case 'Success': {
        if (!v.amount) throw new AppError(502, 'gateway-error', `Nagad's verification of ${paymentRefId} has no amount`);
        return {
          kind: 'paid',
          payment: {
            transactionId: v.issuerPaymentRefNo || paymentRefId,
            gatewayRef: paymentRefId,
            amount: parseMoney(v.amount, 'BDT'),
            payer: v.clientMobileNo ? { phone: v.clientMobileNo } : undefined,
            occurredAt: parseIssuerTime(v.issuerPaymentDateTime, clock.now()),
          },
        };
      }
      case 'Aborted':
      case 'Cancelled':
      case 'Failed':
      case 'InvalidRequest':
      case 'Fraud':
      case 'UnKnownFailed':
        return { kind: 'failed', gatewayRef: paymentRefId, code: v.status, message: v.message ?? `Nagad payment ${v.status.toLowerCase()}` };
      default:
        return { kind: 'pending', gatewayRef: paymentRefId };
    }
  }

  async function verifyPayment(creds: GatewayCredentials, paymentRefId: string): Promise<NagadVerification> {
    return call<NagadVerification>(creds, 'GET', `/verify/payment/${encodeURIComponent(paymentRefId)}`, 'verifying the payment');
  }

  async function settle(creds: GatewayCredentials, paymentRefId: string): Promise<GatewayOutcome> {
    return outcomeOf(await verifyPayment(creds, paymentRefId), paymentRefId, creds);
  }

  function amountText(amount: Money): string {
    if (amount.currency !== 'BDT') throw new AppError(422, 'gateway-amount', `Nagad takes BDT only, not ${amount.currency}`);
    if (amount.minor <= 0n) throw new AppError(422, 'gateway-amount', 'Amount must be positive');
    return formatMoney(amount);
  }

  return {
    kind: 'nagad',
    fields: [
      { key: 'merchantId', label: 'Merchant ID', secret: false, required: true },
      { key: 'merchantNumber', label: 'Merchant wallet number', secret: false, required: true },
      { key: 'merchantPrivateKey', label: 'Merchant private key', secret: true, required: true },
      { key: 'nagadPublicKey', label: 'Nagad payment gateway public key', secret: false, required: true },
      { key: 'serverIp', label: 'Server IPv4 address registered with Nagad', secret: false, required: false },
      { key: 'apiBase', label: 'API base URL (http://sandbox.mynagad.com:10080/remote-payment-gateway-1.0/api/dfs for the sandbox; empty for live)', secret: false, required: false },
    ],

    async startCheckout(creds, req) {
      const amount = amountText(req.amount);
      const { merchant, nagad } = keys(creds);
      const orderId = nagadOrderId(req.intentId);
      const dateTime = nagadDateTime(clock.now());
      const first = JSON.stringify({ merchantId: creds.merchantId, datetime: dateTime, orderId, challenge: randomChallenge() });
      const init = await call<{ sensitiveData?: string; signature?: string }>(
        creds,
        'POST',
        `/check-out/initialize/${encodeURIComponent(creds.merchantId!)}/${orderId}`,
        'starting the payment',
        { accountNumber: creds.merchantNumber, dateTime, sensitiveData: encryptFor(nagad, first), signature: sign(merchant, first) },
      );
      let answer: { paymentReferenceId?: string; challenge?: string };
      try {
        const plain = decryptWith(merchant, init.sensitiveData ?? '');
        if (!verify(nagad, plain, init.signature ?? '')) throw new NagadCryptoError('signature');
        answer = JSON.parse(plain);
      } catch {
        throw new AppError(502, 'gateway-error', "Nagad's answer to initialize failed its signature or decryption check");
      }
      if (!answer.paymentReferenceId || !answer.challenge) throw new AppError(502, 'gateway-error', "Nagad's answer to initialize has no payment reference");
      const order = JSON.stringify({ merchantId: creds.merchantId, orderId, currencyCode: '050', amount, challenge: answer.challenge });
      const completed = await call<{ status?: string; callBackUrl?: string; message?: string }>(
        creds,
        'POST',
        `/check-out/complete/${encodeURIComponent(answer.paymentReferenceId)}`,
        'starting the payment',
        {
          sensitiveData: encryptFor(nagad, order),
          signature: sign(merchant, order),
          merchantCallbackURL: req.returnUrl ?? req.callbackUrl,
          additionalMerchantInfo: { intentId: req.intentId, accountReference: req.accountReference },
        },
      );
      if (completed.status !== 'Success' || !completed.callBackUrl) {
        throw new AppError(502, 'gateway-error', `Nagad refused starting the payment: ${completed.message ?? completed.status ?? 'no payment page'}`);
      }
      return {
        gatewayRef: answer.paymentReferenceId,
        redirectUrl: completed.callBackUrl,
        message: 'Continue to Nagad to pay',
        raw: { orderId, paymentReferenceId: answer.paymentReferenceId },
      };
    },

    complete: settle,
    query: settle,

    async parseCallback(creds, req: CallbackRequest) {
      const text = req.rawBody.toString('utf8').trim();
      let fields: Record<string, string | undefined>;
      try {
        fields = text.startsWith('{') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text.replace(/^\?/, '')));
      } catch {
        throw new CallbackRejected('malformed', 'Nagad callback is neither a query string nor JSON');
      }
      const paymentRefId = fields.payment_ref_id ?? fields.paymentRefId;
      const orderId = fields.order_id ?? fields.orderId;
      if (!paymentRefId || !/^[\w-]{1,100}$/.test(paymentRefId)) throw new CallbackRejected('malformed', 'Nagad callback without a payment_ref_id');
      let verification: NagadVerification;
      try {
        verification = await verifyPayment(creds, paymentRefId);
      } catch (err) {
        if (err instanceof NagadRefused && err.reason === 'InvalidPaymentRefId') throw new CallbackRejected('mismatch', `Nagad knows no payment ${paymentRefId}`);
        throw err;
      }
      if (orderId && verification.orderId && verification.orderId !== orderId) {
        throw new CallbackRejected('mismatch', `Nagad payment ${paymentRefId} is for order ${verification.orderId}, not ${orderId}`);
      }
      return outcomeOf(verification, paymentRefId, creds);
    },

    answer(outcome): CallbackAnswer {
      if (outcome instanceof CallbackRejected) return { status: outcome.status, body: { status: 'Rejected', reason: outcome.reason } };
      return { status: 200, body: { status: 'Received' } };
    },
  };
}

export const nagadAdapter = createNagadAdapter();
