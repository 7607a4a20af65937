import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, requestOrigin } from '../../platform/http/routes.ts';
import { customerOf, customerOnly } from '../portal/portal.access.ts';
import { handleCallback } from './callbacks.service.ts';
import * as checkout from './checkout.service.ts';
import * as service from './gateways.service.ts';
import {
  callbackParams,
  callbackUrlsSchema,
  gatewayAccountListSchema,
  gatewayAccountQuery,
  gatewayAccountSchema,
  gatewayKindsSchema,
  paymentIntentSchema,
  portalGatewayListSchema,
  saveGatewayAccountSchema,
  securityEventListSchema,
  securityEventQuery,
  startedPaymentSchema,
  startPaymentSchema,
} from './gateways.schemas.ts';

const tags = ['Payment gateways'];
const portalTags = ['Customer portal'];

// Generous: a busy paybill's confirmations come from a few gateway addresses, in bursts of thousands
// a second at the start of a month (bench/payments); a flood from one address past that is cut.
const callbackRateLimit = { max: 120_000, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `${req.ip}|${(req.params as { accountId?: string }).accountId ?? ''}` };

export function gatewayRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/gateways/kinds',
    { schema: { tags, summary: 'The gateways Uplink speaks to and the settings each needs', response: { 200: gatewayKindsSchema, ...errors } }, config: { permission: 'gateways.read' } },
    (req) => service.listKinds(actorOf(req)),
  );
  app.get(
    '/api/gateways',
    { schema: { tags, summary: 'Gateway accounts of your organizations (secret settings are never shown)', querystring: gatewayAccountQuery, response: { 200: gatewayAccountListSchema, ...errors } }, config: { permission: 'gateways.read' } },
    (req) => service.listAccounts(ctx, actorOf(req), req.query.organizationId),
  );
  app.put(
    '/api/gateways',
    {
      schema: { tags, summary: "Create or change an organization's account with a gateway; a secret left out keeps its value", body: saveGatewayAccountSchema, response: { 200: gatewayAccountSchema, ...errors } },
      config: { permission: 'gateways.update' },
    },
    (req) => service.saveAccount(ctx, actorOf(req), req.body),
  );
  app.get(
    '/api/gateways/security-events',
    { schema: { tags, summary: 'Callbacks refused: forged, unsigned, stale, wrong secret, amount or reference mismatch; newest first', querystring: securityEventQuery, response: { 200: securityEventListSchema, ...errors } }, config: { permission: 'gateways.read' } },
    (req) => service.listSecurityEvents(ctx, actorOf(req), req.query.limit),
  );
  app.get(
    '/api/gateways/:id',
    { schema: { tags, summary: 'One gateway account', params: idParams, response: { 200: gatewayAccountSchema, ...errors } }, config: { permission: 'gateways.read' } },
    (req) => service.getAccount(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/gateways/:id/callback-urls',
    { schema: { tags, summary: "The account's callback URLs to register with the gateway (they carry its secret)", params: idParams, response: { 200: callbackUrlsSchema, ...errors } }, config: { permission: 'gateways.update' } },
    (req) => service.callbackUrls(ctx, actorOf(req), req.params.id, requestOrigin(req)),
  );

  // Callbacks: no session; the body is kept raw (signatures are over the exact bytes).
  app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const url of ['/api/callbacks/:accountId/:endpoint', '/api/callbacks/:accountId/:endpoint/:secret']) {
      (raw as unknown as TypedApp).post(
        url,
        { schema: { hide: true, params: callbackParams }, config: { auth: 'public', csrf: false, rateLimit: callbackRateLimit } },
        async (req, reply) => {
          const answer = await handleCallback(ctx, {
            accountId: req.params.accountId,
            endpoint: req.params.endpoint,
            pathSecret: req.params.secret,
            rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            headers: req.headers,
            remoteAddress: req.ip,
          });
          return reply.code(answer.status).send(answer.body);
        },
      );
    }
  });

  const customer = { preValidation: customerOnly(ctx.db) };
  app.get(
    '/api/portal/gateways',
    { ...customer, schema: { tags: portalTags, summary: 'The ways you can pay online', response: { 200: portalGatewayListSchema, ...errors } } },
    (req) => checkout.usableGateways(ctx, customerOf(req)),
  );
  app.post(
    '/api/portal/payments',
    { ...customer, schema: { tags: portalTags, summary: 'Pay an invoice or top up your wallet online (M-PESA: a request to your phone; bKash: a page to go to)', body: startPaymentSchema, response: { 201: startedPaymentSchema, ...errors } } },
    async (req, reply) => reply.code(201).send(await checkout.startPayment(ctx, customerOf(req), req.body, requestOrigin(req))),
  );
  app.get(
    '/api/portal/payments/:id',
    { ...customer, schema: { tags: portalTags, summary: 'Where one of your online payments stands', params: idParams, response: { 200: paymentIntentSchema, ...errors } } },
    (req) => checkout.getIntent(ctx, customerOf(req), req.params.id),
  );
  app.post(
    '/api/portal/payments/:id/complete',
    { ...customer, schema: { tags: portalTags, summary: 'You are back from the payment page: finish the payment with the gateway', params: idParams, response: { 200: paymentIntentSchema, ...errors } } },
    (req) => checkout.completePayment(ctx, customerOf(req), req.params.id),
  );
}
