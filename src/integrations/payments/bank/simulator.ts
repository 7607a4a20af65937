/**
 * A simulator of the Family Bank collections API as family-bank.ts models it: request to pay
 * (deduplicated on the Idempotency-Key / requestId), status query, reversals, and IPNs signed with
 * HMAC-SHA256 over `${X-Timestamp}.${body}` in X-Signature, POSTed to the request's callbackUrl or
 * the paybill's notification URL. The payer's side is driven by methods on the returned object.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { familyBank } from './family-bank.ts';
import { signBankNotification } from './bank-api.ts';

export interface SimBankRequest {
  paymentRequestId: string;
  requestId: string;
  amount: string;
  currency: string;
  accountReference: string;
  msisdn?: string;
  callbackUrl: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  transactionReference?: string;
  payerName?: string;
  transactionTime?: string;
  failureReason?: string;
}

interface SimTransaction {
  transactionReference: string;
  amount: bigint;
  reversed: bigint;
  currency: string;
}

export interface BankSimulator {
  readonly url: string;
  readonly apiKey: string;
  readonly merchantCode: string;
  notificationSecret: string;
  /** Where paybill payments nobody requested (C2B) are notified. */
  notificationUrl: string | undefined;
  readonly requests: Map<string, SimBankRequest>;
  readonly received: { method: string; path: string; idempotencyKey?: string; body: unknown }[];
  readonly notifications: { url: string; body: Record<string, unknown> }[];
  readonly faults: { dropNotifications: boolean };
  /** The payer approves (or declines) the prompt on their phone; the IPN goes out. */
  respond(paymentRequestId: string, answer?: 'COMPLETED' | 'FAILED' | 'CANCELLED'): Promise<Record<string, unknown>>;
  /** A payment into the paybill with an account reference, not started by us. */
  paybill(input: { accountReference: string; amount: string; currency?: string; msisdn?: string; payerName?: string }): Promise<Record<string, unknown>>;
  /** The bank reverses a payment on its own (a disputed debit). */
  reverse(transactionReference: string, amount: string): Promise<Record<string, unknown>>;
  /** The signed request the bank would send; `secret` and `timestamp` for forgery and staleness tests. */
  signed(body: Record<string, unknown>, options?: { secret?: string; timestamp?: number }): { headers: Record<string, string>; rawBody: Buffer };
  deliver(url: string, body: Record<string, unknown>, options?: { secret?: string; timestamp?: number }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

function units(value: string): bigint {
  const [whole = '0', fraction = ''] = value.split('.');
  return BigInt(whole + fraction.padEnd(2, '0'));
}

function decimal(value: bigint): string {
  const s = value.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

export async function startBankSimulator(options: { apiKey?: string; merchantCode?: string; notificationSecret?: string; now?: () => number } = {}): Promise<BankSimulator> {
  const now = options.now ?? (() => Date.now());
  const apiKey = options.apiKey ?? 'fb_test_key';
  const merchantCode = options.merchantCode ?? '222111';
  const requests = new Map<string, SimBankRequest>();
  const byRequestId = new Map<string, string>();
  const transactions = new Map<string, SimTransaction>();
  const reversals = new Map<string, { reversalReference: string; status: string }>();
  const received: BankSimulator['received'] = [];
  const notifications: BankSimulator['notifications'] = [];
  const faults = { dropNotifications: false };
  let counter = 0;
  const sim = {} as BankSimulator;

  const reference = () => `FB${String(++counter).padStart(6, '0')}${randomBytes(2).toString('hex').toUpperCase()}`;

  function signed(body: Record<string, unknown>, opts: { secret?: string; timestamp?: number } = {}) {
    const rawBody = Buffer.from(JSON.stringify(body));
    const timestamp = String(opts.timestamp ?? Math.floor(now() / 1000));
    const signature = signBankNotification(opts.secret ?? sim.notificationSecret, rawBody, familyBank.signature, timestamp);
    return { headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-timestamp': timestamp }, rawBody };
  }

  async function deliver(url: string, body: Record<string, unknown>, opts?: { secret?: string; timestamp?: number }) {
    const { headers, rawBody } = signed(body, opts);
    const res = await fetch(url, { method: 'POST', headers, body: rawBody });
    return { status: res.status, body: await res.text() };
  }

  async function notify(url: string | undefined, body: Record<string, unknown>) {
    if (url) {
      notifications.push({ url, body });
      if (!faults.dropNotifications) await deliver(url, body).catch(() => undefined);
    }
    return body;
  }

  function fail(status: number, code: string, message: string) {
    return { status, body: { code, message } };
  }

  function route(method: string, path: string, body: Record<string, unknown>, key: string | undefined): { status: number; body: unknown; after?: () => Promise<unknown> } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/collections/requests') {
      const requestId = typeof body.requestId === 'string' ? body.requestId : key;
      if (!requestId) return fail(400, 'MISSING_REQUEST_ID', 'requestId is required');
      const existing = byRequestId.get(requestId);
      if (existing) return { status: 200, body: { paymentRequestId: existing, status: requests.get(existing)!.status, message: 'Duplicate request: the first one stands' } };
      if (typeof body.amount !== 'string' || !/^\d+\.\d{2}$/.test(body.amount) || units(body.amount) === 0n) return fail(400, 'INVALID_AMOUNT', 'amount must be a positive decimal string with 2 places');
      if (typeof body.accountReference !== 'string' || !body.accountReference) return fail(400, 'INVALID_REFERENCE', 'accountReference is required');
      if (typeof body.callbackUrl !== 'string') return fail(400, 'INVALID_CALLBACK', 'callbackUrl is required');
      if (typeof body.msisdn !== 'string' || !/^254\d{9}$/.test(body.msisdn)) return fail(400, 'INVALID_MSISDN', 'msisdn must be 254XXXXXXXXX');
      const created: SimBankRequest = {
        paymentRequestId: `PR${randomBytes(6).toString('hex').toUpperCase()}`,
        requestId,
        amount: body.amount,
        currency: typeof body.currency === 'string' ? body.currency : 'KES',
        accountReference: body.accountReference,
        msisdn: body.msisdn,
        callbackUrl: body.callbackUrl,
        status: 'PENDING',
      };
      requests.set(created.paymentRequestId, created);
      byRequestId.set(requestId, created.paymentRequestId);
      return { status: 202, body: { paymentRequestId: created.paymentRequestId, status: 'PENDING', message: 'Approve the Family Bank prompt on your phone' } };
    }
    if (method === 'GET' && (m = /^\/v1\/collections\/requests\/([^/]+)$/.exec(path))) {
      const found = requests.get(decodeURIComponent(m[1]!));
      if (!found) return fail(404, 'NOT_FOUND', 'No such payment request');
      const { callbackUrl: _c, requestId: _r, ...visible } = found;
      return { status: 200, body: visible };
    }
    if (method === 'POST' && path === '/v1/collections/reversals') {
      const reversalId = typeof body.reversalId === 'string' ? body.reversalId : key;
      if (!reversalId) return fail(400, 'MISSING_REVERSAL_ID', 'reversalId is required');
      const previous = reversals.get(reversalId);
      if (previous) return { status: 200, body: previous };
      const trx = transactions.get(String(body.originalTransactionReference));
      if (!trx) return fail(404, 'NOT_FOUND', 'No such transaction');
      if (typeof body.amount !== 'string' || !/^\d+\.\d{2}$/.test(body.amount)) return fail(400, 'INVALID_AMOUNT', 'amount must be a decimal string with 2 places');
      const amount = units(body.amount);
      if (amount === 0n || trx.reversed + amount > trx.amount) return fail(422, 'AMOUNT_EXCEEDS_BALANCE', 'Reversal exceeds what is left of the transaction');
      trx.reversed += amount;
      const result = { reversalReference: reference(), status: 'COMPLETED' };
      reversals.set(reversalId, result);
      const request = [...requests.values()].find((r) => r.transactionReference === trx.transactionReference);
      const ipn = {
        notificationId: randomBytes(8).toString('hex'),
        eventType: 'REVERSAL',
        initiator: 'MERCHANT',
        transactionReference: result.reversalReference,
        originalTransactionReference: trx.transactionReference,
        status: 'COMPLETED',
        amount: body.amount,
        currency: trx.currency,
        transactionTime: new Date(now()).toISOString(),
      };
      return { status: 200, body: result, after: () => notify(request?.callbackUrl ?? sim.notificationUrl, ipn) };
    }
    return fail(404, 'NOT_FOUND', `No route ${method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://bank.local').pathname;
      const key = req.headers['idempotency-key'] as string | undefined;
      let body: Record<string, unknown> = {};
      let result: { status: number; body: unknown; after?: () => Promise<unknown> };
      try {
        const raw = Buffer.concat(chunks).toString('utf8');
        body = raw ? JSON.parse(raw) : {};
        received.push({ method: req.method ?? '', path, idempotencyKey: key, body });
        if (req.headers['x-api-key'] !== apiKey || req.headers['x-merchant-code'] !== merchantCode) result = fail(401, 'UNAUTHORIZED', 'Invalid API key');
        else result = route(req.method ?? 'GET', path, body, key);
      } catch {
        result = fail(400, 'MALFORMED', 'Body is not JSON');
      }
      res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
      if (result.after) void result.after();
    });
  });
  // Idle keep-alive sockets stay open longer than a client keeps them, so a client never reuses
  // one the simulator is closing at that moment (a reset under load, after a long synchronous step).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  Object.assign(sim, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    merchantCode,
    notificationSecret: options.notificationSecret ?? 'fb_ipn_secret',
    notificationUrl: undefined,
    requests,
    received,
    notifications,
    faults,
    signed,
    deliver,
    async respond(paymentRequestId: string, answer: 'COMPLETED' | 'FAILED' | 'CANCELLED' = 'COMPLETED') {
      const request = requests.get(paymentRequestId);
      if (!request || request.status !== 'PENDING') throw new Error(`Payment request ${paymentRequestId} is not pending`);
      request.status = answer;
      if (answer === 'COMPLETED') {
        request.transactionReference = reference();
        request.payerName = 'JANE WANJIKU';
        request.transactionTime = new Date(now()).toISOString();
        transactions.set(request.transactionReference, { transactionReference: request.transactionReference, amount: units(request.amount), reversed: 0n, currency: request.currency });
      } else {
        request.failureReason = answer === 'CANCELLED' ? 'The customer cancelled the prompt' : 'Insufficient funds';
      }
      return notify(request.callbackUrl, {
        notificationId: randomBytes(8).toString('hex'),
        eventType: 'PAYMENT',
        paymentRequestId,
        ...(request.transactionReference ? { transactionReference: request.transactionReference } : {}),
        status: answer === 'COMPLETED' ? 'COMPLETED' : 'FAILED',
        amount: request.amount,
        currency: request.currency,
        accountReference: request.accountReference,
        msisdn: request.msisdn,
        payerName: request.payerName,
        transactionTime: request.transactionTime ?? new Date(now()).toISOString(),
        ...(request.failureReason ? { failureReason: request.failureReason } : {}),
      });
    },
    async paybill(input: { accountReference: string; amount: string; currency?: string; msisdn?: string; payerName?: string }) {
      const transactionReference = reference();
      transactions.set(transactionReference, { transactionReference, amount: units(input.amount), reversed: 0n, currency: input.currency ?? 'KES' });
      return notify(sim.notificationUrl, {
        notificationId: randomBytes(8).toString('hex'),
        eventType: 'PAYMENT',
        transactionReference,
        status: 'COMPLETED',
        amount: input.amount,
        currency: input.currency ?? 'KES',
        accountReference: input.accountReference,
        msisdn: input.msisdn ?? '254700000001',
        payerName: input.payerName ?? 'JOHN OTIENO',
        transactionTime: new Date(now()).toISOString(),
      });
    },
    async reverse(transactionReference: string, amount: string) {
      const trx = transactions.get(transactionReference);
      if (!trx) throw new Error(`No transaction ${transactionReference}`);
      trx.reversed += units(amount);
      const request = [...requests.values()].find((r) => r.transactionReference === transactionReference);
      return notify(request?.callbackUrl ?? sim.notificationUrl, {
        notificationId: randomBytes(8).toString('hex'),
        eventType: 'REVERSAL',
        initiator: 'BANK',
        transactionReference: reference(),
        originalTransactionReference: transactionReference,
        status: 'COMPLETED',
        amount: decimal(units(amount)),
        currency: trx.currency,
        transactionTime: new Date(now()).toISOString(),
      });
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
  return sim;
}
