/**
 * The network pages in Chromium: a NAS added through the form, listed with its status, its detail
 * page and a secret rotation (the stored secret never reaches the page), an IP pool with a subnet
 * whose utilization follows an address assigned through the API, and the NAS list on a phone;
 * a NAS edited through its form (the API's refusals shown on the fields, the API password
 * write-only), and a pool's reserved ranges, address assignment and release, and subnet removal;
 * a pool edited and deleted (refused while an address is assigned).
 */
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, PASSWORD, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { createSubscriber, seedSubscription } from '../usage/fixtures.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, phone, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const SECRET = 'kilimani-radius-42';
let server: WebServer;
let browser: Browser;
let email: string;
let api: Api;
let subscription: { id: string; username: string | null };
let tree: Awaited<ReturnType<typeof seedTree>>;

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  tree = await seedTree(server.t.ctx);
  const admin = await seedUser(server.t.ctx, tree.isp, 'admin');
  email = admin.email;
  api = await sessionFor(server.t, admin);
  subscription = await seedSubscription(server.t.ctx, api, tree.isp, { username: 'wanjiru.home' });
  browser = await launchBrowser();
}, 180_000);

/**
 * Takes the browser's log lines for requests the API refused (the test provoked them) out of the
 * page's errors, answering "status resource" for each, so close() still fails on anything else.
 */
