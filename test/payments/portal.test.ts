/** The subscriber's own payments and receipts in the customer portal. */
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { pdfText } from '../invoices/documents-pdf.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { ok } from './support.ts';

describe(`portal payments and receipts (${engine})`, async () => {
  const t = await createTestContext();
  const { isp } = await seedTree(t.ctx);
  const staff = await sessionFor(t, await seedUser(t.ctx, isp, 'admin'));
  const f = portalFixtures(t, staff);

  it('lists only the subscriber’s own payments with what they paid, and serves their receipts; another’s receipt is 404', async () => {
    const amina = await f.subscriber(isp, 'Amina Otieno');
    const other = await f.subscriber(isp, 'Brian Kiprop');
    const invoice = await f.invoice(isp, amina.id, 120_000n);
    const mine = await ok(staff.post('/api/payments', { subscriberId: amina.id, amount: '1500', method: 'bank_transfer', reference: 'FT-PORTAL-1' }), 201);
    const theirs = await ok(staff.post('/api/payments', { subscriberId: other.id, amount: '100' }), 201);
    const customer = await f.customer(amina.id);

    const list = await ok(customer.api.get('/api/portal/payments'));
    expect(list.items).toEqual([
      {
        id: mine.id,
        receiptNumber: mine.receiptNumber,
        channel: 'bank_transfer',
        reference: 'FT-PORTAL-1',
        amount: '1500.00',
        currency: 'KES',
        status: 'applied',
        amountRefunded: '0.00',
        receivedAt: mine.receivedAt,
        invoices: [{ number: invoice.number, amount: '1200.00' }],
      },
    ]);
    const pdf = await customer.api.get(`/api/portal/payments/${mine.id}/receipt.pdf`);
    expect(pdf.statusCode).toBe(200);
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain(mine.receiptNumber);
    expect(text).toContain('Amina Otieno');
    expect(text).toContain('Bank transfer');
    expect((await customer.api.get(`/api/portal/payments/${theirs.id}/receipt.pdf`)).statusCode).toBe(404);
    // Staff cannot use the portal's routes, and a customer cannot use the staff ones.
    expect((await staff.get('/api/portal/payments')).statusCode).toBe(403);
    expect((await customer.api.get('/api/payments')).statusCode).toBe(403);
    expect(json(await customer.api.get(`/api/payments/${mine.id}`)).status).toBe(403);
  });
});
