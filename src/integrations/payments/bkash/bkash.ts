/**
 * bKash tokenized checkout: grant a token (app key and secret in the body, username and password in
 * headers), create a payment (mode 0011) and send the payer to its bkashURL. The payer comes back
 * to our callbackURL with ?paymentID=…&status=success|failure|cancel: that redirect is untrusted,
 * and money moves only on execute (trxID, transactionStatus Completed, statusCode 0000). A payment is
 * keyed on its paymentID, which execute and query payment both know: an execute whose answer was
 * lost and a later query settle the same payment once. The trxID is the receipt the payer sees.
 */
import { formatMoney, parseMoney } from '../../../core/money.ts';
import { safeEqual } from '../../../platform/crypto.ts';
import { UnavailableError, UnprocessableError } from '../../../platform/errors.ts';
import {
  CallbackRejected,
  type CallbackAnswer,
  type CheckoutStarted,
  type GatewayAdapter,
  type GatewayCredentials,
  type GatewayOutcome,
  type GatewayPayment,
} from '../contract.ts';

export type BkashPayment = GatewayPayment & { readonly receipt?: string };

/** Execute answers these when it ran before or the payment is not in a state to run (cancelled): query payment says more. */
const stateErrors = new Set(['2056', '2062', '2117']);

const tokens = new Map<string, { token: string; expiresAt: number }>();

function required(creds: GatewayCredentials, key: string): string {
  const v = creds[key];
  if (!v) throw new UnprocessableError(`The bKash settings have no ${key}`);
  return v;
}

async function call(url: string, headers: Record<string, string>, payload: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(payload), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new UnavailableError(`bKash could not be reached: ${(err as Error).message}`);
  }
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    throw new UnavailableError(`bKash answered ${res.status} with something that is not JSON`);
  }
}

