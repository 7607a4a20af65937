/**
 * Billing run benchmark: creates N active subscriptions with set-based SQL (subscribers with a phone,
 * one subscription each and a TV add-on subscription for every tenth, on VAT-inclusive monthly plans
 * anchored on days 1 to 28), then times the billing run (executeRun, as the job runs it) billing one
 * period of every one: invoices with lines and taxes, gapless numbers, customer snapshots, ledger
 * entries and lines, subscriptions moved on. Each further round bills the next month on the same
 * data (receivables exist by then, as in a real month). Prints subscriptions/s per round and the
 * median, then checks the books: one line per subscription and period, trial balance zero, no
 * running balance drifted. Target: 1,000,000 subscriptions in at most 90 s on PostgreSQL.
 *
 *   npx tsx bench/billing-run.ts 1000000                      # PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 *   npx tsx bench/billing-run.ts 100000 --engine pglite       # embedded PGlite, in memory
 *   … --rounds 3 --chunk 20000 --workers 2                     # an odd number of rounds gives a true median
 *   BENCH_VERBOSE=1 …                                         # time per step of the run (read it with --workers 1)
 *
 * On a server it works in a database of its own, uplink_bench_billing, created (and first dropped)
 * next to the one DATABASE_URL names.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import pino from 'pino';
import { rootPath } from '../src/core/organizations.ts';
import { allPermissions } from '../src/platform/auth/permissions.ts';
import type { Actor } from '../src/platform/auth/principal.ts';
import { TestClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { executeRun } from '../src/modules/billing/billing-runs.service.ts';
import * as runs from '../src/modules/billing/billing-runs.repo.ts';
import { createPlan } from '../src/modules/catalog/plans.service.ts';
import { createPlanSchema } from '../src/modules/catalog/plans.schemas.ts';
import { createTaxClass } from '../src/modules/catalog/tax-classes.service.ts';
import { createTaxClassSchema } from '../src/modules/catalog/tax-classes.schemas.ts';
import { balanceDrift } from '../src/modules/ledger/ledger.repo.ts';
import { trialBalance } from '../src/modules/ledger/ledger.service.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { engine: { type: 'string', default: 'postgres' }, rounds: { type: 'string', default: '1' }, chunk: { type: 'string', default: '20000' }, workers: { type: 'string' } },
});
const count = Number(positionals[0] ?? 100_000);
const rounds = Number(values.rounds);
const chunkSize = Number(values.chunk);
const benchDb = 'uplink_bench_billing';

let url: string | undefined;
if (values.engine === 'postgres') {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${benchDb} with (force)`);
  await admin.query(`create database ${benchDb}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${benchDb}`;
  url = u.toString();
}
const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
const workers = Number(values.workers ?? (database.engine === 'postgres' ? 2 : 1));
await migrateToLatest(database);
const db = database.kysely;
const clock = new TestClock('2026-03-28T09:00:00Z');
const deps = { db, clock, logger: pino({ level: 'silent' }) };

const orgId = randomUUID();
await db
  .insertInto('organizations')
  .values({ id: orgId, parent_id: null, kind: 'isp', name: 'Bench ISP', path: rootPath(orgId), depth: 0, currency: 'KES', timezone: 'Africa/Nairobi', contact_email: null, contact_phone: null, address: null, tax_id: null })
  .execute();
const scope = { orgId, orgPath: rootPath(orgId) };
const actor: Actor = {
  principal: { via: 'session', userId: randomUUID(), userName: 'bench', email: '', roleKey: 'developer', locale: null, home: scope, scope, permissions: new Set(allPermissions) },
  audit: { type: 'system', id: null, label: 'bench', requestId: null, ip: null },
};
const vat = await createTaxClass(deps, actor, createTaxClassSchema.parse({ code: 'VAT16', name: 'VAT 16% inclusive', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] }));
const plan = async (code: string, serviceType: string, price: string) =>
  (
    await createPlan(
      deps,
      actor,
      createPlanSchema.parse({ code, name: code, serviceType, billingModel: 'postpaid', version: { billing: { cycle: 'monthly' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price }] }], taxClassId: vat.id } }),
    )
  ).id;
const plans = [await plan('HOME-10', 'pppoe', '2320'), await plan('HOME-20', 'pppoe', '3480'), await plan('TV', 'cable_tv', '1160')];

const subscribers = Math.round(count / 1.1);
const addOns = count - subscribers;
const load = performance.now();
const step = 100_000;
for (let from = 1; from <= subscribers; from += step) {
  const to = Math.min(subscribers, from + step - 1);
  await sql`insert into subscribers (organization_id, account_number, name, status, search_text, created_at, updated_at)
    select ${orgId}::uuid, 'KIL-' || lpad(i::text, 7, '0'), 'Subscriber ' || i, 'active', 'subscriber ' || i, timestamptz '2025-12-01' + i * interval '1 second', now()
      from generate_series(${from}::int, ${to}::int) i`.execute(db);
  process.stdout.write(`\r  ${to} subscribers`);
}
await sql`insert into subscriber_contacts (subscriber_id, kind, value, is_primary)
  select id, 'phone', '+2547' || lpad(substring(account_number from 5), 8, '0'), true from subscribers`.execute(db);
// Anchored on day 1 to 28 of January; February is billed, so the period from the anchor day in March is due.
await sql`insert into subscriptions (organization_id, subscriber_id, plan_id, currency, status, starts_at, activated_at, billed_through, next_bill_at)
  select ${orgId}::uuid, s.id, (${plans}::uuid[])[1 + n % 2], 'KES', 'active', a.at, a.at, a.due, a.due
    from (select id, substring(account_number from 5)::int as n from subscribers) s
    cross join lateral (select timestamptz '2026-01-01 10:00+03' + (s.n % 28) * interval '1 day' as at,
                               timestamptz '2026-03-01 00:00+03' + (s.n % 28) * interval '1 day' as due) a`.execute(db);
await sql`insert into subscriptions (organization_id, subscriber_id, plan_id, currency, status, starts_at, activated_at, billed_through, next_bill_at, created_at)
  select ${orgId}::uuid, s.id, ${plans[2]}::uuid, 'KES', 'active', a.at, a.at, a.due, a.due, now() + interval '1 second'
    from (select id, substring(account_number from 5)::int as n from subscribers) s
    cross join lateral (select timestamptz '2026-01-01 10:00+03' + (s.n % 28) * interval '1 day' as at,
                               timestamptz '2026-03-01 00:00+03' + (s.n % 28) * interval '1 day' as due) a
   where s.n <= ${addOns}`.execute(db);
await sql.raw(database.engine === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db);
console.log(`\r  ${count} subscriptions of ${subscribers} subscribers loaded in ${((performance.now() - load) / 1000).toFixed(1)} s`);

/** The server's write-ahead log position in bytes; null on the embedded database. */
async function walPosition(): Promise<bigint | null> {
  if (database.engine !== 'postgres') return null;
  return (await sql<{ b: bigint }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint as b`.execute(db)).rows[0]!.b;
}

/** CPU milliseconds used so far by this machine's PostgreSQL processes (a local server; 0 elsewhere). */
function serverCpu(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(postgres)')) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while being read.
    }
  }
  return (ticks * 1000) / 100;
}

/** BENCH_VERBOSE=1: time and WAL between the run's steps, summed over its chunks (read it with --workers 1). */
function stepTimer() {
  let last = performance.now();
  let lastWal: bigint | null = null;
  let lastCpu = serverCpu();
  const steps = new Map<string, { ms: number; wal: bigint; cpu: number }>();
  return {
    faults: {
      at: async (point: string) => {
        const wal = await walPosition();
        const step = steps.get(point) ?? { ms: 0, wal: 0n, cpu: 0 };
        step.ms += performance.now() - last;
        const cpu = serverCpu();
        step.cpu += cpu - lastCpu;
        lastCpu = cpu;
        if (wal !== null && lastWal !== null) step.wal += wal - lastWal;
        steps.set(point, step);
        last = performance.now();
        lastWal = wal;
      },
    },
    report: () => [...steps].map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(2)}s ${Number(v.wal / 2n ** 20n)}MB ${(v.cpu / 1000).toFixed(2)}s-cpu`).join(', '),
  };
}

