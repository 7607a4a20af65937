import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTaxClass } from '../catalog/fixtures.ts';
import { json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let email: string;
let admin: Awaited<ReturnType<typeof seedUser>>;
let subscriberId: string;
let accountNumber: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const tree = await seedTree(server.t.ctx);
  admin = await seedUser(server.t.ctx, tree.isp, 'admin');
  email = admin.email;
  const api = await sessionFor(server.t, admin);
  await createTaxClass(api, { code: 'VAT16X', name: 'VAT 16% added', inclusive: false, rates: [{ code: 'VAT', percent: '16' }] });
  const res = await api.post('/api/subscribers', {
    organizationId: tree.isp.id,
    name: 'Amina Odhiambo',
    contacts: [{ kind: 'phone', value: '0722 111 222' }],
    addresses: [{ line1: 'Argwings Kodhek Rd 9', city: 'Nairobi', country: 'KE' }],
  });
  expect(res.statusCode, res.body).toBe(201);
  ({ id: subscriberId, accountNumber } = json<{ id: string; accountNumber: string }>(res));
  browser = await launchBrowser();
}, 180_000);

const invoiceRow = () => server.t.ctx.db.selectFrom('invoices').selectAll().where('subscriber_id', '=', subscriberId).where('kind', '=', 'invoice').executeTakeFirstOrThrow();

