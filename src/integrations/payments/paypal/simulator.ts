/**
 * A PayPal simulator: OAuth2 client credentials (/v1/oauth2/token), Orders v2 (create, get,
 * capture), capture refunds, and webhooks with PayPal's transmission headers, signed with an RSA
 * key over `transmission_id|transmission_time|webhook_id|crc32(body)` and checked by
 * /v1/notifications/verify-webhook-signature the way PayPal checks them. Errors come as PayPal
 * sends them: `{ name, message, details: [{ issue, description }], debug_id }`.
 *
 * The payer's side (approving on PayPal, a pending capture settling, a dispute, an order expiring)
 * is driven by methods on the returned object.
 */
import { createSign, createVerify, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

type Amount = { currency_code: string; value: string };
type Funding = 'COMPLETED' | 'PENDING' | 'DECLINED';

export interface SimCapture {
  id: string;
  status: 'COMPLETED' | 'PENDING' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';
  amount: Amount;
  custom_id?: string;
  final_capture: true;
  create_time: string;
  update_time: string;
  supplementary_data: { related_ids: { order_id: string } };
  refunded: bigint;
}

export interface SimOrder {
  id: string;
  intent: 'CAPTURE';
  status: 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
  purchase_units: { reference_id?: string; custom_id?: string; description?: string; amount: Amount; payments?: { captures: SimCapture[] } }[];
  payer?: { email_address: string; name: { given_name: string; surname: string }; payer_id: string };
  create_time: string;
  funding?: Funding;
  expired?: boolean;
}

export interface SimWebhookEvent {
  id: string;
  event_version: '1.0';
  create_time: string;
  resource_type: string;
  resource_version: '2.0';
  event_type: string;
  summary: string;
  resource: Record<string, unknown>;
}

export interface PayPalSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  webhookId?: string;
  webhookUrl?: string;
  /** Seconds a token lives (PayPal: 32400). */
  tokenTtl?: number;
  now?: () => number;
}

