import { describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/core/money.ts';
import { recordGatewayReversal } from '../../src/modules/refunds/refunds.service.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { fixtures } from './support.ts';

describe(`refunds and chargebacks (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  t.clock.set(new Date('2026-04-01T08:00:00Z'));
  const f = fixtures(t, tree.isp, admin, accountant);
  const reversalCount = async (paymentId: string) => (await t.ctx.db.selectFrom('payment_reversals').select('id').where('payment_id', '=', paymentId).execute()).length;

  it('refunds part of an overpayment in cash from the wallet, once per key, and the books balance', async () => {
    const s = await f.subscriber();
    const inv = await f.invoice(s.id, '1000');
    const { payment, allocations } = await f.pay(s.id, '1500');
    expect(allocations.map((a) => a.amount)).toEqual([100000n]);
    expect((await f.wallet(s.id)).balance).toBe('500.00');
    const cashBefore = await f.accountSum('cash_on_hand');

    const res = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '300', reason: 'Paid twice by mistake', key: 'RV-001' });
    expect(res.statusCode, res.body).toBe(201);
    const done = json(res);
    expect(done.reversal).toMatchObject({ kind: 'refund', destination: 'cash', amount: '300.00', fromWallet: '300.00', reopened: '0.00' });
    expect(done.payment).toMatchObject({ status: 'partially_refunded', amountRefunded: '300.00', refundable: '1200.00' });
    expect((await f.wallet(s.id)).balance).toBe('200.00');
    expect(await f.accountSum('cash_on_hand')).toBe(cashBefore - 30000n);
    expect((await f.getInvoice(inv.id)).status).toBe('paid');

    const again = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '300', reason: 'Paid twice by mistake', key: 'RV-001' });
    expect(again.statusCode, again.body).toBe(200);
    expect(json(again)).toMatchObject({ replayed: true, reversal: { id: done.reversal.id } });
    expect((await f.wallet(s.id)).balance).toBe('200.00');
    expect(await reversalCount(payment.id)).toBe(1);
    await f.expectBalancedBooks();

    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', payment.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['payment.refund']);
  });

  it('refuses more than the unrefunded amount, or more than the wallet holds, with a clear message and nothing changed', async () => {
    const s = await f.subscriber();
    await f.invoice(s.id, '1000');
    const { payment } = await f.pay(s.id, '1500');
    const cashBefore = await f.accountSum('cash_on_hand');

    const over = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '1500.01', reason: 'Too much' });
    expect(over.statusCode, over.body).toBe(422);
    expect(json(over).detail).toMatch(/At most 1,?500\.00 KES of receipt \d+ can be given back/);
    expect(json(over).errors).toEqual([{ field: 'amount', message: 'must be at most 1500.00' }]);

    const short = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'bank', amount: '800', reason: 'Wants it all back' });
    expect(short.statusCode, short.body).toBe(422);
    expect(json(short).detail).toMatch(/wallet holds 500\.00 KES.*credit note first/);

    expect(await reversalCount(payment.id)).toBe(0);
    expect(await f.payment(payment.id)).toMatchObject({ status: 'applied', amount_refunded: 0n });
    expect((await f.wallet(s.id)).balance).toBe('500.00');
    expect(await f.accountSum('cash_on_hand')).toBe(cashBefore);
    await f.expectBalancedBooks();
  });

  it('refunds service not delivered: a credit note puts the money in the wallet, then cash goes back to the payer; fully refunded', async () => {
    const s = await f.subscriber();
    const inv = await f.invoice(s.id, '1000');
    const { payment } = await f.pay(s.id, '1000');
    const revenueBefore = await f.accountSum('revenue:internet');
    const res = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '1000', reason: 'Line never installed', creditNote: { invoiceId: inv.id } });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).payment).toMatchObject({ status: 'refunded', refundable: '0.00' });
    expect(json(res).reversal.creditNoteId).toBeTruthy();
    const after = await f.getInvoice(inv.id);
    expect(after.status).toBe('paid');
    expect((await f.wallet(s.id)).balance).toBe('0.00');
    expect(await f.accountSum('revenue:internet')).toBe(revenueBefore + 100000n);
    const more = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '0.01', reason: 'again' });
    expect(more.statusCode).toBe(422);
    await f.expectBalancedBooks();
  });

  it('refunds to the wallet by a credit note on an invoice the payment paid, and refuses an invoice it did not pay', async () => {
    const s = await f.subscriber();
    const paid = await f.invoice(s.id, '600');
    const { payment } = await f.pay(s.id, '600');
    const other = await f.invoice(s.id, '400');
    const wrong = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'wallet', invoiceId: other.id, reason: 'Outage' });
    expect(wrong.statusCode, wrong.body).toBe(422);
    const res = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'wallet', invoiceId: paid.id, reason: 'Outage for the whole month' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).reversal).toMatchObject({ destination: 'wallet', amount: '600.00' });
    expect(json(res).payment.status).toBe('refunded');
    expect((await f.wallet(s.id)).balance).toBe('600.00');
    await f.expectBalancedBooks();
  });

  it('a chargeback takes the money back from the gateway, reopens the invoices the payment paid and empties what it left in the wallet', async () => {
    const s = await f.subscriber();
    const inv = await f.invoice(s.id, '1000');
    const { payment } = await f.pay(s.id, '1200', { channel: 'mpesa', via: { kind: 'gateway', gateway: 'mpesa' } });
    expect((await f.getInvoice(inv.id)).status).toBe('paid');
    const clearingBefore = await f.accountSum('gateway_clearing:mpesa');
    const res = await admin.post(`/api/payments/${payment.id}/chargebacks`, { reason: 'Disputed with Safaricom', key: 'CB-77' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).reversal).toMatchObject({ kind: 'chargeback', destination: 'gateway', amount: '1200.00', reopened: '1000.00', fromWallet: '200.00', unbilled: '0.00' });
    expect(json(res).payment).toMatchObject({ status: 'reversed', refundable: '0.00' });
    expect(await f.accountSum('gateway_clearing:mpesa')).toBe(clearingBefore - 120000n);
    const reopened = await f.getInvoice(inv.id);
    expect(reopened).toMatchObject({ status: 'open', amountPaid: '0.00', balanceDue: '1000.00' });
    expect(await f.wallet(s.id)).toMatchObject({ balance: '0.00', owed: '1000.00' });
    // The same case again changes nothing; a refund of a charged-back payment is refused.
    const again = await admin.post(`/api/payments/${payment.id}/chargebacks`, { reason: 'Disputed with Safaricom', key: 'CB-77' });
    expect(again.statusCode).toBe(200);
    expect(await reversalCount(payment.id)).toBe(1);
    const refund = await admin.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '1', reason: 'x' });
    expect(refund.statusCode).toBe(409);
    await f.expectBalancedBooks();
    // The subscriber owes again: paying the invoice settles it as before.
    await f.pay(s.id, '1000');
    expect((await f.getInvoice(inv.id)).status).toBe('paid');
  });

  it('a chargeback of money already spent from the wallet reopens the invoice the wallet paid; past its due date it is overdue', async () => {
    const s = await f.subscriber();
    const { payment } = await f.pay(s.id, '800', { applyToInvoices: false });
    const inv = await f.invoice(s.id, '800');
    const paidByWallet = await admin.post(`/api/invoices/${inv.id}/pay-from-wallet`);
    expect(json(paidByWallet).status, paidByWallet.body).toBe('paid');
    t.clock.set(new Date('2026-05-01T08:00:00Z'));
    const res = await admin.post(`/api/payments/${payment.id}/chargebacks`, { reason: 'Bank recalled the transfer' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).reversal).toMatchObject({ reopened: '800.00', fromWallet: '0.00', unbilled: '0.00' });
    expect(await f.getInvoice(inv.id)).toMatchObject({ status: 'overdue', amountPaid: '0.00' });
    await f.expectBalancedBooks();
    t.clock.set(new Date('2026-04-01T08:00:00Z'));
  });

  it('records what a gateway reports once: the same refund id again is not applied', async () => {
    const s = await f.subscriber();
    await f.invoice(s.id, '500');
    const { payment } = await f.pay(s.id, '700', { channel: 'stripe', via: { kind: 'gateway', gateway: 'stripe' }, transactionId: 'pi_3Nq' });
    const report = () =>
      t.ctx.db.transaction().execute((trx) =>
        recordGatewayReversal(trx, t.ctx.clock, {
          organizationId: tree.isp.id,
          channel: 'stripe',
          transactionId: 'pi_3Nq',
          refundId: 're_1Abc',
          amount: parseMoney('300', 'KES'),
          kind: 'refunded',
          occurredAt: t.ctx.clock.now(),
        }),
      );
    const results = await Promise.all([report(), report(), report()]);
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await reversalCount(payment.id)).toBe(1);
    // The wallet held the 200.00 left over: it goes first, then 100.00 of the invoice is owed again.
    const r = await t.ctx.db.selectFrom('payment_reversals').selectAll().where('payment_id', '=', payment.id).executeTakeFirstOrThrow();
    expect([r.from_wallet, r.reopened, r.destination, r.external_id]).toEqual([20000n, 10000n, 'gateway', 're_1Abc']);
    expect(await f.payment(payment.id)).toMatchObject({ status: 'partially_refunded', amount_refunded: 30000n });
    await f.expectBalancedBooks();
  });

  it('needs payments.update, and another tenant’s payment answers 404 with nothing changed', async () => {
    const s = await f.subscriber();
    const { payment } = await f.pay(s.id, '300');
    const denied = await staff.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '100', reason: 'x' });
    expect(denied.statusCode).toBe(403);
    const foreign = await outsider.post(`/api/payments/${payment.id}/refunds`, { destination: 'cash', amount: '100', reason: 'x' });
    expect(foreign.statusCode).toBe(404);
    expect((await outsider.post(`/api/payments/${payment.id}/chargebacks`, { reason: 'x' })).statusCode).toBe(404);
    expect((await outsider.get(`/api/payments/${payment.id}/reversals`)).statusCode).toBe(404);
    expect(await reversalCount(payment.id)).toBe(0);
    const list = json(await accountant.get(`/api/payments/${payment.id}/reversals`));
    expect(list.items).toEqual([]);
    expect(list.payment).toMatchObject({ id: payment.id, amount: '300.00', refundable: '300.00', status: 'applied' });
  });
});
