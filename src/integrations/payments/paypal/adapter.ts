/**
 * PayPal Orders v2: an OAuth2 client-credentials token (cached until shortly before it expires),
 * create an order (intent CAPTURE) and send the payer to its approve link, capture when the payer
 * is back — the capture id is the transaction that credits an account — get the order for
 * reconciliation, refund a capture, and webhooks checked by PayPal's own
 * verify-webhook-signature API. Creating an order and refunding carry a PayPal-Request-Id from our
 * ids, so a retried create or refund is the same operation at PayPal; an order has one capture.
 */
import { type Clock, systemClock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import {
  CallbackRejected,
  type CallbackAnswer,
  type CallbackRequest,
  type GatewayAdapter,
  type GatewayCredentials,
  type GatewayOutcome,
  type GatewayPayment,
} from '../contract.ts';
import { fromPayPalAmount, PayPalAmountError, toPayPalAmount } from './amounts.ts';

export const paypalLiveBase = 'https://api-m.paypal.com';

interface PayPalCapture {
  id: string;
  status: 'COMPLETED' | 'PENDING' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'FAILED';
  amount: { currency_code: string; value: string };
  custom_id?: string;
  create_time?: string;
  supplementary_data?: { related_ids?: { order_id?: string } };
  status_details?: { reason?: string };
}

interface PayPalOrder {
  id: string;
  status: 'CREATED' | 'SAVED' | 'APPROVED' | 'VOIDED' | 'COMPLETED' | 'PAYER_ACTION_REQUIRED';
  links?: { href: string; rel: string; method?: string }[];
  payer?: { email_address?: string; name?: { given_name?: string; surname?: string } };
  purchase_units?: { reference_id?: string; custom_id?: string; payments?: { captures?: PayPalCapture[] } }[];
}

interface PayPalProblem {
  name?: string;
  message?: string;
  details?: { issue?: string; description?: string }[];
  error?: string;
  error_description?: string;
}

class PayPalHttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: PayPalProblem,
  ) {
    const issue = problem.details?.[0]?.issue;
    super(problem.details?.[0]?.description ?? problem.message ?? problem.error_description ?? `HTTP ${status}`);
    this.issue = issue ?? problem.name ?? problem.error ?? 'ERROR';
  }
  readonly issue: string;
}

