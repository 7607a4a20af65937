/**
 * Router management in Chromium against the in-project MikroTik simulator (REST API): a NAS added
 * through the form with its management API, the connection test, a plan push previewed then
 * applied, the router's active sessions, two backups around a change and their diff, and the
 * command log; simple queues for a static-IP subscriber, previewed, applied and removed once stale;
 * a TLS router's certificate trusted as presented, unpinned and pinned by a pasted fingerprint —
 * on a desktop, then the same page on a phone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterModel } from '../../src/integrations/mikrotik/simulator-model.ts';
import { startRouterSimulator, type RouterSimulator } from '../../src/integrations/mikrotik/simulator.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { API_PASSWORD, API_USER, loopbackAddress } from '../routers/fixtures.ts';
import { json, PASSWORD, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { createSubscriber } from '../usage/fixtures.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const RADIUS_SECRET = 'router-radius-secret-9';
let server: WebServer;
let browser: Browser;
let sim: RouterSimulator;
let email: string;
let api: Api;
let home: { id: string };
let nasId: string;
let tree: Awaited<ReturnType<typeof seedTree>>;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  tree = await seedTree(server.t.ctx);
  const admin = await seedUser(server.t.ctx, tree.isp, 'admin');
  email = admin.email;
  api = await sessionFor(server.t, admin);
  home = await createPlan(api, { organizationId: tree.isp.id, code: 'HOME10' }, {
    network: { download: { rateKbps: 10_000, burst: null }, upload: { rateKbps: 2000, burst: null }, ipPool: 'pool-home' },
  });
  await createPlan(api, { organizationId: tree.isp.id, code: 'DAY1', serviceType: 'hotspot' }, {
    network: { download: { rateKbps: 4000, burst: null }, upload: { rateKbps: 1000, burst: null }, addressList: 'paid' },
  });
  // The router's clock is the test's, so its /export header says when each backup was taken.
  sim = await startRouterSimulator({ host: loopbackAddress(), username: API_USER, password: API_PASSWORD, model: new RouterModel(() => server.t.clock.now()) });
  sim.model.identity = 'kilimani-core';
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await sim?.close();
});

const profile = (menu: string, name: string) => sim.model.print(menu, [{ op: 'eq', name: 'name', value: name }])[0];
const tab = (page: Page, name: string) => page.getByRole('tab', { name }).click();

/** Picks the older of the two listed backups (newest first) as "from" and the newer as "to". */
async function compareBackups(page: Page) {
  const rows = page.getByRole('row').filter({ has: page.getByRole('button', { name: 'View' }) });
  const [newer, older] = [(await rows.nth(0).getByRole('cell').first().textContent())!, (await rows.nth(1).getByRole('cell').first().textContent())!];
  expect(newer).not.toBe(older);
  for (const [select, label] of [['Older backup', older], ['Newer backup', newer]] as const) {
    await page.getByRole('combobox', { name: select }).click();
    await page.getByRole('option', { name: label, exact: true }).click();
    // The dropdown closes before the next one opens, so the options found are the next one's.
    await expect.poll(() => page.getByRole('option').count(), eventually).toBe(0);
    expect(await page.getByRole('combobox', { name: select }).inputValue()).toBe(label);
  }
}

