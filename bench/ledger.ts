/**
 * Ledger benchmark: journal entries per second through the ledger engine, with every database rule
 * on (balance checked at commit, running balances, credit limits, immutability):
 *   - one entry per transaction (a payment at the counter or a gateway callback);
 *   - postEntries in batches (how a billing run posts its invoices: receivable, revenue, VAT).
 * Prints the median of several rounds. Needs a database of its own: on a server it empties it.
 *
 *   npx tsx bench/ledger.ts                     # embedded PGlite
 *   DATABASE_URL=postgres://…/uplink_bench npx tsx bench/ledger.ts
 *   BENCH_ROUNDS=3 BENCH_VERBOSE=1 …            # fewer rounds; print each round (a rate that falls round
 *                                               # after round means some query grows with the ledger)
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { rootPath } from '../src/core/organizations.ts';
import { systemClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import * as repo from '../src/modules/ledger/ledger.repo.ts';
import { ensureAccount, ensureChart, postEntries, postEntry, type PostEntryInput } from '../src/modules/ledger/ledger.service.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SINGLE = 500;
const BATCH = 2_000;
const BATCHES = 5;
const SUBSCRIBERS = BATCH;

const url = process.env.DATABASE_URL;
const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
if (url) await sql.raw('drop schema if exists public cascade; drop schema if exists pgboss cascade; create schema public').execute(database.kysely);
await migrateToLatest(database);
const db = database.kysely;

const orgId = randomUUID();
await db
  .insertInto('organizations')
  .values({ id: orgId, parent_id: null, kind: 'isp', name: 'Bench ISP', path: rootPath(orgId), depth: 0, currency: 'KES', contact_email: null, contact_phone: null, address: null, tax_id: null })
  .execute();

const accounts = await db.transaction().execute(async (trx) => {
  const chart = await ensureChart(trx, orgId, 'KES');
  const cash = chart.find((a) => a.system_key === 'cash_on_hand')!.id;
  const revenue = (await ensureAccount(trx, { organizationId: orgId, account: { systemKey: 'revenue:pppoe' }, currency: 'KES' })).id;
  const vat = (await ensureAccount(trx, { organizationId: orgId, account: { systemKey: 'tax_payable:VAT' }, currency: 'KES' })).id;
  const owners = Array.from({ length: SUBSCRIBERS }, () => randomUUID());
  await repo.insertAccounts(
    trx,
    owners.map((id) => ({ organization_id: orgId, code: '1200', name: 'Accounts receivable', type: 'asset' as const, currency: 'KES', system_key: 'accounts_receivable', owner_type: 'subscriber', owner_id: id })),
  );
  const receivables = await trx.selectFrom('ledger_accounts').select('id').where('system_key', '=', 'accounts_receivable').where('owner_id', 'is not', null).execute();
  return { cash, revenue, vat, receivables: receivables.map((r) => r.id) };
});

const kes = (minor: bigint) => ({ minor, currency: 'KES' });
let serial = 0;

function invoice(receivable: string): PostEntryInput {
  return {
    organizationId: orgId,
    kind: 'invoice',
    idempotencyKey: `bench-invoice:${++serial}`,
    lines: [
      { accountId: receivable, amount: kes(232_000n) },
      { accountId: accounts.revenue, amount: kes(-200_000n) },
      { accountId: accounts.vat, amount: kes(-32_000n) },
    ],
  };
}

function payment(receivable: string): PostEntryInput {
  return {
    organizationId: orgId,
    kind: 'payment',
    idempotencyKey: `bench-payment:${++serial}`,
    lines: [
      { accountId: accounts.cash, amount: kes(1_000n) },
      { accountId: receivable, amount: kes(-1_000n) },
    ],
  };
}

async function round(run: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const entries = await run();
  return entries / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const single: number[] = [];
const batched: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  single.push(
    await round(async () => {
      for (let i = 0; i < SINGLE; i++) await db.transaction().execute((trx) => postEntry(trx, systemClock, payment(accounts.receivables[i % SUBSCRIBERS]!)));
      return SINGLE;
    }),
  );
  batched.push(
    await round(async () => {
      for (let b = 0; b < BATCHES; b++) await db.transaction().execute((trx) => postEntries(trx, systemClock, accounts.receivables.map(invoice)));
      return BATCH * BATCHES;
    }),
  );
  if (process.env.BENCH_VERBOSE) console.log(`round ${r + 1}: ${Math.round(single.at(-1)!)} single/s, ${Math.round(batched.at(-1)!)} batched/s`);
}

const drift = await repo.balanceDrift(db);
const total = await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
console.log(`ledger benchmark on ${database.engine}${url ? ' (server)' : ''}: median of ${ROUNDS} rounds, ${total.n} entries posted, ${drift.length} balances drifted`);
console.log(`  one entry per transaction (payments):   ${Math.round(median(single))} entries/s`);
console.log(`  postEntries, ${BATCH} per transaction (invoices, 3 lines): ${Math.round(median(batched))} entries/s`);
await database.close();
