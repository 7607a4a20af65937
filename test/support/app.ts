import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll } from 'vitest';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { TestClock } from '../../src/platform/clock.ts';
import { SecretBox, hashPassword } from '../../src/platform/crypto.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { buildHttpApp } from '../../src/platform/http/app.ts';
import { JobQueue } from '../../src/platform/jobs/queue.ts';
import { createSession, SESSION_COOKIE } from '../../src/platform/auth/sessions.ts';
import { childPath, rootPath } from '../../src/core/organizations.ts';
import type { Organization, OrganizationKind, User } from '../../src/platform/db/schema.ts';
import { defineJobs, httpModules } from '../../src/modules/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const PASSWORD = 'correct horse battery staple';

export interface TestContext {
  database: TestDatabase;
  ctx: AppContext;
  app: FastifyInstance;
  clock: TestClock;
  close(): Promise<void>;
}

/** A migrated database, the app context and the HTTP app (driven with inject). Closed after the file. */
export async function createTestContext(
  opts: { config?: Partial<Config>; startJobs?: boolean; autoClose?: boolean; webDir?: string } = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const clock = new TestClock(new Date());
  const config: Config = { ...loadConfig({ UPLINK_DATA_DIR: '/tmp/uplink-test-unused', LOG_LEVEL: 'silent' }), ...opts.config };
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const jobs = new JobQueue(database.sql, logger);
  const ctx: AppContext = {
    config,
    database,
    db: database.kysely,
    clock,
    logger,
    secrets: new SecretBox(randomBytes(32).toString('hex')),
    jobs,
  };
  defineJobs(jobs, ctx);
  if (opts.startJobs) await jobs.start({ work: true, pollingIntervalSeconds: 0.5 });
  const app = await buildHttpApp(ctx, { modules: httpModules, webDir: opts.webDir });
  await app.ready();
  const t: TestContext = {
    database,
    ctx,
    app,
    clock,
    close: async () => {
      await app.close();
      await jobs.stop();
      await database.close();
    },
  };
  if (opts.autoClose !== false) afterAll(() => t.close());
  return t;
}

let hashed: Promise<string> | undefined;
function passwordHash(): Promise<string> {
  hashed ??= hashPassword(PASSWORD);
  return hashed;
}

export async function seedOrganization(
  ctx: AppContext,
  parent: Organization | null,
  kind: OrganizationKind,
  name = `${kind} ${randomUUID().slice(0, 6)}`,
): Promise<Organization> {
  const id = randomUUID();
  return ctx.db
    .insertInto('organizations')
    .values({
      id,
      parent_id: parent?.id ?? null,
      kind,
      name,
      path: parent ? childPath(parent.path, id) : rootPath(id),
      depth: parent ? parent.depth + 1 : 0,
      currency: parent?.currency ?? 'KES',
      timezone: parent?.timezone ?? 'Africa/Nairobi',
      contact_email: null,
      contact_phone: null,
      address: null,
      tax_id: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function seedUser(ctx: AppContext, org: Organization, role: string, email?: string): Promise<User> {
  return ctx.db
    .insertInto('users')
    .values({
      organization_id: org.id,
      email: email ?? `${role}.${randomUUID().slice(0, 8)}@example.test`,
      name: `${role} user`,
      role_key: role,
      password_hash: await passwordHash(),
      password_changed_at: new Date(),
      locale: null,
      totp_secret_enc: null,
      locked_until: null,
      last_login_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface Api {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Requests as a user: with a session cookie and its CSRF token, or with an API token. */
export function apiAs(app: FastifyInstance, auth: { cookie: string; csrf: string } | { bearer: string } | null): Api {
  const authHeaders = (): Record<string, string> => {
    if (!auth) return {};
    if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
    return { cookie: `${SESSION_COOKIE}=${auth.cookie}`, 'x-csrf-token': auth.csrf };
  };
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: { ...authHeaders(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  return {
    get: (url, headers) => send('GET', url, undefined, headers),
    post: (url, body, headers) => send('POST', url, body, headers),
    patch: (url, body, headers) => send('PATCH', url, body, headers),
    put: (url, body, headers) => send('PUT', url, body, headers),
    delete: (url, headers) => send('DELETE', url, undefined, headers),
  };
}

/** Signs a user in without the login endpoint (no rate limit): a real session row and cookie. */
export async function sessionFor(t: TestContext, user: User): Promise<Api> {
  const s = await createSession(
    t.ctx.db,
    t.ctx.clock,
    { idleMinutes: t.ctx.config.sessionIdleMinutes, absoluteHours: t.ctx.config.sessionAbsoluteHours },
    { userId: user.id, organizationId: user.organization_id, ip: '127.0.0.1', userAgent: 'vitest' },
  );
  return apiAs(t.app, { cookie: s.token, csrf: s.csrfToken });
}

/** The usual tree: ISP → reseller A (→ sub-reseller A1, card partner), reseller B. */
export async function seedTree(ctx: AppContext) {
  const isp = await seedOrganization(ctx, null, 'isp', 'Nairobi Fibre');
  const resellerA = await seedOrganization(ctx, isp, 'reseller', 'Reseller A');
  const subA = await seedOrganization(ctx, resellerA, 'sub_reseller', 'Sub-reseller A1');
  const cardA = await seedOrganization(ctx, resellerA, 'card_partner', 'Card partner A');
  const resellerB = await seedOrganization(ctx, isp, 'reseller', 'Reseller B');
  return { isp, resellerA, subA, cardA, resellerB };
}

export function json<T = any>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}
