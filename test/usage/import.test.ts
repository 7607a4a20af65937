import { describe, expect, it } from 'vitest';
import { readingInstant } from '../../src/modules/usage/usage-import.service.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { postMultipart, xlsx } from '../subscribers/support.ts';
import { seedSubscription } from './fixtures.ts';

const csvFile = (text: string) => ({ name: 'file', filename: 'usage.csv', contentType: 'text/csv', data: Buffer.from(text) });

describe(`usage import (${engine})`, async () => {
  const t = await createTestContext();
  t.clock.set('2026-03-15T09:00:00Z');
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const staffUser = await seedUser(t.ctx, tree.resellerA, 'staff');
  const staff = await sessionFor(t, staffUser);
  const wanjiru = await seedSubscription(t.ctx, admin, tree.resellerA, { username: 'wanjiru' });
  const otieno = await seedSubscription(t.ctx, admin, tree.subA, { username: 'otieno@kilimani' });
  const foreign = await seedSubscription(t.ctx, admin, tree.resellerB, { username: 'foreign' });
  const count = async () => Number((await t.ctx.db.selectFrom('usage_records').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);
  const importCsv = (text: string, fields: Record<string, string> = {}) => postMultipart(t, staffUser, '/api/usage/import', fields, csvFile(text));
  const totals = async (id: string) =>
    json(await staff.get(`/api/subscriptions/${id}/usage/totals?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z`)).totals;

  const good = [
    'username,subscription_id,unit,quantity,occurred_at,reference',
    'WANJIRU,,GB,10.5,2026-03-01,R-1',
    'wanjiru,,GB,0.25,2026-03-02T10:00:00+03:00,R-2',
    `,${otieno.id},minutes,90,2026-03-03 08:30,`,
  ];

  it('imports nothing when one row is bad, and names each bad line and field', async () => {
    const before = await count();
    const text = [
      ...good,
      'nobody,,GB,1,2026-03-01,',
      'foreign,,GB,1,2026-03-01,',
      `,${foreign.id},GB,1,2026-03-01,`,
      'wanjiru,,GB,-1,2026-03-01,',
      'wanjiru,,1GB,1,2026-03-01,',
      'wanjiru,,GB,1,yesterday,',
      'wanjiru,,GB,1,2026-04-01,',
      ',,GB,1,2026-03-01,',
      'wanjiru,,GB,1,2026-03-05,R-1',
      `otieno@kilimani,${wanjiru.id},GB,1,2026-03-01,`,
    ].join('\r\n');
    const res = await importCsv(text);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({
      dryRun: false,
      total: 13,
      imported: 0,
      alreadyRecorded: 0,
      errorCount: 10,
      errors: [
        { line: 5, field: 'username', message: 'is not the username of a subscription you can see' },
        { line: 6, field: 'username', message: 'is not the username of a subscription you can see' },
        { line: 7, field: 'subscriptionId', message: 'is not a subscription you can see' },
        { line: 8, field: 'quantity', message: expect.stringContaining('decimal number of units') },
        { line: 9, field: 'unit', message: expect.stringContaining('unit name') },
        { line: 10, field: 'occurredAt', message: expect.stringContaining('date and time') },
        { line: 11, field: 'occurredAt', message: 'is in the future' },
        { line: 12, field: 'username', message: 'give a username or a subscriptionId' },
        { line: 13, field: 'reference', message: 'is also on line 2' },
        { line: 14, field: 'username', message: 'is not the username of that subscription' },
      ],
    });
    expect(await count()).toBe(before);
  });

  it('refuses unknown and missing columns', async () => {
    const res = json(await importCsv('user,unit,amount\r\nwanjiru,GB,1\r\n'));
    expect(res.errors).toEqual([
      { line: 1, field: 'user', message: expect.stringContaining('is not a column') },
      { line: 1, field: 'amount', message: expect.stringContaining('is not a column') },
      { line: 1, field: 'quantity', message: 'column is missing' },
      { line: 1, field: 'occurredAt', message: 'column is missing' },
      { line: 1, field: 'username', message: 'column is missing (or give subscriptionId)' },
      { line: 2, field: 'username', message: 'give a username or a subscriptionId' },
      { line: 2, field: 'quantity', message: expect.any(String) },
      { line: 2, field: 'occurredAt', message: 'is required' },
    ]);
  });

  it('a dry run imports nothing; the import takes every row, in the organization’s time zone where no offset is given', async () => {
    const before = await count();
    const dry = json(await importCsv(good.join('\n'), { dryRun: 'true' }));
    expect(dry).toEqual({ dryRun: true, total: 3, imported: 0, alreadyRecorded: 0, errorCount: 0, errors: [] });
    expect(await count()).toBe(before);
    const done = json(await importCsv(good.join('\n')));
    expect(done).toMatchObject({ dryRun: false, total: 3, imported: 3, errorCount: 0 });
    expect(await count()).toBe(before + 3);
    expect(await totals(wanjiru.id)).toEqual({ GB: '10.75' });
    expect(await totals(otieno.id)).toEqual({ minutes: '90' });
    const rows = await t.ctx.db.selectFrom('usage_records').select(['occurred_at', 'source', 'reference', 'created_by']).orderBy('occurred_at').execute();
    // Nairobi is UTC+3: its 1 March begins at 21:00 UTC on 28 February.
    expect(rows.map((r) => r.occurred_at.toISOString())).toEqual(['2026-02-28T21:00:00.000Z', '2026-03-02T07:00:00.000Z', '2026-03-03T05:30:00.000Z']);
    expect(rows.every((r) => r.source === 'import' && r.created_by === staffUser.id)).toBe(true);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['after', 'organization_id']).where('action', '=', 'usage.import').execute();
    expect(audit).toEqual([{ organization_id: tree.resellerA.id, after: { file: 'usage.csv', rows: 3, alreadyRecorded: 0, subscriptions: 2 } }]);
  });

  it('the same file again imports nothing new; a reference with another reading is refused', async () => {
    const before = await count();
    const again = json(await importCsv(good.join('\n')));
    expect(again).toMatchObject({ imported: 1, alreadyRecorded: 2, errorCount: 0 });
    // The row without a reference is a new reading each time: references are what make a file re-importable.
    expect(await count()).toBe(before + 1);
    const changed = json(await importCsv('username,unit,quantity,occurredAt,reference\nwanjiru,GB,11,2026-03-01,R-1\n'));
    expect(changed.errors).toEqual([{ line: 2, field: 'reference', message: 'is already stored with a different reading' }]);
    expect(await count()).toBe(before + 1);
  });

  it('reads XLSX workbooks (a date cell is the organization’s wall time), reporting bad rows by spreadsheet row', async () => {
    const before = await count();
    const file = (rows: string[][]) => ({ name: 'file', filename: 'usage.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: xlsx(rows) });
    const bad = json(await postMultipart(t, staffUser, '/api/usage/import', {}, file([['username', 'unit', 'quantity', 'occurredAt'], ['wanjiru', 'GB', '2', '2026-03-04'], ['wanjiru', 'GB', 'two', '2026-03-04']])));
    expect(bad).toMatchObject({ imported: 0, errors: [{ line: 3, field: 'quantity', message: expect.any(String) }] });
    expect(await count()).toBe(before);
    const ok = json(await postMultipart(t, staffUser, '/api/usage/import', {}, file([['Username', 'Unit', 'Quantity', 'Occurred At'], ['wanjiru', 'GB', '2', '2026-03-04']])));
    expect(ok).toMatchObject({ imported: 1, errorCount: 0 });
    expect(await count()).toBe(before + 1);
  });

  it('needs subscriptions.update', async () => {
    const support = await seedUser(t.ctx, tree.resellerA, 'accountant');
    const res = await postMultipart(t, support, '/api/usage/import', {}, csvFile(good.join('\n')));
    expect(res.statusCode).toBe(403);
  });

  it('reads instants with an offset as written and local ones in the zone, refusing the rest', () => {
    expect(readingInstant('2026-03-01T10:00:00Z', 'Asia/Dhaka')?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(readingInstant('2026-03-01 10:00:00+06:00', 'Africa/Nairobi')?.toISOString()).toBe('2026-03-01T04:00:00.000Z');
    expect(readingInstant('2026-03-01 10:00', 'Asia/Dhaka')?.toISOString()).toBe('2026-03-01T04:00:00.000Z');
    expect(readingInstant('2026-03-01', 'Asia/Dhaka')?.toISOString()).toBe('2026-02-28T18:00:00.000Z');
    for (const bad of ['01/03/2026', '2026-02-30', '2026-03-01T25:00', 'now', '']) expect(readingInstant(bad, 'Africa/Nairobi'), bad).toBeNull();
  });
});
