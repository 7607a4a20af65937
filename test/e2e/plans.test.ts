import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seedTree, seedUser } from '../support/app.ts';
import { buildWebApp, eventually, launchBrowser, openPage, phone, desktop, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let email: string;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const tree = await seedTree(server.t.ctx);
  email = (await seedUser(server.t.ctx, tree.isp, 'super_admin')).email;
  browser = await launchBrowser();
}, 180_000);

const versionsOf = async (code: string) =>
  server.t.ctx.db
    .selectFrom('plan_versions')
    .innerJoin('plans', 'plans.id', 'plan_versions.plan_id')
    .select(['plan_versions.version', 'plan_versions.prices'])
    .where('plans.code', '=', code)
    .orderBy('plan_versions.version')
    .execute();

describe('plans in the web app', () => {
  it('creates a plan with a price, sees it in the list, edits the price and finds version 2 in the history', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'Plans', exact: true }).click();
    await page.getByRole('button', { name: 'New plan' }).click();
    const dialog = page.getByRole('dialog', { name: 'New plan' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Fibre Home 20');
    await dialog.getByRole('textbox', { name: 'Plan code' }).fill('FIBRE-20');
    await dialog.getByRole('textbox', { name: 'Price per period' }).fill('2500');
    await dialog.getByRole('textbox', { name: 'Download (Mbps)' }).fill('20');
    await dialog.getByRole('textbox', { name: 'Upload (Mbps)' }).fill('10');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'Fibre Home 20' });
    await row.getByText('KES 2,500.00').waitFor();
    expect(await versionsOf('FIBRE-20')).toEqual([{ version: 1, prices: { KES: [{ kind: 'fixed', price: '2500' }] } }]);

    await row.getByRole('button', { name: 'Actions for Fibre Home 20' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit plan' });
    await edit.getByRole('textbox', { name: 'Price per period' }).fill('2800');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await page.getByText('Plan Fibre Home 20 saved as version 2').waitFor();
    await row.getByText('KES 2,800.00').waitFor();

    await row.getByRole('button', { name: 'Actions for Fibre Home 20' }).click();
    await page.getByRole('menuitem', { name: 'Version history' }).click();
    const drawer = page.getByRole('dialog', { name: 'Versions of Fibre Home 20' });
    const v2 = drawer.getByLabel('Version 2', { exact: true });
    await v2.getByText('KES 2,800.00').waitFor();
    await v2.getByText('Current').waitFor();
    await drawer.getByLabel('Version 1', { exact: true }).getByText('KES 2,500.00').waitFor();
    expect((await versionsOf('FIBRE-20')).map((v) => [v.version, v.prices])).toEqual([
      [1, { KES: [{ kind: 'fixed', price: '2500' }] }],
      [2, { KES: [{ kind: 'fixed', price: '2800' }] }],
    ]);
    await page.screenshot({ path: '/tmp/uplink-plans-history.png' });
    await close();
  });

  it('prices a period on a phone (360 px): the preview shows what the invoice will charge', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/plans');
    const row = page.getByRole('row').filter({ hasText: 'Fibre Home 20' });
    await row.getByRole('button', { name: 'Actions for Fibre Home 20' }).click();
    await page.getByRole('menuitem', { name: 'Price preview' }).click();
    const dialog = page.getByRole('dialog', { name: 'Price preview: Fibre Home 20' });
    await dialog.getByRole('button', { name: 'Price one period' }).click();
    const result = dialog.getByLabel('Priced period');
    await result.getByText('Version 2, period').waitFor();
    await result.getByText('To pay KES 2,800.00, of which tax KES 0.00').waitFor();
    await expect.poll(() => result.getByRole('cell', { name: 'KES 2,800.00' }).count(), eventually).toBeGreaterThan(0);
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: '/tmp/uplink-plans-preview-phone.png' });
    await close();
  });
});
