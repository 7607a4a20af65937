import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createPlan } from '../catalog/fixtures.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { buildWebApp, desktop, launchBrowser, openPage, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const iphone = { width: 390, height: 844 };

let server: WebServer;
let browser: Browser;
let customerEmail: string;
let staffEmail: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const { t } = server;
  const tree = await seedTree(t.ctx);
  const adminUser = await seedUser(t.ctx, tree.isp, 'admin');
  staffEmail = adminUser.email;
  const admin = await sessionFor(t, adminUser);
  const f = portalFixtures(t, admin);
  const amina = await f.subscriber(tree.isp, 'Amina Wanjiku');
  customerEmail = (await f.customer(amina.id)).email;
  // A fair-usage quota of 50 GB with a throttle profile: the views show its period and what is left.
  const plan = await createPlan(admin, { name: 'Home 20 Mbps' }, {
    network: {
      download: { rateKbps: 20_000, burst: null },
      upload: { rateKbps: 10_000, burst: null },
      dataQuotaBytes: '50000000000',
      timeQuotaSeconds: null,
      throttle: { downloadKbps: 1024, uploadKbps: 512 },
      ipPool: null,
      addressList: null,
    },
  });
  const day = 86_400_000;
  const now = t.clock.now().getTime();
  const { id } = await t.ctx.db
    .insertInto('subscriptions')
    .values({ organization_id: tree.isp.id, subscriber_id: amina.id, plan_id: plan.id, currency: 'KES', status: 'active', starts_at: new Date(now - 40 * day), activated_at: new Date(now - 40 * day), next_bill_at: new Date(now + 20 * day) })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Readings on two days of the last week (entered by staff, as a meter or an import would give them).
  for (const r of [
    { unit: 'GB', quantity: '4.5', occurredAt: new Date(now - 2 * day).toISOString() },
    { unit: 'GB', quantity: '1.5', occurredAt: new Date(now - 5 * day).toISOString() },
    { unit: 'minutes', quantity: '150', occurredAt: new Date(now - 2 * day).toISOString() },
  ])
    expect((await admin.post(`/api/subscriptions/${id}/usage`, r)).statusCode).toBe(201);
  browser = await launchBrowser();
}, 180_000);

describe('usage charts in the browser', () => {
  it('the portal shows a subscriber its daily usage as a chart on a phone, with the same figures as a table', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, iphone);
    await page.goto('/login');
    await page.getByRole('textbox', { name: 'E-mail' }).fill(customerEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Amina Wanjiku' }).waitFor();
    await page.getByRole('link', { name: 'Usage' }).click();
    const chart = page.getByRole('region', { name: 'Usage chart' });
    // The quota counts over the billing period (the readings were entered by staff, not accounting: none counted).
    const quota = chart.getByRole('group', { name: 'Fair usage' });
    await quota.getByText('50 GB left').waitFor();
    await quota.getByText(/^Counts from \w{3} \d{1,2} until \w{3} \d{1,2}$/).waitFor();
    await chart.getByText('30 days', { exact: true }).click();
    // The figure is labelled by its total: 6 GB of readings, 2.5 hours online.
    await chart.getByRole('img', { name: 'Data per day, 6 GB in all' }).waitFor();
    await chart.getByRole('img', { name: 'Time online per day, 2.5 hr in all' }).waitFor();
    expect(await chart.locator('svg rect').count()).toBe(3);
    await chart.getByRole('button', { name: 'Show as a table' }).click();
    const rows = chart.getByRole('row');
    await expect.poll(() => rows.count()).toBe(31);
    await chart.getByRole('cell', { name: '4.5 GB' }).waitFor();
    await chart.getByRole('cell', { name: '1.5 GB' }).waitFor();
    await chart.getByText('90 days', { exact: true }).click();
    await expect.poll(() => rows.count()).toBe(91);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(iphone.width);
    await close();
  });

  it('staff see the same chart in the subscriber drawer’s Usage tab', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, staffEmail, PASSWORD);
    await page.goto('/subscribers');
    await page.getByText('Amina Wanjiku').first().click();
    await page.getByRole('tab', { name: 'Usage' }).click();
    const chart = page.getByRole('region', { name: 'Usage chart' });
    await chart.getByRole('group', { name: 'Fair usage' }).getByText('50 GB left').waitFor();
    await chart.getByText('30 days', { exact: true }).click();
    await chart.getByRole('img', { name: 'Data per day, 6 GB in all' }).waitFor();
    await close();
  });
});
