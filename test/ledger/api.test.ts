import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

interface Account {
  id: string;
  code: string;
  systemKey: string;
  balance: string;
  organizationId: string;
}

describe(`ledger API (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const manager = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'manager'));
  const resellerA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
  const otherTenant = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));

  const chart = json<Account[]>(await accountant.post('/api/ledger/chart', {}));
  const byKey = (key: string) => chart.find((a) => a.systemKey === key)!;
  const cash = byKey('cash_on_hand');
  const opening = byKey('opening_balance');
  const bank = json<Account>(await accountant.post('/api/ledger/accounts', { code: '1010', name: 'Equity Bank current account', type: 'asset' }));

  const trialBalance = async (organizationId = tree.isp.id) => json(await accountant.get(`/api/ledger/trial-balance?organizationId=${organizationId}`));

  it('opens the standard chart once, in the organization’s currency', async () => {
    expect(chart.map((a) => a.systemKey).sort()).toEqual(['accounts_receivable', 'bad_debt', 'cash_on_hand', 'commission_expense', 'opening_balance']);
    expect(chart.every((a) => a.balance === '0.00' && a.organizationId === tree.isp.id)).toBe(true);
    const again = json<Account[]>(await accountant.post('/api/ledger/chart', {}));
    expect(again.map((a) => a.id).sort()).toEqual(chart.map((a) => a.id).sort());
    expect(bank).toMatchObject({ code: '1010', systemKey: 'custom:1010', balance: '0.00' });
    expect((await accountant.post('/api/ledger/accounts', { code: '1010', name: 'Duplicate', type: 'asset' })).statusCode).toBe(409);
  });

  it('an accountant posts a manual entry; balances, statement and trial balance follow it', async () => {
    const res = await accountant.post('/api/ledger/entries', {
      memo: 'Opening balances from the old system',
      lines: [
        { accountId: bank.id, debit: '150000.50' },
        { accountId: cash.id, debit: '2500' },
        { accountId: opening.id, credit: '152500.50' },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const entry = json(res);
    expect(entry).toMatchObject({ kind: 'manual', memo: 'Opening balances from the old system', reversedByEntryId: null });
    expect(entry.lines.map((l: { debit: string | null; credit: string | null }) => [l.debit, l.credit])).toEqual([
      ['150000.50', null],
      ['2500.00', null],
      [null, '152500.50'],
    ]);
    expect(json(await accountant.get(`/api/ledger/accounts/${opening.id}`)).balance).toBe('152500.50');

    await accountant.post('/api/ledger/entries', { memo: 'Cash banked', lines: [{ accountId: bank.id, debit: '2000' }, { accountId: cash.id, credit: '2000' }] });
    const statement = json(await accountant.get(`/api/ledger/accounts/${cash.id}/statement`));
    expect(statement.account.balance).toBe('500.00');
    expect(statement.items.map((i: { debit: string | null; credit: string | null; balance: string }) => [i.debit, i.credit, i.balance])).toEqual([
      [null, '2000.00', '500.00'],
      ['2500.00', null, '2500.00'],
    ]);
    const oldestFirst = json(await accountant.get(`/api/ledger/accounts/${cash.id}/statement?sort=posted&limit=1`));
    expect(oldestFirst.items[0].balance).toBe('2500.00');
    const next = json(await accountant.get(`/api/ledger/accounts/${cash.id}/statement?sort=posted&limit=1&cursor=${oldestFirst.nextCursor}`));
    expect(next.items.map((i: { balance: string }) => i.balance)).toEqual(['500.00']);
    expect(next.nextCursor).toBeNull();

    const tb = await trialBalance();
    expect(tb.currencies).toHaveLength(1);
    expect(tb.currencies[0]).toMatchObject({ currency: 'KES', debit: '152500.50', credit: '152500.50', difference: '0.00' });
    const audit = await t.ctx.db.selectFrom('audit_log').select('object_id').where('action', '=', 'ledger.entry.post').execute();
    expect(audit.map((a) => a.object_id)).toContain(entry.id);
  });

  it('replays an idempotency key with the same lines and refuses it with other lines', async () => {
    const body = { memo: 'Petty cash float', idempotencyKey: 'petty-2026-01', lines: [{ accountId: cash.id, debit: '100' }, { accountId: opening.id, credit: '100' }] };
    const first = await accountant.post('/api/ledger/entries', body);
    expect(first.statusCode).toBe(201);
    const again = await accountant.post('/api/ledger/entries', body);
    expect(again.statusCode).toBe(200);
    expect(json(again).id).toBe(json(first).id);
    expect(json(again).idempotencyKey).toBe('manual:petty-2026-01');
    const other = await accountant.post('/api/ledger/entries', { ...body, lines: [{ accountId: cash.id, debit: '101' }, { accountId: opening.id, credit: '101' }] });
    expect(other.statusCode).toBe(409);
    const header = { 'idempotency-key': 'header-key-1' };
    const h1 = await accountant.post('/api/ledger/entries', { ...body, idempotencyKey: undefined }, header);
    const h2 = await accountant.post('/api/ledger/entries', { ...body, idempotencyKey: undefined }, header);
    expect(h2.headers['idempotent-replayed']).toBe('true');
    expect(json(h2).id).toBe(json(h1).id);
    expect(json(await accountant.get(`/api/ledger/accounts/${cash.id}`)).balance).toBe('700.00');
  });

  it('refuses unbalanced entries, amounts finer than the currency, and lines without a side', async () => {
    const unbalanced = await accountant.post('/api/ledger/entries', { memo: 'x', lines: [{ accountId: cash.id, debit: '10' }, { accountId: opening.id, credit: '9.99' }] });
    expect(unbalanced.statusCode).toBe(422);
    expect(json(unbalanced).detail).toMatch(/differ by 1 minor units of KES/);
    const fine = await accountant.post('/api/ledger/entries', { memo: 'x', lines: [{ accountId: cash.id, debit: '10.001' }, { accountId: opening.id, credit: '10.001' }] });
    expect(fine.statusCode).toBe(400);
    expect(json(fine).errors[0].field).toBe('lines.0.debit');
    const both = await accountant.post('/api/ledger/entries', { memo: 'x', lines: [{ accountId: cash.id, debit: '1', credit: '1' }, { accountId: opening.id, credit: '1' }] });
    expect(both.statusCode).toBe(400);
  });

  it('reverses an entry once', async () => {
    const entry = json(await accountant.post('/api/ledger/entries', { memo: 'Mistake', lines: [{ accountId: cash.id, debit: '42' }, { accountId: opening.id, credit: '42' }] }));
    const reversal = await accountant.post(`/api/ledger/entries/${entry.id}/reverse`, { memo: 'Posted twice by mistake' });
    expect(reversal.statusCode, reversal.body).toBe(201);
    expect(json(reversal)).toMatchObject({ kind: 'reversal', reversesEntryId: entry.id });
    expect(json(reversal).lines.map((l: { debit: string | null; credit: string | null }) => [l.debit, l.credit])).toEqual([
      [null, '42.00'],
      ['42.00', null],
    ]);
    expect(json(await accountant.get(`/api/ledger/entries/${entry.id}`)).reversedByEntryId).toBe(json(reversal).id);
    const twice = await accountant.post(`/api/ledger/entries/${entry.id}/reverse`, {});
    expect(twice.statusCode).toBe(409);
    expect(json(await accountant.get(`/api/ledger/accounts/${cash.id}`)).balance).toBe('700.00');
    expect((await trialBalance()).currencies[0].difference).toBe('0.00');
  });

  it('lists and exports entries', async () => {
    const list = json(await accountant.get(`/api/ledger/entries?accountId=${bank.id}&limit=1`));
    expect(list.items).toHaveLength(1);
    expect(list.items[0].memo).toBe('Cash banked');
    expect(list.nextCursor).not.toBeNull();
    const reversals = json(await accountant.get('/api/ledger/entries?kind=reversal'));
    expect(reversals.items.map((e: { memo: string }) => e.memo)).toEqual(['Posted twice by mistake']);
    const csv = await accountant.get(`/api/ledger/entries/export?accountId=${bank.id}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('seq,entryId,occurredAt,postedAt,kind,memo,lineNo,accountId,accountCode,accountName,currency,debit,credit,reversesEntryId');
    expect(rows).toHaveLength(1 + 3 + 2);
  });

  it('permissions: staff may not read or post, a manager reads but does not post or export', async () => {
    const body = { memo: 'x', lines: [{ accountId: cash.id, debit: '1' }, { accountId: opening.id, credit: '1' }] };
    expect((await staff.post('/api/ledger/entries', body)).statusCode).toBe(403);
    expect((await staff.get('/api/ledger/accounts')).statusCode).toBe(403);
    expect((await manager.get('/api/ledger/accounts')).statusCode).toBe(200);
    expect((await manager.post('/api/ledger/entries', body)).statusCode).toBe(403);
    expect((await manager.get('/api/ledger/entries/export')).statusCode).toBe(403);
    expect((await manager.post(`/api/ledger/entries/${json(await accountant.get('/api/ledger/entries?limit=1')).items[0].id}/reverse`, {})).statusCode).toBe(403);
  });

  it('another tenant’s accounts and entries answer 404, and its lists leave them out', async () => {
    const entryId = json(await accountant.get('/api/ledger/entries?limit=1')).items[0].id;
    expect((await otherTenant.get(`/api/ledger/accounts/${cash.id}`)).statusCode).toBe(404);
    expect((await otherTenant.get(`/api/ledger/accounts/${cash.id}/statement`)).statusCode).toBe(404);
    expect((await otherTenant.get(`/api/ledger/entries/${entryId}`)).statusCode).toBe(404);
    expect((await otherTenant.post(`/api/ledger/entries/${entryId}/reverse`, {})).statusCode).toBe(404);
    expect((await otherTenant.get(`/api/ledger/trial-balance?organizationId=${tree.isp.id}`)).statusCode).toBe(404);
    const own = json<Account[]>(await otherTenant.post('/api/ledger/chart', {}));
    const stolen = await otherTenant.post('/api/ledger/entries', { memo: 'x', lines: [{ accountId: own[0]!.id, debit: '1' }, { accountId: cash.id, credit: '1' }] });
    expect(stolen.statusCode).toBe(404);
    expect(json(await otherTenant.get('/api/ledger/accounts')).items.every((a: Account) => a.organizationId === tree.resellerB.id)).toBe(true);
    expect(json(await otherTenant.get('/api/ledger/entries')).items).toEqual([]);
    expect((await otherTenant.get('/api/ledger/entries/export')).body.trim().split('\r\n')).toHaveLength(1);
    expect(json(await accountant.get(`/api/ledger/accounts/${cash.id}`)).balance).toBe('700.00');
  });

  it('a reseller reads its own subtree’s books and no one else’s; one entry keeps to one organization’s books', async () => {
    const resellerChart = json<Account[]>(await accountant.post('/api/ledger/chart', { organizationId: tree.resellerA.id }));
    const mixed = await accountant.post('/api/ledger/entries', { memo: 'x', lines: [{ accountId: resellerChart[0]!.id, debit: '1' }, { accountId: cash.id, credit: '1' }] });
    expect(mixed.statusCode).toBe(422);
    expect(json(mixed).errors[0].field).toBe('lines.0.accountId');
    const seen = json(await resellerA.get('/api/ledger/accounts?limit=200')).items as Account[];
    expect(seen.map((a) => a.id).sort()).toEqual(resellerChart.map((a) => a.id).sort());
    expect((await resellerA.get(`/api/ledger/trial-balance`)).statusCode).toBe(200);
    expect((await resellerA.post('/api/ledger/chart', {})).statusCode).toBe(403);
  });
});
