import { readSheet } from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/platform/csv.ts';
import { writeXlsx, XLSX_TYPE } from '../../src/platform/xlsx/xlsx.ts';
import { createTestContext, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createSubscriber, createVat, getInvoice, issueStandardInvoice, topUp } from './fixtures-documents.ts';

const invoiceColumns = 'number,kind,status,issueDate,dueDate,accountNumber,customer,currency,subtotal,discountTotal,taxTotal,total,amountPaid,amountCredited,balanceDue,organizationId,subscriberId,creditsInvoiceId,id,createdAt';

async function csvRows(api: Api, url: string): Promise<Record<string, string>[]> {
  const res = await api.get(url);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  const [header, ...rows] = parseCsv(res.body).map((r) => r.cells);
  return rows.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? ''])));
}

async function xlsxOf(api: Api, url: string, filename: string): Promise<Buffer> {
  const res = await api.get(url);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX_TYPE);
  expect(res.headers['content-disposition']).toBe(`attachment; filename="${filename}"`);
  return res.rawPayload;
}

/** Rows as read-excel-file gives them, numbers as the text stored in the file (no float on the way). */
async function sheetRows(xlsx: Buffer): Promise<Record<string, unknown>[]> {
  const [header, ...rows] = await readSheet(xlsx, { parseNumber: (s: string) => s });
  return rows.map((cells) => Object.fromEntries((header as string[]).map((h, i) => [h, cells[i] ?? null])));
}

