import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { PASSWORD, seedTree, seedUser } from '../support/app.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let email: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const tree = await seedTree(server.t.ctx);
  email = (await seedUser(server.t.ctx, tree.isp, 'staff')).email;
  browser = await launchBrowser();
}, 180_000);

describe('subscribers in the web app', () => {
  it('creates a subscriber, finds it by phone, suspends it with a reason and shows the history', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'Subscribers' }).click();
    await page.getByRole('heading', { name: 'Subscribers' }).waitFor();

    await page.getByRole('button', { name: 'New subscriber' }).click();
    const form = page.getByRole('dialog', { name: 'New subscriber' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Wanjiru Kamau');
    await form.getByRole('textbox', { name: 'National ID' }).fill('28374651');
    await form.getByRole('textbox', { name: 'Number or address' }).fill('0712 345 678');
    await form.getByRole('button', { name: 'Add address' }).click();
    await form.getByRole('textbox', { name: 'Street and building' }).fill('Kilimani Rd 12');
    await form.getByRole('textbox', { name: 'Latitude' }).fill('-1.2921');
    await form.getByRole('textbox', { name: 'Longitude' }).fill('36.8219');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });
    const row = await server.t.ctx.db.selectFrom('subscribers').selectAll().where('name', '=', 'Wanjiru Kamau').executeTakeFirstOrThrow();
    expect(row.status).toBe('lead');
    // The new subscriber opens in the drawer; close it and find it again by phone, typed another way.
    await page.getByRole('dialog', { name: `Wanjiru Kamau · ${row.account_number}` }).waitFor();
    await page.keyboard.press('Escape');

    await page.getByRole('textbox', { name: 'Search' }).fill('+254 712 345678');
    await expect.poll(() => page.getByRole('button', { name: 'Wanjiru Kamau' }).isVisible(), eventually).toBe(true);
    await expect.poll(() => page.getByRole('cell', { name: '+254712345678' }).isVisible(), eventually).toBe(true);
    await page.getByRole('button', { name: 'Wanjiru Kamau' }).click();
    const drawer = page.getByRole('dialog', { name: `Wanjiru Kamau · ${row.account_number}` });

    for (const [status, reason] of [
      ['Active', 'Installed and paid'],
      ['Suspended', 'Unpaid March invoice'],
    ] as const) {
      await drawer.getByRole('combobox', { name: 'Change status to' }).click();
      await page.getByRole('option', { name: status, exact: true }).click();
      await drawer.getByRole('textbox', { name: 'Reason' }).fill(reason);
      await drawer.getByRole('button', { name: 'Apply' }).click();
      await page.getByText(`Wanjiru Kamau is now ${status}`).waitFor();
    }
    expect((await server.t.ctx.db.selectFrom('subscribers').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('suspended');
    await drawer.getByRole('tab', { name: 'Status history' }).click();
    await drawer.getByText('Active → Suspended').waitFor();
    await drawer.getByText('Unpaid March invoice').waitFor();
    await drawer.getByText('Lead → Active').waitFor();
    await close();
  });

  it('fits a phone screen (360 px): the list, the search and the drawer without sideways scrolling', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/subscribers');
    await page.getByRole('textbox', { name: 'Search' }).fill('wanjiru');
    await expect.poll(() => page.getByRole('button', { name: 'Wanjiru Kamau' }).isVisible(), eventually).toBe(true);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Wanjiru Kamau' }).click();
    await page.getByRole('tab', { name: 'Status history' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await close();
  });
});
