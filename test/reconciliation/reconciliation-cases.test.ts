import { beforeAll, describe, expect, it } from 'vitest';
import { rematchOpenLines } from '../../src/modules/reconciliation/reconciliation.jobs.ts';
import type { Organization, User } from '../../src/platform/db/schema.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { fixture, importFile, linesOf, ok, pay, preset, subscribersNamed } from './support.ts';

const header = 'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.';
const mpesaRow = (receipt: string, at: string, amount: string, account: string) =>
  `${receipt},${at},${at},Pay Bill from 254712345678 - JOHN KAMAU Acc. ${account},Completed,${amount},,,true,Pay Bill,254712345678 - JOHN KAMAU,,${account}`;

describe('statement reconciliation cases', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const org: Organization = tree.resellerA;
  let admin: User;
  let api: Api;
  let subs: Record<string, string>;
  const source = async (key: string, o: Record<string, unknown> = {}) => {
    const p = preset(o.preset === 'generic_bank' ? 'generic_bank' : 'mpesa_paybill');
    return (await ok(api.post('/api/reconciliation/sources', { key, name: key, preset: p.preset, gateway: p.gateway, channels: p.channels, mapping: p.mapping, ...o }))).id as string;
  };
  const paymentsOf = (tx: string) => t.ctx.db.selectFrom('payments').selectAll().where('organization_id', '=', org.id).where('transaction_id', '=', tx).execute();
  const count = async (table: 'statement_lines' | 'statement_imports', sourceId: string) =>
    Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('source_id', '=', sourceId).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    admin = await seedUser(t.ctx, org, 'admin');
    api = await sessionFor(t, admin);
    subs = await subscribersNamed(t, api, org, ['NF-0101', 'NF-0102']);
  });

  it('a statement with bad rows is reported by line and nothing of it is stored', async () => {
    const id = await source('mpesa-bad');
    const r = await ok(importFile(t, admin, id, fixture('mpesa-bad.csv')));
    expect(r).toMatchObject({ imported: 0, importId: null, errorCount: 4, total: 1 });
    expect(r.errors.map((e: any) => [e.line, e.field])).toEqual([[3, 'date'], [4, 'credit'], [5, 'credit'], [6, 'transactionId']]);
    expect(await count('statement_lines', id)).toBe(0);
    expect(await count('statement_imports', id)).toBe(0);
    const notAFile = await importFile(t, admin, id, Buffer.from([0x00, 0x01, 0x02]));
    expect(notAFile.statusCode).toBe(400);
  });

  it('with automatic credit, a lost callback is credited at import, once, and the late callback is a replay', async () => {
    const id = await source('mpesa-auto', { autoCredit: true });
    const csv = [header, mpesaRow('TLA0000001', '2026-11-20 10:00:00', '"1,200.00"', 'NF-0101')].join('\n');
    const r = await ok(importFile(t, admin, id, Buffer.from(csv)));
    expect(r).toMatchObject({ imported: 1 });
    expect(r.matching).toMatchObject({ credited: 1, lostCallbacks: 0, unmatched: 0 });
    const [payment] = await paymentsOf('TLA0000001');
    expect(payment).toMatchObject({ subscriber_id: subs['NF-0101'], amount: 120000n, channel: 'mpesa' });
    expect((await linesOf(api, id))[0]).toMatchObject({ status: 'matched', matchMethod: 'credited', paymentId: payment!.id });
    const late = await pay(t, org, { channel: 'mpesa', transactionId: 'TLA0000001', amount: '1200.00', at: '2026-11-22T06:00:00Z', reference: 'NF-0101' });
    expect(late.replayed).toBe(true);
    await ok(importFile(t, admin, id, Buffer.from(csv)));
    expect(await paymentsOf('TLA0000001')).toHaveLength(1);
    expect(late.payment.id).toBe(payment!.id);
  });

  it('a gateway line beside an unmatched payment of the same amount is not a lost callback, so not credited twice', async () => {
    const id = await source('mpesa-lookalike', { autoCredit: true });
    // Staff recorded the payer's M-PESA transfer by hand, under their own receipt number.
    await pay(t, org, { channel: 'mpesa', transactionId: 'DESK-0042', amount: '900.00', at: '2026-11-20T07:00:00Z', reference: 'walk-in' });
    const csv = [header, mpesaRow('TLF0000001', '2026-11-20 10:30:00', '900.00', 'NF-0101')].join('\n');
    expect((await ok(importFile(t, admin, id, Buffer.from(csv)))).matching).toMatchObject({ credited: 0, lostCallbacks: 0, unmatched: 1 });
    expect((await linesOf(api, id))[0]).toMatchObject({ status: 'unmatched', note: null });
    expect(await paymentsOf('TLF0000001')).toHaveLength(0);
  });

  it('a callback that arrives after the statement is matched by its id, not credited again', async () => {
    const id = await source('mpesa-manual');
    const csv = [header, mpesaRow('TLB0000001', '2026-11-20 11:00:00', '800.00', 'NF-0102')].join('\n');
    expect((await ok(importFile(t, admin, id, Buffer.from(csv)))).matching).toMatchObject({ lostCallbacks: 1 });
    await pay(t, org, { channel: 'mpesa', transactionId: 'TLB0000001', amount: '800.00', at: '2026-11-20T08:00:05Z', reference: 'NF-0102' });
    expect(await ok(api.post(`/api/reconciliation/sources/${id}/auto-match`))).toMatchObject({ byTransactionId: 1, lostCallbacks: 0, unmatched: 0 });
    const [line] = await linesOf(api, id);
    expect(line).toMatchObject({ status: 'matched', matchMethod: 'transaction_id', note: null });
    expect((await api.post(`/api/reconciliation/lines/${line.id}/credit`)).statusCode).toBe(409);
    expect(await paymentsOf('TLB0000001')).toHaveLength(1);
  });

  it('staff credit after the callback came: the existing payment is matched (replay), no second credit', async () => {
    const id = await source('mpesa-race');
    const csv = [header, mpesaRow('TLC0000001', '2026-11-20 12:00:00', '500.00', 'NF-0102')].join('\n');
    await ok(importFile(t, admin, id, Buffer.from(csv)));
    const [line] = await linesOf(api, id);
    expect(line.note).toBe('lost_callback');
    await pay(t, org, { channel: 'mpesa', transactionId: 'TLC0000001', amount: '500.00', at: '2026-11-20T09:00:05Z', reference: 'NF-0102' });
    const r = await ok(api.post(`/api/reconciliation/lines/${line.id}/credit`));
    expect(r).toMatchObject({ replayed: true, line: { status: 'matched', matchMethod: 'transaction_id' } });
    expect(await paymentsOf('TLC0000001')).toHaveLength(1);
  });

  it('two imports of one statement racing, and a credit racing ten deliveries of the late callback: one set of lines, one payment', async () => {
    const id = await source('mpesa-concurrent');
    const csv = Buffer.from([header, mpesaRow('TLE0000001', '2026-11-20 13:00:00', '650.00', 'NF-0101'), mpesaRow('TLE0000002', '2026-11-20 13:05:00', '350.00', 'NF-0102')].join('\n'));
    const imports = await Promise.all([importFile(t, admin, id, csv), importFile(t, admin, id, csv)]);
    expect(imports.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(imports.map((r) => json(r).imported).sort()).toEqual([0, 2]);
    expect(await count('statement_lines', id)).toBe(2);
    const line = (await linesOf(api, id)).find((l) => l.transactionId === 'TLE0000001')!;
    const [credit, ...callbacks] = await Promise.all([
      api.post(`/api/reconciliation/lines/${line.id}/credit`),
      ...Array.from({ length: 10 }, () => pay(t, org, { channel: 'mpesa', transactionId: 'TLE0000001', amount: '650.00', at: '2026-11-20T10:00:02Z', reference: 'NF-0101' })),
    ]);
    expect(credit.statusCode, credit.body).toBe(200);
    expect(callbacks.filter((c) => !c.replayed).length + (json(credit).replayed ? 0 : 1)).toBe(1);
    const payments = await paymentsOf('TLE0000001');
    expect(payments).toHaveLength(1);
    expect(json(credit).line.paymentId).toBe(payments[0]!.id);
    const entries = await t.ctx.db.selectFrom('journal_entries').select('id').where('organization_id', '=', org.id).where('idempotency_key', '=', 'payment:mpesa:TLE0000001').execute();
    expect(entries).toHaveLength(1);
  });

  it('a bank statement matches a transfer by its bank reference and amount within the window', async () => {
    const id = await source('family-bank', { preset: 'generic_bank', gateway: null });
    await pay(t, org, { channel: 'bank_transfer', transactionId: 'BT-7781', amount: '12000.00', at: '2026-11-19T07:00:00Z', subscriberId: subs['NF-0101'] });
    await pay(t, org, { channel: 'cheque', transactionId: 'CHQ-004512', amount: '5250.00', at: '2026-11-20T07:00:00Z', subscriberId: subs['NF-0102'] });
    const r = await ok(importFile(t, admin, id, fixture('generic-bank.csv')));
    // Two identical EFT lines are two lines; no gateway, so nothing is a lost callback.
    expect(r).toMatchObject({ imported: 6, matching: { byTransactionId: 0, byReference: 1, lostCallbacks: 0, unmatched: 4 } });
    const lines = await linesOf(api, id, '&kind=receipt');
    expect(lines.find((l) => l.reference === 'BT-7781')).toMatchObject({ status: 'matched', matchMethod: 'reference' });
    // The cheque was recorded with another amount: not automatic; staff match it and see the difference.
    const cheque = lines.find((l) => l.reference === 'CHQ-004512')!;
    expect(cheque.status).toBe('unmatched');
    const [p] = await paymentsOf('CHQ-004512');
    expect(await ok(api.post(`/api/reconciliation/lines/${cheque.id}/match`, { paymentId: p!.id }))).toMatchObject({ difference: '0.75' });
    expect(lines.filter((l) => l.reference === 'EFT-99120')).toHaveLength(2);
    // A bank line cannot be credited as a gateway payment.
    expect((await api.post(`/api/reconciliation/lines/${lines.find((l) => l.reference === 'EFT-99120')!.id}/credit`)).statusCode).toBe(422);
  });

  it("another tenant's sources, lines and payments answer 404; a read-only role cannot import or match", async () => {
    const id = await source('mpesa-tenancy');
    await ok(importFile(t, admin, id, Buffer.from([header, mpesaRow('TLD0000001', '2026-11-20 12:00:00', '500.00', 'NF-0999')].join('\n'))));
    const [line] = await linesOf(api, id);
    const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
    expect((await outsider.get(`/api/reconciliation/sources/${id}`)).statusCode).toBe(404);
    expect((await outsider.get(`/api/reconciliation/sources/${id}/lines`)).statusCode).toBe(404);
    expect((await outsider.get(`/api/reconciliation/sources/${id}/report?from=2026-11-20&to=2026-11-20`)).statusCode).toBe(404);
    expect((await outsider.post(`/api/reconciliation/lines/${line.id}/ignore`, { reason: 'not ours' })).statusCode).toBe(404);
    expect((await outsider.post(`/api/reconciliation/lines/${line.id}/credit`)).statusCode).toBe(404);
    expect(json(await outsider.get('/api/reconciliation/sources')).items).toEqual([]);
    const outsiderUser = await seedUser(t.ctx, tree.resellerB, 'admin');
    expect((await importFile(t, outsiderUser, id, Buffer.from(header))).statusCode).toBe(404);
    // A payment of reseller B cannot be matched to reseller A's line.
    const foreign = await pay(t, tree.resellerB, { channel: 'mpesa', transactionId: 'TLD0000001', amount: '500.00', at: '2026-11-20T09:00:00Z', reference: 'X' });
    expect((await api.post(`/api/reconciliation/lines/${line.id}/match`, { paymentId: foreign.payment.id })).statusCode).toBe(404);
    expect((await linesOf(api, id))[0]).toMatchObject({ status: 'unmatched', paymentId: null });
    const support = await seedUser(t.ctx, org, 'support');
    const supportApi = await sessionFor(t, support);
    expect((await supportApi.get(`/api/reconciliation/sources/${id}/lines`)).statusCode).toBe(200);
    expect((await importFile(t, support, id, fixture('mpesa-paybill.csv'))).statusCode).toBe(403);
    expect((await supportApi.post(`/api/reconciliation/lines/${line.id}/ignore`, { reason: 'x' })).statusCode).toBe(403);
  });

  it('the hourly run matches a callback that came after the import, without staff', async () => {
    const id = await source('mpesa-hourly');
    await ok(importFile(t, admin, id, Buffer.from([header, mpesaRow('TLH0000001', '2026-11-20 14:00:00', '450.00', 'NF-0101')].join('\n'))));
    expect((await linesOf(api, id))[0]).toMatchObject({ status: 'unmatched', note: 'lost_callback' });
    await pay(t, org, { channel: 'mpesa', transactionId: 'TLH0000001', amount: '450.00', at: '2026-11-20T11:00:03Z', reference: 'NF-0101' });
    const run = await rematchOpenLines(t.ctx);
    expect(run.sources).toBeGreaterThanOrEqual(1);
    expect(run.summary.byTransactionId).toBe(1);
    expect((await linesOf(api, id))[0]).toMatchObject({ status: 'matched', matchMethod: 'transaction_id', note: null });
    expect((await rematchOpenLines(t.ctx)).summary.byTransactionId).toBe(0);
  });
});