describe(`invoice and subscriber exports (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const root = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'accountant'));
  const vat = await createVat(root);

  const amina = await createSubscriber(root, tree.resellerA.id, 'Amina Njeri');
  const issued = await issueStandardInvoice(root, amina.id, vat);
  await topUp(root, amina.id, '2000');
  const draftRes = await root.post('/api/invoices', { subscriberId: amina.id, lines: [{ description: 'Router', unitPrice: '3000' }] });
  expect(draftRes.statusCode, draftRes.body).toBe(201);
  const draft = JSON.parse(draftRes.body) as { id: string };
  const foreignSubscriber = await createSubscriber(root, tree.resellerB.id, 'Foreign Subscriber');
  const foreign = await issueStandardInvoice(root, foreignSubscriber.id, vat);
  const detail = await getInvoice(root, issued.id);
  const { issueDate, dueDate } = JSON.parse((await root.get(`/api/invoices/${issued.id}`)).body) as { issueDate: string; dueDate: string };

  const expectedIssued = {
    number: 'INV-000001',
    kind: 'invoice',
    status: 'partially_paid',
    issueDate,
    dueDate,
    accountNumber: amina.accountNumber,
    customer: 'Amina Njeri',
    currency: 'KES',
    subtotal: '4701.00',
    discountTotal: '0.00',
    taxTotal: '512.16',
    total: '5213.16',
    amountPaid: '2000.00',
    amountCredited: '0.00',
    balanceDue: '3213.16',
    organizationId: tree.resellerA.id,
    subscriberId: amina.id,
    creditsInvoiceId: '',
    id: issued.id,
  };

  it('CSV: every invoice of the caller’s subtree with the customer as billed, amounts as exact decimals', async () => {
    expect(detail.status).toBe('partially_paid');
    const res = await accountant.get('/api/invoices/export.csv');
    expect(res.body.split('\r\n')[0]).toBe(invoiceColumns);
    const rows = await csvRows(accountant, '/api/invoices/export.csv');
    expect(rows.map((r) => r.id).sort()).toEqual([issued.id, draft.id].sort());
    expect(rows.find((r) => r.id === issued.id)).toMatchObject(expectedIssued);
    // Not issued yet: no number or dates, nothing due, and the subscriber as they are now.
    expect(rows.find((r) => r.id === draft.id)).toMatchObject({ number: '', status: 'draft', issueDate: '', customer: 'Amina Njeri', accountNumber: amina.accountNumber, total: '3000.00', balanceDue: '0.00' });
    expect(res.body).not.toContain(foreign.id);
  });

  it('the list filters narrow the export: status, subscriber, issue dates', async () => {
    expect((await csvRows(accountant, '/api/invoices/export.csv?status=draft')).map((r) => r.id)).toEqual([draft.id]);
    expect((await csvRows(accountant, '/api/invoices/export.csv?status=open&status=partially_paid')).map((r) => r.id)).toEqual([issued.id]);
    expect(await csvRows(accountant, `/api/invoices/export.csv?subscriberId=${foreignSubscriber.id}`)).toEqual([]);
    expect((await csvRows(accountant, `/api/invoices/export.csv?issuedFrom=${issueDate}&issuedTo=${issueDate}`)).map((r) => r.id)).toEqual([issued.id]);
    expect(await csvRows(accountant, `/api/invoices/export.csv?issuedFrom=${dueDate}`)).toEqual([]);
    expect((await accountant.get('/api/invoices/export.csv?status=unpaid')).statusCode).toBe(400);
  });

  it('XLSX: the same rows, amounts as number cells holding the exact decimal, dates as dates', async () => {
    const xlsx = await xlsxOf(accountant, '/api/invoices/export.xlsx', 'invoices.xlsx');
    const [header] = await readSheet(xlsx);
    expect((header as string[]).join(',')).toBe(invoiceColumns);
    const rows = await sheetRows(xlsx);
    expect(rows.map((r) => r.id).sort()).toEqual([issued.id, draft.id].sort());
    const row = rows.find((r) => r.id === issued.id)!;
    const { issueDate: _i, dueDate: _d, creditsInvoiceId: _c, ...text } = expectedIssued;
    expect(row).toMatchObject(text);
    expect(row.creditsInvoiceId).toBeNull();
    expect([row.issueDate, row.dueDate]).toEqual([new Date(`${issueDate}T00:00:00Z`), new Date(`${dueDate}T00:00:00Z`)]);
    // read with its default number parsing, a money cell is a number, not text
    const [, ...parsed] = await readSheet(xlsx);
    const totalColumn = invoiceColumns.split(',').indexOf('total');
    expect(parsed.map((r) => r[totalColumn]).sort()).toEqual([3000, 5213.16]);
    expect(xlsx.toString('latin1')).not.toContain(foreign.id);
  });

  it('needs invoices.export: staff who may read invoices may not export them', async () => {
    const staff = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'staff'));
    expect((await staff.get('/api/invoices')).statusCode).toBe(200);
    expect((await staff.get('/api/invoices/export.csv')).statusCode).toBe(403);
    expect((await staff.get('/api/invoices/export.xlsx')).statusCode).toBe(403);
  });

  it('subscribers XLSX holds the rows and columns of the subscribers CSV, within the caller’s subtree', async () => {
    const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
    await createSubscriber(root, tree.resellerA.id, 'রহিম উদ্দিন =SUM(A1)');
    const csv = await csvRows(admin, '/api/subscribers/export');
    const xlsx = await sheetRows(await xlsxOf(admin, '/api/subscribers/export.xlsx', 'subscribers.xlsx'));
    const asText = (v: unknown) => (v === null ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
    // The CSV guards cells that a spreadsheet would run as formulas with a quote; XLSX text cells need no guard.
    const unguarded = (v: string) => v.replace(/^'(?=[=+\-@\t\r])/, '');
    expect(xlsx.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asText(v)])))).toEqual(
      csv.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, unguarded(v)]))),
    );
    expect(csv[0]!.phone).toBe("'+254712345678");
    expect(xlsx.map((r) => r.name)).toEqual(expect.arrayContaining(['Amina Njeri', 'রহিম উদ্দিন =SUM(A1)']));
    expect(xlsx.map((r) => r.id)).not.toContain(foreignSubscriber.id);
    const filtered = await sheetRows(await xlsxOf(admin, '/api/subscribers/export.xlsx?q=Amina', 'subscribers.xlsx'));
    expect(filtered.map((r) => r.name)).toEqual(['Amina Njeri']);
    const support = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'support'));
    expect((await support.get('/api/subscribers/export.xlsx')).statusCode).toBe(403);
  });
});

describe('XLSX writer', () => {
  it('writes a number cell as the exact decimal given, beyond what a double can hold', async () => {
    const xlsx = writeXlsx([{ name: 'Amounts', header: ['amount', 'date', 'note'], rows: [[{ number: '12345678901234567.89', digits: 2 }, { date: '2024-02-29' }, '=HYPERLINK("x")']] }]);
    const [, row] = await readSheet(xlsx, { parseNumber: (s: string) => s });
    expect(row).toEqual(['12345678901234567.89', new Date('2024-02-29T00:00:00Z'), '=HYPERLINK("x")']);
  });

  it('keeps text as text (no formulas) and escapes markup', async () => {
    const xlsx = writeXlsx([{ name: 'T', header: ['a'], rows: [['<b>&"x"</b>'], ['ফাতেমা'], ['فاطمة']] }]);
    expect((await readSheet(xlsx)).map((r) => r[0])).toEqual(['a', '<b>&"x"</b>', 'ফাতেমা', 'فاطمة']);
  });

  it('refuses a number that is not an exact decimal', () => {
    expect(() => writeXlsx([{ name: 'T', header: ['a'], rows: [[{ number: '1e5', digits: 0 }]] }])).toThrow(RangeError);
    expect(() => writeXlsx([{ name: 'T', header: ['a'], rows: [[{ number: '1.5', digits: 9 }]] }])).toThrow(RangeError);
  });
});
