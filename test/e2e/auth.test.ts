import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { currentTotp } from '../../src/platform/auth/totp.ts';
import { verifyPassword } from '../../src/platform/crypto.ts';
import { PASSWORD, seedTree, seedUser } from '../support/app.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let tree: Awaited<ReturnType<typeof seedTree>>;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  tree = await seedTree(server.t.ctx);
  browser = await launchBrowser();
}, 180_000);

describe('two-factor sign-in', () => {
  it('is set up with the QR code on My account and then asked for at sign-in', async () => {
    const admin = await seedUser(server.t.ctx, tree.isp, 'admin');
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, admin.email, PASSWORD);

    await page.getByRole('button', { name: 'User menu' }).click();
    await page.getByRole('menuitem', { name: 'My account' }).click();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await page.getByText('Or enter this key by hand:').locator('code').textContent())!.trim();
    await page.getByRole('textbox', { name: 'Code from the app' }).fill(currentTotp(secret, server.t.clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-factor sign-in is on').first().waitFor();
    const stored = await server.t.ctx.db.selectFrom('users').select('totp_enabled').where('id', '=', admin.id).executeTakeFirstOrThrow();
    expect(stored.totp_enabled).toBe(true);

    await page.getByRole('button', { name: 'User menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // A code is good once: the next sign-in needs the next time step's code.
    server.t.clock.advance({ seconds: 60 });
    await page.getByRole('textbox', { name: 'E-mail' }).fill(admin.email);
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(currentTotp(secret, server.t.clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Welcome, ${admin.name}` }).waitFor();
    await close();
  });
});

describe('permissions in the interface', () => {
  it('hides what a staff user may not do', async () => {
    const staff = await seedUser(server.t.ctx, tree.resellerA, 'staff');
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, staff.email, PASSWORD);
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByText(staff.email).waitFor();
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Export CSV' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Roles & permissions' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Organizations' }).count()).toBe(1);
    await close();
  });
});

describe('password link', () => {
  it('is issued from the users page and lets the user choose a new password', async () => {
    const manager = await seedUser(server.t.ctx, tree.isp, 'manager');
    const support = await seedUser(server.t.ctx, tree.resellerB, 'support');
    const admin = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(admin.page, manager.email, PASSWORD);
    await admin.page.getByRole('link', { name: 'Users' }).click();
    await admin.page.getByRole('heading', { name: 'Users', level: 2 }).waitFor();
    await admin.page.getByRole('textbox', { name: 'Search' }).fill(support.email);
    await expect.poll(() => admin.page.getByRole('row').count(), eventually).toBe(2);
    await admin.page.getByRole('button', { name: `Actions for ${support.name}` }).click();
    await admin.page.getByRole('menuitem', { name: 'Send password link' }).click();
    const url = await admin.page.getByRole('textbox', { name: 'One-time link' }).inputValue();
    await admin.close();

    const user = await openPage(browser, server.baseUrl, phone);
    await user.page.goto(`/reset-password${new URL(url).hash}`);
    await user.page.getByRole('textbox', { name: 'New password', exact: true }).fill('fresh tea at the market');
    await user.page.getByRole('textbox', { name: 'Repeat the new password' }).fill('fresh tea at the market');
    await user.page.getByRole('button', { name: 'Set password' }).click();
    await user.page.getByText('Your password is set.').waitFor();
    const stored = await server.t.ctx.db.selectFrom('users').select('password_hash').where('id', '=', support.id).executeTakeFirstOrThrow();
    expect(await verifyPassword(stored.password_hash, 'fresh tea at the market')).toBe(true);

    await user.page.getByRole('link', { name: 'Go to sign-in' }).click();
    await signInThroughForm(user.page, support.email, 'fresh tea at the market');
    await user.close();
  });
});
