/**
 * M-PESA Daraja (Safaricom): STK Push with STK Query, and C2B paybill/till validation and
 * confirmation. Daraja signs nothing, so a callback is believed only when the secret segment of its
 * path matches the account's (compared in constant time); the gateways module then checks the
 * amount and the attempt it names. An STK payment is keyed on its CheckoutRequestID, which both the
 * callback and STK Query know (the query never tells the MpesaReceiptNumber): a lost callback settled
 * by the query and a late callback are one and the same payment. A C2B payment is keyed on TransID.
 */
import { formatMoney, type Money } from '../../../core/money.ts';
import { UnavailableError, UnprocessableError } from '../../../platform/errors.ts';
import { safeEqual } from '../../../platform/crypto.ts';
import {
  CallbackRejected,
  type CallbackAnswer,
  type CallbackRequest,
  type CheckoutRequest,
  type CheckoutStarted,
  type GatewayAdapter,
  type GatewayCredentials,
  type GatewayOutcome,
  type GatewayPayment,
} from '../contract.ts';

/** STK result codes: 0 paid, and the documented ways an attempt ends without money. */
export const stkResults = {
  0: 'The service request is processed successfully.',
  1: 'The balance is insufficient for the transaction.',
  1032: 'Request cancelled by user.',
  1037: 'DS timeout user cannot be reached.',
  2001: 'The initiator information is invalid.',
} as const;

/** Daraja's answer to an STK Query while the payer has not acted yet. */
export const stillProcessing = { errorCode: '500.001.1001', errorMessage: 'The transaction is being processed' };

/** C2B validation rejections (Daraja's documented result codes). */
export const c2bRejections = { invalidAccount: 'C2B00012', invalidAmount: 'C2B00013', other: 'C2B00016' } as const;

/**
 * Besides the contract's fields: the receipt the payer sees (MpesaReceiptNumber), and whether the
 * amount is unknown (STK Query says that the payer paid, never how much: the attempt's amount).
 */
export type MpesaPayment = GatewayPayment & { readonly receipt?: string; readonly amountUnknown?: boolean };

const tokens = new Map<string, { token: string; expiresAt: number }>();

function required(creds: GatewayCredentials, key: string): string {
  const v = creds[key];
  if (!v) throw new UnprocessableError(`The M-PESA settings have no ${key}`);
  return v;
}

/** yyyyMMddHHmmss in Nairobi (UTC+3, no daylight saving), as Daraja wants its Timestamp. */
export function darajaTimestamp(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Africa/Nairobi',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const p = (t: string) => parts.find((x) => x.type === t)!.value;
  return `${p('year')}${p('month')}${p('day')}${p('hour')}${p('minute')}${p('second')}`;
}

export function parseDarajaTime(value: unknown): Date | undefined {
  const s = String(value ?? '');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+03:00`);
}

export function stkPassword(shortCode: string, passkey: string, timestamp: string): string {
  return Buffer.from(shortCode + passkey + timestamp).toString('base64');
}

/** 0712 345 678, +254 712 345 678, 712345678 → 254712345678; anything else is refused. */
export function normalizeMsisdn(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const national = digits.startsWith('254') ? digits.slice(3) : digits.startsWith('0') ? digits.slice(1) : digits;
  if (!/^[17]\d{8}$/.test(national)) throw new UnprocessableError(`${phone} is not a Kenyan mobile number M-PESA can reach`, [{ field: 'phone', message: 'is not a Kenyan mobile number' }]);
  return `254${national}`;
}

/** Whole shillings: Daraja takes no cents. A fractional amount is refused, saying what would be sent instead. */
export function wholeShillings(amount: Money): number {
  if (amount.currency !== 'KES') throw new UnprocessableError(`M-PESA takes Kenyan shillings, not ${amount.currency}`);
  if (amount.minor % 100n !== 0n) {
    const up = ((amount.minor + 99n) / 100n) * 100n;
    throw new UnprocessableError(`M-PESA takes whole shillings: KES ${formatMoney(amount)} cannot be sent; pay KES ${formatMoney({ minor: up, currency: 'KES' })}`, [
      { field: 'amount', message: 'must be whole shillings' },
    ]);
  }
  return Number(amount.minor / 100n);
}

async function call(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new UnavailableError(`M-PESA could not be reached: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new UnavailableError(`M-PESA answered ${res.status} with something that is not JSON`);
  }
  return { status: res.status, body };
}

