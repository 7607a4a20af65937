/**
 * API benchmark: authenticated reads and audited writes through the whole HTTP stack (routing,
 * session lookup, permission check, tenancy filter, serialization; writes add the transaction and
 * the hash-chained audit entry). Runs in-process with Fastify's inject, so it measures Uplink, not
 * the network. Prints the median of several rounds.
 *
 *   npx tsx bench/api.ts                     # embedded PGlite
 *   DATABASE_URL=postgres://… npx tsx bench/api.ts
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { SecretBox, hashPassword } from '../src/platform/crypto.ts';
import type { AppContext } from '../src/platform/context.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { buildHttpApp } from '../src/platform/http/app.ts';
import { JobQueue } from '../src/platform/jobs/queue.ts';
import { createSession, SESSION_COOKIE } from '../src/platform/auth/sessions.ts';
import { childPath, rootPath } from '../src/core/organizations.ts';
import { httpModules } from '../src/modules/index.ts';
import { sql } from 'kysely';

const ROUNDS = 5;
const READS = 2000;
const WRITES = 500;
const CONCURRENCY = 16;

const url = process.env.DATABASE_URL;
const database = await openDatabase({ databaseUrl: url, poolSize: 20 });
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

const rootId = crypto.randomUUID();
const root = await ctx.db
  .insertInto('organizations')
  .values({ id: rootId, parent_id: null, kind: 'isp', name: 'Bench ISP', path: rootPath(rootId), depth: 0, contact_email: null, contact_phone: null, address: null, tax_id: null })
  .returningAll()
  .executeTakeFirstOrThrow();
for (let i = 0; i < 50; i++) {
  const id = crypto.randomUUID();
  await ctx.db
    .insertInto('organizations')
    .values({ id, parent_id: root.id, kind: 'reseller', name: `Reseller ${i}`, path: childPath(root.path, id), depth: 1, contact_email: null, contact_phone: null, address: null, tax_id: null })
    .execute();
}
const user = await ctx.db
  .insertInto('users')
  .values({ organization_id: root.id, email: 'bench@example.test', name: 'Bench', role_key: 'admin', password_hash: await hashPassword('bench passphrase'), locale: null, totp_secret_enc: null, locked_until: null, password_changed_at: null, last_login_at: null })
  .returningAll()
  .executeTakeFirstOrThrow();
const s = await createSession(ctx.db, ctx.clock, { idleMinutes: 60, absoluteHours: 24 }, { userId: user.id, organizationId: root.id, ip: null, userAgent: 'bench' });
const headers = { cookie: `${SESSION_COOKIE}=${s.token}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' };

async function run(total: number, request: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const status = await request(i);
        if (status >= 300) throw new Error(`request ${i} answered ${status}`);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const reads: number[] = [];
const writes: number[] = [];
let n = 0;
for (let r = 0; r < ROUNDS; r++) {
  reads.push(await run(READS, async () => (await app.inject({ method: 'GET', url: '/api/organizations?limit=50', headers })).statusCode));
  writes.push(
    await run(WRITES, async () =>
      (await app.inject({ method: 'POST', url: '/api/organizations', headers, payload: JSON.stringify({ kind: 'card_partner', name: `Cards ${n++}`, parentId: root.id }) }))
        .statusCode,
    ),
  );
}
const engine = database.engine === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server';
console.log(`engine: ${engine}; concurrency ${CONCURRENCY}; ${ROUNDS} rounds`);
console.log(`authenticated list (50 rows):   median ${median(reads).toFixed(0)} req/s  [${reads.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`audited create (tx + audit):    median ${median(writes).toFixed(0)} req/s  [${writes.map((x) => x.toFixed(0)).join(', ')}]`);
await app.close();
await database.close();