function takeRefusals(errors: string[]): string[] {
  const refused = errors.filter((e) => /responded with a status of 4\d\d/.test(e));
  errors.splice(0, errors.length, ...errors.filter((e) => !refused.includes(e)));
  return refused.map((e) => {
    const m = /status of (\d+) .*\/api\/([a-z-]+)\/[^/)]+(?:\/([a-z-]+))?\)/.exec(e);
    return m ? [m[1], m[2], m[3]].filter(Boolean).join(' ') : e;
  });
}

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

  it('edits a NAS through its form: refusals on the fields, the BlastRADIUS warning, a write-only API password, deactivate and reactivate', async () => {
    const created = await api.post('/api/nas', { name: 'Parklands edge', type: 'mikrotik', address: '10.20.40.1', secret: 'parklands-secret-1' });
    expect(created.statusCode, created.body).toBe(201);
    const id = json<{ id: string }>(created).id;
    expect((await api.post('/api/nas', { name: 'Karen edge', type: 'cisco', address: '10.20.40.2', secret: 'karen-secret-12' })).statusCode).toBe(201);

    const { page, close, errors } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/nas/${id}`);
    await page.getByRole('heading', { name: 'Parklands edge' }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('dialog', { name: 'Edit Parklands edge' });
    expect(await form.getByRole('textbox', { name: 'Source address' }).inputValue()).toBe('10.20.40.1');
    // The shared secret is not edited here (rotation replaces it): no field for it.
    expect(await form.getByLabel('RADIUS shared secret').count()).toBe(0);

    // Another NAS's address: the API's 409 lands on the field, and nothing is changed.
    await form.getByRole('textbox', { name: 'Source address' }).fill('10.20.40.2');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('is taken').waitFor();
    await form.getByRole('alert').getByText('The address 10.20.40.2 is already used by the NAS Karen edge').waitFor();
    expect((await nasRow('Parklands edge')).address).toBe('10.20.40.1');

    // Half a position is caught before it is sent.
    await form.getByRole('textbox', { name: 'Source address' }).fill('10.20.40.9');
    await form.getByRole('textbox', { name: 'Latitude (degrees)' }).fill('-1.2634');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Enter both latitude and longitude, or neither').waitFor();

    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Parklands aggregation');
    await form.getByRole('textbox', { name: 'Longitude (degrees)' }).fill('36.8135');
    await form.getByRole('textbox', { name: 'Location' }).fill('Parklands POP, 3rd Avenue');
    await form.getByRole('textbox', { name: 'Description' }).fill('Feeds the Westlands towers');
    await form.getByRole('textbox', { name: 'CoA port' }).fill('1700');
    await form.getByRole('combobox', { name: 'Management API' }).click();
    await page.getByRole('option', { name: 'REST API (RouterOS 7)' }).click();
    await form.getByRole('textbox', { name: 'API user' }).fill('uplink');
    await form.getByLabel('API password').fill('routeros-pass-1');
    await form.getByRole('switch', { name: 'Require Message-Authenticator' }).uncheck({ force: true });
    await form.getByText(/open to the BlastRADIUS attack/).waitFor();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });

    await page.getByRole('heading', { name: 'Parklands aggregation' }).waitFor();
    await page.getByText('Parklands POP, 3rd Avenue').waitFor();
    await page.getByText('-1.2634, 36.8135').waitFor();
    await page.getByText('Feeds the Westlands towers').waitFor();
    await page.getByText('Not required', { exact: true }).waitFor();
    await page.getByText(/open to the BlastRADIUS attack/).waitFor();
    const stored = await nasRow('Parklands aggregation');
    expect([stored.address, stored.coa_port, stored.location, Number(stored.latitude), Number(stored.longitude), stored.description, stored.require_message_authenticator, stored.api_kind, stored.api_username]).toEqual([
      '10.20.40.9', 1700, 'Parklands POP, 3rd Avenue', -1.2634, 36.8135, 'Feeds the Westlands towers', false, 'rest', 'uplink',
    ]);
    expect(server.t.ctx.secrets.open(stored.api_password_enc!)).toBe('routeros-pass-1');
    expect(await page.content()).not.toContain('routeros-pass-1');

    // Edited again with the password left empty: the stored one is kept.
    await page.getByRole('button', { name: 'Edit' }).click();
    const again = page.getByRole('dialog', { name: 'Edit Parklands aggregation' });
    expect(await again.getByLabel('API password').inputValue()).toBe('');
    await again.getByText('Leave empty to keep the stored password').waitFor();
    await again.getByRole('switch', { name: 'Require Message-Authenticator' }).check({ force: true });
    await again.getByRole('button', { name: 'Save' }).click();
    await again.waitFor({ state: 'detached' });
    await page.getByText('Required', { exact: true }).waitFor();
    const kept = await nasRow('Parklands aggregation');
    expect(kept.require_message_authenticator).toBe(true);
    expect(server.t.ctx.secrets.open(kept.api_password_enc!)).toBe('routeros-pass-1');

    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Deactivated', { exact: true }).waitFor();
    expect((await nasRow('Parklands aggregation')).active).toBe(false);
    await page.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByText('Deactivated', { exact: true }).waitFor({ state: 'detached' });
    expect((await nasRow('Parklands aggregation')).active).toBe(true);
    expect(takeRefusals(errors)).toEqual(['409 nas']);
    await close();
  });

  it('reserves a range and frees it, assigns the next free and a chosen address to subscriptions found by search, releases one, and deletes a subnet only once it is empty', async () => {
    const created = await api.post('/api/ip-pools', { name: 'pool-westlands', family: 4 });
    expect(created.statusCode, created.body).toBe(201);
    const poolId = json<{ id: string }>(created).id;
    expect((await api.post(`/api/ip-pools/${poolId}/subnets`, { cidr: '100.64.20.0/29', gateway: '100.64.20.1' })).statusCode).toBe(201);
    const amina = await createSubscriber(api, tree.isp, 'Amina Odhiambo');
    const first = await seedSubscription(server.t.ctx, api, tree.isp, { username: 'amina.fibre', subscriberId: amina.id });
    const second = await seedSubscription(server.t.ctx, api, tree.isp, { username: 'kibet.wireless' });
    const staticOf = async (subscriptionId: string) => (await server.t.ctx.db.selectFrom('subscriptions').select('static_ipv4').where('id', '=', subscriptionId).executeTakeFirstOrThrow()).static_ipv4;

    const { page, close, errors } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/ip-pools/${poolId}`);
    await page.getByRole('heading', { name: 'pool-westlands' }).waitFor();
    const subnet = page.locator('[data-subnet="100.64.20.0/29"]');
    await subnet.getByText('0 used, 5 free (0.0%)').waitFor();
    await subnet.getByText('Nothing reserved.').waitFor();

    // .2 to .3 reserved for the printers: two of the five hosts are no longer handed out.
    const reserve = subnet.getByRole('form', { name: 'Reserve addresses in 100.64.20.0/29' });
    await reserve.getByRole('textbox', { name: 'First address' }).fill('100.64.20.2');
    await reserve.getByRole('textbox', { name: 'Last address' }).fill('100.64.20.3');
    await reserve.getByRole('textbox', { name: 'Reason' }).fill('Printers');
    await reserve.getByRole('button', { name: 'Reserve' }).click();
    await subnet.getByText('100.64.20.2 – 100.64.20.3').waitFor();
    await subnet.getByText('0 used, 3 free (0.0%)').waitFor();
    expect(json<{ utilization: { reserved: string } }>(await api.get(`/api/ip-pools/${poolId}`)).utilization.reserved).toBe('3');
    // An address outside the subnet: the API's 400 on the field.
    await reserve.getByRole('textbox', { name: 'First address' }).fill('100.64.21.9');
    await reserve.getByRole('button', { name: 'Reserve' }).click();
    // The last address was left empty, so it is the first one too: both fields carry the message.
    await reserve.getByText('must be an address inside 100.64.20.0/29').first().waitFor();
    expect(await reserve.getByText('must be an address inside 100.64.20.0/29').count()).toBe(2);
    await reserve.getByRole('textbox', { name: 'First address' }).fill('');
    await reserve.getByRole('textbox', { name: 'Last address' }).fill('');
    await reserve.getByRole('textbox', { name: 'Reason' }).fill('');

    // Found by the subscriber's name; the next free address skips the reserved range.
    const assign = page.getByRole('form', { name: 'Assign address' });
    await assign.getByRole('combobox', { name: 'Subscription' }).fill('Amina Odh');
    await page.getByRole('option', { name: /amina\.fibre · Amina Odhiambo/ }).click();
    await assign.getByRole('button', { name: 'Assign address' }).click();
    await page.getByRole('row').filter({ hasText: '100.64.20.4' }).getByText('amina.fibre').waitFor();
    await subnet.getByText('1 used, 2 free (33.3%)').waitFor();
    expect(await staticOf(first.id)).toBe('100.64.20.4');

    // Found by login, with a chosen address: a reserved one is refused on the field, a free one taken.
    await assign.getByRole('combobox', { name: 'Subscription' }).fill('kibet');
    await page.getByRole('option', { name: /kibet\.wireless/ }).click();
    await assign.getByRole('textbox', { name: 'Address' }).fill('100.64.20.3');
    await assign.getByRole('button', { name: 'Assign address' }).click();
    await assign.getByText('is reserved', { exact: true }).waitFor();
    await assign.getByRole('alert').getByText('100.64.20.3 is reserved in the pool pool-westlands').waitFor();
    expect(await staticOf(second.id)).toBeNull();
    await assign.getByRole('textbox', { name: 'Address' }).fill('100.64.20.6');
    await assign.getByRole('button', { name: 'Assign address' }).click();
    await page.getByRole('row').filter({ hasText: '100.64.20.6' }).getByText('kibet.wireless').waitFor();
    await subnet.getByText('2 used, 1 free (66.7%)').waitFor();
    expect(await staticOf(second.id)).toBe('100.64.20.6');

    // The subnet has addresses assigned: the API refuses and says why.
    await subnet.getByRole('button', { name: 'Delete subnet 100.64.20.0/29' }).click();
    const refuse = page.getByRole('dialog', { name: 'Delete the subnet 100.64.20.0/29?' });
    await refuse.getByRole('button', { name: 'Delete' }).click();
    await refuse.getByText('The subnet 100.64.20.0/29 has 2 address(es) assigned: release them first').waitFor();
    await refuse.getByRole('button', { name: 'Cancel' }).click();

    for (const [address, user] of [['100.64.20.4', 'amina.fibre'], ['100.64.20.6', 'kibet.wireless']] as const) {
      await page.getByRole('row').filter({ hasText: address }).getByRole('button', { name: 'Release' }).click();
      const release = page.getByRole('dialog', { name: `Release ${address}?` });
      await release.getByText(user).waitFor();
      await release.getByRole('button', { name: 'Release' }).click();
      await page.getByRole('row').filter({ hasText: address }).waitFor({ state: 'detached' });
    }
    await subnet.getByText('0 used, 3 free (0.0%)').waitFor();
    expect([await staticOf(first.id), await staticOf(second.id)]).toEqual([null, null]);

    await subnet.getByRole('button', { name: 'Remove reservation 100.64.20.2 – 100.64.20.3' }).click();
    await subnet.getByText('0 used, 5 free (0.0%)').waitFor();
    await subnet.getByText('Nothing reserved.').waitFor();

    await subnet.getByRole('button', { name: 'Delete subnet 100.64.20.0/29' }).click();
    await page.getByRole('dialog', { name: 'Delete the subnet 100.64.20.0/29?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No subnet yet.').waitFor();
    await expect.poll(async () => (await server.t.ctx.db.selectFrom('ip_subnets').select('id').where('pool_id', '=', poolId).execute()).length, eventually).toBe(0);
    expect(takeRefusals(errors)).toEqual(['400 ip-subnets reservations', '409 ip-pools assignments', '409 ip-subnets']);
    await close();
  });

  it('edits a pool (name, NAS, description), refuses to delete it while an address is assigned, then deletes it', async () => {
    const created = await api.post('/api/ip-pools', { name: 'pool-karen', family: 4 });
    const poolId = json<{ id: string }>(created).id;
    expect((await api.post(`/api/ip-pools/${poolId}/subnets`, { cidr: '100.64.40.0/29' })).statusCode).toBe(201);
    const nas = await api.post('/api/nas', { name: 'Karen static edge', type: 'mikrotik', address: '10.20.47.1', secret: 'karen-radius-secret-1' });
    expect(nas.statusCode, nas.body).toBe(201);
    const holder = await seedSubscription(server.t.ctx, api, tree.isp, { username: 'otieno.karen' });
    const assigned = await api.post(`/api/ip-pools/${poolId}/assignments`, { subscriptionId: holder.id });
    expect(assigned.statusCode, assigned.body).toBe(201);
    const poolRow = () => server.t.ctx.db.selectFrom('ip_pools').selectAll().where('id', '=', poolId).executeTakeFirst();

    const { page, close, errors } = await openPage(browser, server.baseUrl, desktop);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/ip-pools/${poolId}`);
    await page.getByRole('heading', { name: 'pool-karen' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'Edit pool pool-karen' });
    // A name the API refuses is shown on the field; nothing is saved.
    await form.getByRole('textbox', { name: 'Pool name' }).fill('karen pool!');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').waitFor();
    expect((await poolRow())?.name).toBe('pool-karen');
    await form.getByRole('textbox', { name: 'Pool name' }).fill('pool-karen-static');
    await form.getByRole('combobox', { name: 'NAS' }).click();
    await page.getByRole('option', { name: 'Karen static edge (10.20.47.1)' }).click();
    await form.getByRole('textbox', { name: 'Description' }).fill('Static addresses of Karen');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'pool-karen-static' }).waitFor();
    expect(await poolRow()).toMatchObject({ name: 'pool-karen-static', nas_id: json<{ id: string }>(nas).id, description: 'Static addresses of Karen' });

    // An address is assigned: the dialog says so, and the API's refusal is shown when tried anyway.
    await page.getByRole('button', { name: 'Delete pool' }).click();
    const refuse = page.getByRole('dialog', { name: 'Delete the pool pool-karen-static?' });
    await refuse.getByText('1 address(es) of this pool are assigned. A pool with assigned addresses cannot be deleted: release them first.').waitFor();
    await refuse.getByRole('button', { name: 'Delete pool' }).click();
    await refuse.getByRole('alert').getByText('The pool pool-karen-static has 1 address(es) assigned: release them first').waitFor();
    await refuse.getByRole('button', { name: 'Cancel' }).click();
    expect(await poolRow()).toBeDefined();

    await page.getByRole('row').filter({ hasText: '100.64.40.1' }).getByRole('button', { name: 'Release' }).click();
    await page.getByRole('dialog', { name: 'Release 100.64.40.1?' }).getByRole('button', { name: 'Release' }).click();
    await page.getByText('No address assigned.').waitFor();
    await page.getByRole('button', { name: 'Delete pool' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the pool pool-karen-static?' });
    await confirm.getByText('The pool, its subnets and reserved ranges are removed.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Delete pool' }).click();
    await page.getByRole('heading', { name: 'IP pools' }).waitFor();
    await expect.poll(poolRow, eventually).toBeUndefined();
    expect(takeRefusals(errors)).toEqual(['400 ip-pools', '409 ip-pools']);
    await close();
  });

  it('on a phone: the pool page with its reservation and assignment forms fits the screen', async () => {
    const created = await api.post('/api/ip-pools', { name: 'pool-phone', family: 4 });
    const poolId = json<{ id: string }>(created).id;
    expect((await api.post(`/api/ip-pools/${poolId}/subnets`, { cidr: '100.64.30.0/28' })).statusCode).toBe(201);
    const { page, close } = await openPage(browser, server.baseUrl, phone);
    await signInThroughForm(page, email, PASSWORD);
    await page.goto(`/ip-pools/${poolId}`);
    await page.getByRole('form', { name: 'Assign address' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
    await close();
  });
});
