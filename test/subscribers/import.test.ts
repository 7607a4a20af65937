import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { postMultipart, xlsx } from './support.ts';

const csvFile = (text: string, filename = 'subscribers.csv') => ({ name: 'file', filename, contentType: 'text/csv', data: Buffer.from(text) });

describe(`subscriber import (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const staffUser = await seedUser(t.ctx, tree.isp, 'staff', 'field.agent@example.test');
  const staff = await sessionFor(t, staffUser);
  const count = async () => Number((await t.ctx.db.selectFrom('subscribers').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);
  const importCsv = (text: string, fields: Record<string, string> = {}) => postMultipart(t, staffUser, '/api/subscribers/import', fields, csvFile(text));

  const good = [
    'name,phone,email,tags,status,address,city,latitude,longitude,assignedTo,custom.router',
    'Wanjiru Kamau,0712 345 678,wanjiru@example.com,fibre;vip,active,Kilimani Rd 12,Nairobi,-1.2921,36.8219,field.agent@example.test,HG8245',
    '"Otieno, Odhiambo",+254 733 000 111,,,lead,,,,,,',
  ];

  it('imports nothing when one row is bad, and names the line and field', async () => {
    const before = await count();
    const text = [...good, 'Bad Phone,12345,,,,,,,,,', ',0722000000,,,,,,,,,', 'Bad Status,0722000001,,,paused,,,,,,'].join('\r\n');
    const res = await importCsv(text);
    expect(res.statusCode, res.body).toBe(200);
    const report = json(res);
    expect(report).toMatchObject({ dryRun: false, total: 5, imported: 0, errorCount: 3 });
    expect(report.errors).toEqual([
      { line: 4, field: 'phone', message: expect.stringContaining('not a phone number') },
      { line: 5, field: 'name', message: 'is required' },
      { line: 6, field: 'status', message: expect.any(String) },
    ]);
    expect(await count()).toBe(before);
  });

  it('counts lines of quoted cells that span lines, and refuses unknown columns', async () => {
    const res = json(await importCsv('name,phone,notes\r\n"Two\nLines",0712000000,x\r\nOk,0712000001,y\r\n'));
    expect(res.errors).toEqual([{ line: 1, field: 'notes', message: expect.stringContaining('is not a column') }]);
    const multi = json(await importCsv('name,phone\r\n"Two\nLines",0712000000\r\nBad,123\r\n'));
    expect(multi.errors).toEqual([{ line: 4, field: 'phone', message: expect.any(String) }]);
  });

  it('a dry run checks and imports nothing; then the import takes every row', async () => {
    const before = await count();
    const dry = json(await importCsv(good.join('\n'), { dryRun: 'true' }));
    expect(dry).toMatchObject({ dryRun: true, total: 2, imported: 0, errorCount: 0 });
    expect(await count()).toBe(before);
    const done = json(await importCsv(good.join('\n')));
    expect(done).toMatchObject({ dryRun: false, total: 2, imported: 2, errorCount: 0 });
    expect(await count()).toBe(before + 2);
    const found = json(await staff.get('/api/subscribers?q=0712345678')).items;
    expect(found).toHaveLength(1);
    const s = json(await staff.get(`/api/subscribers/${found[0].id}`));
    expect(s).toMatchObject({ name: 'Wanjiru Kamau', status: 'active', tags: ['fibre', 'vip'], assignedUserId: staffUser.id, customFields: { router: 'HG8245' }, phone: '+254712345678' });
    expect(s.addresses[0]).toMatchObject({ line1: 'Kilimani Rd 12', city: 'Nairobi', latitude: '-1.292100', longitude: '36.821900' });
    expect(json(await staff.get('/api/subscribers?q=odhiambo')).items[0].name).toBe('Otieno, Odhiambo');
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('action', '=', 'subscriber.import').execute();
    expect(audit).toHaveLength(1);
  });

  it('keeps given account numbers, refuses taken or repeated ones, and numbers the rest after them', async () => {
    const refused = json(await importCsv('accountNumber,name\r\nOLD-1,A\r\nOLD-1,B\r\n'));
    expect(refused.errors).toEqual([{ line: 3, field: 'accountNumber', message: 'OLD-1 is also on line 2' }]);
    expect(json(await importCsv('accountNumber,name\r\nOLD-1,A\r\n,B\r\n')).imported).toBe(2);
    const again = json(await importCsv('accountNumber,name\r\nOLD-1,C\r\n'));
    expect(again.errors).toEqual([{ line: 2, field: 'accountNumber', message: 'OLD-1 is already held by a subscriber' }]);
    const numbers = (await t.ctx.db.selectFrom('subscribers').select('account_number').where('organization_id', '=', tree.isp.id).orderBy('account_number').execute()).map((r) => r.account_number);
    expect(numbers).toEqual(['000001', '000002', '000003', 'OLD-1']);
  });

  it('reads XLSX workbooks, reporting bad rows by spreadsheet row', async () => {
    const before = await count();
    const workbook = xlsx([
      ['name', 'phone', 'kind', 'companyName'],
      ['Mama Mboga Ltd', '0799 111 222', 'company', 'Mama Mboga Ltd'],
      ['No Company', '0799111223', 'company', ''],
    ]);
    const file = { name: 'file', filename: 'subscribers.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: workbook };
    const bad = json(await postMultipart(t, staffUser, '/api/subscribers/import', {}, file));
    expect(bad.errors).toEqual([{ line: 3, field: 'companyName', message: 'is required for a company' }]);
    expect(await count()).toBe(before);
    const fixed = xlsx([
      ['name', 'phone', 'kind', 'companyName'],
      ['Mama Mboga Ltd', '0799 111 222', 'company', 'Mama Mboga Ltd'],
    ]);
    expect(json(await postMultipart(t, staffUser, '/api/subscribers/import', {}, { ...file, data: fixed })).imported).toBe(1);
    expect(json(await staff.get('/api/subscribers?q=0799111222')).items[0].companyName).toBe('Mama Mboga Ltd');
  });

  it('imports into a chosen organization in scope only', async () => {
    const res = await postMultipart(t, staffUser, '/api/subscribers/import', { organizationId: tree.cardA.id }, csvFile('name\r\nX\r\n'));
    expect(res.statusCode).toBe(422);
    const resellerUser = await seedUser(t.ctx, tree.resellerB, 'reseller');
    const outside = await postMultipart(t, resellerUser, '/api/subscribers/import', { organizationId: tree.resellerA.id }, csvFile('name\r\nX\r\n'));
    expect(outside.statusCode).toBe(404);
    const support = await seedUser(t.ctx, tree.isp, 'support');
    expect((await postMultipart(t, support, '/api/subscribers/import', {}, csvFile('name\r\nX\r\n'))).statusCode).toBe(403);
  });
});
