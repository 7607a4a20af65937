/**
 * The shape every bank adapter shares, so adding a bank is one file (see family-bank.ts): a JSON
 * API with an API key, a payment request (a push to the payer's phone or a direct-debit charge on
 * a mandate), a status query, and notifications (IPN) signed with HMAC-SHA256 over the raw body in
 * an `X-Signature` header, optionally with a timestamp that is part of the MAC and must be recent.
 *
 * The generic part does the HTTP, the API key, the signature check (constant time, every secret
 * configured during a rotation), the timestamp window, exact decimal amounts and error messages.
 * A bank's profile says only what is particular to it: paths, field names and status words.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Money, formatMoney, parseMoney } from '../../../core/money.ts';
import { type Clock, systemClock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import {
  CallbackRejected,
  type CallbackAnswer,
  type CallbackRequest,
  type CheckoutRequest,
  type GatewayAdapter,
  type GatewayCredentials,
  type GatewayOutcome,
} from '../contract.ts';

export type Json = Record<string, unknown>;

/** Tools a profile uses to read a bank's JSON without floats or guesswork. */
export const read = {
  text(body: Json, key: string): string | undefined {
    const v = body[key];
    return typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
  },
  /** A decimal string ("1500.00") in the currency, exactly. A JSON number is refused: it may already be rounded. */
  amount(body: Json, key: string, currency: string): Money {
    const v = body[key];
    if (typeof v !== 'string') throw new BankFormatError(`${key} must be a decimal string`);
    try {
      return parseMoney(v, currency);
    } catch (err) {
      throw new BankFormatError(`${key}: ${(err as Error).message}`);
    }
  },
  date(body: Json, key: string, fallback: Date): Date {
    const v = body[key];
    const d = typeof v === 'string' ? new Date(v) : undefined;
    return d && !Number.isNaN(d.getTime()) ? d : fallback;
  },
};

export class BankFormatError extends Error {}

export interface BankSignature {
  /** Header carrying the MAC, lower case: 'x-signature'. */
  readonly header: string;
  readonly encoding: 'hex' | 'base64';
  /** Header with the sending time (seconds since the epoch or ISO 8601); the MAC then covers `${timestamp}.${body}`. */
  readonly timestampHeader?: string;
  /** Seconds a notification may be old (or ahead); 300 if not said. */
  readonly toleranceSeconds?: number;
}

export interface BankProfile {
  /** The kind is `bank:${id}`. */
  readonly id: string;
  readonly name: string;
  /** Credential fields beyond apiKey, notificationSecret, previousNotificationSecret and apiBase. */
  readonly fields: GatewayAdapter['fields'];
  readonly defaultApiBase: string;
  /** Headers that authenticate an API call (an API key, a Bearer token). */
  authHeaders(creds: GatewayCredentials): Record<string, string>;
  readonly signature: BankSignature;
  /** The payment request: where to POST and what. */
  paymentRequest(creds: GatewayCredentials, req: CheckoutRequest, amount: string): { readonly path: string; readonly body: Json };
  /** The bank's answer to it: its id for the attempt and what to tell the payer. */
  readPaymentResponse(body: Json): { readonly gatewayRef: string; readonly message: string; readonly redirectUrl?: string };
  statusPath(gatewayRef: string): string;
  /** A status answer or a notification, both read into an outcome. */
  readStatus(body: Json, gatewayRef: string, now: Date): GatewayOutcome;
  readNotification(body: Json, now: Date): GatewayOutcome;
  /** The body the bank wants back for a notification. */
  acknowledgement(accepted: boolean, reason?: string): unknown;
  /** A refund or reversal request, where the bank has one. */
  refundRequest?(creds: GatewayCredentials, input: { readonly transactionId: string; readonly amount: string; readonly reason: string; readonly refundKey: string }): { readonly path: string; readonly body: Json };
  readRefundResponse?(body: Json): { readonly refundId: string; readonly status: 'succeeded' | 'pending' };
}

