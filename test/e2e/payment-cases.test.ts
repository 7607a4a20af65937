import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/core/money.ts';
import { receivePayment } from '../../src/modules/payments/receive.ts';
import { json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { buildWebApp, desktop, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let email: string;
let subscriberId: string;
let invoice: { id: string; number: string };
let paymentId: string;
let receiptNo: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const tree = await seedTree(server.t.ctx);
  const admin = await seedUser(server.t.ctx, tree.isp, 'admin');
  email = admin.email;
  const api = await sessionFor(server.t, admin);
  const s = await api.post('/api/subscribers', { organizationId: tree.isp.id, name: 'Wanjiru Kamau', contacts: [{ kind: 'phone', value: '0733 222 111' }] });
  expect(s.statusCode, s.body).toBe(201);
  subscriberId = json(s).id;
  const inv = await api.post('/api/invoices', { subscriberId, issue: true, lines: [{ description: 'Home fibre 20 Mbps', serviceType: 'internet', quantity: '1', unitPrice: '1000' }] });
  expect(inv.statusCode, inv.body).toBe(201);
  invoice = json(inv);
  // 1,500.00 in cash for a 1,000.00 invoice: 500.00 stays in the wallet.
  const received = await server.t.ctx.db.transaction().execute((trx) =>
    receivePayment(trx, server.t.ctx.clock, {
      organizationId: tree.isp.id,
      channel: 'cash',
      transactionId: 'RC-7781',
      amount: parseMoney('1500', 'KES'),
      via: { kind: 'cash' },
      receivedAt: server.t.ctx.clock.now(),
      subscriberId,
    }),
  );
  paymentId = received.payment.id;
  receiptNo = received.payment.receipt_no.toString();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('payment cases in the web app', () => {
  it('refunds part of an overpayment in cash on a phone; more than is refundable is refused on the field', async () => {
    const { page, errors, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/payments/${paymentId}/refunds`);
    await page.getByRole('heading', { name: `Receipt ${receiptNo}: refunds and chargebacks` }).waitFor();
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Refund receipt ${receiptNo}` });
    await dialog.getByText('Up to KES 1,500.00 can still be refunded.').waitFor();
    await dialog.getByRole('textbox', { name: 'Amount' }).fill('1600');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Paid twice by mistake');
    await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
    await dialog.getByText('must be at most 1500.00').waitFor();
    // The browser logs the refused request; that refusal is the point here.
    expect(errors.splice(0)).toEqual([expect.stringContaining('status of 422')]);
    await dialog.getByRole('textbox', { name: 'Amount' }).fill('300');
    await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'Paid twice by mistake' }).getByText('Cash').waitFor();
    const payment = await server.t.ctx.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow();
    expect([payment.status, payment.amount_refunded]).toEqual(['partially_refunded', 30000n]);
    const reversals = await server.t.ctx.db.selectFrom('payment_reversals').selectAll().where('payment_id', '=', paymentId).execute();
    expect(reversals.map((r) => [r.kind, r.destination, r.amount])).toEqual([['refund', 'cash', 30000n]]);
    await page.getByText('KES 1,200.00').waitFor();
    await close();
  });

  it('opens a dispute from an invoice, adds a note, reviews and resolves it by a credit note', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.getByRole('button', { name: invoice.number }).click();
    const drawer = page.getByRole('dialog', { name: `Invoice ${invoice.number}` });
    await drawer.getByRole('button', { name: 'Dispute' }).click();
    const open = page.getByRole('dialog', { name: 'Open dispute' });
    await open.getByRole('textbox', { name: 'Subject' }).fill('Line down for two weeks');
    await open.getByRole('textbox', { name: 'What the subscriber says' }).fill('No service from 3 to 17 March');
    await open.getByRole('button', { name: 'Open dispute' }).click();
    await page.getByRole('heading', { name: 'Line down for two weeks' }).waitFor();
    await page.getByText('No service from 3 to 17 March').waitFor();

    await page.getByRole('textbox', { name: 'Add note' }).fill('NOC confirms the outage');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('NOC confirms the outage').waitFor();
    await page.getByRole('button', { name: 'Start review' }).click();
    await page.getByText('Under review').first().waitFor();
    await page.getByRole('radio', { name: 'Credit note' }).check({ force: true });
    await page.getByRole('textbox', { name: 'Resolution' }).fill('Outage confirmed: the month is credited');
    await page.getByRole('button', { name: 'Close dispute' }).click();
    await page.getByText('Resolved').first().waitFor();
    await page.getByText('Credit note: Outage confirmed: the month is credited').waitFor();

    const dispute = await server.t.ctx.db.selectFrom('disputes').selectAll().where('invoice_id', '=', invoice.id).executeTakeFirstOrThrow();
    expect([dispute.status, dispute.resolution]).toEqual(['resolved', 'credit_note']);
    const notes = await server.t.ctx.db.selectFrom('dispute_notes').select('body').where('dispute_id', '=', dispute.id).orderBy('created_at').execute();
    expect(notes.map((n) => n.body)).toEqual(['No service from 3 to 17 March', 'NOC confirms the outage']);
    // The invoice was paid: its credit note puts the 1,000.00 back in the wallet as prepaid balance.
    const note = await server.t.ctx.db.selectFrom('invoices').select(['id', 'total', 'status']).where('credits_invoice_id', '=', invoice.id).executeTakeFirstOrThrow();
    expect([note.id, note.total, note.status]).toEqual([dispute.credit_note_id, 100000n, 'paid']);

    await page.getByRole('link', { name: 'Disputes' }).click();
    await page.getByRole('heading', { name: 'Disputes' }).waitFor();
    await page.getByText('Nothing found').waitFor(); // active disputes: none left
    await page.locator('label', { hasText: /^Resolved$/ }).click();
    await page.getByRole('link', { name: 'Line down for two weeks' }).waitFor();
    await close();
  });
});
