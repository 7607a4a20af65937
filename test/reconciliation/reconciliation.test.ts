import { beforeAll, describe, expect, it } from 'vitest';
import { receivePayment } from '../../src/modules/payments/receive.ts';
import type { Organization, User } from '../../src/platform/db/schema.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { fixture, importFile, linesOf, ok, pay, preset, subscribersNamed } from './support.ts';

describe('statement import and matching (M-PESA paybill)', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const org: Organization = tree.resellerA;
  let admin: User;
  let api: Api;
  let subs: Record<string, string>;
  let sourceId: string;

  const countLines = async () => Number((await t.ctx.db.selectFrom('statement_lines').select((eb) => eb.fn.countAll().as('n')).where('source_id', '=', sourceId).executeTakeFirstOrThrow()).n);
  const paymentsOf = (tx: string) => t.ctx.db.selectFrom('payments').selectAll().where('organization_id', '=', org.id).where('transaction_id', '=', tx).execute();

  beforeAll(async () => {
    admin = await seedUser(t.ctx, org, 'admin');
    api = await sessionFor(t, admin);
    subs = await subscribersNamed(t, api, org, ['NF-0001', 'NF-0002', 'NF-0003', 'NF-0005']);
    // The callback of the first payment arrived; the second came through another id (an STK push's own); the third never arrived.
    await pay(t, org, { channel: 'mpesa', transactionId: 'TKK1A2B3C1', amount: '1500.00', at: '2026-11-20T05:15:45Z', reference: 'NF-0001' });
    await pay(t, org, { channel: 'mpesa', transactionId: 'ws_CO_201120260902', amount: '2000.00', at: '2026-11-20T06:03:00Z', reference: 'NF-0002' });
    // Two payments could be the 3,000 of NF-0005: left for staff.
    await pay(t, org, { channel: 'mpesa', transactionId: 'ws_CO_A', amount: '3000.00', at: '2026-11-21T04:00:00Z', reference: 'NF-0005' });
    await pay(t, org, { channel: 'mpesa', transactionId: 'ws_CO_B', amount: '3000.00', at: '2026-11-21T05:00:00Z', reference: 'NF-0005' });
    // Recorded by us, absent from the statement.
    await pay(t, org, { channel: 'mpesa', transactionId: 'TKZ9Y8X7W6', amount: '700.00', at: '2026-11-21T08:00:00Z', reference: 'NF-0001' });
    const mpesa = preset('mpesa_paybill');
    const created = await ok(api.post('/api/reconciliation/sources', { key: 'mpesa-600123', name: 'Paybill 600123', preset: 'mpesa_paybill', gateway: 'mpesa', channels: ['mpesa'], mapping: mpesa.mapping }));
    sourceId = created.id;
  });

  it('keeps one source per key and refuses a mapping it cannot read', async () => {
    const again = await api.post('/api/reconciliation/sources', { key: 'mpesa-600123', name: 'Again', preset: 'mpesa_paybill', gateway: 'mpesa', channels: ['mpesa'], mapping: preset('mpesa_paybill').mapping });
    expect(again.statusCode).toBe(409);
    const bad = await api.post('/api/reconciliation/sources', { key: 'bad', name: 'Bad', preset: 'custom', channels: ['mpesa'], mapping: { dateColumn: 'Date', dateFormat: 'YYYY-MM-DD' } });
    expect(bad.statusCode).toBe(400);
    const gatewayNotChannel = await api.post('/api/reconciliation/sources', { key: 'gw', name: 'GW', preset: 'custom', gateway: 'mpesa', channels: ['bank_transfer'], mapping: preset('generic_bank').mapping });
    expect(gatewayNotChannel.statusCode).toBe(422);
    expect(json(await api.get('/api/reconciliation/sources')).items.map((s: any) => s.key)).toEqual(['mpesa-600123']);
  });

  it('a dry run previews the mapping and stores nothing', async () => {
    const r = await ok(importFile(t, admin, sourceId, fixture('mpesa-paybill.csv'), true));
    expect(r).toMatchObject({ dryRun: true, importId: null, headerLine: 7, total: 6, imported: 0, skipped: 1, periodFrom: '2026-11-20', periodTo: '2026-11-21', errorCount: 0, matching: null });
    expect(r.rows[0].cells.slice(0, 2)).toEqual(['Organization Name:', 'NAIROBI FIBRE LIMITED']);
    expect(r.preview[0]).toMatchObject({ line: 8, kind: 'receipt', amount: '1500.00', transactionId: 'TKK1A2B3C1', reference: 'NF-0001', payerName: 'JOHN KAMAU' });
    expect(await countLines()).toBe(0);
  });

  it('imports and matches: by transaction id, by reference and amount, ambiguity and a lost callback left for staff', async () => {
    const r = await ok(importFile(t, admin, sourceId, fixture('mpesa-paybill.csv')));
    expect(r).toMatchObject({ imported: 6, alreadyImported: 0, matching: { byTransactionId: 1, byReference: 1, credited: 0, lostCallbacks: 1, ambiguous: 1, unmatched: 2 } });
    const lines = await linesOf(api, sourceId);
    const byTx = Object.fromEntries(lines.map((l) => [`${l.transactionId}:${l.kind}`, l]));
    expect(byTx['TKK1A2B3C1:receipt']).toMatchObject({ status: 'matched', matchMethod: 'transaction_id', paymentTransactionId: 'TKK1A2B3C1', difference: '0.00' });
    expect(byTx['TKK1A2B3C2:receipt']).toMatchObject({ status: 'matched', matchMethod: 'reference', paymentTransactionId: 'ws_CO_201120260902' });
    expect(byTx['TKK1A2B3C3:receipt']).toMatchObject({ status: 'unmatched', note: 'lost_callback', amount: '999.50' });
    expect(byTx['TKL2D4E5F6:receipt']).toMatchObject({ status: 'unmatched', note: 'ambiguous' });
    expect(byTx['TKK1A2B3C5:settlement']).toMatchObject({ status: 'info', amount: '20000.00' });
    expect(byTx['TKK1A2B3C5:fee']).toMatchObject({ status: 'info', amount: '66.00' });
    // Nothing was credited without staff: no payment for the lost callback yet.
    expect(await paymentsOf('TKK1A2B3C3')).toHaveLength(0);
  });

  it('importing the same statement again adds no line', async () => {
    const r = await ok(importFile(t, admin, sourceId, fixture('mpesa-paybill.csv')));
    expect(r).toMatchObject({ imported: 0, alreadyImported: 6, matching: { byTransactionId: 0, byReference: 0, unmatched: 2 } });
    expect(await countLines()).toBe(6);
    expect(json(await api.get(`/api/reconciliation/sources/${sourceId}/imports`)).items.map((i: any) => i.linesNew)).toEqual([0, 6]);
  });

  it('lists our payments no line accounts for', async () => {
    const r = json(await api.get(`/api/reconciliation/sources/${sourceId}/unmatched-payments`));
    expect(r.periodFrom).toBe('2026-11-20');
    expect(r.items.map((p: any) => [p.transactionId, p.amount])).toEqual([
      ['ws_CO_A', '3000.00'],
      ['ws_CO_B', '3000.00'],
      ['TKZ9Y8X7W6', '700.00'],
    ]);
  });

  it('credits a lost callback once; the late callback is then a replay', async () => {
    const line = (await linesOf(api, sourceId, '&status=unmatched')).find((l) => l.transactionId === 'TKK1A2B3C3')!;
    const credited = await ok(api.post(`/api/reconciliation/lines/${line.id}/credit`));
    expect(credited).toMatchObject({ replayed: false, line: { status: 'matched', matchMethod: 'credited', paymentTransactionId: 'TKK1A2B3C3', difference: '0.00' } });
    const [payment] = await paymentsOf('TKK1A2B3C3');
    expect(payment).toMatchObject({ channel: 'mpesa', amount: 99950n, subscriber_id: subs['NF-0003'], reference: 'NF-0003', status: 'applied' });
    expect((await api.post(`/api/reconciliation/lines/${line.id}/credit`)).statusCode).toBe(409);
    // The callback arrives at last, with the receipt number: the same key, nothing new.
    const late = await t.ctx.db.transaction().execute((trx) =>
      receivePayment(trx, t.ctx.clock, { organizationId: org.id, channel: 'mpesa', transactionId: 'TKK1A2B3C3', amount: { minor: 99950n, currency: 'KES' }, via: { kind: 'gateway', gateway: 'mpesa' }, receivedAt: new Date('2026-11-22T06:00:00Z'), reference: 'NF-0003' }),
    );
    expect(late.replayed).toBe(true);
    expect(late.payment.id).toBe(payment!.id);
    expect(await paymentsOf('TKK1A2B3C3')).toHaveLength(1);
    const entries = await t.ctx.db.selectFrom('journal_entries').select('id').where('organization_id', '=', org.id).where('idempotency_key', '=', 'payment:mpesa:TKK1A2B3C3').execute();
    expect(entries).toHaveLength(1);
  });

  it('staff match, unmatch and ignore by hand; differences are shown; one payment matches one line', async () => {
    const open = await linesOf(api, sourceId, '&status=unmatched');
    expect(open.map((l) => l.transactionId)).toEqual(['TKL2D4E5F6']);
    const line = open[0]!;
    const [other] = await paymentsOf('TKZ9Y8X7W6');
    const m = await ok(api.post(`/api/reconciliation/lines/${line.id}/match`, { paymentId: other!.id }));
    expect(m).toMatchObject({ status: 'matched', matchMethod: 'manual', amount: '3000.00', paymentAmount: '700.00', difference: '2300.00' });
    expect((await api.post(`/api/reconciliation/lines/${line.id}/match`, { paymentId: other!.id })).statusCode).toBe(409);
    const matchedLine = (await linesOf(api, sourceId, '&status=matched')).find((l) => l.transactionId === 'TKK1A2B3C1')!;
    const u = await ok(api.post(`/api/reconciliation/lines/${line.id}/unmatch`));
    expect(u).toMatchObject({ status: 'unmatched', paymentId: null });
    // A payment already matched to another line cannot be taken.
    const taken = await api.post(`/api/reconciliation/lines/${line.id}/match`, { paymentId: matchedLine.paymentId });
    expect(taken.statusCode).toBe(409);
    expect((await api.post(`/api/reconciliation/lines/${line.id}/ignore`, { reason: ' ' })).statusCode).toBe(400);
    const ig = await ok(api.post(`/api/reconciliation/lines/${line.id}/ignore`, { reason: 'Paid twice by the customer; refunded by Safaricom' }));
    expect(ig).toMatchObject({ status: 'ignored', ignoreReason: 'Paid twice by the customer; refunded by Safaricom' });
    await ok(api.post(`/api/reconciliation/lines/${line.id}/unmatch`));
    const [a] = await paymentsOf('ws_CO_A');
    expect(await ok(api.post(`/api/reconciliation/lines/${line.id}/match`, { paymentId: a!.id }))).toMatchObject({ status: 'matched', difference: '0.00' });
    const fee = (await linesOf(api, sourceId, '&kind=fee'))[0]!;
    expect((await api.post(`/api/reconciliation/lines/${fee.id}/match`, { paymentId: other!.id })).statusCode).toBe(422);
  });

  it('the daily reconciliation report adds up', async () => {
    const r = await ok(api.get(`/api/reconciliation/sources/${sourceId}/report?from=2026-11-20&to=2026-11-21`));
    expect(r.days).toEqual([
      { day: '2026-11-20', lines: 3, matched: 3, unmatchedLines: 0, ignored: 0, unmatchedPayments: 0, statementAmount: '4499.50', matchedAmount: '4499.50', unmatchedLinesAmount: '0.00', unmatchedPaymentsAmount: '0.00', difference: '0.00' },
      // ws_CO_B and TKZ9Y8X7W6 (700.00) have no line.
      { day: '2026-11-21', lines: 1, matched: 1, unmatchedLines: 0, ignored: 0, unmatchedPayments: 2, statementAmount: '3000.00', matchedAmount: '3000.00', unmatchedLinesAmount: '0.00', unmatchedPaymentsAmount: '3700.00', difference: '0.00' },
    ]);
    expect((await api.get(`/api/reconciliation/sources/${sourceId}/report?from=2026-11-21&to=2026-11-20`)).statusCode).toBe(400);
  });

  it('the gateway settlement report: received, fees, settled, and the clearing balance from the ledger', async () => {
    const r = await ok(api.get('/api/reconciliation/settlement?gateway=mpesa&from=2026-11-20&to=2026-11-21'));
    // The lost callback was credited as received on the statement's day.
    // The statement's fee and its settlement to the bank moved the money out of clearing; it paid over
    // 20,000 collected before these books began, so clearing is below zero by that much.
    expect(r.days).toEqual([
      { day: '2026-11-20', payments: 3, received: '4499.50', fees: '66.00', settled: '20000.00', clearingBalance: '-15566.50' },
      { day: '2026-11-21', payments: 3, received: '6700.00', fees: '0.00', settled: '0.00', clearingBalance: '-8866.50' },
    ]);
    // Posted once each, though the statement was imported twice: bank debited, fees an expense.
    const entries = await t.ctx.db.selectFrom('journal_entries').select(['kind', 'memo']).where('organization_id', '=', org.id).where('kind', 'in', ['gateway_fee', 'gateway_settlement']).orderBy('kind').execute();
    expect(entries.map((e) => e.kind)).toEqual(['gateway_fee', 'gateway_settlement']);
    const accounts = json(await api.get(`/api/ledger/accounts?organizationId=${org.id}&limit=100`)).items as { systemKey: string; balance: string }[];
    expect(accounts.find((a) => a.systemKey === 'bank')).toMatchObject({ balance: '20000.00' });
    expect(accounts.find((a) => a.systemKey === 'gateway_fees')).toMatchObject({ balance: '66.00' });
    const trial = json(await api.get(`/api/ledger/trial-balance?organizationId=${org.id}`));
    for (const c of trial.currencies) expect(c.debit).toBe(c.credit);
  });
});