export function createPayPalAdapter(options: { readonly clock?: Clock; readonly fetch?: typeof fetch } = {}): GatewayAdapter & { readonly kind: 'paypal' } {
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? fetch;
  const tokens = new Map<string, { token: string; expiresAt: number }>();

  function base(creds: GatewayCredentials): string {
    return (creds.apiBase || paypalLiveBase).replace(/\/$/, '');
  }

  function tokenKey(creds: GatewayCredentials): string {
    return `${base(creds)}\n${creds.clientId}\n${creds.clientSecret}`;
  }

  async function request<T>(url: string, init: RequestInit, doing: string): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
    } catch {
      throw new AppError(503, 'gateway-unavailable', `PayPal could not be reached while ${doing}; try again shortly`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new AppError(502, 'gateway-error', `PayPal answered ${doing} with something that is not JSON (HTTP ${res.status})`);
    }
    if (!res.ok) throw new PayPalHttpError(res.status, body as PayPalProblem);
    return body as T;
  }

  async function accessToken(creds: GatewayCredentials): Promise<string> {
    if (!creds.clientId || !creds.clientSecret) throw new AppError(422, 'gateway-misconfigured', 'PayPal client id and secret are not set for this organization');
    const key = tokenKey(creds);
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > clock.now().getTime()) return cached.token;
    try {
      const body = await request<{ access_token: string; expires_in: number }>(
        `${base(creds)}/v1/oauth2/token`,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: 'grant_type=client_credentials',
        },
        'signing in',
      );
      // Renew a minute early so a token never expires between our check and PayPal's.
      tokens.set(key, { token: body.access_token, expiresAt: clock.now().getTime() + (body.expires_in - 60) * 1000 });
      return body.access_token;
    } catch (err) {
      if (err instanceof PayPalHttpError) throw new AppError(502, 'gateway-auth', `PayPal refused the organization's client id and secret (${err.issue})`);
      throw err;
    }
  }

  /** An API call with the cached token; a 401 (token revoked or expired early) gets one fresh token. */
  async function api<T>(creds: GatewayCredentials, method: string, path: string, doing: string, body?: unknown, requestId?: string): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await accessToken(creds);
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (requestId) headers['paypal-request-id'] = requestId;
      if (method === 'POST') headers.prefer = 'return=representation';
      try {
        return await request<T>(`${base(creds)}${path}`, { method, headers, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) }, doing);
      } catch (err) {
        if (err instanceof PayPalHttpError && err.status === 401 && attempt === 0) {
          tokens.delete(tokenKey(creds));
          continue;
        }
        throw err;
      }
    }
  }

  function failure(err: unknown, doing: string): Error {
    if (err instanceof PayPalAmountError) return new AppError(422, 'gateway-amount', err.message);
    if (err instanceof PayPalHttpError) return new AppError(502, 'gateway-error', `PayPal refused ${doing}: ${err.message} (${err.issue})`);
    return err instanceof Error ? err : new Error(String(err));
  }

  function paymentOf(capture: PayPalCapture, order?: PayPalOrder): GatewayPayment {
    const name = [order?.payer?.name?.given_name, order?.payer?.name?.surname].filter(Boolean).join(' ');
    const email = order?.payer?.email_address;
    return {
      transactionId: capture.id,
      gatewayRef: order?.id ?? capture.supplementary_data?.related_ids?.order_id,
      amount: fromPayPalAmount(capture.amount),
      accountReference: capture.custom_id ?? order?.purchase_units?.[0]?.custom_id,
      payer: email || name ? { email: email || undefined, name: name || undefined } : undefined,
      occurredAt: capture.create_time ? new Date(capture.create_time) : clock.now(),
    };
  }

  function outcomeOfCapture(capture: PayPalCapture, orderId: string, order?: PayPalOrder): GatewayOutcome {
    switch (capture.status) {
      case 'COMPLETED':
      case 'PARTIALLY_REFUNDED':
      case 'REFUNDED':
        return { kind: 'paid', payment: paymentOf(capture, order) };
      case 'PENDING':
        return { kind: 'pending', gatewayRef: orderId };
      default:
        return { kind: 'failed', gatewayRef: orderId, code: capture.status, message: `PayPal ${capture.status.toLowerCase()} the payment${capture.status_details?.reason ? `: ${capture.status_details.reason}` : ''}` };
    }
  }

  function outcomeOfOrder(order: PayPalOrder): GatewayOutcome | 'capture' {
    const capture = order.purchase_units?.[0]?.payments?.captures?.[0];
    if (capture) return outcomeOfCapture(capture, order.id, order);
    switch (order.status) {
      case 'APPROVED':
        return 'capture';
      case 'VOIDED':
        return { kind: 'failed', gatewayRef: order.id, code: 'VOIDED', message: 'The PayPal order was voided' };
      default:
        return { kind: 'pending', gatewayRef: order.id };
    }
  }

  async function capture(creds: GatewayCredentials, orderId: string): Promise<GatewayOutcome> {
    try {
      // No PayPal-Request-Id: a second capture (the return and reconciliation at once) is refused
      // with ORDER_ALREADY_CAPTURED and then read back, and a refusal is never replayed later.
      const order = await api<PayPalOrder>(creds, 'POST', `/v2/checkout/orders/${encodeURIComponent(orderId)}/capture`, 'capturing the payment', {});
      const outcome = outcomeOfOrder(order);
      return outcome === 'capture' ? { kind: 'pending', gatewayRef: orderId } : outcome;
    } catch (err) {
      if (err instanceof PayPalHttpError) {
        if (err.issue === 'ORDER_ALREADY_CAPTURED') return query(creds, orderId, false);
        if (err.issue === 'ORDER_NOT_APPROVED' || err.issue === 'PAYER_ACTION_REQUIRED') {
          return { kind: 'failed', gatewayRef: orderId, code: 'ORDER_NOT_APPROVED', message: 'The payer did not approve the payment' };
        }
        if (err.status === 422) return { kind: 'failed', gatewayRef: orderId, code: err.issue, message: err.message };
        if (err.status === 404) return { kind: 'failed', gatewayRef: orderId, code: 'RESOURCE_NOT_FOUND', message: 'PayPal has no such order (expired)' };
      }
      throw failure(err, 'capturing the payment');
    }
  }

  /**
   * What became of an order. An order the payer approved but that nobody captured (the payer
   * never came back) is captured here: the payer agreed to pay, and PayPal allows one capture
   * per order, so it is the same capture the return would have made.
   */
  async function query(creds: GatewayCredentials, orderId: string, captureApproved = true): Promise<GatewayOutcome> {
    let order: PayPalOrder;
    try {
      order = await api<PayPalOrder>(creds, 'GET', `/v2/checkout/orders/${encodeURIComponent(orderId)}`, 'looking up the order');
    } catch (err) {
      if (err instanceof PayPalHttpError && err.status === 404) return { kind: 'failed', gatewayRef: orderId, code: 'RESOURCE_NOT_FOUND', message: 'PayPal has no such order (expired)' };
      throw failure(err, 'looking up the order');
    }
    const outcome = outcomeOfOrder(order);
    if (outcome !== 'capture') return outcome;
    return captureApproved ? capture(creds, orderId) : { kind: 'pending', gatewayRef: orderId };
  }

  function header(req: CallbackRequest, name: string): string | undefined {
    const v = req.headers[name] ?? req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  async function verify(creds: GatewayCredentials, req: CallbackRequest): Promise<void> {
    const names = ['paypal-transmission-id', 'paypal-transmission-time', 'paypal-transmission-sig', 'paypal-cert-url', 'paypal-auth-algo'] as const;
    const [id, time, sig, certUrl, algo] = names.map((n) => header(req, n));
    if (!id || !time || !sig || !certUrl || !algo) throw new CallbackRejected('bad_signature', 'PayPal transmission headers are missing');
    if (!creds.webhookId) throw new CallbackRejected('bad_signature', 'No PayPal webhook id is configured', 503);
    // The event goes to PayPal exactly as it arrived: re-serialising it would change the bytes the CRC covers.
    const prefix = JSON.stringify({ auth_algo: algo, cert_url: certUrl, transmission_id: id, transmission_sig: sig, transmission_time: time, webhook_id: creds.webhookId });
    const body = `${prefix.slice(0, -1)},"webhook_event":${req.rawBody.toString('utf8')}}`;
    let status: string | undefined;
    try {
      status = (await api<{ verification_status?: string }>(creds, 'POST', '/v1/notifications/verify-webhook-signature', 'verifying the webhook', body)).verification_status;
    } catch (err) {
      if (err instanceof PayPalHttpError && err.status < 500) throw new CallbackRejected('bad_signature', `PayPal could not verify the webhook: ${err.message}`);
      throw failure(err, 'verifying the webhook');
    }
    if (status !== 'SUCCESS') throw new CallbackRejected('bad_signature', 'PayPal says the webhook signature is not valid');
  }

  function eventOutcome(event: { event_type?: string; resource?: Record<string, unknown> }): GatewayOutcome {
    const resource = event.resource ?? {};
    switch (event.event_type) {
      case 'PAYMENT.CAPTURE.COMPLETED': {
        const capture = resource as unknown as PayPalCapture;
        return { kind: 'paid', payment: paymentOf(capture) };
      }
      case 'PAYMENT.CAPTURE.DENIED':
      case 'PAYMENT.CAPTURE.DECLINED': {
        const capture = resource as unknown as PayPalCapture;
        const orderId = capture.supplementary_data?.related_ids?.order_id ?? capture.id;
        return { kind: 'failed', gatewayRef: orderId, code: 'DENIED', message: 'PayPal denied the payment' };
      }
      case 'PAYMENT.CAPTURE.REFUNDED': {
        const refund = resource as { id?: string; amount?: { currency_code: string; value: string }; links?: { rel: string; href: string }[] };
        const up = refund.links?.find((l) => l.rel === 'up')?.href;
        const captureId = up ? /\/captures\/([^/?]+)/.exec(up)?.[1] : undefined;
        if (!refund.id || !captureId) throw new CallbackRejected('malformed', 'PayPal refund event without its refund or capture id');
        return { kind: 'refunded', transactionId: captureId, amount: fromPayPalAmount(refund.amount), refundId: refund.id };
      }
      case 'CUSTOMER.DISPUTE.CREATED': {
        // PayPal holds the disputed amount from the moment the dispute opens.
        const dispute = resource as { dispute_id?: string; dispute_amount?: { currency_code: string; value: string }; disputed_transactions?: { seller_transaction_id?: string }[] };
        const captureId = dispute.disputed_transactions?.[0]?.seller_transaction_id;
        if (!dispute.dispute_id || !captureId) throw new CallbackRejected('malformed', 'PayPal dispute event without its dispute or transaction id');
        return { kind: 'charged_back', transactionId: captureId, amount: fromPayPalAmount(dispute.dispute_amount), refundId: dispute.dispute_id };
      }
      default:
        return { kind: 'ignored', reason: `event ${event.event_type ?? '(none)'} is not used` };
    }
  }

  return {
    kind: 'paypal',
    fields: [
      { key: 'clientId', label: 'Client ID', secret: false, required: true },
      { key: 'clientSecret', label: 'Secret', secret: true, required: true },
      { key: 'webhookId', label: 'Webhook ID', secret: false, required: true },
      { key: 'apiBase', label: 'API base URL (https://api-m.sandbox.paypal.com for the sandbox; empty for live)', secret: false, required: false },
    ],

    async startCheckout(creds, req) {
      try {
        const body = {
          intent: 'CAPTURE',
          purchase_units: [{ reference_id: req.intentId, custom_id: req.accountReference, description: req.description.slice(0, 127), amount: toPayPalAmount(req.amount) }],
          payment_source: {
            paypal: {
              experience_context: {
                user_action: 'PAY_NOW',
                shipping_preference: 'NO_SHIPPING',
                ...(req.returnUrl ? { return_url: req.returnUrl, cancel_url: req.returnUrl } : {}),
              },
              ...(req.email ? { email_address: req.email } : {}),
            },
          },
        };
        const order = await api<PayPalOrder>(creds, 'POST', '/v2/checkout/orders', 'creating the order', body, req.intentId);
        const approve = order.links?.find((l) => l.rel === 'payer-action' || l.rel === 'approve')?.href;
        if (!approve) throw new AppError(502, 'gateway-error', `PayPal order ${order.id} came without an approve link`);
        return { gatewayRef: order.id, redirectUrl: approve, message: 'Continue to PayPal to approve the payment', raw: { id: order.id, status: order.status } };
      } catch (err) {
        throw failure(err, 'creating the order');
      }
    },

    complete: (creds, orderId) => capture(creds, orderId),

    query: (creds, orderId) => query(creds, orderId),

    async parseCallback(creds, req) {
      let event: { id?: string; event_type?: string; resource?: Record<string, unknown> };
      try {
        event = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        throw new CallbackRejected('malformed', 'PayPal webhook body is not JSON');
      }
      if (typeof event !== 'object' || event === null || typeof event.event_type !== 'string') throw new CallbackRejected('malformed', 'PayPal webhook without an event_type');
      await verify(creds, req);
      try {
        return eventOutcome(event);
      } catch (err) {
        if (err instanceof PayPalAmountError) throw new CallbackRejected('malformed', err.message);
        throw err;
      }
    },

    answer(outcome): CallbackAnswer {
      if (outcome instanceof CallbackRejected) return { status: outcome.status, body: { error: outcome.reason } };
      return { status: 200, body: {} };
    },

    async refund(creds, input) {
      try {
        const refund = await api<{ id: string; status: string }>(
          creds,
          'POST',
          `/v2/payments/captures/${encodeURIComponent(input.transactionId)}/refund`,
          'the refund',
          { amount: toPayPalAmount(input.amount), note_to_payer: input.reason.slice(0, 255) },
          input.refundKey,
        );
        if (refund.status === 'CANCELLED' || refund.status === 'FAILED') throw new AppError(502, 'gateway-error', `PayPal refund ${refund.id} ${refund.status.toLowerCase()}`);
        return { refundId: refund.id, status: refund.status === 'COMPLETED' ? 'succeeded' : 'pending' };
      } catch (err) {
        throw failure(err, 'the refund');
      }
    },
  };
}

export const paypalAdapter = createPayPalAdapter();