export function createMpesaAdapter(opts: { now?: () => Date } = {}): GatewayAdapter {
  const now = opts.now ?? (() => new Date());
  const base = (creds: GatewayCredentials) => required(creds, 'baseUrl').replace(/\/+$/, '');

  async function token(creds: GatewayCredentials): Promise<string> {
    const key = `${base(creds)}|${required(creds, 'consumerKey')}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > now().getTime()) return cached.token;
    const basic = Buffer.from(`${creds.consumerKey}:${required(creds, 'consumerSecret')}`).toString('base64');
    const { status, body } = await call(`${base(creds)}/oauth/v1/generate?grant_type=client_credentials`, { headers: { authorization: `Basic ${basic}` } });
    if (status !== 200 || typeof body.access_token !== 'string') throw new UnavailableError(`M-PESA refused the consumer key and secret (${status})`);
    // Renew a minute early: a token that expires in flight fails the push.
    const ttl = Math.max(0, Number(body.expires_in ?? 3599) - 60);
    tokens.set(key, { token: body.access_token, expiresAt: now().getTime() + ttl * 1000 });
    return body.access_token;
  }

  async function authorized(creds: GatewayCredentials, path: string, payload: unknown) {
    return call(`${base(creds)}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(creds)}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
  }

  function stkOutcome(checkoutRequestId: string, code: number, desc: string, items: Map<string, unknown> | 'query'): GatewayOutcome {
    if (code !== 0) return { kind: 'failed', gatewayRef: checkoutRequestId, code: String(code), message: desc || 'The payment was not made' };
    if (items === 'query')
      return { kind: 'paid', payment: { transactionId: checkoutRequestId, gatewayRef: checkoutRequestId, amount: { minor: 0n, currency: 'KES' }, amountUnknown: true, occurredAt: now() } as MpesaPayment };
    const amount = items.get('Amount');
    if (amount === undefined || !/^\d+(\.\d{1,2})?$/.test(String(amount))) throw new CallbackRejected('malformed', 'A successful STK callback without an amount');
    const [whole, frac = ''] = String(amount).split('.');
    const payment: MpesaPayment = {
      transactionId: checkoutRequestId,
      gatewayRef: checkoutRequestId,
      amount: { minor: BigInt(whole! + frac.padEnd(2, '0')), currency: 'KES' },
      payer: items.get('PhoneNumber') !== undefined ? { phone: String(items.get('PhoneNumber')) } : undefined,
      occurredAt: parseDarajaTime(items.get('TransactionDate')) ?? now(),
      receipt: items.get('MpesaReceiptNumber') !== undefined ? String(items.get('MpesaReceiptNumber')) : undefined,
    };
    return { kind: 'paid', payment };
  }

  function c2bPayment(body: Record<string, unknown>): MpesaPayment {
    const transId = body.TransID;
    const amount = String(body.TransAmount ?? '');
    if (typeof transId !== 'string' || !/^[A-Z0-9]{6,30}$/i.test(transId) || !/^\d+(\.\d{1,2})?$/.test(amount)) throw new CallbackRejected('malformed', 'A C2B request without a TransID or an amount');
    const [whole, frac = ''] = amount.split('.');
    const name = [body.FirstName, body.MiddleName, body.LastName].filter((x) => typeof x === 'string' && x).join(' ');
    return {
      transactionId: transId,
      amount: { minor: BigInt(whole! + frac.padEnd(2, '0')), currency: 'KES' },
      accountReference: typeof body.BillRefNumber === 'string' ? body.BillRefNumber.trim().slice(0, 100) : undefined,
      payer: { phone: body.MSISDN ? String(body.MSISDN).slice(0, 40) : undefined, name: name ? name.slice(0, 200) : undefined },
      occurredAt: parseDarajaTime(body.TransTime) ?? now(),
      receipt: transId,
    };
  }

  return {
    kind: 'mpesa',
    fields: [
      { key: 'baseUrl', label: 'API base URL', secret: false, required: true },
      { key: 'consumerKey', label: 'Consumer key', secret: true, required: true },
      { key: 'consumerSecret', label: 'Consumer secret', secret: true, required: true },
      { key: 'shortCode', label: 'Business short code (paybill or store number)', secret: false, required: true },
      { key: 'passkey', label: 'Lipa na M-PESA passkey', secret: true, required: true },
      { key: 'transactionType', label: 'CustomerPayBillOnline or CustomerBuyGoodsOnline', secret: false, required: false },
      { key: 'tillNumber', label: 'Till number (buy goods: PartyB)', secret: false, required: false },
    ],

    async startCheckout(creds, req): Promise<CheckoutStarted> {
      const amount = wholeShillings(req.amount);
      if (!req.phone) throw new UnprocessableError('M-PESA needs the phone number to send the request to', [{ field: 'phone', message: 'is required' }]);
      const phone = normalizeMsisdn(req.phone);
      const shortCode = required(creds, 'shortCode');
      const timestamp = darajaTimestamp(now());
      const buyGoods = creds.transactionType === 'CustomerBuyGoodsOnline';
      const { status, body } = await authorized(creds, '/mpesa/stkpush/v1/processrequest', {
        BusinessShortCode: shortCode,
        Password: stkPassword(shortCode, required(creds, 'passkey'), timestamp),
        Timestamp: timestamp,
        TransactionType: buyGoods ? 'CustomerBuyGoodsOnline' : 'CustomerPayBillOnline',
        Amount: amount,
        PartyA: phone,
        PartyB: buyGoods ? required(creds, 'tillNumber') : shortCode,
        PhoneNumber: phone,
        CallBackURL: req.callbackUrl,
        AccountReference: req.accountReference.slice(0, 12),
        TransactionDesc: (req.description || 'Payment').slice(0, 13),
      });
      if (status !== 200 || body.ResponseCode !== '0' || typeof body.CheckoutRequestID !== 'string')
        throw new UnavailableError(`M-PESA did not send the request: ${String(body.errorMessage ?? body.ResponseDescription ?? status)}`);
      return { gatewayRef: body.CheckoutRequestID, message: String(body.CustomerMessage ?? 'Check your phone and enter your M-PESA PIN'), raw: body };
    },

    async query(creds, gatewayRef): Promise<GatewayOutcome> {
      const shortCode = required(creds, 'shortCode');
      const timestamp = darajaTimestamp(now());
      const { status, body } = await authorized(creds, '/mpesa/stkpushquery/v1/query', {
        BusinessShortCode: shortCode,
        Password: stkPassword(shortCode, required(creds, 'passkey'), timestamp),
        Timestamp: timestamp,
        CheckoutRequestID: gatewayRef,
      });
      if (body.errorCode === stillProcessing.errorCode) return { kind: 'pending', gatewayRef };
      if (status !== 200 || body.ResultCode === undefined) throw new UnavailableError(`M-PESA could not say what became of ${gatewayRef}: ${String(body.errorMessage ?? status)}`);
      return stkOutcome(gatewayRef, Number(body.ResultCode), String(body.ResultDesc ?? ''), 'query');
    },

    parseCallback(creds, req: CallbackRequest): GatewayOutcome {
      const secret = creds.callbackSecret;
      if (!secret || !req.pathSecret || !safeEqual(req.pathSecret, secret)) throw new CallbackRejected('bad_secret', 'The callback path does not carry this account’s secret', 403);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.rawBody.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new CallbackRejected('malformed', 'The callback body is not JSON');
      }
      if (req.endpoint === 'stk') {
        const cb = (body.Body as { stkCallback?: Record<string, unknown> } | undefined)?.stkCallback;
        if (!cb || typeof cb.CheckoutRequestID !== 'string' || cb.ResultCode === undefined) throw new CallbackRejected('malformed', 'Not an STK callback');
        const list = (cb.CallbackMetadata as { Item?: { Name: string; Value?: unknown }[] } | undefined)?.Item ?? [];
        const items = new Map(Array.isArray(list) ? list.filter((i) => i && typeof i.Name === 'string').map((i) => [i.Name, i.Value] as const) : []);
        return stkOutcome(cb.CheckoutRequestID, Number(cb.ResultCode), String(cb.ResultDesc ?? ''), items);
      }
      if (req.endpoint === 'c2b-validation' || req.endpoint === 'c2b-confirmation') {
        const shortCode = creds.c2bShortCode || creds.tillNumber || creds.shortCode;
        if (body.BusinessShortCode !== undefined && shortCode && String(body.BusinessShortCode) !== shortCode)
          throw new CallbackRejected('mismatch', `A C2B payment to short code ${String(body.BusinessShortCode)}, not this account's ${shortCode}`);
        const payment = c2bPayment(body);
        return req.endpoint === 'c2b-validation' ? { kind: 'validate', payment } : { kind: 'paid', payment };
      }
      throw new CallbackRejected('malformed', `M-PESA has no callback called ${req.endpoint}`, 404);
    },

    answer(outcome, accepted): CallbackAnswer {
      if (outcome instanceof CallbackRejected) return { status: outcome.status, body: { ResultCode: c2bRejections.other, ResultDesc: 'Rejected' } };
      if (!accepted && outcome.kind === 'validate') return { status: 200, body: { ResultCode: c2bRejections.invalidAccount, ResultDesc: 'Rejected' } };
      return { status: 200, body: { ResultCode: 0, ResultDesc: 'Accepted' } };
    },
  };
}

export const mpesaAdapter = createMpesaAdapter();
