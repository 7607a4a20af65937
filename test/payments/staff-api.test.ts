/** Payments staff record and read through the API: validation, the 409 on a reference, the list, exports, the receipt, the suspense queue, reports. */
import { readSheet } from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { pdfText } from '../invoices/documents-pdf.ts';
import { expectBooksBalanced, invoice, invoiceRow, newSubscriber, ok, receive, walletOf } from './support.ts';

describe(`payments API (${engine})`, async () => {
  const t = await createTestContext();
  t.clock.set('2026-07-03T09:00:00Z'); // 12:00 in Nairobi; payments are received back then
  const { isp, resellerA, resellerB } = await seedTree(t.ctx);
  const adminUser = await seedUser(t.ctx, isp, 'admin');
  const admin = await sessionFor(t, adminUser);
  const cashierUser = await seedUser(t.ctx, isp, 'staff');
  const cashier = await sessionFor(t, cashierUser);
  const resellerBUser = await sessionFor(t, await seedUser(t.ctx, resellerB, 'reseller'));
  const supportUser = await sessionFor(t, await seedUser(t.ctx, isp, 'support'));
  await ok(admin.patch(`/api/organizations/${isp.id}`, { taxId: 'P051234567X', address: 'Moi Avenue 12, Nairobi' }));
  const db = t.ctx.db;
  const paymentCount = async () => Number((await db.selectFrom('payments').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const entryCount = async () => Number((await db.selectFrom('journal_entries').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const fields = (res: { body: string }) => (json(res as never).errors ?? []).map((e: { field: string }) => e.field);

  const alice = await newSubscriber(admin, isp, { name: 'Alice Wanjiru', contacts: [{ kind: 'phone', value: '0711000111' }] });
  const aliceOld = await invoice(admin, alice.id, '1500');
  const aliceNew = await invoice(admin, alice.id, '1000');

  it('records cash at the counter: the oldest invoice paid, the rest of it partly, a receipt number, the collector, an audit entry', async () => {
    const p = await ok(cashier.post('/api/payments', { subscriberId: alice.id, amount: '2000', memo: 'Paid at the Kisumu shop' }), 201);
    expect(p).toMatchObject({ channel: 'cash', status: 'applied', amount: '2000.00', currency: 'KES', subscriberId: alice.id, subscriberName: 'Alice Wanjiru', collectorId: cashierUser.id, collectorName: cashierUser.name, replayed: false });
    expect(p.receiptNumber).toMatch(/^R-\d{6}$/);
    expect(p.allocations.map((a: { invoiceId: string; amount: string }) => [a.invoiceId, a.amount])).toEqual([
      [aliceOld.id, '1500.00'],
      [aliceNew.id, '500.00'],
    ]);
    expect(await invoiceRow(t, aliceNew.id)).toMatchObject({ status: 'partially_paid', amount_paid: 50_000n });
    expect(p.walletBalance).toBe('0.00');
    // The payment's entry: cash on hand debited, the wallet credited.
    expect(p.entries[0].lines).toEqual([
      { account: '1000 Cash on hand', systemKey: 'cash_on_hand', amount: '2000.00' },
      { account: '2000 Subscriber wallet', systemKey: 'subscriber_wallet', amount: '-2000.00' },
    ]);
    const audit = await db.selectFrom('audit_log').selectAll().where('object_id', '=', p.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['payment.record']);
    await expectBooksBalanced(t, isp.id);
  });

  it('refuses the same method and reference again (409 naming the payment), while another method may reuse it', async () => {
    const body = { subscriberId: alice.id, method: 'bank_transfer', amount: '100', reference: 'FT26161ABC', bank: 'Family Bank' };
    const first = await ok(admin.post('/api/payments', body), 201);
    expect(first.metadata).toEqual({ bank: 'Family Bank' });
    expect(first.entries[0].lines[0]).toMatchObject({ systemKey: 'bank', amount: '100.00' });
    const [payments, entries] = [await paymentCount(), await entryCount()];
    const again = await admin.post('/api/payments', body);
    expect(again.statusCode, again.body).toBe(409);
    expect(json(again).detail).toContain(first.receiptNumber);
    expect(json(again).detail).toContain(first.id);
    expect([await paymentCount(), await entryCount()]).toEqual([payments, entries]);
    const cheque = await admin.post('/api/payments', { ...body, method: 'cheque', chequeNumber: '000451' });
    expect(cheque.statusCode, cheque.body).toBe(201);
    expect(json(cheque).metadata).toEqual({ bank: 'Family Bank', chequeNumber: '000451' });
  });

  it('five tellers entering the same bank reference at once: one payment, four 409s', async () => {
    const body = { subscriberId: alice.id, method: 'bank_transfer', amount: '75', reference: `FT-RACE-${crypto.randomUUID().slice(0, 6)}` };
    const answers = await Promise.all(Array.from({ length: 5 }, () => admin.post('/api/payments', body)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await db.selectFrom('payments').select('id').where('transaction_id', '=', body.reference).execute()).toHaveLength(1);
    expect(await db.selectFrom('journal_entries').select('id').where('idempotency_key', '=', `payment:bank_transfer:${body.reference}`).execute()).toHaveLength(1);
  });

  it('puts a mobile transfer in the provider’s clearing account and keeps its transaction code', async () => {
    const p = await ok(admin.post('/api/payments', { subscriberId: alice.id, method: 'mobile_transfer', provider: 'MPESA', reference: 'SFG7H8J9K0', amount: '50', payerPhone: '0711000111' }), 201);
    expect(p).toMatchObject({ channel: 'mobile_transfer', transactionId: 'SFG7H8J9K0', metadata: { provider: 'mpesa', transactionCode: 'SFG7H8J9K0' } });
    expect(p.entries[0].lines[0]).toMatchObject({ systemKey: 'gateway_clearing:mpesa', amount: '50.00' });
  });

  it('answers bad input with a 4xx naming the field, and changes nothing', async () => {
    const [payments, entries] = [await paymentCount(), await entryCount()];
    const cases: [Record<string, unknown>, number, string][] = [
      [{ subscriberId: alice.id, amount: '-5' }, 400, 'amount'],
      [{ subscriberId: alice.id, amount: '0' }, 422, 'amount'],
      [{ subscriberId: alice.id, amount: '10.001' }, 422, 'amount'],
      [{ subscriberId: alice.id, amount: '10', method: 'bitcoin' }, 400, 'method'],
      [{ subscriberId: alice.id, amount: '10', method: 'bank_transfer' }, 400, 'reference'],
      [{ subscriberId: alice.id, amount: '10', method: 'mobile_transfer', reference: 'X1' }, 400, 'provider'],
      [{ subscriberId: alice.id, amount: '10', receivedAt: '2026-07-03T09:05:00Z' }, 422, 'receivedAt'],
      [{ subscriberId: alice.id, amount: '10', collectorId: crypto.randomUUID() }, 422, 'collectorId'],
      [{ subscriberId: alice.id, amount: '10', invoiceIds: [crypto.randomUUID()] }, 422, 'invoiceIds.0'],
    ];
    for (const [body, status, field] of cases) {
      const res = await admin.post('/api/payments', body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(fields(res)).toContain(field);
    }
    expect((await admin.post('/api/payments', { subscriberId: crypto.randomUUID(), amount: '10' })).statusCode).toBe(404);
    // Another tenant's subscriber is not found; a role without payments.create is refused.
    expect((await resellerBUser.post('/api/payments', { subscriberId: alice.id, amount: '10' })).statusCode).toBe(404);
    expect((await supportUser.post('/api/payments', { subscriberId: alice.id, amount: '10' })).statusCode).toBe(403);
    expect([await paymentCount(), await entryCount()]).toEqual([payments, entries]);
  });

  it('replays a retried request with the same Idempotency-Key instead of recording it twice', async () => {
    const headers = { 'idempotency-key': `pay-${crypto.randomUUID()}` };
    const body = { subscriberId: alice.id, amount: '20' };
    const first = await admin.post('/api/payments', body, headers);
    const second = await admin.post('/api/payments', body, headers);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(json(second).id).toBe(json(first).id);
    expect(await db.selectFrom('payments').select('id').where('subscriber_id', '=', alice.id).where('amount', '=', 2_000n).execute()).toHaveLength(1);
  });

  it('lists with filters and keyset pages, searches by receipt, reference, transaction and phone', async () => {
    const bob = await newSubscriber(admin, isp, { name: 'Bob Otieno' });
    const early = await ok(admin.post('/api/payments', { subscriberId: bob.id, amount: '300', receivedAt: '2026-06-01T08:00:00+03:00' }), 201);
    const bank = await ok(cashier.post('/api/payments', { subscriberId: bob.id, method: 'bank_transfer', reference: 'BOB-REF-1', amount: '400' }), 201);
    const list = async (qs: string) => (await ok<{ items: { id: string }[]; nextCursor: string | null }>(admin.get(`/api/payments?${qs}`))).items.map((i) => i.id);
    expect(await list(`subscriberId=${bob.id}`)).toEqual([bank.id, early.id]);
    expect(await list(`subscriberId=${bob.id}&channel=bank_transfer`)).toEqual([bank.id]);
    expect(await list(`subscriberId=${bob.id}&collectorId=${cashierUser.id}`)).toEqual([bank.id]);
    expect(await list(`subscriberId=${bob.id}&from=2026-06-01&to=2026-06-01`)).toEqual([early.id]);
    expect(await list(`subscriberId=${bob.id}&from=2026-06-02`)).toEqual([bank.id]);
    expect(await list(`q=${bank.receiptNumber}`)).toEqual([bank.id]);
    expect(await list(`q=${bank.receiptNumber.slice(2)}`)).toEqual([bank.id]);
    expect(await list('q=bob-ref')).toEqual([bank.id]);
    expect(await list('q=SFG7H8J9')).toHaveLength(1);
    expect(await list('q=254711000111')).toHaveLength(1);
    expect(await list(`status=unapplied&subscriberId=${bob.id}`)).toEqual([]);
    const bad = await admin.get('/api/payments?status=lost');
    expect(bad.statusCode).toBe(400);
    // Pages: one at a time, newest first, no payment twice.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p: { items: { id: string }[]; nextCursor: string | null } = await ok(admin.get(`/api/payments?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(await paymentCount());
    expect(new Set(seen).size).toBe(seen.length);
    // Another tenant sees none of them.
    expect((await ok(resellerBUser.get('/api/payments'))).items).toEqual([]);
    expect((await resellerBUser.get(`/api/payments/${bank.id}`)).statusCode).toBe(404);
  });

  it('exports the list as CSV and XLSX with the filters', async () => {
    const csv = await admin.get(`/api/payments/export.csv?channel=bank_transfer`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('receiptNumber,receivedAt,channel,transactionId,reference,status,accountNumber,subscriberName,payerName,payerPhone,currency,amount,amountRefunded,collectorName,memo,subscriberId,organizationId,id');
    expect(lines.slice(1).every((l) => l.split(',')[2] === 'bank_transfer')).toBe(true);
    expect(lines.some((l) => l.includes('BOB-REF-1') && l.includes(',400.00,'))).toBe(true);
    const xlsx = await admin.get('/api/payments/export.xlsx?channel=bank_transfer');
    expect(xlsx.statusCode).toBe(200);
    const rows = await readSheet(xlsx.rawPayload);
    expect(rows[0]![0]).toBe('receiptNumber');
    const bob = rows.find((r) => r.includes('BOB-REF-1'))!;
    expect(bob[11]).toBe(400);
    expect((await cashier.get('/api/payments/export.csv')).statusCode).toBe(403);
  });

  it('prints a receipt: number, ISP and tax id, payer, method, reference, what it paid and the wallet after', async () => {
    const carol = await newSubscriber(admin, isp, { name: 'Carol Akinyi' });
    const bill = await invoice(admin, carol.id, '800');
    const p = await ok(cashier.post('/api/payments', { subscriberId: carol.id, method: 'cheque', reference: 'CHQ-7781', chequeNumber: '7781', bank: 'Equity', amount: '1000' }), 201);
    const res = await cashier.get(`/api/payments/${p.id}/receipt.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(res.rawPayload);
    for (const s of ['Receipt', p.receiptNumber, 'Nairobi Fibre', 'P051234567X', 'Carol Akinyi', carol.accountNumber, 'Cheque 7781', 'CHQ-7781', bill.number, 'KES 800.00', 'Kept in the wallet', 'KES 200.00', 'KES 1,000.00', 'Wallet balance after', cashierUser.name])
      expect(text, s).toContain(s);
    const fr = await pdfText((await cashier.get(`/api/payments/${p.id}/receipt.pdf?locale=fr`)).rawPayload);
    expect(fr).toContain('Reçu');
    expect(fr).toContain('Chèque 7781');
    expect((await resellerBUser.get(`/api/payments/${p.id}/receipt.pdf`)).statusCode).toBe(404);
  });

  it('suspense queue: an unknown reference waits unapplied, staff match it to a subscriber, audited; matching twice is a 409', async () => {
    const dan = await newSubscriber(admin, isp, { name: 'Dan Mwangi' });
    const bill = await invoice(admin, dan.id, '600');
    const suspense = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'SUSP-API-1', amount: 100_000n, reference: 'DANM', via: { kind: 'gateway', gateway: 'mpesa' } });
    const queue = await ok(admin.get('/api/payments?status=unapplied'));
    expect(queue.items.map((i: { id: string }) => i.id)).toContain(suspense.payment.id);
    expect((await supportUser.post(`/api/payments/${suspense.payment.id}/match`, { subscriberId: dan.id })).statusCode).toBe(403);
    expect((await admin.post(`/api/payments/${suspense.payment.id}/match`, { subscriberId: crypto.randomUUID() })).statusCode).toBe(404);
    const matched = await ok(admin.post(`/api/payments/${suspense.payment.id}/match`, { subscriberId: dan.id, memo: 'Called the customer' }));
    expect(matched).toMatchObject({ status: 'applied', subscriberId: dan.id, walletBalance: '400.00' });
    expect(matched.allocations).toMatchObject([{ invoiceId: bill.id, amount: '600.00' }]);
    expect(matched.entries.map((e: { kind: string }) => e.kind)).toEqual(['payment_unapplied', 'payment_matched']);
    expect((await admin.post(`/api/payments/${suspense.payment.id}/match`, { subscriberId: dan.id })).statusCode).toBe(409);
    const audit = await db.selectFrom('audit_log').select('action').where('object_id', '=', suspense.payment.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['payment.match']);
    expect((await ok(admin.get('/api/payments?status=unapplied'))).items.map((i: { id: string }) => i.id)).not.toContain(suspense.payment.id);
    // A reseller's subscriber cannot take money from the ISP's books.
    const other = await receive(t, { organizationId: isp.id, transactionId: 'SUSP-API-2', amount: 1_000n, reference: 'NOBODY-2' });
    const resellerSub = await newSubscriber(admin, resellerA);
    const cross = await admin.post(`/api/payments/${other.payment.id}/match`, { subscriberId: resellerSub.id });
    expect(cross.statusCode).toBe(422);
    await expectBooksBalanced(t, isp.id);
  });

  it('cancels a payment entered in error while its money is in the wallet, and refuses one that paid an invoice', async () => {
    const eve = await newSubscriber(admin, isp);
    const p = await ok(admin.post('/api/payments', { subscriberId: eve.id, amount: '250' }), 201);
    expect((await cashier.delete(`/api/payments/${p.id}`)).statusCode).toBe(403);
    const cancelled = await ok(admin.delete(`/api/payments/${p.id}?reason=${encodeURIComponent('Wrong subscriber')}`));
    expect(cancelled.status).toBe('reversed');
    expect(cancelled.entries.map((e: { kind: string }) => e.kind)).toEqual(['payment', 'reversal']);
    expect((await walletOf(admin, eve.id)).balance).toBe('0.00');
    expect((await admin.delete(`/api/payments/${p.id}`)).statusCode).toBe(409);
    await invoice(admin, eve.id, '100');
    const paying = await ok(admin.post('/api/payments', { subscriberId: eve.id, amount: '100' }), 201);
    expect((await admin.delete(`/api/payments/${paying.id}`)).statusCode).toBe(409);
    await expectBooksBalanced(t, isp.id);
  });

  it('reports payments by method, collector and day with totals, and as CSV', async () => {
    const org = await newOrgWithPayments();
    const report = await ok(admin.get(`/api/payments/report?from=2026-07-01&to=2026-07-02&organizationId=${org.id}`));
    expect(report).toMatchObject({ currency: 'KES', timezone: 'Africa/Nairobi', total: { count: 4, amount: '1750.00', refunded: '0.00' } });
    expect(report.byMethod).toEqual([
      { channel: 'cash', count: 2, amount: '1000.00', refunded: '0.00' },
      { channel: 'bank_transfer', count: 1, amount: '500.00', refunded: '0.00' },
      { channel: 'mobile_transfer', count: 1, amount: '250.00', refunded: '0.00' },
    ]);
    expect(report.byCollector).toEqual([
      { collectorId: cashierUser.id, collectorName: cashierUser.name, count: 3, amount: '1250.00', refunded: '0.00' },
      { collectorId: adminUser.id, collectorName: adminUser.name, count: 1, amount: '500.00', refunded: '0.00' },
    ]);
    // 23:30 Nairobi time on 1 July is 20:30 UTC: the 1st, not the 2nd.
    expect(report.byDay).toEqual([
      { date: '2026-07-01', count: 3, amount: '1500.00', refunded: '0.00' },
      { date: '2026-07-02', count: 1, amount: '250.00', refunded: '0.00' },
    ]);
    const one = await ok(admin.get(`/api/payments/report?from=2026-07-02&to=2026-07-02&organizationId=${org.id}`));
    expect(one.total).toEqual({ count: 1, amount: '250.00', refunded: '0.00' });
    const csv = await admin.get(`/api/payments/report.csv?from=2026-07-01&to=2026-07-02&organizationId=${org.id}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')).toContain('total,,,4,1750.00,0.00,KES');
    expect(csv.body.split('\r\n')).toContain('method,cash,,2,1000.00,0.00,KES');
    expect((await admin.get('/api/payments/report?from=2026-07-03&to=2026-07-01')).statusCode).toBe(400);
    expect((await resellerBUser.get(`/api/payments/report?from=2026-07-01&to=2026-07-02&organizationId=${org.id}`)).statusCode).toBe(404);
    expect((await cashier.get(`/api/payments/report.csv?from=2026-07-01&to=2026-07-02`)).statusCode).toBe(403);
  });

  /** A fresh reseller with four payments on 1-2 July (Nairobi time). */
  async function newOrgWithPayments() {
    const org = json<{ id: string }>(await admin.post('/api/organizations', { parentId: isp.id, kind: 'reseller', name: `Report ${crypto.randomUUID().slice(0, 6)}` }));
    const s = await newSubscriber(admin, org as never);
    const pay = async (api: typeof admin, body: Record<string, unknown>) => ok(api.post('/api/payments', { subscriberId: s.id, ...body }), 201);
    await pay(cashier, { amount: '600', receivedAt: '2026-07-01T09:00:00+03:00' });
    await pay(cashier, { amount: '400', receivedAt: '2026-07-01T23:30:00+03:00' });
    await pay(admin, { amount: '500', method: 'bank_transfer', reference: `R-${crypto.randomUUID()}`, receivedAt: '2026-07-01T10:00:00+03:00' });
    await pay(cashier, { amount: '250', method: 'mobile_transfer', provider: 'mpesa', reference: `M${crypto.randomUUID().slice(0, 8)}`, receivedAt: '2026-07-02T00:30:00+03:00' });
    // Outside the range.
    await pay(cashier, { amount: '999', receivedAt: '2026-06-30T23:59:00+03:00' });
    return org;
  }
});
