import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { portalFixtures } from './fixtures.ts';

interface Invoice {
  id: string;
  number: string;
  status: string;
  total: string;
  amountPaid: string;
  balanceDue: string;
  dueDate: string;
  lines: { description: string; gross: string }[];
  payments: { source: string; amount: string }[];
}

describe(`customer portal API (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const f = portalFixtures(t, staff);
  t.clock.set(new Date('2026-03-10T09:00:00Z'));

  const amina = await f.subscriber(tree.isp, 'Amina Otieno');
  const neighbour = await f.subscriber(tree.isp, 'Baraka Mwangi');
  const foreign = await f.subscriber(tree.resellerB, 'Chao Wekesa');
  const customer = (await f.customer(amina.id)).api;
  const neighbourInvoice = await f.invoice(tree.isp, neighbour.id, 99_900n);
  const foreignInvoice = await f.invoice(tree.resellerB, foreign.id, 120_000n);

  it('answers the signed-in subscriber: account, provider, an empty wallet and nothing owed', async () => {
    const res = await customer.get('/api/portal/me');
    expect(res.statusCode, res.body).toBe(200);
    const me = json(res);
    expect(me.subscriber).toMatchObject({ id: amina.id, name: 'Amina Otieno', accountNumber: amina.accountNumber, status: 'lead' });
    expect(me.subscriber.contacts).toContainEqual({ kind: 'phone', value: '+254712345678' });
    expect(me.organization).toMatchObject({ name: 'Nairobi Fibre', currency: 'KES', timezone: 'Africa/Nairobi' });
    expect(me.wallet).toMatchObject({ subscriberId: amina.id, currency: 'KES', balance: '0.00', available: '0.00', owed: '0.00' });
    expect(me.due).toEqual([]);
  });

  it('lists only the subscriber’s own issued invoices; drafts and other subscribers’ invoices are not found', async () => {
    const installation = await f.invoice(tree.isp, amina.id, 150_000n);
    const draft = await f.invoice(tree.isp, amina.id, 50_000n, { draft: true });
    const list = json<{ items: Invoice[] }>(await customer.get('/api/portal/invoices'));
    expect(list.items.map((i) => [i.id, i.status, i.total, i.balanceDue, i.dueDate])).toEqual([[installation.id, 'open', '1500.00', '1500.00', '2026-03-24']]);
    expect(Object.keys(list.items[0]!)).not.toContain('journalEntryId');

    const detail = json<Invoice>(await customer.get(`/api/portal/invoices/${installation.id}`));
    expect(detail.lines.map((l) => [l.description, l.gross])).toEqual([['Installation', '1500.00']]);
    for (const id of [draft.id, neighbourInvoice.id, foreignInvoice.id, crypto.randomUUID()]) {
      expect((await customer.get(`/api/portal/invoices/${id}`)).statusCode, id).toBe(404);
      expect((await customer.get(`/api/portal/invoices/${id}/pdf`)).statusCode, id).toBe(404);
    }
    const me = json(await customer.get('/api/portal/me'));
    expect(me.due).toEqual([{ currency: 'KES', amount: '1500.00', invoices: 1, nextDueDate: '2026-03-24' }]);
    expect(me.wallet.owed).toBe('1500.00');
    expect(json(await customer.get('/api/portal/invoices?status=paid')).items).toEqual([]);
    expect((await customer.get('/api/portal/invoices?status=draft')).statusCode).toBe(400);
  });

  it('pays from the wallet what it holds, then the rest after a top-up; the statement shows every movement', async () => {
    const [invoice] = json<{ items: Invoice[] }>(await customer.get('/api/portal/invoices?status=open')).items;
    const pay = () => customer.post(`/api/portal/invoices/${invoice!.id}/pay-from-wallet`);

    const empty = await pay();
    expect(empty.statusCode).toBe(409);
    expect(json(empty).detail).toContain('wallet holds nothing');

    await f.topUp(tree.isp, amina.id, 100_000n, 'R-1');
    const partial = await pay();
    expect(partial.statusCode, partial.body).toBe(200);
    expect(json(partial)).toMatchObject({ paid: '1000.00', invoice: { status: 'partially_paid', amountPaid: '1000.00', balanceDue: '500.00' }, wallet: { balance: '0.00', owed: '500.00' } });

    await f.topUp(tree.isp, amina.id, 80_000n, 'R-2');
    const rest = json(await pay());
    expect(rest).toMatchObject({ paid: '500.00', invoice: { status: 'paid', amountPaid: '1500.00', balanceDue: '0.00' }, wallet: { balance: '300.00', owed: '0.00' } });
    expect(rest.invoice.payments.map((p: { source: string; amount: string }) => [p.source, p.amount])).toEqual([
      ['wallet', '1000.00'],
      ['wallet', '500.00'],
    ]);

    const paidAgain = await pay();
    expect(paidAgain.statusCode).toBe(409);
    expect(json(paidAgain).detail).toContain('is paid');

    const statement = json(await customer.get('/api/portal/wallet/statement'));
    expect(statement.items.map((i: { amount: string; balance: string }) => [i.amount, i.balance])).toEqual([
      ['-500.00', '300.00'],
      ['800.00', '800.00'],
      ['-1000.00', '0.00'],
      ['1000.00', '1000.00'],
    ]);
    expect(statement.wallet.balance).toBe('300.00');
    expect(json(await customer.get('/api/portal/me')).due).toEqual([]);

    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_type', 'actor_label']).where('object_id', '=', invoice!.id).where('action', '=', 'invoice.pay_from_wallet').execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor_type: 'user', actor_label: expect.stringMatching(/^customer\./) });
  });

  it('cannot pay, or even see, another subscriber’s invoice, whatever id it sends', async () => {
    await f.topUp(tree.isp, amina.id, 500_000n, 'R-3');
    for (const target of [neighbourInvoice, foreignInvoice]) {
      const res = await customer.post(`/api/portal/invoices/${target.id}/pay-from-wallet`);
      expect(res.statusCode).toBe(404);
      const row = await t.ctx.db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', target.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'open', amount_paid: 0n });
    }
    expect(json(await customer.get('/api/portal/wallet/statement')).wallet.balance).toBe('5300.00');
  });

  it('is refused to staff, to customer logins without a subscriber, and to strangers; customers are refused staff routes', async () => {
    const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
    const unlinked = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'customer'));
    for (const api of [admin, unlinked]) {
      const res = await api.get('/api/portal/me');
      expect(res.statusCode).toBe(403);
      expect(json(res).detail).toContain('customer portal is for subscribers');
      // Refused before validation: a malformed id tells them nothing of the route's schema.
      expect((await api.get('/api/portal/invoices/not-an-id')).statusCode).toBe(403);
      expect((await api.post(`/api/portal/invoices/${neighbourInvoice.id}/pay-from-wallet`)).statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/portal/me' })).statusCode).toBe(401);
    for (const url of ['/api/subscribers', `/api/subscribers/${amina.id}`, '/api/users', '/api/plans', `/api/ledger/trial-balance?organizationId=${tree.isp.id}`])
      expect((await customer.get(url)).statusCode, url).toBe(403);
    expect((await customer.post('/api/subscribers', { name: 'Self-made' })).statusCode).toBe(403);
  });

  it('serves the invoice PDF of the subscriber’s own invoice in the asked language', async () => {
    const inv = await f.invoice(tree.isp, amina.id, 250_000n, { description: 'Router rental' });
    const res = await customer.get(`/api/portal/invoices/${inv.id}/pdf?locale=fr`);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${inv.number}.pdf"`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.length).toBeGreaterThan(1000);
  });
});
