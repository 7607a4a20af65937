import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { created, createTaxClass } from '../catalog/fixtures.ts';

interface Invoice {
  id: string;
  number: string | null;
  status: string;
  total: string;
  subtotal: string;
  taxTotal: string;
  amountPaid: string;
  amountCredited: string;
  balanceDue: string;
  journalEntryId: string | null;
  issueDate: string | null;
  dueDate: string | null;
  customer: Record<string, unknown>;
  lines: { lineNo: number; net: string; tax: string; gross: string; quantity: string; unitPrice: string; amount: string }[];
  allocations: { source: string; amount: string }[];
  creditNotes: { id: string; number: string | null; total: string }[];
}

describe(`invoices (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));
  const support = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'support'));
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  const vat = await createTaxClass(admin, { name: 'VAT 16% exclusive', inclusive: false });
  t.clock.set(new Date('2026-03-10T09:00:00Z'));

  const subscriber = async (api: Api = admin, organizationId = tree.isp.id) =>
    created<{ id: string; accountNumber: string }>(api.post('/api/subscribers', { organizationId, name: `Amina Otieno ${crypto.randomUUID().slice(0, 4)}`, contacts: [{ kind: 'phone', value: '0712 345 678' }] }));
  // Installation 3,000.00 + VAT 16% (exclusive) = 3,480.00; router rental 2 × 750.50 = 1,501.00 untaxed. Total 4,981.00.
  const lines = () => [
    { description: 'Installation', serviceType: 'installation', quantity: '1', unitPrice: '3000', taxClassId: vat.id },
    { description: 'Router rental', serviceType: 'equipment', quantity: '2', unitPrice: '750.50' },
  ];
  const invoiceFor = async (subscriberId: string, issue = true, api: Api = admin) =>
    created<Invoice>(api.post('/api/invoices', { subscriberId, lines: lines(), issue }));
  const trial = async () => json<{ currencies: { currency: string; debit: string; credit: string }[] }>(await accountant.get(`/api/ledger/trial-balance?organizationId=${tree.isp.id}`));

  it('prices, taxes and issues a manual invoice with a number, dates, the subscriber as billed and a balanced ledger entry', async () => {
    const s = await subscriber();
    const inv = await invoiceFor(s.id);
    expect(inv.status).toBe('open');
    expect(inv.number).toMatch(/^INV-\d{6}$/);
    expect(inv.lines.map((l) => [l.net, l.tax, l.gross])).toEqual([
      ['3000.00', '480.00', '3480.00'],
      ['1501.00', '0.00', '1501.00'],
    ]);
    expect([inv.subtotal, inv.taxTotal, inv.total, inv.balanceDue]).toEqual(['4501.00', '480.00', '4981.00', '4981.00']);
    expect(inv.issueDate).toBe('2026-03-10');
    expect(inv.dueDate).toBe('2026-03-24');
    expect(inv.customer).toMatchObject({ accountNumber: s.accountNumber, phone: '+254712345678' });
    const entry = json(await accountant.get(`/api/ledger/entries/${inv.journalEntryId}`));
    const byCode = Object.fromEntries(entry.lines.map((l: { accountName: string; debit: string | null; credit: string | null }) => [l.accountName, l.debit ?? `-${l.credit}`]));
    expect(byCode).toMatchObject({ 'Revenue: installation': '-3000.00', 'Revenue: equipment': '-1501.00', 'Tax payable: VAT': '-480.00' });
    for (const c of (await trial()).currencies) expect(c.debit).toBe(c.credit);
  });

  it('numbers issued invoices without gaps, in the format the organization sets, and drafts get none', async () => {
    const put = await admin.patch(`/api/billing/settings/${tree.isp.id}`, { invoiceNumberFormat: 'NF-{year}-{seq:4}' });
    expect(put.statusCode, put.body).toBe(200);
    const s = await subscriber();
    const draft = await invoiceFor(s.id, false);
    expect([draft.number, draft.total, draft.balanceDue]).toEqual([null, '4981.00', '0.00']);
    const issued = await Promise.all(Array.from({ length: 8 }, () => invoiceFor(s.id)));
    const seqs = issued.map((i) => Number(i.number!.split('-')[2])).sort((a, b) => a - b);
    expect(issued[0]!.number).toMatch(/^NF-2026-\d{4}$/);
    expect(seqs).toEqual(Array.from({ length: 8 }, (_, i) => seqs[0]! + i));
    await admin.patch(`/api/billing/settings/${tree.isp.id}`, { invoiceNumberFormat: 'INV-{seq:6}' });
  });

  it('edits and deletes drafts only; an issued invoice is corrected, never edited', async () => {
    const s = await subscriber();
    const draft = await invoiceFor(s.id, false);
    const edited = await admin.patch(`/api/invoices/${draft.id}`, { lines: [{ description: 'Site survey', quantity: '1.5', unitPrice: '1000' }] });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(json<Invoice>(edited).total).toBe('1500.00');
    expect((await admin.delete(`/api/invoices/${draft.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/invoices/${draft.id}`)).statusCode).toBe(404);
    const issued = await invoiceFor(s.id);
    const refused = await admin.patch(`/api/invoices/${issued.id}`, { memo: 'x' });
    expect(refused.statusCode).toBe(409);
    expect(json(refused).detail).toContain('only a draft');
    expect((await admin.delete(`/api/invoices/${issued.id}`)).statusCode).toBe(409);
  });

  it('follows review → approve → send where the organization approves invoices first', async () => {
    await created(admin.patch(`/api/billing/settings/${tree.isp.id}`, { approvalRequired: true }), 200);
    const s = await subscriber();
    const inv = await invoiceFor(s.id, true);
    expect(inv.status).toBe('in_review');
    expect(inv.number).toBeNull();
    const early = await admin.post(`/api/invoices/${inv.id}/issue`, {});
    expect(early.statusCode).toBe(409);
    expect(json(early).detail).toContain('approve');
    expect(json<Invoice>(await admin.post(`/api/invoices/${inv.id}/approve`, {})).status).toBe('approved');
    const sent = json<Invoice>(await admin.post(`/api/invoices/${inv.id}/issue`, {}));
    expect(sent.status).toBe('open');
    expect(sent.number).toMatch(/^INV-/);
    await created(admin.patch(`/api/billing/settings/${tree.isp.id}`, { approvalRequired: false }), 200);
  });

  it('a wallet top-up pays unpaid invoices oldest first and keeps the rest; a reference is recorded once', async () => {
    const s = await subscriber();
    const first = await invoiceFor(s.id);
    const second = await invoiceFor(s.id);
    const top = await created<{ invoicesPaid: string; wallet: { balance: string; owed: string } }>(
      admin.post(`/api/subscribers/${s.id}/wallet/top-ups`, { amount: '6000', reference: 'RCPT-0001' }),
    );
    // 6,000.00 pays the first 4,981.00 in full and 1,019.00 of the second; nothing is left in the wallet.
    expect(top.invoicesPaid).toBe('6000.00');
    expect(top.wallet).toMatchObject({ balance: '0.00', owed: '3962.00' });
    expect(json<Invoice>(await admin.get(`/api/invoices/${first.id}`)).status).toBe('paid');
    const partly = json<Invoice>(await admin.get(`/api/invoices/${second.id}`));
    expect([partly.status, partly.amountPaid, partly.balanceDue]).toEqual(['partially_paid', '1019.00', '3962.00']);
    const again = await admin.post(`/api/subscribers/${s.id}/wallet/top-ups`, { amount: '6000', reference: 'RCPT-0001' });
    expect(again.statusCode).toBe(409);
    const statement = json(await admin.get(`/api/subscribers/${s.id}/wallet/statement`));
    expect(statement.items.map((i: { amount: string }) => i.amount)).toEqual(['-1019.00', '-4981.00', '6000.00']);
    for (const c of (await trial()).currencies) expect(c.debit).toBe(c.credit);
  });

  it('pays from the wallet only what it holds, and a credit limit lets it go below zero', async () => {
    const s = await subscriber();
    const inv = await invoiceFor(s.id);
    expect((await admin.post(`/api/invoices/${inv.id}/pay-from-wallet`, {})).statusCode).toBe(409);
    await created(admin.put(`/api/subscribers/${s.id}/wallet/credit-limit`, { creditLimit: '5000' }), 200);
    const paid = json<Invoice>(await admin.post(`/api/invoices/${inv.id}/pay-from-wallet`, {}));
    expect(paid.status).toBe('paid');
    expect(json(await admin.get(`/api/subscribers/${s.id}/wallet`))).toMatchObject({ balance: '-4981.00', available: '19.00', owed: '0.00' });
  });

  it('voids an unpaid invoice by reversing its entry, and refuses to void a paid one', async () => {
    const s = await subscriber();
    const inv = await invoiceFor(s.id);
    const voided = json<Invoice & { voidReason: string }>(await admin.post(`/api/invoices/${inv.id}/void`, { reason: 'Billed the wrong customer' }));
    expect([voided.status, voided.voidReason, voided.balanceDue]).toEqual(['void', 'Billed the wrong customer', '0.00']);
    const entries = json(await accountant.get(`/api/ledger/entries?kind=reversal&limit=50`)).items;
    expect(entries.some((e: { reversesEntryId: string }) => e.reversesEntryId === inv.journalEntryId)).toBe(true);
    expect((await admin.post(`/api/invoices/${inv.id}/void`, { reason: 'again' })).statusCode).toBe(409);
    const paid = await invoiceFor(s.id);
    await created(admin.post(`/api/subscribers/${s.id}/wallet/top-ups`, { amount: '4981', reference: 'R-V2' }));
    expect((await admin.post(`/api/invoices/${paid.id}/void`, { reason: 'late' })).statusCode).toBe(409);
  });

  it('credit notes give back lines: first off what is owed, the rest to the wallet, each line once', async () => {
    const s = await subscriber();
    const inv = await invoiceFor(s.id);
    await created(admin.post(`/api/subscribers/${s.id}/wallet/top-ups`, { amount: '2000', reference: 'R-CN1' }));
    // Owed 2,981.00; crediting the 3,480.00 installation line clears it and puts 499.00 in the wallet.
    const note = await created<Invoice & { kind: string }>(admin.post(`/api/invoices/${inv.id}/credit-notes`, { reason: 'Installation waived', lineNos: [1] }));
    expect([note.kind, note.status, note.total]).toEqual(['credit_note', 'paid', '3480.00']);
    expect(note.number).toMatch(/^CN-\d{6}$/);
    const after = json<Invoice>(await admin.get(`/api/invoices/${inv.id}`));
    expect([after.status, after.amountPaid, after.amountCredited, after.balanceDue]).toEqual(['paid', '2000.00', '2981.00', '0.00']);
    expect(after.creditNotes).toEqual([{ id: note.id, number: note.number, total: '3480.00' }]);
    expect(json(await admin.get(`/api/subscribers/${s.id}/wallet`)).balance).toBe('499.00');
    const twice = await admin.post(`/api/invoices/${inv.id}/credit-notes`, { reason: 'again', lineNos: [1] });
    expect(twice.statusCode).toBe(409);
    expect(json(twice).detail).toContain('already credited');
    expect((await admin.post(`/api/invoices/${inv.id}/credit-notes`, { reason: 'x', lineNos: [9] })).statusCode).toBe(422);
    for (const c of (await trial()).currencies) expect(c.debit).toBe(c.credit);
  });

  it('rounds by the organization’s rule for the currency', async () => {
    await created(admin.patch(`/api/billing/settings/${tree.isp.id}`, { rounding: { KES: { mode: 'half-up', increment: '100' } } }), 200);
    const s = await subscriber();
    // 3 × 333.333 = 999.999 → whole shillings: 1,000.00; 1 × 0.49 → 0.00 rounds down.
    const inv = await created<Invoice>(
      admin.post('/api/invoices', { subscriberId: s.id, lines: [{ description: 'Hours', quantity: '3', unitPrice: '333.333' }, { description: 'Tiny', quantity: '1', unitPrice: '0.49' }] }),
    );
    expect(inv.lines.map((l) => l.amount)).toEqual(['1000.00', '0.00']);
    await created(admin.patch(`/api/billing/settings/${tree.isp.id}`, { rounding: {} }), 200);
  });

  it('refuses bad input with clear errors and changes nothing', async () => {
    const s = await subscriber();
    const before = json(await admin.get(`/api/invoices?subscriberId=${s.id}`)).items.length;
    const bad = [
      { subscriberId: s.id, lines: [] },
      { subscriberId: s.id, lines: [{ description: 'x', unitPrice: '-5' }] },
      { subscriberId: s.id, lines: [{ description: 'x', unitPrice: '1e3' }] },
      { subscriberId: s.id, lines: [{ description: '', unitPrice: '5' }] },
    ];
    for (const body of bad) expect((await admin.post('/api/invoices', body)).statusCode).toBe(400);
    const unknown = await admin.post('/api/invoices', { subscriberId: crypto.randomUUID(), lines: lines() });
    expect(unknown.statusCode).toBe(404);
    expect((await admin.patch(`/api/billing/settings/${tree.isp.id}`, { invoiceNumberFormat: 'no-seq' })).statusCode).toBe(400);
    expect(json(await admin.get(`/api/invoices?subscriberId=${s.id}`)).items.length).toBe(before);
  });

  it('keeps invoices inside the organization tree and behind permissions', async () => {
    const s = await subscriber();
    const inv = await invoiceFor(s.id);
    expect((await resellerB.get(`/api/invoices/${inv.id}`)).statusCode).toBe(404);
    expect((await resellerB.post(`/api/invoices/${inv.id}/void`, { reason: 'x' })).statusCode).toBe(404);
    expect((await resellerB.get(`/api/subscribers/${s.id}/wallet`)).statusCode).toBe(404);
    expect((await resellerB.post('/api/invoices', { subscriberId: s.id, lines: lines() })).statusCode).toBe(404);
    expect(json(await resellerB.get('/api/invoices?limit=200')).items.some((i: Invoice) => i.id === inv.id)).toBe(false);
    expect((await support.post('/api/invoices', { subscriberId: s.id, lines: lines() })).statusCode).toBe(403);
    expect((await support.get(`/api/invoices/${inv.id}`)).statusCode).toBe(200);
  });
});
