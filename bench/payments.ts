/**
 * Payments benchmark: M-PESA C2B confirmation callbacks processed per second, each through the
 * whole path a real one takes: the public callback route (raw body, path secret compared in
 * constant time, rate limit), the M-PESA adapter, the gateways module (event log), receivePayment
 * (the account reference resolved to a subscriber, the payment recorded once under its TransID,
 * the journal entry from M-PESA clearing to the wallet, what is owed paid oldest first, service
 * unlocked). Half the subscribers owe an invoice; one callback in five is a repeat of an earlier
 * one (Safaricom retries), which must change nothing. Runs in-process with Fastify's inject, so it
 * measures Uplink and its database, not the network. Prints the median of several rounds and the
 * checks: payments = distinct TransIDs, one journal entry each, no balance drifted, books balanced.
 * Callbacks arriving together are applied in batches (src/modules/gateways/callbacks.service.ts).
 *
 *   DATABASE_URL=postgres://…/uplink_bench npx tsx bench/payments.ts   # a PostgreSQL server (empties that database)
 *   npx tsx bench/payments.ts                                           # embedded PGlite
 *   BENCH_ROUNDS=3 BENCH_CALLBACKS=2000 BENCH_CONCURRENCY=32 …
 */
import { sql } from 'kysely';
import { createInvoice } from '../src/modules/invoices/invoice-engine.ts';
import { balanceDrift } from '../src/modules/ledger/ledger.repo.ts';
import { trialBalance } from '../src/modules/ledger/ledger.service.ts';
import { benchApp, benchOrganization, median } from './support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SUBSCRIBERS = 4_000;
const SHORT_CODE = '600984';

const { url, database, ctx, app, close } = await benchApp({ poolSize: 24 });
const { root, headers: staff } = await benchOrganization(ctx);
const orgId = root.id;

// ---- an ISP with an M-PESA paybill, subscribers, half of them owing an invoice ----
const saved = await app.inject({
  method: 'PUT',
  url: '/api/gateways',
  headers: staff,
  payload: { kind: 'mpesa', label: 'Paybill', settings: { baseUrl: 'http://127.0.0.1:9', consumerKey: 'bench', consumerSecret: 'bench', shortCode: SHORT_CODE, passkey: 'bench' } },
});
if (saved.statusCode !== 200) throw new Error(`gateway account: ${saved.statusCode} ${saved.body}`);
const account = saved.json() as { id: string };
const urls = await app.inject({ method: 'GET', url: `/api/gateways/${account.id}/callback-urls`, headers: staff });
const confirmation = new URL((urls.json() as { urls: Record<string, string> }).urls['c2b-confirmation']!).pathname;

const accountNumbers = Array.from({ length: SUBSCRIBERS }, (_, i) => `B${String(i + 1).padStart(6, '0')}`);
const subscribers = await ctx.db
  .insertInto('subscribers')
  .values(accountNumbers.map((n) => ({ organization_id: orgId, account_number: n, name: `Subscriber ${n}`, status: 'active' as const })))
  .returning(['id', 'account_number'])
  .execute();
for (let i = 0; i < subscribers.length; i += 2) {
  await ctx.db.transaction().execute((trx) =>
    createInvoice(trx, ctx.clock, {
      organizationId: orgId,
      subscriberId: subscribers[i]!.id,
      currency: 'KES',
      source: 'manual',
      mode: 'issue',
      lines: [{ kind: 'manual', serviceType: 'pppoe', description: 'Home 10 Mbps', quantity: '1', unitPrice: '1500.00', amount: 150_000n, net: 150_000n, taxes: [], gross: 150_000n }],
    }),
  );
}

// ---- callbacks ----
let serial = 0;
const sent: { transId: string; account: string; amount: number }[] = [];

function nextCallback(): { transId: string; account: string; amount: number } {
  // One in five is Safaricom delivering an earlier confirmation again.
  if (sent.length > 0 && serial % 5 === 4) {
    serial++;
    return sent[Math.floor(Math.random() * sent.length)]!;
  }
  serial++;
  const c = { transId: `BNC${serial.toString(36).toUpperCase().padStart(9, '0')}`, account: accountNumbers[serial % SUBSCRIBERS]!, amount: 500 + (serial % 7) * 250 };
  sent.push(c);
  return c;
}

function body(c: { transId: string; account: string; amount: number }): string {
  return JSON.stringify({
    TransactionType: 'Pay Bill',
    TransID: c.transId,
    TransTime: '20261122101500',
    TransAmount: `${c.amount}.00`,
    BusinessShortCode: SHORT_CODE,
    BillRefNumber: c.account,
    InvoiceNumber: '',
    OrgAccountBalance: '',
    ThirdPartyTransID: '',
    MSISDN: '254712345678',
    FirstName: 'JOHN',
  });
}

async function round(callbacks = CALLBACKS): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < callbacks) {
        next++;
        const res = await app.inject({ method: 'POST', url: confirmation, headers: { 'content-type': 'application/json' }, payload: body(nextCallback()) });
        const answer = res.json() as { ResultCode?: unknown };
        if (res.statusCode !== 200 || String(answer.ResultCode) !== '0') throw new Error(`callback answered ${res.statusCode} ${res.body}`);
      }
    }),
  );
  return callbacks / ((performance.now() - started) / 1000);
}

// A first round warms up: the JIT, the pools, and one payment from every subscriber, which opens
// the wallet a first payment opens (an ISP's paying subscribers have theirs). Printed, not counted.
const warmUp = await round(SUBSCRIBERS);
const rates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  rates.push(await round());
  if (process.env.BENCH_VERBOSE) console.log(`round ${r + 1}: ${Math.round(rates.at(-1)!)} callbacks/s`);
}

// ---- checks ----
const count = async (q: Promise<{ n: string | number | bigint }>) => Number((await q).n);
const payments = await count(ctx.db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')).where('channel', '=', 'mpesa').executeTakeFirstOrThrow());
const distinctPayments = await count(ctx.db.selectFrom('payments').select(sql<string>`count(distinct transaction_id)`.as('n')).where('channel', '=', 'mpesa').executeTakeFirstOrThrow());
const entries = await count(ctx.db.selectFrom('journal_entries').select((eb) => eb.fn.countAll().as('n')).where('kind', '=', 'payment').executeTakeFirstOrThrow());
const paidInvoices = await count(ctx.db.selectFrom('invoices').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'paid').executeTakeFirstOrThrow());
const drift = await balanceDrift(ctx.db);
const books = (await trialBalance(ctx.db, orgId)).currencies.every((c) => c.debit === c.credit);
const ok = payments === sent.length && distinctPayments === sent.length && entries === sent.length && drift.length === 0 && books;

console.log(`payments benchmark on ${database.engine}${url ? ' (server)' : ''}: M-PESA C2B confirmations through the callback route, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds of ${CALLBACKS}`);
console.log(`  callbacks processed: ${Math.round(median(rates))}/s (rounds: ${rates.map((x) => Math.round(x)).join(', ')}; warm-up round, not counted: ${Math.round(warmUp)})`);
console.log(`  ${serial} callbacks, ${sent.length} distinct TransIDs → ${payments} payments, ${entries} payment entries, ${paidInvoices} invoices paid; ${drift.length} balances drifted; books ${books ? 'balanced' : 'NOT balanced'}`);
console.log(`  ${ok ? 'OK: every TransID credited exactly once' : 'FAILED: duplicates or missing credits'}`);
await close();
if (!ok) process.exit(1);
