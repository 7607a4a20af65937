/** receivePayment, the use case every channel ends in, on a real database. */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { matchUnapplied } from '../../src/modules/payments/receive.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { monthlyPlan, subscribe } from '../subscriptions/support.ts';
import { expectBooksBalanced, invoice, invoiceRow, newSubscriber, receive, walletOf } from './support.ts';

describe(`receivePayment (${engine})`, async () => {
  const t = await createTestContext();
  t.clock.set('2026-05-04T07:00:00Z');
  const { isp, resellerA, resellerB } = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, isp, 'admin'));
  const db = t.ctx.db;
  const count = async (table: 'payments' | 'journal_entries', column: string, value: string) =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where(column as never, '=', value as never).executeTakeFirstOrThrow()).n);

  it('records a payment once: the same event again answers the same payment and changes nothing', async () => {
    const s = await newSubscriber(admin, isp);
    const first = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'QKT1AB2CD3', amount: 100_000n, subscriberId: s.id, via: { kind: 'gateway', gateway: 'mpesa' } });
    expect(first).toMatchObject({ replayed: false, payment: { status: 'applied', subscriber_id: s.id, amount: 100_000n, channel: 'mpesa' } });
    const again = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'QKT1AB2CD3', amount: 100_000n, subscriberId: s.id, via: { kind: 'gateway', gateway: 'mpesa' } });
    expect(again).toMatchObject({ replayed: true, allocations: [], payment: { id: first.payment.id } });
    expect(await count('payments', 'transaction_id', 'QKT1AB2CD3')).toBe(1);
    expect(await count('journal_entries', 'idempotency_key', 'payment:mpesa:QKT1AB2CD3')).toBe(1);
    expect((await walletOf(admin, s.id)).balance).toBe('1000.00');
  });

  it('refuses the same key with another amount (409) and writes nothing', async () => {
    const s = await newSubscriber(admin, isp);
    await receive(t, { organizationId: isp.id, transactionId: 'RCPT-77', amount: 50_000n, subscriberId: s.id });
    await expect(receive(t, { organizationId: isp.id, transactionId: 'RCPT-77', amount: 60_000n, subscriberId: s.id })).rejects.toMatchObject({ status: 409 });
    expect(await count('payments', 'transaction_id', 'RCPT-77')).toBe(1);
    expect((await walletOf(admin, s.id)).balance).toBe('500.00');
  });

  it('20 concurrent deliveries of one event: one payment, one entry, the wallet credited once', async () => {
    const s = await newSubscriber(admin, isp);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'CONC-1', amount: 25_000n, subscriberId: s.id, via: { kind: 'gateway', gateway: 'mpesa' } })),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.payment.id)).size).toBe(1);
    expect(await count('payments', 'transaction_id', 'CONC-1')).toBe(1);
    expect(await count('journal_entries', 'idempotency_key', 'payment:mpesa:CONC-1')).toBe(1);
    expect((await walletOf(admin, s.id)).balance).toBe('250.00');
  });

  it('finds the subscriber by invoice number (that invoice first), account number, login and phone', async () => {
    const byInvoice = await newSubscriber(admin, isp);
    const older = await invoice(admin, byInvoice.id, '100');
    const named = await invoice(admin, byInvoice.id, '300');
    const r1 = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'REF-INV', amount: 30_000n, reference: named.number.toLowerCase(), via: { kind: 'gateway', gateway: 'mpesa' } });
    expect(r1.payment.subscriber_id).toBe(byInvoice.id);
    // The invoice named is paid, not the older one.
    expect(r1.allocations).toEqual([{ invoiceId: named.id, amount: 30_000n }]);
    expect((await invoiceRow(t, older.id)).status).toBe('open');

    const byAccount = await newSubscriber(admin, isp);
    expect((await receive(t, { organizationId: isp.id, transactionId: 'REF-ACC', amount: 1_000n, reference: byAccount.accountNumber.toLowerCase() })).payment.subscriber_id).toBe(byAccount.id);

    const byLogin = await newSubscriber(admin, isp);
    const plan = await monthlyPlan(admin, '1000', { billingModel: 'prepaid' });
    await subscribe(admin, { subscriberId: byLogin.id, planId: plan.id, username: 'amina.home' });
    expect((await receive(t, { organizationId: isp.id, transactionId: 'REF-LOGIN', amount: 1_000n, reference: 'amina.home' })).payment.subscriber_id).toBe(byLogin.id);

    const byPhone = await newSubscriber(admin, isp, { contacts: [{ kind: 'phone', value: '+254 733 111 222' }] });
    expect((await receive(t, { organizationId: isp.id, transactionId: 'REF-PHONE', amount: 1_000n, reference: '0733111222' })).payment.subscriber_id).toBe(byPhone.id);
    expect((await receive(t, { organizationId: isp.id, transactionId: 'REF-PHONE2', amount: 1_000n, reference: 'nobody', payer: { phone: '254733111222' } })).payment.subscriber_id).toBe(byPhone.id);

    // Another tenant's subscriber is not found from a reseller's paybill.
    const foreign = await newSubscriber(admin, resellerB);
    const r = await receive(t, { organizationId: resellerA.id, transactionId: 'REF-FOREIGN', amount: 1_000n, reference: foreign.accountNumber });
    expect(r.payment).toMatchObject({ status: 'unapplied', subscriber_id: null });
  });

  it('keeps an unknown reference in suspense, then staff match it: invoices paid, the rest in the wallet', async () => {
    const s = await newSubscriber(admin, isp);
    const bill = await invoice(admin, s.id, '700');
    const suspense = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'SUSP-1', amount: 100_000n, reference: 'ACC-TYPO', via: { kind: 'gateway', gateway: 'mpesa' } });
    expect(suspense).toMatchObject({ allocations: [], payment: { status: 'unapplied', subscriber_id: null } });
    expect((await invoiceRow(t, bill.id)).status).toBe('open');
    await expectBooksBalanced(t, isp.id);

    const matched = await db.transaction().execute((trx) => matchUnapplied(trx, t.ctx.clock, { paymentId: suspense.payment.id, subscriberId: s.id, matchedBy: null }));
    expect(matched.payment).toMatchObject({ status: 'applied', subscriber_id: s.id });
    expect(matched.allocations).toEqual([{ invoiceId: bill.id, amount: 70_000n }]);
    expect(await invoiceRow(t, bill.id)).toMatchObject({ status: 'paid', amount_paid: 70_000n });
    expect((await walletOf(admin, s.id)).balance).toBe('300.00');
    await expect(db.transaction().execute((trx) => matchUnapplied(trx, t.ctx.clock, { paymentId: suspense.payment.id, subscriberId: s.id, matchedBy: null }))).rejects.toMatchObject({ status: 409 });
    await expectBooksBalanced(t, isp.id);
  });

  it('pays oldest first, or the chosen invoice first; a partial payment leaves partially_paid, an overpayment the wallet', async () => {
    const s = await newSubscriber(admin, isp);
    const a = await invoice(admin, s.id, '500');
    const b = await invoice(admin, s.id, '400');
    const c = await invoice(admin, s.id, '300');
    const partial = await receive(t, { organizationId: isp.id, transactionId: 'ALLOC-1', amount: 60_000n, subscriberId: s.id });
    expect(partial.allocations).toEqual([
      { invoiceId: a.id, amount: 50_000n },
      { invoiceId: b.id, amount: 10_000n },
    ]);
    expect(await invoiceRow(t, b.id)).toMatchObject({ status: 'partially_paid', amount_paid: 10_000n });
    const chosen = await receive(t, { organizationId: isp.id, transactionId: 'ALLOC-2', amount: 30_000n, subscriberId: s.id, invoiceIds: [c.id] });
    expect(chosen.allocations).toEqual([{ invoiceId: c.id, amount: 30_000n }]);
    expect((await invoiceRow(t, b.id)).status).toBe('partially_paid');
    const over = await receive(t, { organizationId: isp.id, transactionId: 'ALLOC-3', amount: 50_000n, subscriberId: s.id });
    expect(over.allocations).toEqual([{ invoiceId: b.id, amount: 30_000n }]);
    expect(await walletOf(admin, s.id)).toMatchObject({ balance: '200.00', owed: '0.00' });
    await expectBooksBalanced(t, isp.id);
  });

  it('unlocks a subscription suspended for non-payment once the last invoice is paid', async () => {
    const s = await newSubscriber(admin, isp);
    const plan = await monthlyPlan(admin, '2000');
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    const suspended = await admin.post(`/api/subscriptions/${sub.id}/suspend`, { reason: 'unpaid' });
    expect(suspended.statusCode, suspended.body).toBe(200);
    await receive(t, { organizationId: isp.id, transactionId: 'UNLOCK-1', amount: 100_000n, subscriberId: s.id });
    expect((await db.selectFrom('subscriptions').select('status').where('id', '=', sub.id).executeTakeFirstOrThrow()).status).toBe('suspended');
    await receive(t, { organizationId: isp.id, transactionId: 'UNLOCK-2', amount: 100_000n, subscriberId: s.id });
    expect(await db.selectFrom('subscriptions').select(['status', 'status_reason']).where('id', '=', sub.id).executeTakeFirstOrThrow()).toEqual({ status: 'active', status_reason: '' });
    await expectBooksBalanced(t, isp.id);
  });

  it("the ISP's gateway paying a reseller's subscriber (a portal payment through the nearest account up the tree): the ISP owes it on, the reseller's books pay the invoice; a match in suspense does the same", async () => {
    const s = await newSubscriber(admin, resellerA);
    const bill = await invoice(admin, s.id, '800');
    const r = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'ACROSS-1', amount: 100_000n, subscriberId: s.id, via: { kind: 'gateway', gateway: 'mpesa' } });
    expect(r.payment).toMatchObject({ status: 'applied', subscriber_id: s.id, organization_id: isp.id });
    expect(r.allocations).toEqual([{ invoiceId: bill.id, amount: 80_000n }]);
    expect(await invoiceRow(t, bill.id)).toMatchObject({ status: 'paid', amount_paid: 80_000n });
    expect(await walletOf(admin, s.id)).toMatchObject({ balance: '200.00', owed: '0.00' });
    const balanceOf = async (organizationId: string, systemKey: string, ownerId: string) => {
      const row = await db
        .selectFrom('ledger_accounts as a')
        .select(sql<string>`(select sum(b.balance) from ledger_balances b where b.account_id = a.id)`.as('balance'))
        .where('a.organization_id', '=', organizationId)
        .where('a.system_key', '=', systemKey)
        .where('a.owner_id', '=', ownerId)
        .executeTakeFirst();
      return row ? BigInt(row.balance) : 0n;
    };
    // Debit-positive balances: the ISP owes the reseller 1,000; the reseller is owed it; the reseller's receivable is settled.
    expect(await balanceOf(isp.id, 'due_to_organization', resellerA.id)).toBe(-100_000n);
    expect(await balanceOf(resellerA.id, 'due_from_organization', isp.id)).toBe(100_000n);
    expect(await balanceOf(resellerA.id, 'accounts_receivable', s.id)).toBe(0n);
    expect(await balanceOf(isp.id, 'subscriber_wallet', s.id)).toBe(0n);

    const typo = await receive(t, { organizationId: isp.id, channel: 'mpesa', transactionId: 'ACROSS-2', amount: 5_000n, reference: 'NO-SUCH', via: { kind: 'gateway', gateway: 'mpesa' } });
    await db.transaction().execute((trx) => matchUnapplied(trx, t.ctx.clock, { paymentId: typo.payment.id, subscriberId: s.id, matchedBy: null }));
    expect((await walletOf(admin, s.id)).balance).toBe('250.00');
    expect(await balanceOf(isp.id, 'due_to_organization', resellerA.id)).toBe(-105_000n);
    await expectBooksBalanced(t, isp.id);
    await expectBooksBalanced(t, resellerA.id);

    // The reseller's staff see the payments of their subscribers that the ISP collected, but act only on their own.
    const resellerStaff = await sessionFor(t, await seedUser(t.ctx, resellerA, 'admin'));
    const otherReseller = await sessionFor(t, await seedUser(t.ctx, resellerB, 'reseller'));
    const listed = await resellerStaff.get(`/api/payments?subscriberId=${s.id}`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect((listed.json() as { items: { transactionId: string }[] }).items.map((p) => p.transactionId).sort()).toEqual(['ACROSS-1', 'ACROSS-2']);
    expect((await resellerStaff.get(`/api/payments/${r.payment.id}`)).statusCode).toBe(200);
    expect((await resellerStaff.delete(`/api/payments/${r.payment.id}`)).statusCode).toBe(404);
    expect((await otherReseller.get(`/api/payments/${r.payment.id}`)).statusCode).toBe(404);
    expect((await otherReseller.get(`/api/payments?subscriberId=${s.id}`)).json()).toMatchObject({ items: [] });
  });

  it('refuses nothing to pay and a payment naming nobody', async () => {
    await expect(receive(t, { organizationId: isp.id, transactionId: 'ZERO', amount: 0n, reference: 'x' })).rejects.toMatchObject({ status: 422 });
    await expect(receive(t, { organizationId: isp.id, transactionId: 'NOBODY', amount: 100n })).rejects.toMatchObject({ status: 422 });
    expect(await count('payments', 'transaction_id', 'NOBODY')).toBe(0);
  });
});
