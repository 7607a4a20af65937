import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD, seedTree, seedUser } from '../support/app.ts';
import { defaultRoles } from '../../src/platform/auth/permissions.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, signInThroughForm, startWebServer, type TrackedPage, type WebServer } from './support/browser.ts';

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
    expect(granted.map((g) => g.permission_key).sort()).toEqual([...new Set([...defaultRoles.support.permissions, 'audit.read', 'audit.export'])].sort());
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
    await expect.poll(() => page.getByRole('button', { name: 'role.update' }).count(), eventually).toBe(1);
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

  it('edits, disables and deletes a user, and exports users as CSV', async () => {
    const agent = await seedUser(server.t.ctx, tree.resellerA, 'staff', 'otieno@example.test');
    await page.getByRole('link', { name: 'Users' }).click();
    // The Organizations page has a Search box too: type only once the Users page is there.
    await page.getByRole('heading', { name: 'Users', level: 2 }).waitFor();
    await page.getByRole('textbox', { name: 'Search' }).fill('otieno@');
    await expect.poll(() => page.getByRole('row').count(), eventually).toBe(2);

    await page.getByRole('button', { name: `Actions for ${agent.name}` }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit user' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Otieno Kamau');
    await dialog.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Support', exact: true }).click();
    await dialog.getByRole('combobox', { name: 'Organization' }).click();
    await page.getByRole('option', { name: 'Reseller B', exact: true }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const edited = await db().selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    expect(edited).toMatchObject({ name: 'Otieno Kamau', role_key: 'support', organization_id: tree.resellerB.id });

    await page.getByRole('button', { name: 'Actions for Otieno Kamau' }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    await page.getByText('Otieno Kamau was disabled').waitFor();
    expect((await db().selectFrom('users').select('status').where('id', '=', agent.id).executeTakeFirstOrThrow()).status).toBe('disabled');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('users.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv).toContain('otieno@example.test');
    expect(csv.trim().split('\n')).toHaveLength(2);

    await page.getByRole('button', { name: 'Actions for Otieno Kamau' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete user' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Otieno Kamau was deleted').waitFor();
    expect(await db().selectFrom('users').select('id').where('id', '=', agent.id).executeTakeFirst()).toBeUndefined();
  });

  it('edits, disables and deletes an organization', async () => {
    await page.getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('button', { name: 'Actions for Card partner A' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit organization' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Mama Mboga Cards');
    await dialog.getByRole('textbox', { name: 'Contact phone' }).fill('+254 700 000 111');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Mama Mboga Cards', exact: true }).waitFor();
    const org = await db().selectFrom('organizations').selectAll().where('id', '=', tree.cardA.id).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: 'Mama Mboga Cards', contact_phone: '+254 700 000 111', status: 'active' });

    await page.getByRole('button', { name: 'Actions for Mama Mboga Cards' }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    await page.getByText('Mama Mboga Cards was disabled').waitFor();
    expect((await db().selectFrom('organizations').select('status').where('id', '=', tree.cardA.id).executeTakeFirstOrThrow()).status).toBe('disabled');

    await page.getByRole('button', { name: 'Actions for Mama Mboga Cards' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete organization' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Mama Mboga Cards was deleted').waitFor();
    expect(await db().selectFrom('organizations').select('id').where('id', '=', tree.cardA.id).executeTakeFirst()).toBeUndefined();
  });

  it('lists the account’s sessions', async () => {
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByText('This browser').waitFor();
    await developer.close();
  });
});