describe('invoices in the web app', () => {
  it('creates a manual invoice, issues it, records a cash top-up that pays it, and downloads its PDF', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.getByRole('heading', { name: 'Invoices' }).waitFor();

    await page.getByRole('button', { name: 'New invoice' }).click();
    const form = page.getByRole('dialog', { name: 'New invoice' });
    await form.getByRole('combobox', { name: 'Subscriber' }).fill('Amina');
    await page.getByRole('option', { name: `Amina Odhiambo · ${accountNumber}` }).click();
    await form.getByRole('textbox', { name: 'Description' }).fill('Fibre installation and router');
    await form.getByRole('combobox', { name: 'Service type' }).click();
    await page.getByRole('option', { name: 'Installation' }).click();
    await form.getByRole('textbox', { name: 'Quantity' }).fill('2');
    await form.getByRole('textbox', { name: 'Unit price' }).fill('1500.25');
    // 2 × 1,500.25 = 3,000.50, exactly, before the server rounds and taxes it.
    await form.getByText('KES 3,000.50 before rounding and tax', { exact: true }).waitFor();
    await form.getByRole('combobox', { name: 'Tax class' }).click();
    await page.getByRole('option', { name: 'VAT 16% added' }).click();
    await form.getByRole('button', { name: 'Save draft' }).click();
    await form.waitFor({ state: 'detached' });

    const draft = page.getByRole('dialog', { name: 'Invoice Draft' });
    await draft.getByText('Draft', { exact: true }).first().waitFor();
    expect((await invoiceRow()).status).toBe('draft');
    await draft.getByRole('button', { name: 'Issue', exact: true }).click();
    await expect.poll(async () => (await invoiceRow()).number, eventually).toBeTruthy();
    const issued = await invoiceRow();
    // Net 3,000.50; VAT 16% = 480.08; total 3,480.58 (KES rounds to the cent).
    expect(issued.status).toBe('open');
    expect(issued.total).toBe(348058n);
    expect(issued.tax_total).toBe(48008n);
    const drawer = page.getByRole('dialog', { name: `Invoice ${issued.number}` });
    const totals = drawer.getByRole('table', { name: 'Totals' });
    await totals.getByRole('row', { name: 'Balance due KES 3,480.58' }).waitFor();
    await totals.getByRole('row', { name: 'VAT at 16% KES 480.08' }).waitFor();
    await drawer.getByLabel('Billed to').getByText('Amina Odhiambo').waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: issued.number! }).getByText('Open').waitFor();

    // The cashier takes the money at the counter: a top-up into the wallet pays the invoice.
    await page.getByRole('link', { name: 'Subscribers' }).click();
    await page.getByRole('textbox', { name: 'Search' }).fill('Amina');
    await expect.poll(() => page.getByRole('button', { name: 'Amina Odhiambo' }).isVisible(), eventually).toBe(true);
    await page.getByRole('button', { name: 'Amina Odhiambo' }).click();
    const subscriber = page.getByRole('dialog', { name: `Amina Odhiambo · ${accountNumber}` });
    await subscriber.getByRole('tab', { name: 'Wallet' }).click();
    const wallet = subscriber.getByLabel('Wallet', { exact: true });
    await wallet.getByText('KES 3,480.58').waitFor();
    await subscriber.getByRole('button', { name: 'Record a top-up' }).click();
    const topUp = page.getByRole('dialog', { name: 'Cash top-up' });
    await topUp.getByRole('textbox', { name: 'Amount (KES)' }).fill('3500');
    await topUp.getByRole('textbox', { name: 'Receipt number' }).fill('RCPT-7781');
    await topUp.getByRole('button', { name: 'Record' }).click();
    await page.getByText('KES 3,500.00 added to the wallet; KES 3,480.58 paid on invoices').waitFor();
    await expect.poll(async () => (await invoiceRow()).status, eventually).toBe('paid');
    expect((await invoiceRow()).amount_paid).toBe(348058n);
    // What is left in the wallet: 3,500.00 − 3,480.58 = 19.42.
    await subscriber.getByLabel('Wallet', { exact: true }).getByText('KES 19.42').first().waitFor();
    await page.screenshot({ path: '/tmp/uplink-wallet.png' });

    await subscriber.getByRole('tab', { name: 'Invoices' }).click();
    const row = subscriber.getByRole('row').filter({ hasText: issued.number! });
    await row.getByText('Paid', { exact: true }).waitFor();
    await row.getByRole('button', { name: issued.number! }).click();
    const paid = page.getByRole('dialog', { name: `Invoice ${issued.number}` });
    await paid.getByText('From the wallet', { exact: false }).waitFor();
    // Rendering a PDF takes a few seconds on a busy machine: downloads get twice the usual wait.
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/invoices/${issued.id}/pdf`, { timeout: 30_000 }),
      page.waitForEvent('download', { timeout: 30_000 }),
      paid.getByRole('button', { name: 'Download PDF' }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(readFileSync(await download.path()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(download.suggestedFilename()).toBe(`${issued.number}.pdf`);
    const [receipt] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), paid.getByRole('button', { name: 'Download the receipt' }).click()]);
    expect(readFileSync(await receipt.path()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: '/tmp/uplink-invoice-paid.png' });
    await close();
  });

  it('credits the paid invoice: the note goes back to the wallet, and a credited line is not offered again', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/invoices');
    const number = (await invoiceRow()).number!;
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Paid', exact: true }).click();
    await page.getByRole('button', { name: number }).click();
    const drawer = page.getByRole('dialog', { name: `Invoice ${number}` });
    await drawer.getByRole('button', { name: 'Credit note' }).click();
    const form = page.getByRole('dialog', { name: `Credit note for invoice ${number}` });
    const line = form.getByRole('checkbox', { name: '1. Fibre installation and router — KES 3,480.58' });
    expect(await line.isChecked()).toBe(true);
    await form.getByRole('textbox', { name: 'Reason' }).fill('Router returned unused');
    await form.getByRole('button', { name: 'Credit note' }).click();
    await form.waitFor({ state: 'detached' });

    const note = await server.t.ctx.db.selectFrom('invoices').selectAll().where('subscriber_id', '=', subscriberId).where('kind', '=', 'credit_note').executeTakeFirstOrThrow();
    expect([note.status, note.total]).toEqual(['paid', 348058n]);
    // A paid invoice stays paid: what it credits goes back to the wallet instead of against its balance.
    expect((await invoiceRow()).status).toBe('paid');
    const credit = page.getByRole('dialog', { name: `Credit note ${note.number}` });
    await credit.getByRole('button', { name: 'Open the credited invoice' }).click();
    const original = page.getByRole('dialog', { name: `Invoice ${number}` });
    await original.getByRole('button', { name: note.number! }).waitFor();
    await original.getByRole('button', { name: 'Credit note' }).click();
    await page.getByRole('dialog', { name: `Credit note for invoice ${number}` }).getByText('Every line of this invoice has been credited already.').waitFor();
    await page.keyboard.press('Escape');
    // The paid invoice's money returns to the wallet: 19.42 + 3,480.58 = 3,500.00.
    const wallet = json<{ balance: string }>(await (await sessionFor(server.t, admin)).get(`/api/subscribers/${subscriberId}/wallet`));
    expect(wallet.balance).toBe('3500.00');
    await close();
  });

  it('fits a phone (390 px): the list, its filters and the invoice drawer without sideways scrolling', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, { width: 390, height: 844 });
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/invoices');
    const number = (await invoiceRow()).number!;
    await page.getByRole('textbox', { name: 'Invoice number' }).fill(number);
    await page.getByRole('button', { name: number }).click();
    const drawer = page.getByRole('dialog', { name: `Invoice ${number}` });
    await drawer.getByRole('table', { name: 'Totals' }).getByRole('row', { name: 'Balance due KES 0.00' }).waitFor();
    // Full screen once it has slid in.
    await expect.poll(async () => (await drawer.boundingBox())?.x, eventually).toBe(0);
    expect((await drawer.boundingBox())?.width).toBeCloseTo(390, 0);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/uplink-invoice-phone.png' });
    await close();
  });
});
