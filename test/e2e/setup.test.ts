import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { issueSetupLink } from '../../src/modules/setup/setup.service.ts';
import { buildWebApp, desktop, launchBrowser, openPage, phone, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  browser = await launchBrowser();
}, 180_000);

describe('first-run setup page', () => {
  it('explains that the setup link is needed when it is opened without one', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await page.goto('/');
    await page.waitForURL('**/setup');
    await page.getByText('Setup link needed').waitFor();
    await close();
  });

  it('creates the ISP and the first account from the one-time link, and signs in', async () => {
    const link = await issueSetupLink(server.t.ctx, server.baseUrl);
    expect(link).toMatch(/\/setup#token=/);
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await page.goto(link!);
    await page.getByRole('heading', { name: 'Set up Uplink' }).waitFor();
    // The token leaves the address bar once read.
    expect(new URL(page.url()).hash).toBe('');

    await page.getByRole('textbox', { name: 'Company name' }).fill('Dhaka Fiber Net');
    await page.getByRole('combobox', { name: 'Currency' }).fill('BDT');
    await page.getByRole('option', { name: 'BDT', exact: true }).click();
    await page.getByRole('combobox', { name: 'Time zone' }).fill('Asia/Dhaka');
    await page.getByRole('option', { name: 'Asia/Dhaka', exact: true }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Rahim Uddin');
    await page.getByRole('textbox', { name: 'E-mail' }).fill('rahim@dhakafiber.test');
    await page.getByRole('textbox', { name: 'Password' }).fill('a long and secret passphrase');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome, Rahim Uddin' }).waitFor();

    const db = server.t.ctx.db;
    const user = await db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: 'rahim@dhakafiber.test', name: 'Rahim Uddin', role_key: 'developer' });
    const org = await db.selectFrom('organizations').selectAll().where('id', '=', user.organization_id).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: 'Dhaka Fiber Net', kind: 'isp', currency: 'BDT', timezone: 'Asia/Dhaka', parent_id: null });

    // Setup is done: the page now sends visitors on.
    await page.goto('/setup');
    await page.waitForURL((url) => url.pathname === '/login' || url.pathname === '/');
    await close();
  });
});
