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
});
