/**
 * Concurrent deductions against one wallet: on the PostgreSQL server twelve transactions at a time
 * (one per pooled connection) race for the wallet; on PGlite the same test runs and the single
 * connection serializes them.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { type Money } from '../../src/core/money.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/platform/db/schema.ts';
import { balanceDrift } from '../../src/modules/ledger/ledger.repo.ts';
import { CreditLimitError, trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { payFromWallet, topUpWallet, walletBalance, type WalletRef } from '../../src/modules/ledger/wallets.service.ts';
import { createTestContext, seedTree } from '../support/app.ts';
import { engine } from '../support/db.ts';

const kes = (minor: bigint): Money => ({ minor, currency: 'KES' });

describe(`wallet deductions under concurrency (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const poolSize = 12;
  const concurrent = t.database.url ? await openDatabase({ databaseUrl: t.database.url, poolSize }) : t.database;
  afterAll(async () => {
    if (concurrent !== t.database) await concurrent.close();
  });
  const db = concurrent.kysely;
  // Opens the pool's connections one at a time, so a busy machine does not time out opening them all at once.
  for (let k = 1; k <= poolSize; k++) await Promise.all(Array.from({ length: k }, () => sql`select pg_sleep(0.01)`.execute(db)));
  const clock = t.ctx.clock;

  /** Runs one operation in its own transaction; a refusal for the credit limit counts, anything else fails the test. */
  async function attempt(run: (trx: Transaction<DB>) => Promise<unknown>) {
    try {
      await db.transaction().execute(run);
      return 'accepted' as const;
    } catch (err) {
      if (err instanceof CreditLimitError) return 'refused' as const;
      throw err;
    }
  }

  /**
   * Runs the tasks with `width` of them in flight at every moment, one per pooled connection (the
   * pool would queue the rest anyway, and time out a queue that waits on a busy machine).
   */
  async function concurrently<T>(tasks: (() => Promise<T>)[], width = poolSize): Promise<T[]> {
    const results: T[] = [];
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
    return results;
  }

  /** The wallet's balance after each of its lines, in the order they were posted (and locked). */
  async function history(accountId: string): Promise<bigint[]> {
    const r = await sql<{ running: string }>`select -sum(amount) over (order by id) as running from journal_lines where account_id = ${accountId} order by id`.execute(db);
    return r.rows.map((x) => BigInt(x.running));
  }

  it('400 concurrent debits of 1 against a wallet holding 300: exactly 300 accepted, none lost, never negative', async () => {
    const wallet: WalletRef = { organizationId: tree.isp.id, subscriberId: randomUUID(), currency: 'KES' };
    await db.transaction().execute((trx) => topUpWallet(trx, clock, wallet, { amount: kes(300n), via: { kind: 'cash' }, idempotencyKey: `top-up:${wallet.subscriberId}` }));

    const outcomes = await concurrently(
      Array.from({ length: 400 }, (_, i) => () => attempt((trx) => payFromWallet(trx, clock, wallet, { amount: kes(1n), idempotencyKey: `debit:${wallet.subscriberId}:${i}` }))),
    );
    const accepted = outcomes.filter((o) => o === 'accepted').length;
    expect(accepted).toBe(300);
    expect(outcomes.filter((o) => o === 'refused').length).toBe(100);

    const after = await walletBalance(db, wallet);
    expect(after.balance.minor).toBe(0n);
    const deductions = await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll().as('n')).where('kind', '=', 'wallet_deduction').where('idempotency_key', 'like', `debit:${wallet.subscriberId}:%`).executeTakeFirstOrThrow();
    expect(Number(deductions.n)).toBe(300);
    const steps = await history(after.accountId!);
    expect(steps).toHaveLength(301);
    expect(steps.every((b) => b >= 0n)).toBe(true);
    expect(steps.at(-1)).toBe(0n);
    expect(await balanceDrift(db)).toEqual([]);
    for (const c of (await trialBalance(db, tree.isp.id)).currencies) expect(c.debit).toBe(c.credit);
  });

  it('top-ups and deductions on many wallets sharing the cash account neither deadlock nor lose money', async () => {
    const wallets: WalletRef[] = Array.from({ length: 8 }, () => ({ organizationId: tree.isp.id, subscriberId: randomUUID(), currency: 'KES' }));
    const operations = wallets.flatMap((wallet, w) =>
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0
          ? () => attempt((trx) => topUpWallet(trx, clock, wallet, { amount: kes(5n), via: { kind: 'cash' }, idempotencyKey: `mixed:${w}:${i}` }))
          : () => attempt((trx) => payFromWallet(trx, clock, wallet, { amount: kes(2n), idempotencyKey: `mixed:${w}:${i}` })),
      ),
    );
    const outcomes = await concurrently(operations);
    expect(outcomes.length).toBe(240);
    for (const wallet of wallets) {
      const { balance, accountId } = await walletBalance(db, wallet);
      const topUps = 10n * 5n;
      const lines = await db.selectFrom('journal_lines').select('amount').where('account_id', '=', accountId!).execute();
      const spent = lines.filter((l) => l.amount > 0n).reduce((s, l) => s + l.amount, 0n);
      expect(balance.minor).toBe(topUps - spent);
      expect((await history(accountId!)).every((b) => b >= 0n)).toBe(true);
    }
    expect(await balanceDrift(db)).toEqual([]);
    for (const c of (await trialBalance(db, tree.isp.id)).currencies) expect(c.debit).toBe(c.credit);
  });

  it("an organization's cash account does not make concurrent postings wait: each session moves its own shard", async () => {
    const wallets: WalletRef[] = Array.from({ length: 2 }, () => ({ organizationId: tree.isp.id, subscriberId: randomUUID(), currency: 'KES' }));
    // Two sessions whose backends fall on different shards (on PGlite, the one connection twice).
    const sessions: { db: Awaited<ReturnType<typeof openDatabase>>; pid: number }[] = [];
    if (t.database.url) {
      while (sessions.length < 2) {
        const one = await openDatabase({ databaseUrl: t.database.url, poolSize: 1 });
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(one.kysely)).rows[0]!.pid;
        if (sessions.some((s) => s.pid % 16 === pid % 16)) await one.close();
        else sessions.push({ db: one, pid });
      }
    }
    // The first transaction posts to cash and stays open; the second posts to the same cash account.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let posted!: () => void;
    const firstPosted = new Promise<void>((r) => (posted = r));
    const first = (sessions[0]?.db.kysely ?? db).transaction().execute(async (trx) => {
      await topUpWallet(trx, clock, wallets[0]!, { amount: kes(700n), via: { kind: 'cash' }, idempotencyKey: `shard:${wallets[0]!.subscriberId}` });
      posted();
      await held;
      return (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
    });
    await firstPosted;
    if (sessions.length === 0) {
      // PGlite has one connection: the second transaction could only start after the first; finish it.
      release();
      await first;
    }
    const second = (sessions[1]?.db.kysely ?? db).transaction().execute(async (trx) => {
      await topUpWallet(trx, clock, wallets[1]!, { amount: kes(300n), via: { kind: 'cash' }, idempotencyKey: `shard:${wallets[1]!.subscriberId}` });
      return (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
    });
    const secondPid = await second; // on the server this commits while the first still holds its shard
    release();
    const firstPid = await first;
    for (const s of sessions) await s.db.close();
    const cash = await db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('organization_id', '=', tree.isp.id)
      .where('system_key', '=', 'cash_on_hand')
      .where('currency', '=', 'KES')
      .executeTakeFirstOrThrow();
    const shards = await db.selectFrom('ledger_balances').select(['shard', 'balance']).where('account_id', '=', cash.id).execute();
    const shardIds = new Set(shards.map((s) => s.shard));
    expect(shardIds.has(firstPid % 16)).toBe(true);
    expect(shardIds.has(secondPid % 16)).toBe(true);
    const lines = await db.selectFrom('journal_lines').select((eb) => eb.fn.sum<string>('amount').as('total')).where('account_id', '=', cash.id).executeTakeFirstOrThrow();
    expect(shards.reduce((sum, s) => sum + s.balance, 0n)).toBe(BigInt(lines.total));
    expect(await balanceDrift(db)).toEqual([]);
    for (const c of (await trialBalance(db, tree.isp.id)).currencies) expect(c.debit).toBe(c.credit);
  });
});
