import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { receivePayment } from '../../src/modules/payments/receive.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let isp: Organization;
let cashierEmail: string;
let amina: { id: string; accountNumber: string };
let invoiceId: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  ({ isp } = await seedTree(server.t.ctx));
  const admin = await sessionFor(server.t, await seedUser(server.t.ctx, isp, 'admin'));
  cashierEmail = (await seedUser(server.t.ctx, isp, 'staff')).email;
  const res = await admin.post('/api/subscribers', { organizationId: isp.id, name: 'Amina Odhiambo', contacts: [{ kind: 'phone', value: '0722 111 222' }] });
  expect(res.statusCode, res.body).toBe(201);
  amina = json(res);
  const invoice = await admin.post('/api/invoices', { subscriberId: amina.id, issue: true, lines: [{ description: 'Home fibre, May', unitPrice: '1500' }] });
  expect(invoice.statusCode, invoice.body).toBe(201);
  invoiceId = json<{ id: string }>(invoice).id;
  browser = await launchBrowser();
}, 180_000);

const db = () => server.t.ctx.db;

describe('payments in the web app', () => {
  it('on a 360 px phone, a cashier records a cash payment in three taps and downloads the receipt', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, cashierEmail, PASSWORD);
    await page.goto('/payments');
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    await page.getByRole('button', { name: 'Record payment' }).click();
    const form = page.getByRole('dialog', { name: 'Record a payment' });
    // Tap 1: find the subscriber.
    await form.getByRole('combobox', { name: 'Subscriber' }).fill('Amina');
    await page.getByRole('option', { name: `Amina Odhiambo · ${amina.accountNumber}` }).click();
    // Tap 2: the amount is what is owed, already there; cash unless told.
    await expect.poll(() => form.getByRole('textbox', { name: 'Amount' }).inputValue(), eventually).toBe('1500.00');
    expect(await form.getByRole('combobox', { name: 'Method' }).inputValue()).toBe('Cash');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    // Tap 3: confirm.
    await form.getByRole('button', { name: 'Record payment' }).click();
    const done = form.getByRole('alert').filter({ hasText: /Payment R-\d{6} recorded/ });
    await done.waitFor();
    const payment = await db().selectFrom('payments').selectAll().where('subscriber_id', '=', amina.id).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ channel: 'cash', amount: 150_000n, status: 'applied' });
    const receipt = `R-${payment.receipt_no.toString().padStart(6, '0')}`;
    await done.getByText(`Payment ${receipt} recorded`).waitFor();
    expect((await db().selectFrom('invoices').select('status').where('id', '=', invoiceId).executeTakeFirstOrThrow()).status).toBe('paid');
    await page.screenshot({ path: '/tmp/uplink-payment-recorded-phone.png' });

    const [response, download] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/payments/${payment.id}/receipt.pdf`, { timeout: 30_000 }),
      page.waitForEvent('download', { timeout: 30_000 }),
      form.getByRole('button', { name: 'Download receipt' }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(readFileSync(await download.path()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(download.suggestedFilename()).toBe(`${receipt}.pdf`);
    await form.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row').filter({ hasText: receipt }).getByText('Applied').waitFor();
    // The list with its filters fits the phone (the table scrolls sideways inside its own box).
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: '/tmp/uplink-payments-phone.png', fullPage: true });
    await close();
  });

  it('matches a payment waiting in suspense to its subscriber from the queue', async () => {
    const suspense = await db()
      .transaction()
      .execute((trx) =>
        receivePayment(trx, server.t.clock, {
          organizationId: isp.id,
          channel: 'mpesa',
          transactionId: 'SKL90QWE12',
          amount: { minor: 80_000n, currency: 'KES' },
          via: { kind: 'gateway', gateway: 'mpesa' },
          receivedAt: server.t.clock.now(),
          reference: 'AMINA-TYPO',
          payer: { name: 'AMINA O', phone: '254799000111' },
        }),
      );
    expect(suspense.payment.status).toBe('unapplied');
    const receipt = `R-${suspense.payment.receipt_no.toString().padStart(6, '0')}`;
    const admin = await seedUser(server.t.ctx, isp, 'admin');
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, admin.email, PASSWORD);
    await page.goto('/payments/suspense');
    const row = page.getByRole('row').filter({ hasText: receipt });
    await row.getByText('Unmatched').waitFor();
    await row.getByRole('button', { name: `Match payment ${receipt}` }).click();
    const dialog = page.getByRole('dialog', { name: `Match payment ${receipt}` });
    await dialog.getByText('AMINA-TYPO').waitFor();
    await dialog.getByRole('combobox', { name: 'Subscriber' }).fill('Amina');
    await page.getByRole('option', { name: `Amina Odhiambo · ${amina.accountNumber}` }).click();
    await dialog.getByRole('button', { name: 'Match to this subscriber' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await db().selectFrom('payments').select(['status', 'subscriber_id']).where('id', '=', suspense.payment.id).executeTakeFirstOrThrow()).subscriber_id, eventually).toBe(amina.id);
    await row.waitFor({ state: 'detached' });
    // The subscriber's page shows both payments.
    await page.goto('/payments');
    await page.getByRole('button', { name: receipt }).click();
    const drawer = page.getByRole('dialog', { name: `Payment ${receipt}` });
    await drawer.getByText('Applied', { exact: true }).waitFor();
    await drawer.getByText('Amina Odhiambo', { exact: false }).waitFor();
    await page.screenshot({ path: '/tmp/uplink-payment-matched.png' });
    await page.keyboard.press('Escape');

    // This month's report: the cash at the counter and the M-PESA payment, 1,500.00 + 800.00.
    await page.getByRole('tab', { name: 'Reports' }).click();
    await page.getByTestId('report-total').getByText('KES 2,300.00').waitFor();
    const byMethod = page.getByRole('table', { name: 'By method and gateway' });
    await byMethod.getByRole('row', { name: 'Cash 1 KES 1,500.00 KES 0.00' }).waitFor();
    await byMethod.getByRole('row', { name: 'M-PESA 1 KES 800.00 KES 0.00' }).waitFor();
    await page.screenshot({ path: '/tmp/uplink-payment-reports.png', fullPage: true });
    await close();
  });

  it('the subscriber finds both payments in the portal on a phone and downloads a receipt', async () => {
    const staff = await sessionFor(server.t, await seedUser(server.t.ctx, isp, 'admin'));
    const email = `amina.${crypto.randomUUID().slice(0, 6)}@example.test`;
    const login = await staff.post(`/api/subscribers/${amina.id}/portal-login`, { email, password: PASSWORD });
    expect(login.statusCode, login.body).toBe(201);
    const payments = await db().selectFrom('payments').select(['id', 'receipt_no']).where('subscriber_id', '=', amina.id).orderBy('receipt_no').execute();
    expect(payments).toHaveLength(2);
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await page.goto('/login');
    await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Receipts' }).click();
    await page.getByRole('heading', { name: 'Payments and receipts' }).waitFor();
    const [first, second] = payments.map((p) => `R-${p.receipt_no.toString().padStart(6, '0')}`);
    await page.getByLabel(second!).getByText('KES 800.00').waitFor();
    const card = page.getByLabel(first!);
    await card.getByText('KES 1,500.00').waitFor();
    await card.getByText('Paid INV-000001').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), card.getByRole('link', { name: 'Receipt (PDF)' }).click()]);
    expect(new URL(download.url()).pathname).toBe(`/api/portal/payments/${payments[0]!.id}/receipt.pdf`);
    expect(readFileSync(await download.path()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: '/tmp/uplink-portal-receipts.png', fullPage: true });
    await close();
  });
});