const rates: number[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`billing run benchmark on ${database.engine}${url ? ' (server)' : ''}: ${count} subscriptions, chunks of ${chunkSize}, ${workers} worker(s)`);
for (let r = 0; r < rounds; r++) {
  // Round r bills the month r after March, on the 28th, when every anchor day of that month has passed.
  const asOf = new Date(Date.UTC(2026, 2 + r, 28, 9));
  clock.set(asOf);
  const run = await runs.insertRun(db, { organization_id: orgId, as_of: asOf, dry_run: false, started_at: asOf, started_by: null });
  const timer = process.env.BENCH_VERBOSE ? stepTimer() : undefined;
  const walBefore = await walPosition();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const done = await executeRun(deps, run.id, { chunkSize, workers, faults: timer?.faults });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const nodeCpu = `, this process used ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU`;
  const walAfter = await walPosition();
  const wal = walBefore === null || walAfter === null ? '' : `, ${Number((walAfter - walBefore) / 2n ** 20n)} MB of WAL`;
  rates.push(done.subscriptions_billed / seconds);
  if (timer) console.log(`    ${timer.report()}`);
  console.log(`  round ${r + 1}: ${done.subscriptions_billed} subscriptions, ${done.invoices_created} invoices in ${seconds.toFixed(1)} s: ${Math.round(rates.at(-1)!)} subscriptions/s${wal}${nodeCpu}`);
  if (done.subscriptions_billed !== count || done.invoices_created !== subscribers) throw new Error('the run did not bill every subscription once');
}
console.log(`  median: ${Math.round(median(rates))} subscriptions/s (${(count / median(rates)).toFixed(1)} s for ${count})`);

const checks = performance.now();
const twice = await sql<{ n: bigint }>`select count(*) as n from (select subscription_id, period_start from invoice_lines group by 1, 2 having count(*) > 1) d`.execute(db);
const lines = await sql<{ n: bigint }>`select count(*) as n from invoice_lines`.execute(db);
const tb = await trialBalance(db, orgId, 'KES');
const drift = await balanceDrift(db);
const books = tb.currencies[0]!;
console.log(
  `  checks (${((performance.now() - checks) / 1000).toFixed(1)} s): ${lines.rows[0]!.n} lines, ${twice.rows[0]!.n} periods billed twice, ` +
    `trial balance debit ${books.debit} = credit ${books.credit}: ${books.debit === books.credit ? 'balanced' : 'NOT BALANCED'}, ${drift.length} balances drifted`,
);
await database.close();
