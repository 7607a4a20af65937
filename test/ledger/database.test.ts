/**
 * The database keeps the books honest on its own: these statements bypass the service and write
 * raw SQL, and each one that would break a rule must be refused.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../../src/platform/db/schema.ts';
import * as ledger from '../../src/modules/ledger/ledger.service.ts';
import { balanceDrift } from '../../src/modules/ledger/ledger.repo.ts';
import { createTestContext, seedTree } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`ledger rules enforced by the database (${engine})`, async () => {
  const t = await createTestContext();
  const { db } = t.ctx;
  const tree = await seedTree(t.ctx);
  const tx = <T>(fn: (trx: Transaction<DB>) => Promise<T>) => db.transaction().execute(fn);

  const { cash, opening, usdCash, usdOpening, wallet, foreignCash } = await tx(async (trx) => {
    const kes = await ledger.ensureChart(trx, tree.isp.id, 'KES');
    const usd = await ledger.ensureChart(trx, tree.isp.id, 'USD');
    const other = await ledger.ensureChart(trx, tree.resellerB.id, 'KES');
    const key = (accounts: typeof kes, k: string) => accounts.find((a) => a.system_key === k)!.id;
    const walletAccount = await ledger.ensureAccount(trx, { organizationId: tree.isp.id, account: { systemKey: 'subscriber_wallet', owner: { type: 'subscriber', id: randomUUID() } }, currency: 'KES' });
    return {
      cash: key(kes, 'cash_on_hand'),
      opening: key(kes, 'opening_balance'),
      usdCash: key(usd, 'cash_on_hand'),
      usdOpening: key(usd, 'opening_balance'),
      wallet: walletAccount.id,
      foreignCash: key(other, 'cash_on_hand'),
    };
  });

  async function insertEntry(trx: Transaction<DB>, extra: Record<string, unknown> = {}): Promise<string> {
    const id = randomUUID();
    await trx
      .insertInto('journal_entries')
      .values({ id, organization_id: tree.isp.id, kind: 'manual', occurred_at: new Date(), posted_at: new Date(), idempotency_key: randomUUID(), ...extra })
      .execute();
    return id;
  }
  async function insertLines(trx: Transaction<DB>, entryId: string, lines: [string, bigint, string?][], firstLineNo = 1): Promise<void> {
    await trx
      .insertInto('journal_lines')
      .values(lines.map(([account, amount, currency], i) => ({ entry_id: entryId, line_no: firstLineNo + i, account_id: account, currency: currency ?? 'KES', amount })))
      .execute();
  }
  /** A balanced entry committed through raw SQL. */
  async function postRaw(lines: [string, bigint, string?][], extra: Record<string, unknown> = {}): Promise<string> {
    return tx(async (trx) => {
      const id = await insertEntry(trx, extra);
      await insertLines(trx, id, lines);
      return id;
    });
  }
  // The sum of the account's balance rows: an organization's cash account keeps several shards.
  const balanceOf = async (account: string) =>
    BigInt((await db.selectFrom('ledger_balances').select(sql<string>`sum(balance)`.as('balance')).where('account_id', '=', account).executeTakeFirstOrThrow()).balance);
  const entryCount = async () => Number((await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('accepts a balanced entry whose lines follow it in the same transaction, and keeps running balances', async () => {
    await postRaw([
      [cash, 10_000n],
      [opening, -10_000n],
    ]);
    expect(await balanceOf(cash)).toBe(10_000n);
    expect(await balanceOf(opening)).toBe(-10_000n);
    expect(await balanceDrift(db)).toEqual([]);
  });

  it('refuses an unbalanced entry at commit, though every statement before the commit succeeded', async () => {
    const before = await entryCount();
    let statementsDone = false;
    await expect(
      tx(async (trx) => {
        const id = await insertEntry(trx);
        await insertLines(trx, id, [
          [cash, 500n],
          [opening, -499n],
        ]);
        statementsDone = true;
      }),
    ).rejects.toThrow(/does not balance: its KES lines sum to 1 minor units/);
    expect(statementsDone).toBe(true);
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(cash)).toBe(10_000n);
  });

  it('refuses an entry without lines, and a single-line entry', async () => {
    await expect(tx((trx) => insertEntry(trx))).rejects.toThrow(/has no lines/);
    await expect(postRaw([[cash, 1n]])).rejects.toThrow(/does not balance/);
  });

  it('balances per currency: KES and USD each sum to zero, or the entry is refused even when the numbers cancel', async () => {
    await postRaw([
      [cash, 700n],
      [usdCash, 5n, 'USD'],
      [opening, -700n],
      [usdOpening, -5n, 'USD'],
    ]);
    expect(await balanceOf(usdCash)).toBe(5n);
    await expect(
      postRaw([
        [cash, 100n],
        [usdOpening, -100n, 'USD'],
      ]),
    ).rejects.toThrow(/does not balance/);
  });

  it("refuses a line whose currency is not its account's, or whose account is in other books", async () => {
    await expect(
      postRaw([
        [cash, 100n, 'USD'],
        [usdOpening, -100n, 'USD'],
      ]),
    ).rejects.toThrow(/cannot be posted to account .* kept in KES/);
    await expect(
      postRaw([
        [foreignCash, 100n],
        [opening, -100n],
      ]),
    ).rejects.toThrow(/belongs to another organization/);
  });

  it('refuses a line on an entry or an account that does not exist', async () => {
    await expect(
      tx(async (trx) => {
        const id = await insertEntry(trx);
        await insertLines(trx, id, [
          [cash, 1n],
          [opening, -1n],
        ]);
        await insertLines(trx, randomUUID(), [[cash, 1n]]);
      }),
    ).rejects.toThrow(/journal entry .* does not exist/);
    await expect(
      postRaw([
        [randomUUID(), 1n],
        [opening, -1n],
      ]),
    ).rejects.toThrow(/ledger account .* does not exist/);
  });

  it('never updates, deletes or truncates entries and lines', async () => {
    const id = await postRaw([
      [cash, 1n],
      [opening, -1n],
    ]);
    await expect(sql`update journal_lines set amount = amount * 2 where entry_id = ${id}`.execute(db)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`delete from journal_lines where entry_id = ${id}`.execute(db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`update journal_entries set memo = 'changed' where id = ${id}`.execute(db)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`delete from journal_entries where id = ${id}`.execute(db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate journal_lines, journal_entries`.execute(db)).rejects.toThrow(/append-only: TRUNCATE/);
  });

  it('adds no line to an entry after it is posted, balanced or not', async () => {
    const id = await postRaw([
      [cash, 3n],
      [opening, -3n],
    ]);
    await expect(
      tx((trx) =>
        insertLines(
          trx,
          id,
          [
            [cash, 1n],
            [opening, -1n],
          ],
          3,
        ),
      ),
    ).rejects.toThrow(/already posted/);
    // Nor after the transaction's own check ran early (SET CONSTRAINTS … IMMEDIATE).
    await expect(
      tx(async (trx) => {
        const own = await insertEntry(trx);
        await insertLines(trx, own, [
          [cash, 2n],
          [opening, -2n],
        ]);
        await sql`set constraints all immediate`.execute(trx);
        await insertLines(trx, own, [[cash, 1n]], 3);
      }),
    ).rejects.toThrow(/already posted/);
  });

  it('refuses an entry that claims another transaction', async () => {
    await expect(
      postRaw(
        [
          [cash, 1n],
          [opening, -1n],
        ],
        { created_txid: sql`txid_current() - 1` },
      ),
    ).rejects.toThrow(/transaction id or sequence number of its own/);
  });

  it('reverses an entry at most once', async () => {
    const original = await postRaw([
      [cash, 40n],
      [opening, -40n],
    ]);
    await postRaw(
      [
        [cash, -40n],
        [opening, 40n],
      ],
      { reverses_entry_id: original, kind: 'reversal' },
    );
    await expect(
      postRaw(
        [
          [cash, -40n],
          [opening, 40n],
        ],
        { reverses_entry_id: original, kind: 'reversal' },
      ),
    ).rejects.toThrow(/journal_entries_reversed_once/);
  });

  it('refuses the same idempotency key twice in one organization', async () => {
    const key = `gateway:${randomUUID()}`;
    await postRaw([[cash, 9n], [opening, -9n]], { idempotency_key: key });
    await expect(postRaw([[cash, 9n], [opening, -9n]], { idempotency_key: key })).rejects.toThrow(/journal_entries_idempotency_key/);
  });

  it('keeps a wallet within its credit limit whoever writes the lines', async () => {
    await postRaw([
      [cash, 300n],
      [wallet, -300n],
    ]);
    await expect(
      postRaw([
        [wallet, 301n],
        [cash, -301n],
      ]),
    ).rejects.toThrow(/would pass its credit limit of 0 minor units/);
    await db.updateTable('ledger_accounts').set({ credit_limit: 1n }).where('id', '=', wallet).execute();
    await postRaw([
      [wallet, 301n],
      [cash, -301n],
    ]);
    expect(await balanceOf(wallet)).toBe(1n);
    // A lower limit holds the wallet where it is: money in is accepted, more spending is not.
    await db.updateTable('ledger_accounts').set({ credit_limit: 0n }).where('id', '=', wallet).execute();
    await expect(postRaw([[wallet, 1n], [cash, -1n]])).rejects.toThrow(/credit limit/);
    await postRaw([
      [cash, 1n],
      [wallet, -1n],
    ]);
    expect(await balanceOf(wallet)).toBe(0n);
    expect(await ledger.balance(db, cash)).toEqual({ minor: await balanceOf(cash), currency: 'KES' });
    expect(await ledger.balance(db, opening)).toEqual({ minor: -(await balanceOf(opening)), currency: 'KES' });
  });

  it('changes running balances only through lines, and proves them against the lines', async () => {
    await expect(sql`update ledger_balances set balance = balance + 1 where account_id = ${cash}`.execute(db)).rejects.toThrow(/only by posting journal lines/);
    await expect(sql`delete from ledger_balances where account_id = ${cash}`.execute(db)).rejects.toThrow(/only by posting journal lines/);
    await expect(sql`insert into ledger_balances (account_id, balance) values (${randomUUID()}, 5)`.execute(db)).rejects.toThrow();
    await expect(sql`truncate ledger_balances`.execute(db)).rejects.toThrow(/TRUNCATE is not allowed/);
    expect(await balanceDrift(db)).toEqual([]);
    const total = await sql<{ total: string }>`select coalesce(sum(balance), 0) as total from ledger_balances`.execute(db);
    expect(BigInt(total.rows[0]!.total)).toBe(0n);
  });

  it('an account keeps what it is, whose and in which currency, and is never removed', async () => {
    await db.updateTable('ledger_accounts').set({ name: 'Cash drawer, Kisumu office' }).where('id', '=', cash).execute();
    await expect(db.updateTable('ledger_accounts').set({ currency: 'USD' }).where('id', '=', cash).execute()).rejects.toThrow(/keeps its organization, type, currency/);
    await expect(db.updateTable('ledger_accounts').set({ type: 'liability' }).where('id', '=', cash).execute()).rejects.toThrow(/keeps its/);
    await expect(db.deleteFrom('ledger_accounts').where('id', '=', cash).execute()).rejects.toThrow(/never removed/);
  });
});
