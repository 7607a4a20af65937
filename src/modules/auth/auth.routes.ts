import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, noContent } from '../../platform/http/routes.ts';
import { SESSION_COOKIE } from '../../platform/auth/sessions.ts';
import { principalFromSession } from '../../platform/auth/authenticate.ts';
import { UnauthorizedError } from '../../platform/errors.ts';
import { readSettings } from '../settings/settings.service.ts';
import { organizationListQuery, organizationPage } from '../organizations/organizations.schemas.ts';
import { completeSetup, setupNeeded } from '../setup/setup.service.ts';
import * as service from './auth.service.ts';
import {
  changePasswordSchema,
  loginMfaSchema,
  loginResultSchema,
  loginSchema,
  meSchema,
  resetPasswordSchema,
  sessionSchema,
  setupSchema,
  setupStatusSchema,
  switchOrganizationSchema,
  totpCodeSchema,
  totpDisableSchema,
  totpSetupSchema,
  updateMeSchema,
} from './auth.schemas.ts';

const tags = ['Authentication'];
const loginRateLimit = { max: 10, timeWindow: '1 minute' };

function client(req: FastifyRequest): service.ClientInfo {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null, requestId: String(req.id) };
}

export function authRoutes(app: TypedApp, ctx: AppContext): void {
  const secure = (req: FastifyRequest) => ctx.config.cookieSecure === 'true' || (ctx.config.cookieSecure === 'auto' && req.protocol === 'https');

  function setSessionCookie(req: FastifyRequest, reply: FastifyReply, s: service.SignedIn) {
    reply.setCookie(SESSION_COOKIE, s.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secure(req),
      path: '/',
      expires: s.expiresAt,
    });
  }

  async function signedInAnswer(req: FastifyRequest, reply: FastifyReply, s: service.SignedIn) {
    setSessionCookie(req, reply, s);
    const policy = { idleMinutes: ctx.config.sessionIdleMinutes, absoluteHours: ctx.config.sessionAbsoluteHours };
    const principal = await principalFromSession(ctx.db, ctx.clock, policy, s.token);
    if (!principal) throw new UnauthorizedError();
    return { status: 'signed-in' as const, me: await service.me(ctx, principal) };
  }

  app.post(
    '/api/auth/login',
    {
      schema: { tags, summary: 'Sign in with e-mail and password', security: [], body: loginSchema, response: { 200: loginResultSchema, ...errors } },
      config: { auth: 'public', rateLimit: loginRateLimit },
    },
    async (req, reply) => {
      const outcome = await service.login(ctx, req.body, client(req));
      if (outcome.status === 'mfa-required') return outcome;
      return signedInAnswer(req, reply, outcome);
    },
  );
  app.post(
    '/api/auth/login/mfa',
    {
      schema: { tags, summary: 'Second sign-in step: the authenticator code', security: [], body: loginMfaSchema, response: { 200: loginResultSchema, ...errors } },
      config: { auth: 'public', rateLimit: loginRateLimit },
    },
    async (req, reply) => signedInAnswer(req, reply, await service.loginMfa(ctx, req.body, client(req))),
  );
  app.post(
    '/api/auth/logout',
    { schema: { tags, summary: 'Sign out (ends the session on the server)', response: { 204: noContent, ...errors } } },
    async (req, reply) => {
      await service.logout(ctx, actorOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/auth/me',
    { schema: { tags, summary: 'Who am I: user, organizations, permissions, CSRF token', response: { 200: meSchema, ...errors } } },
    (req) => service.me(ctx, actorOf(req).principal),
  );
  app.patch(
    '/api/auth/me',
    { schema: { tags, summary: 'Change your name or language', body: updateMeSchema, response: { 200: meSchema, ...errors } } },
    (req) => service.updateMe(ctx, actorOf(req), req.body),
  );
  app.get(
    '/api/auth/organizations',
    {
      schema: { tags, summary: 'Organizations you can switch to (your home subtree)', querystring: organizationListQuery, response: { 200: organizationPage, ...errors } },
      config: { permission: 'organizations.read' },
    },
    (req) => service.listSwitchableOrganizations(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/auth/organization',
    { schema: { tags, summary: 'Switch the organization you work in', body: switchOrganizationSchema, response: { 200: meSchema, ...errors } } },
    (req) => service.switchOrganization(ctx, actorOf(req), req.body.organizationId),
  );
  app.post(
    '/api/auth/password',
    { schema: { tags, summary: 'Change your password (ends your other sessions)', body: changePasswordSchema, response: { 200: loginResultSchema, ...errors } } },
    async (req, reply) => signedInAnswer(req, reply, await service.changePassword(ctx, actorOf(req), req.body, client(req))),
  );
  app.post(
    '/api/auth/password-reset',
    {
      schema: { tags, summary: 'Set a new password with a one-time link', security: [], body: resetPasswordSchema, response: { 204: noContent, ...errors } },
      config: { auth: 'public', rateLimit: loginRateLimit },
    },
    async (req, reply) => {
      await service.resetPassword(ctx, req.body, client(req));
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/auth/totp/setup',
    { schema: { tags, summary: 'Start two-factor setup: a new authenticator secret', response: { 200: totpSetupSchema, ...errors } } },
    (req) => service.startTotpSetup(ctx, actorOf(req)),
  );
  app.post(
    '/api/auth/totp/enable',
    { schema: { tags, summary: 'Confirm the authenticator code and turn two-factor sign-in on', body: totpCodeSchema, response: { 200: meSchema, ...errors } } },
    (req) => service.enableTotp(ctx, actorOf(req), req.body.code),
  );
  app.post(
    '/api/auth/totp/disable',
    { schema: { tags, summary: 'Turn two-factor sign-in off (needs your password)', body: totpDisableSchema, response: { 200: meSchema, ...errors } } },
    (req) => service.disableTotp(ctx, actorOf(req), req.body.password),
  );
  app.get(
    '/api/auth/sessions',
    { schema: { tags, summary: 'Your signed-in sessions', response: { 200: z.array(sessionSchema), ...errors } } },
    (req) => service.listMySessions(ctx, actorOf(req)),
  );
  app.delete(
    '/api/auth/sessions/:id',
    { schema: { tags, summary: 'End one of your sessions', params: idParams, response: { 204: noContent, ...errors } } },
    async (req, reply) => {
      await service.endMySession(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/setup',
    { schema: { tags: ['Setup'], summary: 'Whether first-run setup is still needed', security: [], response: { 200: setupStatusSchema } }, config: { auth: 'public' } },
    async () => ({ needed: await setupNeeded(ctx), platformName: (await readSettings(ctx.db)).platformName }),
  );
  app.post(
    '/api/setup',
    {
      schema: { tags: ['Setup'], summary: 'First run: create the ISP and its first account (one-time link)', security: [], body: setupSchema, response: { 200: loginResultSchema, ...errors } },
      config: { auth: 'public', rateLimit: loginRateLimit },
    },
    async (req, reply) => {
      const user = await completeSetup(ctx, req.body, client(req));
      const outcome = await service.login(ctx, { email: user.email, password: req.body.admin.password }, client(req));
      if (outcome.status !== 'signed-in') throw new UnauthorizedError();
      return signedInAnswer(req, reply, outcome);
    },
  );
}
