/**
 * The network pages in Chromium: a NAS added through the form, listed with its status, its detail
 * page and a secret rotation (the stored secret never reaches the page), an IP pool with a subnet
 * whose utilization follows an address assigned through the API, and the NAS list on a phone.
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, PASSWORD, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { seedSubscription } from '../usage/fixtures.ts';
import { buildWebApp, desktop, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const SECRET = 'kilimani-radius-42';
let server: WebServer;
let browser: Browser;
let email: string;
let api: Api;
let subscription: { id: string; username: string | null };

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  const tree = await seedTree(server.t.ctx);
  const admin = await seedUser(server.t.ctx, tree.isp, 'admin');
  email = admin.email;
  api = await sessionFor(server.t, admin);
  subscription = await seedSubscription(server.t.ctx, api, tree.isp, { username: 'wanjiru.home' });
  browser = await launchBrowser();
}, 180_000);

const nasRow = (name: string) => server.t.ctx.db.selectFrom('nas_devices').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

describe('NAS and IP pools in the web app', () => {
  it('adds a NAS through the form, lists it with its status, and rotates its secret without ever showing the stored one', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'NAS', exact: true }).click();
    await page.getByRole('heading', { name: 'NAS and routers' }).waitFor();

    await page.getByRole('button', { name: 'Add NAS' }).click();
    const form = page.getByRole('dialog', { name: 'Add NAS' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Kilimani core');
    await form.getByRole('textbox', { name: 'Source address' }).fill('10.20.30.1');
    await form.getByLabel('RADIUS shared secret').fill(SECRET);
    await form.getByRole('textbox', { name: 'Location' }).fill('Kilimani POP');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });

    const row = page.getByRole('row').filter({ hasText: 'Kilimani core' });
    await row.getByText('10.20.30.1').waitFor();
    await row.getByText('Unknown', { exact: true }).waitFor();
    await row.getByText('MikroTik').waitFor();
    const stored = await nasRow('Kilimani core');
    expect([stored.address, stored.type, stored.location, stored.require_message_authenticator]).toEqual(['10.20.30.1', 'mikrotik', 'Kilimani POP', true]);
    expect(server.t.ctx.secrets.open(stored.secret_enc)).toBe(SECRET);
    expect(await page.content()).not.toContain(SECRET);

    await row.getByRole('link', { name: 'Kilimani core' }).click();
    await page.getByRole('heading', { name: 'Kilimani core' }).waitFor();
    await page.getByText('Kilimani POP').waitFor();
    await page.getByText('RADIUS shared secret').waitFor();
    await page.getByText('Set', { exact: true }).waitFor();
    expect(await page.content()).not.toContain(SECRET);

    // Rotating breaks RADIUS until the router has the new secret: it asks first, then shows the new one once.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate the shared secret of Kilimani core?' });
    await confirm.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = await page.getByRole('textbox', { name: 'New shared secret (shown once)' }).inputValue();
    expect(shown).toMatch(/^[\x21-\x7e]{16,}$/);
    const rotated = await nasRow('Kilimani core');
    expect(server.t.ctx.secrets.open(rotated.secret_enc)).toBe(shown);
    expect(rotated.secret_enc).not.toContain(shown);
    await page.reload();
    await page.getByRole('heading', { name: 'Kilimani core' }).waitFor();
    await page.getByText('Set', { exact: true }).waitFor();
    const html = await page.content();
    expect(html).not.toContain(shown);
    expect(html).not.toContain(SECRET);
    await close();
  });

  it('creates an IPv4 pool and a subnet, and shows its utilization once an address is assigned', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.getByRole('link', { name: 'IP pools' }).click();
    await page.getByRole('heading', { name: 'IP pools' }).waitFor();
    await page.getByRole('button', { name: 'Add pool' }).click();
    const form = page.getByRole('dialog', { name: 'Add pool' });
    await form.getByRole('textbox', { name: 'Pool name' }).fill('pool-kilimani');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'pool-kilimani' }).getByText('IPv4 addresses').waitFor();

    await page.getByRole('link', { name: 'pool-kilimani' }).click();
    await page.getByRole('heading', { name: 'pool-kilimani' }).waitFor();
    await page.getByText('No subnet yet.').waitFor();
    await page.getByRole('textbox', { name: 'Subnet (CIDR)' }).fill('100.64.10.0/29');
    await page.getByRole('textbox', { name: 'Gateway' }).fill('100.64.10.1');
    await page.getByRole('button', { name: 'Add subnet' }).click();
    await page.getByText('100.64.10.0/29').waitFor();
    // A /29 has six host addresses; the gateway is kept back, so five can be handed out.
    const pool = await server.t.ctx.db.selectFrom('ip_pools').selectAll().where('name', '=', 'pool-kilimani').executeTakeFirstOrThrow();
    expect(json<{ utilization: unknown }>(await api.get(`/api/ip-pools/${pool.id}`)).utilization).toEqual({ total: '6', reserved: '1', used: '0', free: '5', percent: '0.0' });
    await page.getByText('0 used, 5 free (0.0%)').first().waitFor();

    const assigned = await api.post(`/api/ip-pools/${pool.id}/assignments`, { subscriptionId: subscription.id });
    expect(assigned.statusCode, assigned.body).toBe(201);
    const address = json<{ address: string }>(assigned).address;
    expect(address).toBe('100.64.10.2');
    // 1 of 5: 20.0%.
    await page.reload();
    await page.getByRole('heading', { name: 'pool-kilimani' }).waitFor();
    await page.getByText('1 used, 4 free (20.0%)').first().waitFor();
    const bar = page.getByRole('progressbar', { name: 'Utilization' }).first();
    expect(await bar.getAttribute('aria-valuenow')).toBe('20');
    const assignment = page.getByRole('row').filter({ hasText: address });
    await assignment.getByText('wanjiru.home').waitFor();

    await page.getByRole('link', { name: 'IP pools' }).click();
    await page.getByRole('row').filter({ hasText: 'pool-kilimani' }).getByText('1 used, 4 free (20.0%)').waitFor();
    await close();
  });

  it('on a phone: the NAS list fits the screen', async () => {
    for (const [i, name] of ['Westlands aggregation router', 'Ngong Road hotspot controller', 'Thika Road fibre BNG'].entries()) {
      const res = await api.post('/api/nas', { name, type: 'cisco', address: `2001:db8:1000:2000:3000:4000:5000:${6000 + i}`, secret: 'phone-secret-123', location: 'A long location name, Nairobi County' });
      expect(res.statusCode, res.body).toBe(201);
    }
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/nas');
    await page.getByRole('heading', { name: 'NAS and routers' }).waitFor();
    await page.getByText('Thika Road fibre BNG').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await page.getByRole('button', { name: 'Add NAS' }).click();
    await page.getByRole('dialog', { name: 'Add NAS' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: '/tmp/uplink-nas-phone.png' });
    await close();
  });
});
