/** The ledger engine as the billing and payment modules call it: batches, replays and refusals. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { walletTopUp } from '../../src/core/ledger.ts';
import type { Money } from '../../src/core/money.ts';
import { ConflictError, UnprocessableError } from '../../src/platform/errors.ts';
import * as repo from '../../src/modules/ledger/ledger.repo.ts';
import { CreditLimitError, ensureAccount, ensureChart, postEntries, postEvent, reverseEntry, type PostEntryInput } from '../../src/modules/ledger/ledger.service.ts';
import { payFromWallet, setCreditLimit, topUpWallet, walletBalance } from '../../src/modules/ledger/wallets.service.ts';
import { createTestContext, seedTree } from '../support/app.ts';
import { engine } from '../support/db.ts';

const kes = (minor: bigint): Money => ({ minor, currency: 'KES' });

describe(`posting (${engine})`, async () => {
  const t = await createTestContext();
  const { db } = t.ctx;
  const clock = t.clock;
  const { isp, resellerB } = await seedTree(t.ctx);
  const { cash, opening } = await db.transaction().execute(async (trx) => {
    const chart = await ensureChart(trx, isp.id, 'KES');
    return { cash: chart.find((a) => a.system_key === 'cash_on_hand')!.id, opening: chart.find((a) => a.system_key === 'opening_balance')!.id };
  });
  const entry = (key: string, minor: bigint): PostEntryInput => ({
    organizationId: isp.id,
    kind: 'payment',
    idempotencyKey: key,
    lines: [
      { accountId: cash, amount: kes(minor) },
      { accountId: opening, amount: kes(-minor) },
    ],
  });
  const cashBalance = async () => (await repo.findAccount(db, cash))!.balance;
  const wallet = () => ({ organizationId: isp.id, subscriberId: randomUUID(), currency: 'KES' });

  it('posts a batch, answering the first entry for keys seen before or repeated within it', async () => {
    const [earlier] = await db.transaction().execute((trx) => postEntries(trx, clock, [entry('mpesa:QK1', 100n)]));
    const before = await cashBalance();
    const results = await db.transaction().execute((trx) =>
      postEntries(trx, clock, [entry('mpesa:QK2', 5n), entry('mpesa:QK1', 100n), entry('mpesa:QK3', 7n), entry('mpesa:QK2', 5n)]),
    );
    expect(results.map((r) => r.replayed)).toEqual([false, true, false, true]);
    expect(results[1]!.entry.id).toBe(earlier!.entry.id);
    expect(results[3]!.entry.id).toBe(results[0]!.entry.id);
    expect(await cashBalance()).toBe(before + 12n);
  });

  it('refuses the whole batch when one key comes back with other lines, or one entry does not balance', async () => {
    const before = await cashBalance();
    await expect(db.transaction().execute((trx) => postEntries(trx, clock, [entry('mpesa:QK4', 1n), entry('mpesa:QK1', 101n)]))).rejects.toThrow(ConflictError);
    const unbalanced = { ...entry('mpesa:QK5', 1n), lines: [{ accountId: cash, amount: kes(1n) }, { accountId: opening, amount: kes(-2n) }] };
    await expect(db.transaction().execute((trx) => postEntries(trx, clock, [entry('mpesa:QK6', 1n), unbalanced]))).rejects.toThrow(/mpesa:QK5: Debits and credits differ/);
    expect(await cashBalance()).toBe(before);
    expect(await repo.findEntriesByKeys(db, ['mpesa:QK4', 'mpesa:QK6'].map((k) => ({ organizationId: isp.id, idempotencyKey: k })))).toEqual([]);
  });

  it('counts earlier entries of the same batch against a credit limit', async () => {
    const ref = wallet();
    await db.transaction().execute((trx) => topUpWallet(trx, clock, ref, { amount: kes(300n), via: { kind: 'cash' }, idempotencyKey: `top-up:${ref.subscriberId}` }));
    const account = (await walletBalance(db, ref)).accountId!;
    const receivable = await db.transaction().execute((trx) =>
      ensureAccount(trx, { organizationId: isp.id, account: { systemKey: 'accounts_receivable', owner: { type: 'subscriber', id: ref.subscriberId } }, currency: 'KES' }),
    );
    const deduction = (key: string): PostEntryInput => ({
      organizationId: isp.id,
      kind: 'wallet_deduction',
      idempotencyKey: key,
      lines: [
        { accountId: account, amount: kes(200n) },
        { accountId: receivable.id, amount: kes(-200n) },
      ],
    });
    const err = await db.transaction().execute((trx) => postEntries(trx, clock, [deduction('d1'), deduction('d2')])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreditLimitError);
    expect((err as CreditLimitError).message).toBe('Subscriber wallet holds 1.00 KES; taking 2.00 KES would go past zero');
    expect((await walletBalance(db, ref)).balance).toEqual(kes(300n));
  });

  it('lets a credit limit carry a wallet below zero, and no further', async () => {
    const ref = wallet();
    await db.transaction().execute((trx) => setCreditLimit(trx, ref, kes(50n)));
    const pay = (minor: bigint, key: string) => db.transaction().execute((trx) => payFromWallet(trx, clock, ref, { amount: kes(minor), idempotencyKey: key }));
    await pay(30n, `a:${ref.subscriberId}`);
    await expect(pay(21n, `b:${ref.subscriberId}`)).rejects.toThrow(/Subscriber wallet holds -0.30 KES; taking 0.21 KES would go past its credit limit of 0.50 KES/);
    await pay(20n, `c:${ref.subscriberId}`);
    expect(await walletBalance(db, ref)).toMatchObject({ balance: kes(-50n), creditLimit: kes(50n), available: kes(0n) });
    await expect(db.transaction().execute((trx) => setCreditLimit(trx, ref, kes(-1n)))).rejects.toThrow(UnprocessableError);
  });

  it('refuses a reversal that would spend a top-up already spent, and reverses a reversal', async () => {
    const ref = wallet();
    const topUp = await db.transaction().execute((trx) => postEvent(trx, clock, { organizationId: isp.id, kind: 'wallet_top_up', idempotencyKey: `t:${ref.subscriberId}`, lines: walletTopUp({ subscriberId: ref.subscriberId, amount: kes(80n), via: { kind: 'cash' } }) }));
    await db.transaction().execute((trx) => payFromWallet(trx, clock, ref, { amount: kes(50n), idempotencyKey: `p:${ref.subscriberId}` }));
    await expect(db.transaction().execute((trx) => reverseEntry(trx, clock, topUp.entry, { idempotencyKey: `r:${ref.subscriberId}` }))).rejects.toThrow(CreditLimitError);
    await db.transaction().execute((trx) => topUpWallet(trx, clock, ref, { amount: kes(50n), via: { kind: 'cash' }, idempotencyKey: `t2:${ref.subscriberId}` }));
    const reversal = await db.transaction().execute((trx) => reverseEntry(trx, clock, topUp.entry, { idempotencyKey: `r:${ref.subscriberId}` }));
    expect((await walletBalance(db, ref)).balance).toEqual(kes(0n));
    await db.transaction().execute((trx) => reverseEntry(trx, clock, reversal.entry, { idempotencyKey: `rr:${ref.subscriberId}` }));
    expect((await walletBalance(db, ref)).balance).toEqual(kes(80n));
    await expect(db.transaction().execute((trx) => reverseEntry(trx, clock, topUp.entry, { idempotencyKey: `r2:${ref.subscriberId}` }))).rejects.toThrow(/already reversed/);
  });

  it('the first posting in an organization and currency opens its standard chart', async () => {
    const ref = { organizationId: resellerB.id, subscriberId: randomUUID(), currency: 'UGX' };
    await db.transaction().execute((trx) => topUpWallet(trx, clock, ref, { amount: { minor: 5000n, currency: 'UGX' }, via: { kind: 'gateway', gateway: 'mtn' }, idempotencyKey: 'mtn:1' }));
    const accounts = await db.selectFrom('ledger_accounts').select(['system_key', 'currency']).where('organization_id', '=', resellerB.id).orderBy('system_key').execute();
    expect(accounts.map((a) => a.system_key)).toEqual(['accounts_receivable', 'bad_debt', 'cash_on_hand', 'commission_expense', 'gateway_clearing:mtn', 'opening_balance', 'subscriber_wallet']);
    expect(accounts.every((a) => a.currency === 'UGX')).toBe(true);
  });

  it('the same key posted by two transactions at once writes one entry', async () => {
    const before = await cashBalance();
    const results = await Promise.all([1, 2].map(() => db.transaction().execute((trx) => postEntries(trx, clock, [entry('mpesa:RACE', 9n)]))));
    expect(new Set(results.map((r) => r[0]!.entry.id)).size).toBe(1);
    expect(results.map((r) => r[0]!.replayed).sort()).toEqual([false, true]);
    expect(await cashBalance()).toBe(before + 9n);
  });
});
