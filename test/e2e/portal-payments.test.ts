/**
 * A subscriber with an overdue invoice, suspended for non-payment, pays it by M-PESA in the
 * customer portal on a phone: the STK push goes to the Daraja simulator, the test plays the payer
 * entering the PIN, the simulator posts the callback to the running app, and the waiting page turns
 * to "Payment received". The invoice is paid and the subscription active again.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MpesaSimulator } from '../../src/integrations/payments/mpesa/simulator.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { seedSubscription } from '../usage/fixtures.ts';
import { buildWebApp, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let sim: MpesaSimulator;
let customerEmail: string;
let invoice: { id: string; number: string | null };
let subscriptionId: string;
let tree: Awaited<ReturnType<typeof seedTree>>;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const { t } = server;
  t.ctx.config.publicUrl = server.baseUrl;
  sim = await MpesaSimulator.start();
  tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const saved = await admin.put('/api/gateways', { kind: 'mpesa', label: 'M-PESA', settings: sim.credentials });
  expect(saved.statusCode, saved.body).toBe(200);
  const f = portalFixtures(t, admin);
  const amina = await f.subscriber(tree.isp, 'Amina Otieno');
  customerEmail = (await f.customer(amina.id)).email;
  invoice = await f.invoice(tree.isp, amina.id, 150_000n, { description: 'Fibre installation' });
  await t.ctx.db.updateTable('invoices').set({ status: 'overdue' }).where('id', '=', invoice.id).execute();
  const sub = await seedSubscription(t.ctx, admin, tree.isp, { subscriberId: amina.id });
  subscriptionId = sub.id;
  await t.ctx.db.updateTable('subscriptions').set({ status: 'suspended', status_reason: 'unpaid' }).where('id', '=', sub.id).execute();
  browser = await launchBrowser();
}, 240_000);
afterAll(() => sim?.close());

describe('paying online in the customer portal', () => {
  it('an overdue subscriber pays by M-PESA on a phone, sees the invoice paid, and is active again', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await page.goto('/login');
    await page.getByRole('textbox', { name: 'E-mail' }).fill(customerEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Amina Otieno' }).waitFor();

    await page.getByRole('link', { name: 'Pay now (M-PESA, bKash…)' }).first().click();
    await page.getByRole('heading', { name: 'Pay invoice' }).waitFor();
    await page.getByText(`Invoice ${invoice.number}: KES 1,500.00 to pay`).waitFor();
    await expect.poll(() => page.getByRole('radio', { name: 'M-PESA' }).isChecked(), eventually).toBe(true);
    await page.getByRole('textbox', { name: 'M-PESA phone number' }).fill('0712 345 678');
    await page.getByRole('button', { name: 'Send the request to my phone' }).click();

    await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
    await page.getByText('Enter your M-PESA PIN to pay KES 1,500.00.', { exact: false }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    const push = sim.lastPush();
    expect(push).toMatchObject({ amount: 1500, phone: '254712345678', state: 'pending' });

    // The payer enters the PIN on the phone; Safaricom posts the callback.
    const [delivered] = await sim.pay(push.checkoutRequestId);
    expect(delivered!.status).toBe(200);
    await page.getByText('Payment received').waitFor({ timeout: 15_000 });
    await page.getByText('We received KES 1,500.00. Thank you!').waitFor();

    await page.getByRole('link', { name: 'See the invoice' }).click();
    await page.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
    await page.getByText('Paid', { exact: true }).first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);

    const db = server.t.ctx.db;
    expect(await db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', invoice.id).executeTakeFirstOrThrow()).toEqual({ status: 'paid', amount_paid: 150_000n });
    expect(await db.selectFrom('subscriptions').select('status').where('id', '=', subscriptionId).executeTakeFirstOrThrow()).toEqual({ status: 'active' });
    const payments = await db.selectFrom('payments').select(['channel', 'transaction_id', 'amount']).where('transaction_id', '=', push.checkoutRequestId).execute();
    expect(payments).toEqual([{ channel: 'mpesa', transaction_id: push.checkoutRequestId, amount: 150_000n }]);
    await close();
  });

  it('a top-up the payer cancels on the phone says so, charges nothing and offers to try again', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await page.goto('/login');
    await page.getByRole('textbox', { name: 'E-mail' }).fill(customerEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Amina Otieno' }).waitFor();
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByRole('link', { name: 'Top up online' }).click();
    await page.getByRole('heading', { name: 'Top up your wallet' }).waitFor();
    await page.getByRole('textbox', { name: 'Amount (KES)' }).fill('250');
    await page.getByRole('textbox', { name: 'M-PESA phone number' }).fill('0712345678');
    await page.getByRole('button', { name: 'Send the request to my phone' }).click();
    await page.getByRole('heading', { name: 'Check your phone' }).waitFor();
    const push = sim.lastPush();
    expect(push.amount).toBe(250);
    await sim.cancel(push.checkoutRequestId);
    await page.getByText('The payment did not go through').waitFor({ timeout: 15_000 });
    await page.getByText('Request cancelled by user.').waitFor();
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Top up your wallet' }).waitFor();
    expect(await server.t.ctx.db.selectFrom('payments').select('id').where('transaction_id', '=', push.checkoutRequestId).execute()).toEqual([]);
    await close();
  });

  it('an admin sets up M-PESA on the settings page on a phone; the secrets are kept and never shown again', async () => {
    const { t } = server;
    // A reseller with its own paybill: nothing set up in its subtree yet.
    const admin = await seedUser(t.ctx, tree.resellerB, 'admin');
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, admin.email, PASSWORD);
    await page.goto('/gateways');
    await page.getByRole('heading', { name: 'Payment gateways' }).waitFor();
    await page.getByText('No gateway is set up yet.').waitFor();
    await page.getByRole('combobox', { name: 'Gateway' }).click();
    await page.getByRole('option', { name: 'mpesa', exact: true }).click();
    await page.getByRole('button', { name: 'Set up' }).click();
    const creds = sim.credentials;
    await page.getByLabel('API base URL').fill(creds.baseUrl!);
    await page.getByLabel('Consumer key').fill(creds.consumerKey!);
    await page.getByLabel('Consumer secret').fill(creds.consumerSecret!);
    await page.getByLabel('Business short code (paybill or store number)').fill(creds.shortCode!);
    await page.getByLabel('Lipa na M-PESA passkey').fill(creds.passkey!);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('MPESA saved').waitFor();
    await expect.poll(() => page.getByText('set', { exact: true }).count(), eventually).toBe(3);
    const html = await page.content();
    for (const secret of [creds.consumerKey!, creds.consumerSecret!, creds.passkey!]) expect(html).not.toContain(secret);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);

    const row = await t.ctx.db.selectFrom('gateway_accounts').selectAll().where('organization_id', '=', tree.resellerB.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'mpesa', label: 'MPESA', enabled: true });
    expect(JSON.parse(t.ctx.secrets.open(row.credentials_enc))).toEqual(creds);

    // Editing the label with the secret fields left empty keeps the secrets.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name shown to subscribers').fill('M-PESA paybill');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('M-PESA paybill saved').waitFor();
    const after = await t.ctx.db.selectFrom('gateway_accounts').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.label).toBe('M-PESA paybill');
    expect(JSON.parse(t.ctx.secrets.open(after.credentials_enc))).toEqual(creds);
    await close();
  });
});
