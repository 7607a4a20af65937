/**
 * The Stripe simulator's wire vocabulary: the objects it keeps (as Stripe returns them), its
 * `{ error }` problems, and the decoding of Stripe's form-encoded, bracketed parameters.
 */
import { randomBytes } from 'node:crypto';

export type Params = { [key: string]: string | Params };

export interface SimPaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled';
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  customer: string | null;
  payment_method: string | null;
  setup_future_usage: string | null;
  receipt_email: string | null;
  latest_charge: string | null;
  last_payment_error: { type: string; code: string; decline_code?: string; message: string; payment_method?: { id: string } } | null;
  cancellation_reason: string | null;
  automatic_payment_methods: { enabled: boolean } | null;
  created: number;
  livemode: false;
}

export interface SimCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  refunded: boolean;
  disputed: boolean;
  status: 'succeeded';
  created: number;
  livemode: false;
}

export interface SimRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: string | null;
  metadata: Record<string, string>;
  status: 'succeeded' | 'pending' | 'failed';
  created: number;
}

export interface SimDispute {
  id: string;
  object: 'dispute';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: string;
  status: 'needs_response' | 'lost' | 'won';
  created: number;
}

export interface SimCheckoutSession {
  id: string;
  object: 'checkout.session';
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: string | null;
  customer_details: { email: string | null } | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Record<string, string>;
  mode: 'payment';
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: 'paid' | 'unpaid';
  status: 'open' | 'complete' | 'expired';
  success_url: string;
  /** The hosted page; null once the session is complete or expired. */
  url: string | null;
}

export type CardBehaviour = 'succeed' | 'card_declined' | 'insufficient_funds' | 'authentication_required';

export interface SimPaymentMethod {
  id: string;
  object: 'payment_method';
  type: 'card';
  customer: string | null;
  card: { brand: string; last4: string; exp_month: number; exp_year: number };
  behaviour: CardBehaviour;
}

export interface SimEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

export interface StripeSimulatorOptions {
  secretKey?: string;
  /** Secrets to sign webhooks with; two while a secret is being rolled (one v1 each). */
  webhookSecrets?: string[];
  webhookUrl?: string;
  /** Milliseconds since the epoch, for `created` fields and signature timestamps. */
  now?: () => number;
}

export interface StripeSimulator {
  readonly url: string;
  readonly secretKey: string;
  webhookSecrets: string[];
  webhookUrl: string | undefined;
  readonly paymentIntents: Map<string, SimPaymentIntent>;
  readonly checkoutSessions: Map<string, SimCheckoutSession>;
  readonly events: SimEvent[];
  /** Every API request: method, path, Idempotency-Key and decoded parameters. */
  readonly requests: { method: string; path: string; idempotencyKey?: string; params: Params; replayed: boolean }[];
  readonly faults: { dropWebhooks: boolean; failRequests: number };
  /** The payer submits the card form with a test PaymentMethod (pm_card_visa by default). */
  pay(paymentIntentId: string, card?: string): Promise<SimEvent>;
  cancel(paymentIntentId: string, reason?: string): Promise<SimEvent>;
  /** The payer pays on a Checkout Session's hosted page with a test card (pm_card_visa by default); the events are delivered before this resolves. */
  payCheckout(sessionId: string, card?: string): Promise<{ events: SimEvent[]; error?: string }>;
  /** The session runs out (or is expired at Stripe's dashboard): checkout.session.expired. */
  expireCheckout(sessionId: string): Promise<SimEvent>;
  /** The cardholder disputes the payment (Stripe takes the amount at once). */
  dispute(paymentIntentId: string): Promise<SimEvent>;
  closeDispute(disputeId: string, status: 'won' | 'lost'): Promise<SimEvent>;
  /** What a saved card does from now on (a card that runs out of funds, say). */
  setCardBehaviour(paymentMethodId: string, behaviour: CardBehaviour): void;
  /** The webhook request Stripe would send for an event: headers and raw body. */
  signed(event: SimEvent, options?: { timestamp?: number; secrets?: string[] }): { headers: Record<string, string>; rawBody: Buffer };
  /** POSTs an event to webhookUrl (again, for a duplicate); answers what the endpoint said. */
  deliver(event: SimEvent, options?: { timestamp?: number; secrets?: string[] }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export const cardBehaviours: Record<string, { behaviour: CardBehaviour; brand: string; last4: string }> = {
  pm_card_visa: { behaviour: 'succeed', brand: 'visa', last4: '4242' },
  pm_card_mastercard: { behaviour: 'succeed', brand: 'mastercard', last4: '4444' },
  pm_card_chargeDeclined: { behaviour: 'card_declined', brand: 'visa', last4: '0002' },
  pm_card_chargeDeclinedInsufficientFunds: { behaviour: 'insufficient_funds', brand: 'visa', last4: '9995' },
  pm_card_authenticationRequired: { behaviour: 'authentication_required', brand: 'visa', last4: '3184' },
};

export class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; code?: string; decline_code?: string; param?: string; message: string; payment_intent?: unknown },
  ) {
    super(body.message);
  }
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/** `metadata[intentId]=a&expand[0]=b` → { metadata: { intentId: 'a' }, expand: { 0: 'b' } }. */
export function decodeForm(body: string): Params {
  const out: Params = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split('[').map((p, i) => (i === 0 ? p : p.replace(/]$/, '')));
    let node = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
      } else {
        const next = node[part];
        node = typeof next === 'object' ? next : (node[part] = {});
      }
    });
  }
  return out;
}

export function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  return typeof v === 'string' ? v : undefined;
}

export function obj(params: Params, key: string): Record<string, string> {
  const v = params[key];
  if (typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function invalid(message: string, param?: string, code = 'parameter_invalid'): StripeHttpError {
  return new StripeHttpError(400, { type: 'invalid_request_error', code, param, message });
}

export function missing(what: string, id: string): StripeHttpError {
  return new StripeHttpError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'` });
}

export function positiveInteger(params: Params, key: string, required: boolean): number | undefined {
  const raw = str(params, key);
  if (raw === undefined) {
    if (required) throw invalid(`Missing required param: ${key}.`, key, 'parameter_missing');
    return undefined;
  }
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) throw invalid(`Invalid integer: ${raw}`, key);
  return Number(raw);
}