function header(req: CallbackRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function timestampMs(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : new Date(value).getTime();
}

export function signBankNotification(secret: string, rawBody: Buffer, signature: BankSignature, timestamp?: string): string {
  const mac = createHmac('sha256', secret);
  if (signature.timestampHeader) mac.update(`${timestamp ?? ''}.`);
  return mac.update(rawBody).digest(signature.encoding);
}

export function createBankAdapter(profile: BankProfile, options: { readonly clock?: Clock; readonly fetch?: typeof fetch } = {}): GatewayAdapter {
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? fetch;

  async function call(creds: GatewayCredentials, method: 'GET' | 'POST', path: string, doing: string, body?: Json, idempotencyKey?: string): Promise<Json> {
    if (!creds.apiKey) throw new AppError(422, 'gateway-misconfigured', `${profile.name}: the API key is not set for this organization`);
    const headers: Record<string, string> = { accept: 'application/json', ...profile.authHeaders(creds) };
    if (body) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const url = `${(creds.apiBase || profile.defaultApiBase).replace(/\/$/, '')}${path}`;
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(20_000) });
    } catch {
      throw new AppError(503, 'gateway-unavailable', `${profile.name} could not be reached while ${doing}; try again shortly`);
    }
    let parsed: Json;
    try {
      parsed = (await res.json()) as Json;
    } catch {
      throw new AppError(502, 'gateway-error', `${profile.name} answered ${doing} with something that is not JSON (HTTP ${res.status})`);
    }
    if (res.status === 401 || res.status === 403) throw new AppError(502, 'gateway-auth', `${profile.name} refused the organization's API key while ${doing}`);
    if (!res.ok) {
      const message = read.text(parsed, 'message') ?? read.text(parsed, 'error') ?? `HTTP ${res.status}`;
      const code = read.text(parsed, 'code');
      throw new AppError(502, 'gateway-error', `${profile.name} refused ${doing}: ${message}${code ? ` (${code})` : ''}`);
    }
    return parsed;
  }

  function readOrFail<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof BankFormatError) throw new AppError(502, 'gateway-error', `${profile.name}'s answer to ${doing} could not be read: ${err.message}`);
      throw err;
    }
  }

  function verify(creds: GatewayCredentials, req: CallbackRequest): void {
    const secrets = [creds.notificationSecret, creds.previousNotificationSecret].filter((s): s is string => !!s);
    if (secrets.length === 0) throw new CallbackRejected('bad_signature', `${profile.name}: no notification secret is configured`, 503);
    const given = header(req, profile.signature.header);
    if (!given) throw new CallbackRejected('bad_signature', `Missing ${profile.signature.header} header`);
    let timestamp: string | undefined;
    if (profile.signature.timestampHeader) {
      timestamp = header(req, profile.signature.timestampHeader);
      if (!timestamp) throw new CallbackRejected('bad_signature', `Missing ${profile.signature.timestampHeader} header`);
    }
    const givenBytes = Buffer.from(given.trim(), profile.signature.encoding);
    const matches = secrets.some((secret) => {
      const expected = Buffer.from(signBankNotification(secret, req.rawBody, profile.signature, timestamp), profile.signature.encoding);
      return expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes);
    });
    if (!matches) throw new CallbackRejected('bad_signature', `${profile.signature.header} does not match the notification`);
    if (timestamp !== undefined) {
      const age = Math.abs(clock.now().getTime() - timestampMs(timestamp));
      if (!(age <= (profile.signature.toleranceSeconds ?? 300) * 1000)) throw new CallbackRejected('stale_timestamp', `${profile.signature.timestampHeader} is outside the allowed window`);
    }
  }

  return {
    kind: `bank:${profile.id}`,
    fields: [
      { key: 'apiKey', label: 'API key', secret: true, required: true },
      { key: 'notificationSecret', label: 'Notification (IPN) signing secret', secret: true, required: true },
      { key: 'previousNotificationSecret', label: 'Previous notification secret, while rotating it', secret: true, required: false },
      ...profile.fields,
      { key: 'apiBase', label: `API base URL (empty for ${profile.defaultApiBase})`, secret: false, required: false },
    ],

    async startCheckout(creds, req) {
      if (req.amount.minor <= 0n) throw new AppError(422, 'gateway-amount', 'Amount must be positive');
      const { path, body } = profile.paymentRequest(creds, req, formatMoney(req.amount));
      const answer = await call(creds, 'POST', path, 'the payment request', body, req.intentId);
      const started = readOrFail('the payment request', () => profile.readPaymentResponse(answer));
      return { ...started, raw: answer };
    },

    async query(creds, gatewayRef) {
      const answer = await call(creds, 'GET', profile.statusPath(gatewayRef), 'the status query');
      return readOrFail('the status query', () => profile.readStatus(answer, gatewayRef, clock.now()));
    },

    parseCallback(creds, req) {
      verify(creds, req);
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        throw new CallbackRejected('malformed', `${profile.name} notification is not JSON`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CallbackRejected('malformed', `${profile.name} notification is not a JSON object`);
      try {
        return profile.readNotification(body as Json, clock.now());
      } catch (err) {
        if (err instanceof BankFormatError) throw new CallbackRejected('malformed', err.message);
        throw err;
      }
    },

    answer(outcome, accepted): CallbackAnswer {
      if (outcome instanceof CallbackRejected) return { status: outcome.status, body: profile.acknowledgement(false, outcome.reason) };
      return { status: 200, body: profile.acknowledgement(accepted) };
    },

    ...(profile.refundRequest && profile.readRefundResponse
      ? {
          async refund(creds: GatewayCredentials, input: { readonly transactionId: string; readonly amount: Money; readonly reason: string; readonly refundKey: string }) {
            const { path, body } = profile.refundRequest!(creds, { ...input, amount: formatMoney(input.amount) });
            const answer = await call(creds, 'POST', path, 'the refund', body, input.refundKey);
            return readOrFail('the refund', () => profile.readRefundResponse!(answer));
          },
        }
      : {}),
  };
}