export function createBkashAdapter(opts: { now?: () => Date } = {}): GatewayAdapter {
  const now = opts.now ?? (() => new Date());
  const base = (creds: GatewayCredentials) => required(creds, 'baseUrl').replace(/\/+$/, '');

  async function token(creds: GatewayCredentials): Promise<string> {
    const key = `${base(creds)}|${required(creds, 'appKey')}|${required(creds, 'username')}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > now().getTime()) return cached.token;
    const body = await call(`${base(creds)}/tokenized/checkout/token/grant`, { username: creds.username!, password: required(creds, 'password') }, { app_key: creds.appKey, app_secret: required(creds, 'appSecret') });
    if (body.statusCode !== '0000' || typeof body.id_token !== 'string') throw new UnavailableError(`bKash refused the app key and credentials: ${String(body.statusMessage ?? body.statusCode)}`);
    const ttl = Math.max(0, Number(body.expires_in ?? 3600) - 60);
    tokens.set(key, { token: body.id_token, expiresAt: now().getTime() + ttl * 1000 });
    return body.id_token;
  }

  async function authorized(creds: GatewayCredentials, path: string, payload: unknown) {
    return call(`${base(creds)}${path}`, { authorization: await token(creds), 'x-app-key': required(creds, 'appKey') }, payload);
  }

  /** What a query or execute answer says of a payment. */
  function outcomeOf(paymentId: string, body: Record<string, unknown>): GatewayOutcome {
    const status = String(body.transactionStatus ?? '');
    if (body.statusCode === '0000' && status === 'Completed' && typeof body.trxID === 'string') {
      const payment: BkashPayment = {
        transactionId: paymentId,
        gatewayRef: paymentId,
        amount: parseMoney(String(body.amount), String(body.currency ?? 'BDT')),
        payer: body.customerMsisdn ? { phone: String(body.customerMsisdn).slice(0, 40) } : undefined,
        occurredAt: now(),
        receipt: body.trxID,
      };
      return { kind: 'paid', payment };
    }
    if (body.statusCode === '0000' && status === 'Authorized') return { kind: 'pending', gatewayRef: paymentId, approved: true };
    if (body.statusCode === '0000' && (status === 'Initiated' || status === 'Pending Authorized')) return { kind: 'pending', gatewayRef: paymentId };
    if (body.statusCode === '0000') return { kind: 'failed', gatewayRef: paymentId, code: status || 'failed', message: `The payment is ${status || 'not made'}` };
    return { kind: 'failed', gatewayRef: paymentId, code: String(body.statusCode ?? 'failed'), message: String(body.statusMessage ?? 'The payment was not made') };
  }

  const query = async (creds: GatewayCredentials, paymentId: string) => outcomeOf(paymentId, await authorized(creds, '/tokenized/checkout/payment/status', { paymentID: paymentId }));

  return {
    kind: 'bkash',
    fields: [
      { key: 'baseUrl', label: 'API base URL', secret: false, required: true },
      { key: 'appKey', label: 'App key', secret: true, required: true },
      { key: 'appSecret', label: 'App secret', secret: true, required: true },
      { key: 'username', label: 'Username', secret: false, required: true },
      { key: 'password', label: 'Password', secret: true, required: true },
    ],

    async startCheckout(creds, req): Promise<CheckoutStarted> {
      if (req.amount.currency !== 'BDT') throw new UnprocessableError(`bKash takes taka, not ${req.amount.currency}`);
      if (!req.returnUrl) throw new UnprocessableError('bKash needs a page to send the payer back to');
      const body = await authorized(creds, '/tokenized/checkout/create', {
        mode: '0011',
        payerReference: req.accountReference.slice(0, 50),
        callbackURL: req.returnUrl,
        amount: formatMoney(req.amount),
        currency: 'BDT',
        intent: 'sale',
        merchantInvoiceNumber: req.intentId,
      });
      if (body.statusCode !== '0000' || typeof body.paymentID !== 'string' || typeof body.bkashURL !== 'string')
        throw new UnavailableError(`bKash did not create the payment: ${String(body.statusMessage ?? body.statusCode)}`);
      return { gatewayRef: body.paymentID, redirectUrl: body.bkashURL, message: 'Continue to bKash to pay', raw: body };
    },

    // An execute that is refused (run before, payer not done yet, a forged "success" redirect) is settled by what the payment status says.
    async complete(creds, paymentId) {
      const body = await authorized(creds, '/tokenized/checkout/execute', { paymentID: paymentId });
      const executed = outcomeOf(paymentId, body);
      if (executed.kind === 'paid') return executed;
      const now = await query(creds, paymentId);
      if (now.kind !== 'failed' || stateErrors.has(String(body.statusCode))) return now;
      return { kind: 'failed', gatewayRef: paymentId, code: String(body.statusCode ?? 'failed'), message: String(body.statusMessage ?? 'The payment was not made') };
    },

    query,

    // The payer's redirect back, if posted to us: it proves nothing, so at most it says "ask bKash".
    parseCallback(creds, req): GatewayOutcome {
      if (!creds.callbackSecret || !req.pathSecret || !safeEqual(req.pathSecret, creds.callbackSecret)) throw new CallbackRejected('bad_secret', 'The callback path does not carry this account’s secret', 403);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.rawBody.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new CallbackRejected('malformed', 'The callback body is not JSON');
      }
      if (typeof body.paymentID !== 'string') throw new CallbackRejected('malformed', 'No paymentID');
      return { kind: 'pending', gatewayRef: body.paymentID };
    },

    answer(outcome): CallbackAnswer {
      if (outcome instanceof CallbackRejected) return { status: outcome.status, body: { statusCode: '9999', statusMessage: 'Rejected' } };
      return { status: 200, body: { statusCode: '0000', statusMessage: 'Successful' } };
    },

    async refund(creds, input) {
      const status = await authorized(creds, '/tokenized/checkout/payment/status', { paymentID: input.transactionId });
      const body = await authorized(creds, '/tokenized/checkout/payment/refund', {
        paymentID: input.transactionId,
        trxID: status.trxID,
        amount: formatMoney(input.amount),
        sku: 'refund',
        reason: input.reason.slice(0, 255),
      });
      if (body.statusCode !== '0000' || typeof body.refundTrxID !== 'string') throw new UnavailableError(`bKash refused the refund: ${String(body.statusMessage ?? body.statusCode)}`);
      return { refundId: body.refundTrxID, status: body.transactionStatus === 'Completed' ? 'succeeded' : 'pending' };
    },
  };
}

export const bkashAdapter = createBkashAdapter();
