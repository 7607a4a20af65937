import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { authHooks } from '../auth/authenticate.ts';
import { errorHandler, problem, sendProblem } from './problem.ts';
import { idempotencyHooks } from './idempotency.ts';
import { createMetrics } from './metrics.ts';

export type App = FastifyInstance;
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpOptions {
  /** Folder with the built web app; omitted in API-only tests. */
  webDir?: string;
  /** Route registrations of the modules. */
  modules: ((app: TypedApp, ctx: AppContext) => void | Promise<void>)[];
  logger?: boolean;
}

const requestIdPattern = /^[\w.-]{1,64}$/;

export async function buildHttpApp(ctx: AppContext, opts: HttpOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.logger === false ? undefined : (ctx.logger as unknown as FastifyBaseLogger),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    trustProxy: true,
    bodyLimit: 2 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });

  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (req, context) => ({
      ...problem(req, 429, 'too-many-requests', `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`),
      statusCode: 429,
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Uplink API',
        version: '1.0.0',
        description:
          'Billing, CRM and AAA for Internet Service Providers. Authenticate with the session cookie ' +
          '(browser; writes need X-CSRF-Token) or `Authorization: Bearer upl_…` (API tokens). Errors are ' +
          'RFC 9457 problem documents. Every POST accepts an Idempotency-Key header.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'uplink_session' },
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (upl_…)' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // The interactive docs are public like the document they render; their routes come from the plugin.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), auth: 'public' };
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const metrics = createMetrics(ctx);
  const auth = authHooks({
    db: ctx.db,
    clock: ctx.clock,
    policy: { idleMinutes: ctx.config.sessionIdleMinutes, absoluteHours: ctx.config.sessionAbsoluteHours },
  });
  const idempotency = idempotencyHooks({ db: ctx.db, clock: ctx.clock });

  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/')) await auth.identify(req);
  });
  // Who may call is settled before the body is validated, so strangers learn nothing of the schema.
  app.addHook('preValidation', async (req, reply) => {
    if (req.url.startsWith('/api/')) await auth.authorize(req, reply);
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.url.startsWith('/api/')) return idempotency.claim(req, reply);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    try {
      return await idempotency.store(req, reply, payload);
    } catch (err) {
      req.log.warn({ err }, 'could not store the idempotent response');
      return payload;
    }
  });
  app.addHook('onResponse', async (req, reply) => metrics.observe(req, reply));

  app.get('/healthz', { schema: { hide: true }, config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: { auth: 'public' } }, async (_req, reply) => {
    try {
      await ctx.database.ping();
      return { status: 'ready', database: ctx.database.engine };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: ctx.database.engine });
    }
  });
  app.get('/metrics', { schema: { hide: true }, config: { auth: 'public' } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());

  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const register of opts.modules) await register(typed, ctx);

  const webDir = opts.webDir && fs.existsSync(path.join(opts.webDir, 'index.html')) ? opts.webDir : undefined;
  if (webDir) await app.register(fastifyStatic, { root: path.resolve(webDir), wildcard: false, index: false });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return sendProblem(reply, problem(req, 404, 'not-found', `No route ${req.method} ${req.url.split('?')[0]}`));
    }
    if (webDir) return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    return reply
      .type('text/html')
      .send('<!doctype html><title>Uplink</title><p>The web app is not built. Run <code>npm run build:web</code>, or use the API at <a href="/api/docs">/api/docs</a>.</p>');
  });
  return app;
}
