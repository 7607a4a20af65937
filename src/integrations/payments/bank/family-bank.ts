/**
 * Family Bank (Kenya), modelled on how Kenyan banks commonly expose collections: a paybill the
 * subscriber pays into with their account number as the reference, an instant payment
 * notification (IPN) for every credit, and a "request to pay" that pushes a prompt to the payer's
 * phone. The bank's real API is given to merchants under agreement and is not public; this file
 * is the shape it takes here, and the one file to adjust (paths, field names, status words) when
 * the bank's own specification is at hand.
 *
 * - POST /v1/collections/requests  { requestId, amount "1500.00", currency, accountReference,
 *   msisdn, callbackUrl, narration } → { paymentRequestId, status: "PENDING", message }
 * - GET  /v1/collections/requests/{paymentRequestId} → { paymentRequestId, status, amount,
 *   currency, transactionReference?, failureReason? }
 * - IPN  POST to our URL, headers X-Signature (hex HMAC-SHA256 of `${X-Timestamp}.${body}`) and
 *   X-Timestamp; body { notificationId, eventType: PAYMENT | REVERSAL, transactionReference,
 *   originalTransactionReference?, initiator?: MERCHANT | BANK, paymentRequestId?,
 *   status: COMPLETED | FAILED, amount,
 *   currency, accountReference, msisdn, payerName, transactionTime, failureReason? };
 *   acknowledged with { status: "ACCEPTED" | "REJECTED" }.
 * - POST /v1/collections/reversals { originalTransactionReference, amount, reason, reversalId }
 *   → { reversalReference, status }; its IPN is a REVERSAL with initiator MERCHANT.
 */
import type { GatewayOutcome } from '../contract.ts';
import { BankFormatError, type BankProfile, createBankAdapter, type Json, read } from './bank-api.ts';

function currencyOf(body: Json): string {
  const currency = read.text(body, 'currency');
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new BankFormatError('currency must be an ISO code');
  return currency;
}

function required(body: Json, key: string): string {
  const v = read.text(body, key);
  if (!v) throw new BankFormatError(`${key} is missing`);
  return v;
}

function payment(body: Json, now: Date): GatewayOutcome {
  return {
    kind: 'paid',
    payment: {
      transactionId: required(body, 'transactionReference'),
      gatewayRef: read.text(body, 'paymentRequestId'),
      amount: read.amount(body, 'amount', currencyOf(body)),
      accountReference: read.text(body, 'accountReference'),
      payer: { phone: read.text(body, 'msisdn'), name: read.text(body, 'payerName') },
      occurredAt: read.date(body, 'transactionTime', now),
    },
  };
}

export const familyBank: BankProfile = {
  id: 'family-bank',
  name: 'Family Bank',
  defaultApiBase: 'https://api.familybank.co.ke',
  fields: [
    { key: 'merchantCode', label: 'Paybill / merchant code', secret: false, required: true },
  ],
  authHeaders: (creds) => ({ 'x-api-key': creds.apiKey ?? '', 'x-merchant-code': creds.merchantCode ?? '' }),
  signature: { header: 'x-signature', encoding: 'hex', timestampHeader: 'x-timestamp', toleranceSeconds: 300 },

  paymentRequest: (_creds, req, amount) => ({
    path: '/v1/collections/requests',
    body: {
      requestId: req.intentId,
      amount,
      currency: req.amount.currency,
      accountReference: req.accountReference,
      msisdn: req.phone,
      callbackUrl: req.callbackUrl,
      narration: req.description.slice(0, 100),
    },
  }),

  readPaymentResponse: (body) => ({
    gatewayRef: required(body, 'paymentRequestId'),
    message: read.text(body, 'message') ?? 'Check your phone to approve the payment',
  }),

  statusPath: (gatewayRef) => `/v1/collections/requests/${encodeURIComponent(gatewayRef)}`,

  readStatus(body, gatewayRef, now) {
    switch (read.text(body, 'status')) {
      case 'COMPLETED':
        return payment({ ...body, paymentRequestId: gatewayRef }, now);
      case 'FAILED':
      case 'CANCELLED':
      case 'EXPIRED':
        return { kind: 'failed', gatewayRef, code: read.text(body, 'status')!, message: read.text(body, 'failureReason') ?? 'The payment was not made' };
      default:
        return { kind: 'pending', gatewayRef };
    }
  },

  readNotification(body, now) {
    const event = read.text(body, 'eventType');
    const status = read.text(body, 'status');
    if (event === 'REVERSAL' && status === 'COMPLETED') {
      // A reversal we asked for is our refund; one the bank made (a disputed debit) is a chargeback.
      return {
        kind: read.text(body, 'initiator') === 'MERCHANT' ? 'refunded' : 'charged_back',
        transactionId: required(body, 'originalTransactionReference'),
        amount: read.amount(body, 'amount', currencyOf(body)),
        refundId: required(body, 'transactionReference'),
      };
    }
    if (event !== 'PAYMENT') return { kind: 'ignored', reason: `event ${event ?? '(none)'} is not used` };
    if (status === 'COMPLETED') return payment(body, now);
    const gatewayRef = read.text(body, 'paymentRequestId');
    if (status === 'FAILED' && gatewayRef) {
      return { kind: 'failed', gatewayRef, code: 'FAILED', message: read.text(body, 'failureReason') ?? 'The payment failed' };
    }
    return { kind: 'ignored', reason: `payment notification with status ${status ?? '(none)'}` };
  },

  acknowledgement: (accepted, reason) => ({ status: accepted ? 'ACCEPTED' : 'REJECTED', ...(reason ? { reason } : {}) }),

  refundRequest: (_creds, input) => ({
    path: '/v1/collections/reversals',
    body: { originalTransactionReference: input.transactionId, amount: input.amount, reason: input.reason.slice(0, 100), reversalId: input.refundKey },
  }),

  readRefundResponse: (body) => ({
    refundId: required(body, 'reversalReference'),
    status: read.text(body, 'status') === 'COMPLETED' ? 'succeeded' : 'pending',
  }),
};

export const familyBankAdapter = createBankAdapter(familyBank);
