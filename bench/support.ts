/**
 * What the HTTP benchmarks share: a database of their own (on a server, emptied first), migrated,
 * and the whole HTTP app in-process (Fastify's inject: Uplink and its database, not the network);
 * an organization with an admin session; the median of a set of rounds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { rootPath } from '../src/core/organizations.ts';
import { createSession, SESSION_COOKIE } from '../src/platform/auth/sessions.ts';
import { systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import type { AppContext } from '../src/platform/context.ts';
import { hashPassword, SecretBox } from '../src/platform/crypto.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { Organization } from '../src/platform/db/schema.ts';
import { buildHttpApp } from '../src/platform/http/app.ts';
import { JobQueue } from '../src/platform/jobs/queue.ts';
import { httpModules } from '../src/modules/index.ts';

export async function benchApp(opts: { poolSize: number }) {
  const url = process.env.DATABASE_URL;
  const database = await openDatabase({ databaseUrl: url, poolSize: opts.poolSize });
  if (url) await sql.raw('drop schema if exists public cascade; drop schema if exists pgboss cascade; create schema public').execute(database.kysely);
  await migrateToLatest(database);
  const logger = pino({ level: 'silent' });
  const ctx: AppContext = {
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database,
    db: database.kysely,
    clock: systemClock,
    logger,
    secrets: new SecretBox(randomBytes(32).toString('hex')),
    jobs: new JobQueue(database.sql, logger),
  };
  const app = await buildHttpApp(ctx, { modules: httpModules, logger: false });
  await app.ready();
  const close = async () => {
    await app.close();
    await database.close();
  };
  return { url, database, ctx, app, close };
}

/** The root organization (an ISP in KES) and the headers of an admin's session in it. */
export async function benchOrganization(ctx: AppContext): Promise<{ root: Organization; headers: Record<string, string> }> {
  const rootId = randomUUID();
  const root = await ctx.db
    .insertInto('organizations')
    .values({ id: rootId, parent_id: null, kind: 'isp', name: 'Bench ISP', path: rootPath(rootId), depth: 0, currency: 'KES', contact_email: null, contact_phone: null, address: null, tax_id: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  const user = await ctx.db
    .insertInto('users')
    .values({ organization_id: root.id, email: 'bench@example.test', name: 'Bench', role_key: 'admin', password_hash: await hashPassword('bench passphrase'), locale: null, totp_secret_enc: null, locked_until: null, password_changed_at: null, last_login_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  const s = await createSession(ctx.db, ctx.clock, { idleMinutes: 60, absoluteHours: 24 }, { userId: user.id, organizationId: root.id, ip: null, userAgent: 'bench' });
  return { root, headers: { cookie: `${SESSION_COOKIE}=${s.token}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' } };
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
