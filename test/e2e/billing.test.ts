import path from 'node:path';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, PASSWORD, seedTree, seedUser, sessionFor, type TestContext } from '../support/app.ts';
import { buildWebApp, desktop, launchBrowser, openPage, signInThroughForm } from './support/browser.ts';

let t: TestContext;
let baseUrl: string;
let browser: Browser;
let email: string;
let ispId: string;
let subscriberId: string;
let accountNumber: string;
const plans: Record<string, string> = {};
// Next year, so session cookies (which expire by the server's clock) are not already stale for the browser.
const year = new Date().getUTCFullYear() + 1;
const at = (instant: string) => t.clock.set(`${year}-${instant}`);

/** Monthly, calendar-aligned, postpaid PPPoE at a flat KES price, no tax: the plan and its first version. */
const monthly = (code: string, name: string, price: string): [Record<string, unknown>, Record<string, unknown>] => [
  { code, name, serviceType: 'pppoe', billingModel: 'postpaid' },
  { billing: { cycle: 'monthly', alignment: 'calendar', graceDays: 0 }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price }] }] },
];

beforeAll(async () => {
  buildWebApp();
  // The real app and built web app with its job workers running, so a billing run started in the browser runs.
  t = await createTestContext({ webDir: path.resolve(import.meta.dirname, '..', '..', 'web', 'dist'), startJobs: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  baseUrl = `http://127.0.0.1:${address.port}`;
  // 09:00 in Nairobi on 1 April.
  at('04-01T06:00:00Z');
  const tree = await seedTree(t.ctx);
  ispId = tree.isp.id;
  const admin = await seedUser(t.ctx, tree.isp, 'admin');
  email = admin.email;
  const api = await sessionFor(t, admin);
  for (const [code, name, price] of [
    ['HOME-10', 'Home 10', '3000'],
    ['HOME-20', 'Home 20', '4500'],
  ] as const) {
    const [plan, version] = monthly(code, name, price);
    plans[code] = (await createPlan(api, plan, version)).id;
  }
  const res = await api.post('/api/subscribers', { organizationId: tree.isp.id, name: 'Baraka Mwangi', addresses: [{ line1: 'Ngong Rd 7', city: 'Nairobi', installation: true }] });
  expect(res.statusCode, res.body).toBe(201);
  ({ id: subscriberId, accountNumber } = json<{ id: string; accountNumber: string }>(res));
  browser = await launchBrowser();
}, 180_000);

const subscriptionOf = () => t.ctx.db.selectFrom('subscriptions').selectAll().where('subscriber_id', '=', subscriberId).executeTakeFirstOrThrow();
const phone = { width: 390, height: 844 };

describe('subscriptions and billing in the web app', () => {
  it('on a phone: adds a subscription, then upgrades it on day 11 after the preview shows the prorated lines', async () => {
    const first = await openPage(browser, baseUrl, phone);
    await signInThroughForm(first.page, email, PASSWORD);
    await first.page.goto('/subscribers');
    await first.page.getByRole('button', { name: 'Baraka Mwangi' }).click();
    const drawer = first.page.getByRole('dialog', { name: `Baraka Mwangi · ${accountNumber}` });
    await drawer.getByRole('tab', { name: 'Subscriptions' }).click();
    await drawer.getByRole('button', { name: 'Add subscription' }).click();
    const add = first.page.getByRole('dialog', { name: 'Add subscription' });
    await add.getByRole('combobox', { name: 'Plan' }).click();
    await first.page.getByRole('option', { name: 'Home 10 (HOME-10)' }).click();
    await add.getByRole('textbox', { name: 'Username' }).fill('baraka.home');
    await add.getByRole('textbox', { name: 'MAC address' }).fill('aa-bb-cc-00-11-22');
    await add.getByRole('button', { name: 'Create' }).click();
    const login = first.page.getByRole('dialog', { name: 'Login for the subscriber' });
    const password = await login.getByRole('textbox', { name: 'Password' }).inputValue();
    expect(password.length).toBeGreaterThanOrEqual(8);
    await login.getByRole('button', { name: 'Done' }).click();
    const card = drawer.getByLabel('Home 10', { exact: true });
    await card.getByText('Active', { exact: true }).waitFor();
    await card.getByText('AA:BB:CC:00:11:22').waitFor();
    expect(await first.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await first.page.screenshot({ path: '/tmp/uplink-subscriptions-phone.png' });
    const sub = await subscriptionOf();
    expect([sub.status, sub.username, sub.plan_id]).toEqual(['active', 'baraka.home', plans['HOME-10']]);
    expect(sub.password_enc).not.toContain(password);
    await first.close();

    // 15:00 in Nairobi on 11 April: 10 of April's 30 days are used, 20 remain (a new session: the old one idled out).
    at('04-11T12:00:00Z');
    const { page, close } = await openPage(browser, baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/subscribers');
    await page.getByRole('button', { name: 'Baraka Mwangi' }).click();
    const again = page.getByRole('dialog', { name: `Baraka Mwangi · ${accountNumber}` });
    await again.getByRole('tab', { name: 'Subscriptions' }).click();
    await again.getByRole('button', { name: 'Actions for Home 10' }).click();
    await page.getByRole('menuitem', { name: 'Change plan' }).click();
    const change = page.getByRole('dialog', { name: 'Change the plan of Home 10' });
    await change.getByRole('combobox', { name: 'New plan' }).click();
    await page.getByRole('option', { name: 'Home 20 (HOME-20)' }).click();
    expect(await change.getByRole('button', { name: 'Confirm the change' }).isDisabled()).toBe(true);
    await change.getByRole('button', { name: 'Preview the change' }).click();
    const preview = change.getByLabel('Plan change preview');
    // Credit −3,000 × 20/30 = −2,000.00; charge 4,500 × 20/30 = 3,000.00; due 1,000.00.
    const credit = preview.getByRole('row').filter({ hasText: 'Credit for the unused days of the old plan (20 of 30 days)' });
    await credit.getByText('-KES 2,000.00').first().waitFor();
    const charge = preview.getByRole('row').filter({ hasText: 'New plan for the rest of the period (20 of 30 days)' });
    await charge.getByText('KES 3,000.00').first().waitFor();
    await preview.getByText('To pay now: KES 1,000.00').waitFor();
    expect((await subscriptionOf()).plan_id).toBe(plans['HOME-10']);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: '/tmp/uplink-plan-change-phone.png' });

    await change.getByRole('button', { name: 'Confirm the change' }).click();
    await page.getByText('Plan changed').waitFor();
    await again.getByLabel('Home 20', { exact: true }).getByText('Active', { exact: true }).waitFor();
    expect((await subscriptionOf()).plan_id).toBe(plans['HOME-20']);
    const invoice = await t.ctx.db.selectFrom('invoices').selectAll().where('subscriber_id', '=', subscriberId).where('source', '=', 'plan_change').executeTakeFirstOrThrow();
    expect(invoice.total).toBe(100000n);
    await close();
  });

  it('sets billing settings, adds a penalty class and previews the May billing run with its totals', async () => {
    // 09:00 in Nairobi on 1 May: the May period of Home 20 is due.
    at('05-01T06:00:00Z');
    const invoicesBefore = await t.ctx.db.selectFrom('invoices').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const { page, close } = await openPage(browser, baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { name: 'Billing' }).waitFor();

    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Days to pay' }).fill('10');
    await page.getByRole('textbox', { name: 'Payment instructions' }).fill('M-PESA paybill 400200, account: your account number');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Billing settings saved').waitFor();
    const settings = await t.ctx.db.selectFrom('billing_settings').selectAll().where('organization_id', '=', ispId).executeTakeFirstOrThrow();
    expect([settings.due_days, settings.payment_instructions]).toEqual([10, 'M-PESA paybill 400200, account: your account number']);

    await page.getByRole('tab', { name: 'Late penalties' }).click();
    await page.getByRole('button', { name: 'New penalty class' }).click();
    const form = page.getByRole('dialog', { name: 'New penalty class' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Standard 5%');
    await form.getByRole('textbox', { name: 'Percent' }).fill('5');
    await form.getByRole('textbox', { name: 'At least' }).fill('100');
    await form.getByRole('textbox', { name: 'Days after the due date' }).fill('7');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('row').filter({ hasText: 'Standard 5%' }).getByText('5% of what is owed (at least KES 100.00), from day 7 after the due date').waitFor();

    await page.getByRole('tab', { name: 'Billing runs' }).click();
    await page.getByRole('button', { name: 'Preview the run' }).click();
    const run = page.getByRole('dialog', { name: 'Dry run: what would be billed' });
    await run.getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
    await run.getByRole('table', { name: 'Totals per currency' }).getByRole('row', { name: 'KES 1 KES 4,500.00 KES 0.00 KES 0.00 KES 4,500.00' }).waitFor();
    const invoicesAfter = await t.ctx.db.selectFrom('invoices').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(invoicesAfter.n)).toBe(Number(invoicesBefore.n));
    await page.screenshot({ path: '/tmp/uplink-billing-dry-run.png' });
    await close();
  });
});