export interface PayPalSimulator {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookId: string;
  webhookUrl: string | undefined;
  readonly orders: Map<string, SimOrder>;
  readonly events: SimWebhookEvent[];
  readonly requests: { method: string; path: string; requestId?: string; body: unknown; replayed: boolean }[];
  readonly faults: { dropWebhooks: boolean };
  /** How many tokens were issued. */
  tokensIssued(): number;
  revokeTokens(): void;
  approve(orderId: string, options?: { funding?: Funding; email?: string }): void;
  /** A pending capture settles: PAYMENT.CAPTURE.COMPLETED or PAYMENT.CAPTURE.DENIED. */
  settle(captureId: string, result: 'COMPLETED' | 'DENIED'): Promise<SimWebhookEvent>;
  dispute(captureId: string): Promise<SimWebhookEvent>;
  expire(orderId: string): void;
  /** The request PayPal would send for an event; `webhookId` signs for another webhook (a forgery test). */
  signed(event: SimWebhookEvent, options?: { webhookId?: string; tamper?: boolean }): { headers: Record<string, string>; rawBody: Buffer };
  deliver(event: SimWebhookEvent, options?: { webhookId?: string }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

class PayPalHttpError extends Error {
  constructor(
    readonly status: number,
    override readonly name: string,
    readonly issue: string,
    description: string,
  ) {
    super(description);
  }
}

function unprocessable(issue: string, description: string): PayPalHttpError {
  return new PayPalHttpError(422, 'UNPROCESSABLE_ENTITY', issue, description);
}

const noDecimals = new Set(['HUF', 'JPY', 'TWD']);
const threeDecimals = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

function checkAmount(amount: unknown, field: string): Amount {
  const a = amount as Partial<Amount> | undefined;
  if (!a || typeof a.currency_code !== 'string' || typeof a.value !== 'string') {
    throw new PayPalHttpError(400, 'INVALID_REQUEST', 'MISSING_REQUIRED_PARAMETER', `${field} is required`);
  }
  const digits = noDecimals.has(a.currency_code) ? 0 : threeDecimals.has(a.currency_code) ? 3 : 2;
  const m = /^\d{1,10}(?:\.(\d+))?$/.exec(a.value);
  if (!m) throw new PayPalHttpError(400, 'INVALID_REQUEST', 'INVALID_PARAMETER_SYNTAX', `${field}.value must be a decimal string`);
  if ((m[1]?.length ?? 0) > digits) throw unprocessable('DECIMAL_PRECISION', `${a.currency_code} takes at most ${digits} decimals`);
  return { currency_code: a.currency_code, value: a.value };
}

/** Decimal string → integer count of the currency's PayPal units, for arithmetic. */
function units(a: Amount): bigint {
  const digits = noDecimals.has(a.currency_code) ? 0 : threeDecimals.has(a.currency_code) ? 3 : 2;
  const [whole = '0', fraction = ''] = a.value.split('.');
  return BigInt(whole + fraction.padEnd(digits, '0'));
}

function amountOf(currency: string, value: bigint): Amount {
  const digits = noDecimals.has(currency) ? 0 : threeDecimals.has(currency) ? 3 : 2;
  const s = value.toString().padStart(digits + 1, '0');
  return { currency_code: currency, value: digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s };
}

function id(length = 17): string {
  return randomBytes(length).toString('hex').toUpperCase().slice(0, length);
}

export async function startPayPalSimulator(options: PayPalSimulatorOptions = {}): Promise<PayPalSimulator> {
  const now = options.now ?? (() => Date.now());
  const iso = () => new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const clientId = options.clientId ?? 'AYsim-client';
  const clientSecret = options.clientSecret ?? 'EKsim-secret';
  const webhookId = options.webhookId ?? `WH-${id(17)}`;
  const tokenTtl = options.tokenTtl ?? 32400;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const tokens = new Map<string, number>();
  let issued = 0;
  const orders = new Map<string, SimOrder>();
  const captures = new Map<string, SimCapture>();
  const replies = new Map<string, { status: number; body: string }>();
  const events: SimWebhookEvent[] = [];
  const requests: PayPalSimulator['requests'] = [];
  const faults = { dropWebhooks: false };
  const sim = {} as PayPalSimulator;
  let url = '';

  const publicCapture = ({ refunded: _r, ...c }: SimCapture) => c;
  function publicOrder(order: SimOrder) {
    const { funding: _f, expired: _e, ...rest } = order;
    const links = [
      { href: `${url}/v2/checkout/orders/${order.id}`, rel: 'self', method: 'GET' },
      ...(order.status === 'CREATED' ? [{ href: `${url}/checkoutnow?token=${order.id}`, rel: 'approve', method: 'GET' }] : []),
      ...(order.status === 'PAYER_ACTION_REQUIRED' ? [{ href: `${url}/checkoutnow?token=${order.id}`, rel: 'payer-action', method: 'GET' }] : []),
      ...(order.status === 'APPROVED' ? [{ href: `${url}/v2/checkout/orders/${order.id}/capture`, rel: 'capture', method: 'POST' }] : []),
    ];
    return {
      ...rest,
      purchase_units: rest.purchase_units.map((u) => ({ ...u, ...(u.payments ? { payments: { captures: u.payments.captures.map(publicCapture) } } : {}) })),
      links,
    };
  }

  function emit(eventType: string, resourceType: string, resource: Record<string, unknown>, summary: string): SimWebhookEvent {
    const event: SimWebhookEvent = {
      id: `WH-${id(8)}-${id(17)}`,
      event_version: '1.0',
      create_time: iso(),
      resource_type: resourceType,
      resource_version: '2.0',
      event_type: eventType,
      summary,
      resource: structuredClone(resource),
    };
    events.push(event);
    return event;
  }

  function signed(event: SimWebhookEvent, opts: { webhookId?: string; tamper?: boolean } = {}) {
    const rawBody = Buffer.from(JSON.stringify(event));
    const transmissionId = randomUUID();
    const time = iso();
    const message = `${transmissionId}|${time}|${opts.webhookId ?? webhookId}|${crc32(rawBody)}`;
    const sig = createSign('RSA-SHA256').update(message).sign(privateKey, 'base64');
    const body = opts.tamper ? Buffer.from(JSON.stringify({ ...event, summary: `${event.summary}!` })) : rawBody;
    return {
      headers: {
        'content-type': 'application/json',
        'paypal-transmission-id': transmissionId,
        'paypal-transmission-time': time,
        'paypal-transmission-sig': sig,
        'paypal-cert-url': `${url}/v1/notifications/certs/CERT-360caa42-fca2a594-sim`,
        'paypal-auth-algo': 'SHA256withRSA',
        'user-agent': 'PayPal/AUHD-214.0-58529390',
      },
      rawBody: body,
    };
  }

  async function deliver(event: SimWebhookEvent, opts?: { webhookId?: string }) {
    if (!sim.webhookUrl) throw new Error('The PayPal simulator has no webhookUrl');
    const { headers, rawBody } = signed(event, opts);
    const res = await fetch(sim.webhookUrl, { method: 'POST', headers, body: rawBody });
    return { status: res.status, body: await res.text() };
  }

  async function publish(event: SimWebhookEvent): Promise<SimWebhookEvent> {
    if (sim.webhookUrl && !faults.dropWebhooks) await deliver(event).catch(() => undefined);
    return event;
  }

  function order(orderId: string): SimOrder {
    const found = orders.get(orderId);
    if (!found || found.expired) throw new PayPalHttpError(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'Specified resource ID does not exist. Please check the resource ID and try again.');
    return found;
  }

  function createOrder(body: Record<string, unknown>) {
    if (body.intent !== 'CAPTURE' && body.intent !== 'AUTHORIZE') throw new PayPalHttpError(400, 'INVALID_REQUEST', 'INVALID_PARAMETER_VALUE', 'intent must be CAPTURE or AUTHORIZE');
    const purchaseUnits = body.purchase_units as { reference_id?: string; custom_id?: string; description?: string; amount?: unknown }[] | undefined;
    if (!Array.isArray(purchaseUnits) || purchaseUnits.length !== 1) throw new PayPalHttpError(400, 'INVALID_REQUEST', 'MISSING_REQUIRED_PARAMETER', 'purchase_units needs one unit');
    const unit = purchaseUnits[0]!;
    const amount = checkAmount(unit.amount, 'purchase_units[0].amount');
    if (units(amount) === 0n) throw unprocessable('CANNOT_BE_ZERO_OR_NEGATIVE', 'Amount must be positive');
    const source = body.payment_source as { paypal?: { experience_context?: unknown } } | undefined;
    const created: SimOrder = {
      id: id(17),
      intent: 'CAPTURE',
      status: source?.paypal?.experience_context ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      purchase_units: [{ reference_id: unit.reference_id, custom_id: unit.custom_id, description: unit.description, amount }],
      create_time: iso(),
    };
    orders.set(created.id, created);
    return { status: 201, body: publicOrder(created) };
  }

  function captureOrder(orderId: string) {
    const o = order(orderId);
    if (o.status === 'COMPLETED') throw unprocessable('ORDER_ALREADY_CAPTURED', 'Order already captured.If \'intent=CAPTURE\' only one capture per order is allowed.');
    if (o.status !== 'APPROVED') throw unprocessable('ORDER_NOT_APPROVED', 'Payer has not yet approved the Order for payment.');
    if (o.funding === 'DECLINED') throw unprocessable('INSTRUMENT_DECLINED', 'The instrument presented was either declined by the processor or bank, or it can\'t be used for this payment.');
    const unit = o.purchase_units[0]!;
    const capture: SimCapture = {
      id: id(17),
      status: o.funding === 'PENDING' ? 'PENDING' : 'COMPLETED',
      amount: unit.amount,
      custom_id: unit.custom_id,
      final_capture: true,
      create_time: iso(),
      update_time: iso(),
      supplementary_data: { related_ids: { order_id: o.id } },
      refunded: 0n,
    };
    captures.set(capture.id, capture);
    unit.payments = { captures: [capture] };
    o.status = 'COMPLETED';
    const type = capture.status === 'COMPLETED' ? 'PAYMENT.CAPTURE.COMPLETED' : 'PAYMENT.CAPTURE.PENDING';
    return { status: 201, body: publicOrder(o), after: emit(type, 'capture', publicCapture(capture), `Payment ${capture.status.toLowerCase()} for ${capture.amount.value} ${capture.amount.currency_code}`) };
  }

  function refundCapture(captureId: string, body: Record<string, unknown>) {
    const capture = captures.get(captureId);
    if (!capture) throw new PayPalHttpError(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'Specified resource ID does not exist.');
    if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') throw unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded');
    const total = units(capture.amount);
    const amount = body.amount ? checkAmount(body.amount, 'amount') : amountOf(capture.amount.currency_code, total - capture.refunded);
    if (amount.currency_code !== capture.amount.currency_code) throw unprocessable('REFUND_CURRENCY_MISMATCH', 'Refund must be in the currency of the capture');
    if (units(amount) + capture.refunded > total) throw unprocessable('REFUND_AMOUNT_EXCEEDED', 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.');
    capture.refunded += units(amount);
    capture.status = capture.refunded === total ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    const refund = {
      id: id(17),
      status: 'COMPLETED',
      amount,
      note_to_payer: body.note_to_payer,
      create_time: iso(),
      links: [
        { href: `${url}/v2/payments/refunds/${'x'}`, rel: 'self', method: 'GET' },
        { href: `${url}/v2/payments/captures/${capture.id}`, rel: 'up', method: 'GET' },
      ],
    };
    refund.links[0]!.href = `${url}/v2/payments/refunds/${refund.id}`;
    return { status: 201, body: refund, after: emit('PAYMENT.CAPTURE.REFUNDED', 'refund', refund, `A ${amount.value} ${amount.currency_code} capture payment was refunded`) };
  }

  function verifySignature(body: Record<string, unknown>) {
    const event = body.webhook_event;
    const fields = ['auth_algo', 'cert_url', 'transmission_id', 'transmission_sig', 'transmission_time', 'webhook_id'] as const;
    for (const f of fields) if (typeof body[f] !== 'string') throw new PayPalHttpError(400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_PARAMETER', `${f} is required`);
    if (typeof event !== 'object' || event === null) throw new PayPalHttpError(400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_PARAMETER', 'webhook_event is required');
    const certOk = (body.cert_url as string).startsWith(`${url}/v1/notifications/certs/`);
    const algoOk = body.auth_algo === 'SHA256withRSA';
    const message = `${body.transmission_id}|${body.transmission_time}|${body.webhook_id}|${crc32(Buffer.from(JSON.stringify(event)))}`;
    let sigOk = false;
    try {
      sigOk = createVerify('RSA-SHA256').update(message).verify(publicKey, body.transmission_sig as string, 'base64');
    } catch {
      sigOk = false;
    }
    const ok = certOk && algoOk && sigOk && body.webhook_id === webhookId;
    return { status: 200, body: { verification_status: ok ? 'SUCCESS' : 'FAILURE' } };
  }

  function route(method: string, path: string, body: Record<string, unknown>): { status: number; body: unknown; after?: SimWebhookEvent } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v2/checkout/orders') return createOrder(body);
    if (method === 'GET' && (m = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(path))) return { status: 200, body: publicOrder(order(m[1]!)) };
    if (method === 'POST' && (m = /^\/v2\/checkout\/orders\/([^/]+)\/capture$/.exec(path))) return captureOrder(m[1]!);
    if (method === 'POST' && (m = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path))) return refundCapture(m[1]!, body);
    if (method === 'POST' && path === '/v1/notifications/verify-webhook-signature') return verifySignature(body);
    throw new PayPalHttpError(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', `No route ${method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'paypal-debug-id': id(13).toLowerCase() });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const path = new URL(req.url ?? '/', 'http://paypal.local').pathname;
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && path.startsWith('/v1/notifications/certs/')) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(certPem);
        return;
      }
      const auth = req.headers.authorization ?? '';
      if (path === '/v1/oauth2/token') {
        requests.push({ method: req.method ?? '', path, body: raw, replayed: false });
        const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
        if (auth !== expected) return send(401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
        if (new URLSearchParams(raw).get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' });
        const token = `A21AA${randomBytes(24).toString('base64url')}`;
        tokens.set(token, now() + tokenTtl * 1000);
        issued += 1;
        return send(200, { scope: 'https://uri.paypal.com/services/payments/payment', access_token: token, token_type: 'Bearer', app_id: 'APP-80W284485P519543T', expires_in: tokenTtl, nonce: `${iso()}${id(8)}` });
      }
      let body: Record<string, unknown> = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return send(400, { name: 'INVALID_REQUEST', message: 'Request is not well-formed, syntactically incorrect, or violates schema.', details: [{ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }] });
      }
      const requestId = req.headers['paypal-request-id'] as string | undefined;
      const record = { method: req.method ?? '', path, requestId, body, replayed: false };
      requests.push(record);
      const token = auth.replace(/^Bearer /, '');
      const expiry = tokens.get(token);
      if (!auth.startsWith('Bearer ') || expiry === undefined || expiry <= now()) {
        return send(401, { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to invalid authentication credentials or a missing Authorization header.', details: [{ issue: 'INVALID_ACCOUNT_STATUS', description: 'Token is not valid' }] });
      }
      const replayKey = requestId && req.method === 'POST' ? `${path}\n${requestId}` : undefined;
      const previous = replayKey ? replies.get(replayKey) : undefined;
      if (previous) {
        record.replayed = true;
        return send(previous.status, previous.body);
      }
      let result: { status: number; body: unknown; after?: SimWebhookEvent };
      try {
        result = route(req.method ?? 'GET', path, body);
      } catch (err) {
        if (!(err instanceof PayPalHttpError)) throw err;
        result = { status: err.status, body: { name: err.name, message: err.message, details: [{ issue: err.issue, description: err.message }], debug_id: id(13).toLowerCase() } };
      }
      const text = JSON.stringify(result.body);
      if (replayKey && result.status < 300) replies.set(replayKey, { status: result.status, body: text });
      send(result.status, text);
      if (result.after) void publish(result.after);
    });
  });
  // Idle keep-alive sockets stay open longer than a client keeps them, so a client never reuses
  // one the simulator is closing at that moment (a reset under load, after a long synchronous step).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  Object.assign(sim, {
    url,
    clientId,
    clientSecret,
    webhookId,
    webhookUrl: options.webhookUrl,
    orders,
    events,
    requests,
    faults,
    signed,
    deliver,
    tokensIssued: () => issued,
    revokeTokens: () => tokens.clear(),
    approve(orderId: string, opts: { funding?: Funding; email?: string } = {}) {
      const o = order(orderId);
      if (o.status !== 'CREATED' && o.status !== 'PAYER_ACTION_REQUIRED') throw new Error(`Order ${orderId} is ${o.status}`);
      o.status = 'APPROVED';
      o.funding = opts.funding ?? 'COMPLETED';
      o.payer = { email_address: opts.email ?? 'payer@example.com', name: { given_name: 'Rahim', surname: 'Uddin' }, payer_id: id(13) };
    },
    async settle(captureId: string, result: 'COMPLETED' | 'DENIED') {
      const capture = captures.get(captureId);
      if (!capture || capture.status !== 'PENDING') throw new Error(`Capture ${captureId} is not pending`);
      capture.status = result === 'COMPLETED' ? 'COMPLETED' : 'DECLINED';
      capture.update_time = iso();
      return publish(emit(`PAYMENT.CAPTURE.${result}`, 'capture', publicCapture(capture), `Payment ${result.toLowerCase()}`));
    },
    async dispute(captureId: string) {
      const capture = captures.get(captureId);
      if (!capture) throw new Error(`No capture ${captureId}`);
      const resource = {
        dispute_id: `PP-D-${id(5)}`,
        create_time: iso(),
        reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
        status: 'OPEN',
        dispute_amount: amountOf(capture.amount.currency_code, units(capture.amount) - capture.refunded),
        dispute_life_cycle_stage: 'CHARGEBACK',
        disputed_transactions: [{ seller_transaction_id: capture.id }],
      };
      return publish(emit('CUSTOMER.DISPUTE.CREATED', 'dispute', resource, 'A new dispute opened'));
    },
    expire(orderId: string) {
      order(orderId).expired = true;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
  return sim;
}
