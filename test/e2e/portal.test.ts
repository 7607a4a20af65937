import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const iphone = { width: 390, height: 844 };

let server: WebServer;
let browser: Browser;
let customerEmail: string;
let staffEmail: string;
let invoice: { id: string; number: string | null };

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const { t } = server;
  const tree = await seedTree(t.ctx);
  const staffUser = await seedUser(t.ctx, tree.isp, 'staff');
  staffEmail = staffUser.email;
  const f = portalFixtures(t, await sessionFor(t, staffUser));
  const amina = await f.subscriber(tree.isp, 'Amina Otieno');
  customerEmail = (await f.customer(amina.id)).email;
  invoice = await f.invoice(tree.isp, amina.id, 150_000n, { description: 'Fibre installation' });
  await f.topUp(tree.isp, amina.id, 200_000n, 'R-1001');
  // A subscription as the subscriptions module leaves it, ten days into its month, with a reading.
  const plan = await createPlan(await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin')), { name: 'Home 10 Mbps' });
  const day = 86_400_000;
  const now = t.clock.now().getTime();
  const { id } = await t.ctx.db
    .insertInto('subscriptions')
    .values({ organization_id: tree.isp.id, subscriber_id: amina.id, plan_id: plan.id, currency: 'KES', status: 'active', starts_at: new Date(now - 10 * day), activated_at: new Date(now - 10 * day), next_bill_at: new Date(now + 20 * day) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.ctx.db.insertInto('usage_records').values({ subscription_id: id, unit: 'GB', quantity: '4.5', occurred_at: new Date(now - 3_600_000), source: 'manual' }).execute();
  browser = await launchBrowser();
}, 180_000);

async function signInAsCustomer(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByRole('textbox', { name: 'E-mail' }).fill(customerEmail);
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const fitsThePhone = async (page: Page) => expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(iphone.width);

describe('the customer portal in the browser', () => {
  it('a subscriber signs in on a phone, sees the invoice due, pays it from the wallet and sees it paid', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, iphone);
    await signInAsCustomer(page);
    // The normal sign-in leads a customer login to the portal, not the staff dashboard.
    await page.getByRole('heading', { name: 'Hello, Amina Otieno' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/portal');
    await expect.poll(() => page.getByRole('navigation', { name: 'Portal navigation' }).isVisible(), eventually).toBe(true);
    await page.getByText('Amount due').waitFor();
    await page.getByText('KES 1,500.00').first().waitFor();
    await page.getByText('Your wallet holds KES 2,000.00.').waitFor();
    await page.getByText('Home 10 Mbps').waitFor();
    await page.getByText(/^Next renewal: /).waitFor();
    await fitsThePhone(page);

    await page.getByRole('button', { name: 'Pay from wallet' }).click();
    await page.getByText(`Paid KES 1,500.00 of invoice ${invoice.number} from your wallet`).waitFor();
    await page.getByText('Nothing to pay. Thank you!').waitFor();
    await page.getByText('KES 500.00').waitFor();
    const row = await server.t.ctx.db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', invoice.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'paid', amount_paid: 150_000n });

    await page.getByRole('link', { name: 'Invoices' }).click();
    const card = page.getByRole('link', { name: `Open invoice ${invoice.number}` });
    await card.getByText('Paid', { exact: true }).waitFor();
    await card.click();
    await page.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
    await page.getByText('Fibre installation').waitFor();
    await page.getByText(/^Wallet · /).waitFor();
    const pdf = await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
    const download = await page.request.get(pdf!);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/pdf');
    await fitsThePhone(page);

    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByText('Invoice payment').waitFor();
    await page.getByText('Top-up').waitFor();
    await page.getByText('Balance KES 500.00').waitFor();
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByText(/^This period: /).waitFor();
    await page.getByText('4.5', { exact: true }).waitFor();
    await fitsThePhone(page);
    await close();
  });

  it('staff who open the portal are told it is for subscribers, with the way back to their app', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, staffEmail, PASSWORD);
    await page.goto('/portal');
    await page.getByRole('heading', { name: 'Customer portal' }).waitFor();
    await page.getByText(/The customer portal is for subscribers/).waitFor();
    await page.getByRole('link', { name: 'Open the staff app' }).click();
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    await close();
  });
});
