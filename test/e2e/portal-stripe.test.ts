/**
 * A subscriber pays an invoice by Stripe in the customer portal on a phone: the portal sends the
 * payer to the Checkout Session's hosted page (the Stripe simulator's), the payer pays with a test
 * card and saves it for automatic payments, comes back, and sees the payment received (the return
 * completes it by retrieving the session, whether or not the webhook came first). The saved card
 * shows on the wallet page and can be removed. A top-up cancelled on Stripe's page says so and
 * charges nothing.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../src/integrations/payments/stripe/simulator.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { seedSubscription } from '../usage/fixtures.ts';
import { buildWebApp, launchBrowser, openPage, phone, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let sim: StripeSimulator;
let customerEmail: string;
let subscriberId: string;
let invoice: { id: string; number: string | null };
let subscriptionId: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const { t } = server;
  t.ctx.config.publicUrl = server.baseUrl;
  sim = await startStripeSimulator({ secretKey: 'sk_test_portal', webhookSecrets: ['whsec_portal'] });
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const saved = await admin.put('/api/gateways', { kind: 'stripe', label: 'Card (Stripe)', settings: { secretKey: 'sk_test_portal', publishableKey: 'pk_test_portal', webhookSecret: 'whsec_portal', apiBase: sim.url } });
  expect(saved.statusCode, saved.body).toBe(200);
  sim.webhookUrl = json(await admin.get(`/api/gateways/${json(saved).id}/callback-urls`)).urls.webhook;
  const f = portalFixtures(t, admin);
  const amina = await f.subscriber(tree.isp, 'Amina Otieno');
  subscriberId = amina.id;
  customerEmail = (await f.customer(amina.id)).email;
  invoice = await f.invoice(tree.isp, amina.id, 150_000n, { description: 'Fibre installation' });
  await t.ctx.db.updateTable('invoices').set({ status: 'overdue' }).where('id', '=', invoice.id).execute();
  const sub = await seedSubscription(t.ctx, admin, tree.isp, { subscriberId: amina.id });
  subscriptionId = sub.id;
  await t.ctx.db.updateTable('subscriptions').set({ status: 'suspended', status_reason: 'unpaid' }).where('id', '=', sub.id).execute();
  browser = await launchBrowser();
}, 240_000);
afterAll(() => sim?.close());

async function signIn(page: Page) {
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(customerEmail);
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Hello, Amina Otieno' }).waitFor();
}

describe('paying by Stripe in the customer portal', () => {
  it("pays an overdue invoice on Stripe's page, saving the card; back in the portal it is paid, and the card is on the wallet page until removed", async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signIn(page);
    await page.getByRole('link', { name: 'Pay now (M-PESA, bKash…)' }).first().click();
    await page.getByRole('heading', { name: 'Pay invoice' }).waitFor();
    await page.getByText(`Invoice ${invoice.number}: KES 1,500.00 to pay`).waitFor();
    await page.getByRole('radio', { name: 'Card (Stripe)' }).check();
    await page.getByRole('checkbox', { name: 'Save this card for automatic payments' }).check();
    await page.getByRole('button', { name: 'Continue to pay' }).click();

    // Stripe's hosted page: no card number ever reaches Uplink.
    await page.waitForURL(`${sim.url}/c/pay/**`);
    await page.getByRole('heading', { name: 'Pay KES 1500.00' }).waitFor();
    await page.getByRole('radio', { name: 'visa •••• 4242' }).check();
    await page.getByRole('button', { name: 'Pay', exact: true }).click();

    await page.waitForURL(`${server.baseUrl}/portal/payments/**`);
    await page.getByText('Payment received').waitFor({ timeout: 15_000 });
    await page.getByText('We received KES 1,500.00. Thank you!').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);

    const db = server.t.ctx.db;
    expect(await db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', invoice.id).executeTakeFirstOrThrow()).toEqual({ status: 'paid', amount_paid: 150_000n });
    expect(await db.selectFrom('subscriptions').select('status').where('id', '=', subscriptionId).executeTakeFirstOrThrow()).toEqual({ status: 'active' });
    const session = [...sim.checkoutSessions.values()].at(-1)!;
    await expect.poll(() => db.selectFrom('payments').select(['channel', 'transaction_id', 'amount']).where('subscriber_id', '=', subscriberId).execute()).toEqual([
      { channel: 'stripe', transaction_id: session.payment_intent, amount: 150_000n },
    ]);

    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByRole('heading', { name: 'Saved cards' }).waitFor();
    await page.getByText('Visa •••• 4242').waitFor();
    await page.getByText('Expires 12/2034').waitFor();
    await page.getByRole('button', { name: 'Remove Visa •••• 4242' }).click();
    await page.getByText('The card was removed: it will not be charged again.').waitFor();
    await page.getByText('Visa •••• 4242').waitFor({ state: 'detached' });
    expect(await db.selectFrom('saved_cards').select('removed_at').where('subscriber_id', '=', subscriberId).executeTakeFirstOrThrow()).toEqual({ removed_at: expect.any(Date) });
    await close();
  });

  it("a top-up cancelled on Stripe's page says so, charges nothing and offers to try again", async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signIn(page);
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByRole('link', { name: 'Top up online' }).click();
    await page.getByRole('heading', { name: 'Top up your wallet' }).waitFor();
    await page.getByRole('textbox', { name: 'Amount (KES)' }).fill('250');
    await page.getByRole('button', { name: 'Continue to pay' }).click();
    await page.waitForURL(`${sim.url}/c/pay/**`);
    await page.getByRole('heading', { name: 'Pay KES 250.00' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('The payment did not go through').waitFor({ timeout: 15_000 });
    await page.getByText('The payment page was left, or ran out of time, without paying. Nothing was charged.').waitFor();
    const session = [...sim.checkoutSessions.values()].at(-1)!;
    expect(session).toMatchObject({ status: 'expired', amount_total: 25000 });
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Top up your wallet' }).waitFor();
    expect(await server.t.ctx.db.selectFrom('payments').select('amount').where('subscriber_id', '=', subscriberId).execute()).toEqual([{ amount: 150_000n }]);
    await close();
  });
});
