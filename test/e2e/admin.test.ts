import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD, seedTree, seedUser } from '../support/app.ts';
import { buildWebApp, desktop, launchBrowser, openPage, signInThroughForm, startWebServer, type TrackedPage, type WebServer } from './support/browser.ts';

let server: WebServer;
let browser: Browser;
let tree: Awaited<ReturnType<typeof seedTree>>;
let developer: TrackedPage;
let page: Page;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  tree = await seedTree(server.t.ctx);
  const user = await seedUser(server.t.ctx, tree.isp, 'developer');
  browser = await launchBrowser();
  developer = await openPage(browser, server.baseUrl, desktop);
  page = developer.page;
  await signInThroughForm(page, user.email, PASSWORD);
}, 180_000);

const db = () => server.t.ctx.db;

describe('administration pages (as a developer)', () => {
  it('edits a role’s permissions in the matrix, and creates and deletes a custom role', async () => {
    await page.getByRole('link', { name: 'Roles & permissions' }).click();
    await page.getByRole('button', { name: /^Support/ }).click();
    await page.getByRole('heading', { name: 'Support', level: 3 }).waitFor();
    await page.getByRole('checkbox', { name: 'Audit log: Export' }).check();
    // Granting an export grants reading too.
    expect(await page.getByRole('checkbox', { name: 'Audit log: View' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Permissions of Support were saved').waitFor();
    const granted = await db().selectFrom('role_permissions').select('permission_key').where('role_key', '=', 'support').execute();
    expect(granted.map((g) => g.permission_key).sort()).toEqual(['audit.export', 'audit.read', 'organizations.read', 'users.read']);
    const role = await db().selectFrom('roles').selectAll().where('key', '=', 'support').executeTakeFirstOrThrow();
    expect(role.description).toBe('Helpdesk: answers subscribers and tickets');

    await page.getByRole('button', { name: 'New role' }).click();
    const dialog = page.getByRole('dialog', { name: 'New role' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Field agent');
    await dialog.getByRole('textbox', { name: 'Key' }).fill('field_agent');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Field agent', level: 3 }).waitFor();
    await page.getByRole('checkbox', { name: 'Users: View' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Permissions of Field agent were saved').waitFor();
    const custom = await db().selectFrom('role_permissions').select('permission_key').where('role_key', '=', 'field_agent').execute();
    expect(custom.map((g) => g.permission_key)).toEqual(['users.read']);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete role' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Role Field agent was deleted').waitFor();
    expect(await db().selectFrom('roles').select('key').where('key', '=', 'field_agent').executeTakeFirst()).toBeUndefined();
  });

  it('creates a scoped API token, shows its secret once, and revokes it', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('button', { name: 'New API token' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API token' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Billing export');
    await dialog.getByRole('checkbox', { name: 'Users: Export' }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = await page.getByRole('dialog', { name: 'Your new API token' }).getByRole('textbox', { name: 'API token' }).inputValue();
    expect(secret).toMatch(/^upl_/);
    await page.getByRole('button', { name: 'Done' }).click();

    const res = await server.t.app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${secret}` } });
    expect(res.statusCode).toBe(200);
    const token = await db().selectFrom('api_tokens').selectAll().where('name', '=', 'Billing export').executeTakeFirstOrThrow();
    expect([...token.scopes].sort()).toEqual(['users.export', 'users.read']);

    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke API token' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Token Billing export was revoked').waitFor();
    const after = await server.t.app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${secret}` } });
    expect(after.statusCode).toBe(401);
  });

  it('searches the audit log, shows an entry’s before and after, and verifies the chain', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('textbox', { name: 'Action' }).fill('role.update');
    await page.getByRole('textbox', { name: 'Object ID' }).fill('support');
    await expect.poll(() => page.getByRole('button', { name: 'role.update' }).count()).toBe(1);
    await page.getByRole('button', { name: 'role.update' }).click();
    const drawer = page.getByRole('dialog', { name: /^Audit entry #/ });
    await drawer.getByText('"audit.export"').waitFor();
    expect(await drawer.getByText('"audit.export"').count()).toBe(1);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText('The audit log is intact').waitFor();
  });

  it('changes a system setting', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Platform name' }).fill('Nairobi Fibre Uplink');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved').waitFor();
    const row = await db().selectFrom('settings').select('value').where('key', '=', 'platformName').executeTakeFirstOrThrow();
    expect(row.value).toBe('Nairobi Fibre Uplink');
    await page.getByText('Nairobi Fibre Uplink', { exact: true }).first().waitFor();
  });

  it('switches the working organization down the tree and back home', async () => {
    const switcher = page.getByRole('banner').getByRole('combobox', { name: 'Organization' });
    await switcher.click();
    await page.getByRole('option', { name: 'Reseller A', exact: true }).click();
    await page.getByText('You are now working in Reseller A').waitFor();
    await page.getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('cell', { name: 'Sub-reseller A1', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'Reseller B', exact: true }).count()).toBe(0);

    await switcher.click();
    await page.getByRole('option', { name: `${tree.isp.name} (home)` }).click();
    await page.getByText(`You are now working in ${tree.isp.name}`).waitFor();
    await page.getByRole('cell', { name: 'Reseller B', exact: true }).waitFor();
  });

  it('lists the account’s sessions', async () => {
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByText('This browser').waitFor();
    await developer.close();
  });
});
