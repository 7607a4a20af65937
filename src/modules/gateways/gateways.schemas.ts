import { z } from 'zod';

const decimal = z.string().describe('Decimal amount in major units, e.g. "1500.50"');
const kind = z.string().trim().regex(/^[a-z]{1,20}(:[a-z0-9_-]{1,40})?$/, 'must be a gateway kind such as mpesa or bank:family');

export const gatewayFieldSchema = z.object({ key: z.string(), label: z.string(), secret: z.boolean(), required: z.boolean() }).meta({ id: 'GatewayField' });

export const gatewayKindsSchema = z
  .object({ items: z.array(z.object({ kind: z.string(), fields: z.array(gatewayFieldSchema) })) })
  .meta({ id: 'GatewayKinds' });

export const gatewayAccountSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    kind: z.string(),
    label: z.string(),
    enabled: z.boolean(),
    acceptUnknownReferences: z.boolean().describe('A payment whose reference names nobody waits in suspense (true) or is refused at validation (false)'),
    settings: z.record(z.string(), z.string()).describe('The non-secret settings'),
    secretsSet: z.array(z.string()).describe('Which secret settings hold a value (the values are never shown)'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'GatewayAccount' });

export const gatewayAccountListSchema = z.object({ items: z.array(gatewayAccountSchema) }).meta({ id: 'GatewayAccountList' });

export const gatewayAccountQuery = z.object({ organizationId: z.uuid().optional() });

export const saveGatewayAccountSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to your own organization'),
    kind,
    label: z.string().trim().min(1).max(100),
    enabled: z.boolean().default(true),
    acceptUnknownReferences: z.boolean().default(true),
    settings: z
      .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,40}$/), z.string().max(4000))
      .describe('Settings by key; a secret left out or empty keeps its stored value'),
  })
  .meta({ id: 'SaveGatewayAccount' });

export const callbackUrlsSchema = z
  .object({ urls: z.record(z.string(), z.string()).describe('Callback URL by endpoint (they carry the account’s secret: register them with the gateway, share them with no one)') })
  .meta({ id: 'GatewayCallbackUrls' });

export const securityEventSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid().nullable(),
    gatewayAccountId: z.uuid().nullable(),
    gateway: z.string(),
    kind: z.string(),
    remoteAddress: z.string().nullable(),
    detail: z.string(),
    at: z.string(),
  })
  .meta({ id: 'PaymentSecurityEvent' });

export const securityEventListSchema = z.object({ items: z.array(securityEventSchema) }).meta({ id: 'PaymentSecurityEventList' });
export const securityEventQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

export const callbackParams = z.object({ accountId: z.string().max(64), endpoint: z.string().regex(/^[a-z0-9-]{1,40}$/), secret: z.string().max(200).optional() });

// Portal
export const portalGatewaySchema = z
  .object({ kind: z.string(), label: z.string(), needsPhone: z.boolean(), redirects: z.boolean(), savesCards: z.boolean().describe('Can save the card for automatic payments (saveCard)') })
  .meta({ id: 'PortalGateway' });
export const portalGatewayListSchema = z.object({ items: z.array(portalGatewaySchema) }).meta({ id: 'PortalGatewayList' });

export const startPaymentSchema = z
  .object({
    method: kind.describe('A gateway kind from the list of usable gateways'),
    purpose: z.enum(['invoice', 'wallet']),
    invoiceId: z.uuid().optional().describe('The invoice to pay (purpose invoice)'),
    amount: z.string().trim().regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a positive decimal amount such as 1500.50').optional().describe('How much to top up (purpose wallet)'),
    phone: z.string().trim().max(40).optional().describe('The phone to send the M-PESA request to'),
    returnUrl: z.string().url().max(1000).optional().describe('Where a redirect checkout sends you back'),
    saveCard: z.boolean().optional().describe('Save the card for automatic payments of invoices (gateways with savesCards)'),
  })
  .meta({ id: 'StartPayment' });

export const paymentIntentSchema = z
  .object({
    id: z.uuid(),
    method: z.string(),
    purpose: z.enum(['invoice', 'wallet']),
    invoiceId: z.uuid().nullable(),
    amount: decimal,
    currency: z.string(),
    status: z.enum(['pending', 'paid', 'failed', 'expired']),
    failureCode: z.string().nullable(),
    failureMessage: z.string().nullable(),
    paymentId: z.uuid().nullable(),
    redirectUrl: z.string().nullable(),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
  })
  .meta({ id: 'PaymentIntent' });

export const startedPaymentSchema = z.object({ intent: paymentIntentSchema, message: z.string() }).meta({ id: 'StartedPayment' });

export type SaveGatewayAccountInput = z.infer<typeof saveGatewayAccountSchema>;
export type StartPaymentInput = z.infer<typeof startPaymentSchema>;
export type GatewayAccountOutput = z.infer<typeof gatewayAccountSchema>;
export type PaymentIntentOutput = z.infer<typeof paymentIntentSchema>;
