/**
 * The one interface every payment gateway adapter implements (M-PESA Daraja, bKash, Nagad, Stripe,
 * PayPal, a bank). An adapter speaks the gateway's documented wire format and nothing else: no
 * database, no ledger. The gateways module (src/modules/gateways) keeps each organization's
 * credentials (encrypted), records checkout intents, routes callbacks here, and hands what an
 * adapter reports as paid to the payments module's receivePayment, keyed on `transactionId`.
 *
 * Every adapter has a simulator beside it (`<gateway>/simulator.ts`) that serves the same wire
 * format over HTTP; tests and demo mode point the adapter's base URL at it.
 */
import type { Money } from '../../core/money.ts';

export type GatewayKind = 'mpesa' | 'bkash' | 'nagad' | 'stripe' | 'paypal' | `bank:${string}`;

/** An organization's settings for one gateway, decrypted: keys, secrets, short codes, base URL. */
export type GatewayCredentials = Readonly<Record<string, string>>;

export interface CheckoutRequest {
  /** Our own id for this attempt (the gateways module's intent); unique, safe to send as a reference. */
  readonly intentId: string;
  readonly amount: Money;
  /** What the payer's statement shows and C2B matches on: the account number or invoice number. */
  readonly accountReference: string;
  readonly description: string;
  /** Where the gateway posts its callback (carries the callback secret in its path where the gateway signs nothing). */
  readonly callbackUrl: string;
  /** Where a redirect checkout sends the payer back (bKash, Nagad, PayPal, Stripe Checkout). */
  readonly returnUrl?: string;
  readonly phone?: string;
  readonly email?: string;
}

export interface CheckoutStarted {
  /** The gateway's id for the attempt: CheckoutRequestID, paymentID, PaymentIntent id, order id. */
  readonly gatewayRef: string;
  /** Where to send the payer (bKash, Nagad, PayPal); absent for a push to the phone (M-PESA STK). */
  readonly redirectUrl?: string;
  /** For a card form in the browser (Stripe's client secret). */
  readonly clientSecret?: string;
  /** What to tell the payer now: "Check your phone and enter your M-PESA PIN". */
  readonly message: string;
  readonly raw: unknown;
}

/** Money the gateway says has moved to the ISP: final, the one thing that credits an account. */
export interface GatewayPayment {
  /** The unique id of the money movement: MpesaReceiptNumber / TransID, trxID, PaymentIntent id, capture id. */
  readonly transactionId: string;
  /** The attempt it settles (CheckoutRequestID, paymentID…), when it came from one of our checkouts. */
  readonly gatewayRef?: string;
  readonly amount: Money;
  /** The reference the payer gave (C2B BillRefNumber), when the payment was not started by us. */
  readonly accountReference?: string;
  readonly payer?: { readonly phone?: string; readonly name?: string; readonly email?: string };
  readonly occurredAt: Date;
}

/** What one callback, webhook or status query says. */
export type GatewayOutcome =
  | { readonly kind: 'paid'; readonly payment: GatewayPayment }
  /** The attempt ended without money: cancelled, wrong PIN, timeout, insufficient funds. */
  | { readonly kind: 'failed'; readonly gatewayRef: string; readonly code: string; readonly message: string }
  /** Still waiting for the payer (a status query before the payer acts). */
  /**
   * Not settled yet. `approved`: the payer has approved and the money moves when we complete
   * (capture, execute) it: a payer who never came back from the gateway's page is completed by the
   * reconciliation job.
   */
  | { readonly kind: 'pending'; readonly gatewayRef: string; readonly approved?: boolean }
  /** Money given back by the gateway: a refund we asked for, or a chargeback / dispute lost. */
  | { readonly kind: 'refunded' | 'charged_back'; readonly transactionId: string; readonly amount: Money; readonly refundId: string }
  /** A C2B validation request: may we accept this payment? The module answers with `answer`. */
  | { readonly kind: 'validate'; readonly payment: GatewayPayment }
  /** Understood and authentic, but nothing to do (an event type we do not use). */
  | { readonly kind: 'ignored'; readonly reason: string };

/** An incoming HTTP callback as the route received it: the raw body matters for signatures. */
export interface CallbackRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody: Buffer;
  /** The secret segment of the callback path (gateways that sign nothing, like M-PESA). */
  readonly pathSecret?: string;
  readonly remoteAddress?: string;
  /** Which of the adapter's callback kinds this URL is (M-PESA: 'stk', 'c2b-validation', 'c2b-confirmation'). */
  readonly endpoint: string;
}

/**
 * A callback that must not be believed: bad or missing signature, stale timestamp, wrong path
 * secret, malformed body. No credit; the module logs a security event and answers `status`.
 */
export class CallbackRejected extends Error {
  constructor(
    readonly reason: 'bad_signature' | 'stale_timestamp' | 'bad_secret' | 'malformed' | 'mismatch',
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'CallbackRejected';
  }
}

/** The body and status the gateway expects back (M-PESA wants { ResultCode: 0, ResultDesc }). */
export interface CallbackAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface GatewayAdapter {
  readonly kind: GatewayKind;
  /** The credential fields this gateway needs, for the settings form; `secret` ones are never shown back. */
  readonly fields: readonly { readonly key: string; readonly label: string; readonly secret: boolean; readonly required: boolean }[];
  /** Starts a payment for the payer (STK push, create payment, PaymentIntent, order). */
  startCheckout(creds: GatewayCredentials, req: CheckoutRequest): Promise<CheckoutStarted>;
  /** After the payer returns from a redirect (bKash execute, PayPal capture): completes or reports the attempt. */
  complete?(creds: GatewayCredentials, gatewayRef: string): Promise<GatewayOutcome>;
  /** Asks the gateway what became of an attempt (STK Query, query payment, retrieve PaymentIntent): reconciliation. */
  query(creds: GatewayCredentials, gatewayRef: string): Promise<GatewayOutcome>;
  /** Verifies and reads a callback; throws CallbackRejected when it must not be believed. */
  parseCallback(creds: GatewayCredentials, req: CallbackRequest): GatewayOutcome | Promise<GatewayOutcome>;
  /** The answer to send for an outcome (accepted), or for a rejected validation. */
  answer(outcome: GatewayOutcome | CallbackRejected, accepted: boolean): CallbackAnswer;
  /** Gives money back through the gateway (full or partial), where the gateway can. */
  refund?(creds: GatewayCredentials, input: { readonly transactionId: string; readonly amount: Money; readonly reason: string; readonly refundKey: string }): Promise<{ readonly refundId: string; readonly status: 'succeeded' | 'pending' }>;
}