describe('router management in the web app', () => {
  it('adds a MikroTik with its REST API, tests the connection, pushes the plans, backs up twice, diffs, and shows the command log', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto('/nas');
    await page.getByRole('button', { name: 'Add NAS' }).click();
    const form = page.getByRole('dialog', { name: 'Add NAS' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Kilimani core');
    await form.getByRole('textbox', { name: 'Source address' }).fill(sim.host);
    await form.getByLabel('RADIUS shared secret').fill(RADIUS_SECRET);
    await form.getByRole('combobox', { name: 'Management API' }).click();
    await page.getByRole('option', { name: 'REST API (RouterOS 7)' }).click();
    await form.getByRole('textbox', { name: 'API user' }).fill(API_USER);
    await form.getByLabel('API password').fill(API_PASSWORD);
    await form.getByRole('textbox', { name: 'API port' }).fill(String(sim.restPort));
    await form.getByRole('button', { name: 'Create' }).click();
    await form.waitFor({ state: 'detached' });
    const nas = await server.t.ctx.db.selectFrom('nas_devices').selectAll().where('name', '=', 'Kilimani core').executeTakeFirstOrThrow();
    nasId = nas.id;
    expect([nas.api_kind, nas.api_port, nas.api_username, nas.api_tls]).toEqual(['rest', sim.restPort, API_USER, false]);
    expect(server.t.ctx.secrets.open(nas.api_password_enc!)).toBe(API_PASSWORD);

    await page.getByRole('link', { name: 'Kilimani core' }).click();
    await page.getByText(`REST API (RouterOS 7) · ${API_USER}@${sim.host}:${sim.restPort}`).waitFor();
    await page.getByRole('link', { name: 'Router management' }).click();
    await page.getByRole('heading', { name: 'Router management' }).waitFor();
    await page.getByRole('link', { name: `Kilimani core (${sim.host})` }).waitFor();

    // Overview: the connection test reads the identity live from the router.
    await page.getByText('Connected', { exact: true }).waitFor();
    await page.getByText('kilimani-core', { exact: true }).waitFor();
    await page.getByText('hEX S').waitFor();
    sim.model.identity = 'kilimani-core-renamed';
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('kilimani-core-renamed', { exact: true }).waitFor();

    // The command log before the push: the reads of the two connection tests.
    await tab(page, 'Command log');
    await page.getByRole('row').filter({ hasText: 'GET /rest/system/identity' }).first().waitFor();

    // Plans push: the preview changes nothing; applying creates the two profiles.
    await tab(page, 'Plans push');
    await page.getByRole('button', { name: 'Preview' }).click();
    const homeRow = page.getByRole('row').filter({ hasText: 'HOME10' });
    await homeRow.getByText('Create', { exact: true }).waitFor();
    await homeRow.getByText('rate-limit: ∅ → 2M/10M').waitFor();
    await page.getByRole('row').filter({ hasText: 'DAY1' }).getByText('Create', { exact: true }).waitFor();
    expect(profile('/ppp/profile', 'HOME10')).toBeUndefined();
    await page.getByRole('button', { name: 'Apply to router' }).click();
    await expect.poll(() => profile('/ppp/profile', 'HOME10')?.['rate-limit'], eventually).toBe('2M/10M');
    expect(profile('/ip/hotspot/user/profile', 'DAY1')).toMatchObject({ 'rate-limit': '1M/4M', 'address-list': 'paid' });
    await page.getByRole('button', { name: 'Apply to router' }).and(page.locator('[disabled]')).waitFor();
    await page.getByRole('row').filter({ hasText: 'HOME10' }).waitFor();

    // Active sessions are read from the router.
    sim.model.seed('/ppp/active', { name: 'wanjiru.home', service: 'pppoe', 'caller-id': 'AA:BB:CC:00:00:01', address: '100.64.0.9', uptime: '2h5m' });
    await tab(page, 'Active sessions');
    const session = page.getByRole('row').filter({ hasText: 'wanjiru.home' });
    await session.getByText('100.64.0.9').waitFor();
    await session.getByText('2h5m').waitFor();

    // Backups: one, a new version of HOME10 pushed, another; the diff shows the changed profile.
    await tab(page, 'Backups');
    const firstBackupAt = server.t.clock.now();
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('button', { name: 'View' }).first().waitFor();
    const v2 = await api.post(`/api/plans/${home.id}/versions`, {
      billing: { cycle: 'monthly' },
      prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '3000' }] }],
      network: { download: { rateKbps: 20_000, burst: null }, upload: { rateKbps: 5000, burst: null }, ipPool: 'pool-home' },
    });
    expect(v2.statusCode, v2.body).toBe(201);
    server.t.clock.advance({ minutes: 5 });
    await tab(page, 'Plans push');
    await page.getByRole('button', { name: 'Preview' }).click();
    const update = page.getByRole('row').filter({ hasText: 'HOME10' });
    await update.getByText('Update', { exact: true }).waitFor();
    await update.getByText('rate-limit: 2M/10M → 5M/20M').waitFor();
    await page.getByRole('button', { name: 'Apply to router' }).click();
    await expect.poll(() => profile('/ppp/profile', 'HOME10')?.['rate-limit'], eventually).toBe('5M/20M');
    await tab(page, 'Backups');
    await page.getByRole('button', { name: 'Back up now' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'View' }).count(), eventually).toBe(2);
    await compareBackups(page);
    const diff = page.getByTestId('backup-diff');
    // The export's first line carries its time (five minutes apart): shown, not counted as a change.
    await diff.getByText('Lines added: 1, removed: 1').waitFor();
    const stamp = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    await diff.getByText(`-# ${stamp(firstBackupAt)} by RouterOS 7.18.2`).waitFor();
    await diff.getByText(`+# ${stamp(server.t.clock.now())} by RouterOS 7.18.2`).waitFor();
    await diff.getByText('-add comment="uplink plan HOME10 v1" name=HOME10 rate-limit=2M/10M remote-address=pool-home').waitFor();
    await diff.getByText('+add comment="uplink plan HOME10 v2" name=HOME10 rate-limit=5M/20M remote-address=pool-home').waitFor();
    await page.getByRole('button', { name: 'View' }).first().click();
    // The newest backup's text: the whole /export, with the profile the last push wrote.
    const content = page.locator('pre', { hasText: '/ppp profile' });
    await content.getByText('set name=kilimani-core-renamed', { exact: false }).waitFor();
    expect(await content.textContent()).toContain('add comment="uplink plan HOME10 v2" name=HOME10 rate-limit=5M/20M remote-address=pool-home');
    await page.screenshot({ path: '/tmp/uplink-router-backups.png', fullPage: true });

    // The command log now has the pushes and the exports too, by this user, without the API password.
    await tab(page, 'Command log');
    const writes = page.getByRole('row').filter({ hasText: 'PATCH /rest/ppp/profile' });
    await writes.first().waitFor();
    await writes.first().getByText(email).waitFor();
    await page.getByRole('row').filter({ hasText: 'PUT /rest/ip/hotspot/user/profile' }).first().waitFor();
    await page.getByRole('row').filter({ hasText: '/export' }).first().waitFor();
    expect(await page.content()).not.toContain(API_PASSWORD);
    await close();
  });

  it('previews and applies a simple queue for a static-IP subscriber, and removes it once the subscriber is suspended', async () => {
    const fixed = await createPlan(api, { organizationId: tree.isp.id, code: 'FIX20', serviceType: 'static_ip' }, {
      network: { download: { rateKbps: 20_000, burst: null }, upload: { rateKbps: 5000, burst: null } },
    });
    const pool = await api.post('/api/ip-pools', { name: 'static-kilimani', family: 4, nasId });
    expect(pool.statusCode, pool.body).toBe(201);
    expect((await api.post(`/api/ip-pools/${json<{ id: string }>(pool).id}/subnets`, { cidr: '198.18.90.0/24', gateway: '198.18.90.1' })).statusCode).toBe(201);
    const subscriber = await createSubscriber(api, tree.isp, 'Duka la Mama');
    const sold = await server.t.ctx.db
      .insertInto('subscriptions')
      .values({ organization_id: tree.isp.id, subscriber_id: subscriber.id, plan_id: fixed.id, currency: 'KES', status: 'active', starts_at: new Date('2026-01-01T00:00:00Z'), activated_at: new Date('2026-01-01T00:00:00Z'), username: 'duka.mama', password_enc: 'sealed', static_ipv4: '198.18.90.20' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const queue = () => sim.model.print('/queue/simple', [{ op: 'eq', name: 'name', value: 'uplink-duka.mama' }])[0];

    const { page, close } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/nas/${nasId}/router`);
    await tab(page, 'Subscriber queues');
    await page.getByRole('button', { name: 'Preview queues' }).click();
    const row = page.getByRole('row').filter({ hasText: 'uplink-duka.mama' });
    await row.getByText('Create', { exact: true }).waitFor();
    await row.getByText('198.18.90.20/32', { exact: true }).waitFor();
    await row.getByText('max-limit: ∅ → 5M/20M').waitFor();
    await page.getByTestId('queues-message').getByText('1 queue(s) to create, 0 to update and 0 stale to remove').waitFor();
    expect(queue()).toBeUndefined();
    await page.getByRole('button', { name: 'Apply queues to router' }).click();
    await expect.poll(() => queue()?.['max-limit'], eventually).toBe('5000000/20000000');
    await page.screenshot({ path: '/tmp/uplink-router-queues.png', fullPage: true });
    expect(queue()).toMatchObject({ target: '198.18.90.20/32', comment: `uplink subscription ${sold.id} duka.mama` });
    await page.getByRole('button', { name: 'Apply queues to router' }).and(page.locator('[disabled]')).waitFor();

    expect((await api.post(`/api/subscriptions/${sold.id}/suspend`, { reason: 'request' })).statusCode).toBe(200);
    await page.getByRole('button', { name: 'Preview queues' }).click();
    await row.getByText('Remove (stale)').waitFor();
    await row.getByText('the subscription is suspended').waitFor();
    await page.getByRole('button', { name: 'Apply queues to router' }).click();
    await expect.poll(queue, eventually).toBeUndefined();
    await close();
  });

  it('pins a router’s TLS certificate: trusts the presented one, removes the pin, and pins a pasted fingerprint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uplink-e2e-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=router', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'cert.pem')], { encoding: 'utf8' }).trim().split('=')[1]!;
    const tlsSim = await startRouterSimulator({ host: loopbackAddress(), username: API_USER, password: API_PASSWORD, tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') } });
    tlsSim.model.identity = 'westlands-tls';
    const nas = await server.t.ctx.db
      .insertInto('nas_devices')
      .values({ organization_id: tree.isp.id, name: 'Westlands TLS', type: 'mikrotik', address: tlsSim.host, secret_enc: server.t.ctx.secrets.seal(RADIUS_SECRET), api_kind: 'binary', api_port: tlsSim.binaryPort, api_tls: true, api_username: API_USER, api_password_enc: server.t.ctx.secrets.seal(API_PASSWORD) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pinned = async () => (await server.t.ctx.db.selectFrom('router_tls_pins').select('fingerprint_sha256').where('nas_id', '=', nas.id).executeTakeFirst())?.fingerprint_sha256 ?? null;
    try {
      const { page, close, errors } = await openPage(browser, server.baseUrl, desktop);
      await signInThroughForm(page, email, PASSWORD);
      await page.goto(`/nas/${nas.id}/router`);
      // Unpinned: the self-signed certificate is refused before logging in, and its fingerprint shown.
      await page.getByText('Not connected', { exact: true }).waitFor();
      await page.getByText('Certificate not trusted').waitFor();
      await page.getByTestId('pinned-fingerprint').getByText('Not pinned: a self-signed certificate is refused.').waitFor();
      await page.getByRole('button', { name: 'Trust this certificate' }).click();
      await page.getByText('Connected', { exact: true }).waitFor();
      await page.getByText('westlands-tls', { exact: true }).waitFor();
      await page.getByTestId('pinned-fingerprint').getByText(fingerprint).waitFor();
      await page.screenshot({ path: '/tmp/uplink-router-tls.png', fullPage: true });
      expect(await pinned()).toBe(fingerprint);

      await page.getByRole('button', { name: 'Remove pin' }).click();
      await page.getByText('Not connected', { exact: true }).waitFor();
      expect(await pinned()).toBeNull();

      // A malformed fingerprint is refused on the field; one pasted as 64 hex digits is normalised.
      const input = page.getByRole('textbox', { name: 'SHA-256 fingerprint' });
      await input.fill('AB:CD');
      await page.getByRole('button', { name: 'Pin', exact: true }).click();
      await page.getByText('must be a SHA-256 fingerprint', { exact: false }).first().waitFor();
      await input.fill(fingerprint.replace(/:/g, '').toLowerCase());
      await page.getByRole('button', { name: 'Pin', exact: true }).click();
      await page.getByText('Connected', { exact: true }).waitFor();
      expect(await pinned()).toBe(fingerprint);
      errors.splice(0, errors.length, ...errors.filter((e) => !/status of 400/.test(e)));
      await close();
    } finally {
      await tlsSim.close();
    }
  });

  it('on a phone: every tab of the router page fits the screen', async () => {
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/nas/${nasId}/router`);
    await page.getByText('kilimani-core-renamed', { exact: true }).waitFor();
    const width = () => page.evaluate<number>('document.documentElement.scrollWidth');
    expect(await width()).toBeLessThanOrEqual(phone.width);
    for (const [name, marker] of [
      ['Plans push', 'Preview'],
      ['Subscriber queues', 'Preview queues'],
      ['Active sessions', 'wanjiru.home'],
      ['Backups', 'Back up now'],
      ['Command log', '/export'],
    ] as const) {
      await tab(page, name);
      await page.getByText(marker).first().waitFor();
      expect(await width(), name).toBeLessThanOrEqual(phone.width);
    }
    await tab(page, 'Backups');
    await compareBackups(page);
    await page.getByTestId('backup-diff').getByText('Lines added: 1, removed: 1').waitFor();
    expect(await width()).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: '/tmp/uplink-router-phone.png', fullPage: true });
    await close();
  });
});
