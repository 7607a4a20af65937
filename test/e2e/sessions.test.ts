/**
 * The online sessions page in Chromium, fed by real accounting packets: radclient for the NAS at
 * 127.0.0.1 and a socket bound to 127.0.0.2 for a second NAS (radclient cannot pick its source
 * address, and the server tells NAS apart by it).
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startRadiusRole, type RadiusRole } from '../../src/modules/aaa/radius-role.ts';
import { decodePacket, encodePacket } from '../../src/radius/packet.ts';
import type { AttributeList } from '../../src/radius/contract.ts';
import { PASSWORD, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { networkPlan, subscriptionWithLogin } from '../aaa/support.ts';
import { radclient } from '../radius/support.ts';
import { buildWebApp, desktop, eventually, launchBrowser, openPage, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const SECRET = 'browser-test-secret';
let server: WebServer;
let browser: Browser;
let page: Page;
let role: RadiusRole;
let sub: { id: string; username: string };
let other: { id: string; username: string };
let admin: Api;
let email: string;
let edgeId: string;

const EDGE_SECRET = 'edge-router-secret';

/** One Accounting-Request from 127.0.0.2 (the edge NAS); resolves with the Accounting-Response code. */
async function accountFromEdge(attributes: AttributeList): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.2', port: 0 }, resolve));
  try {
    const reply = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve);
      setTimeout(() => reject(new Error('no Accounting-Response from the server')), 3000);
    });
    const packet = encodePacket({ code: 4, identifier: Math.floor(Math.random() * 256), attributes: [['NAS-IP-Address', '127.0.0.2'], ...attributes], secret: EDGE_SECRET });
    socket.send(packet, role.server.addresses.acct.port, '127.0.0.1');
    return decodePacket(await reply).code;
  } finally {
    socket.close();
  }
}

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  server.t.ctx.config.radius = { host: '127.0.0.1', authPort: 0, acctPort: 0 };
  const tree = await seedTree(server.t.ctx);
  const user = await seedUser(server.t.ctx, tree.isp, 'admin');
  email = user.email;
  admin = await sessionFor(server.t, user);
  const nas = await admin.post('/api/nas', { organizationId: tree.isp.id, name: 'core-router', type: 'mikrotik', address: '127.0.0.1', secret: SECRET });
  expect(nas.statusCode, nas.body).toBe(201);
  const edge = await admin.post('/api/nas', { organizationId: tree.isp.id, name: 'edge-router', type: 'cisco', address: '127.0.0.2', secret: EDGE_SECRET });
  expect(edge.statusCode, edge.body).toBe(201);
  edgeId = json<{ id: string }>(edge).id;
  const plan = await networkPlan(admin, tree.resellerA);
  sub = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
  other = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
  role = await startRadiusRole(server.t.ctx);
  browser = await launchBrowser();
  page = (await openPage(browser, server.baseUrl, desktop)).page;
  await signInThroughForm(page, user.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await role?.stop();
});

describe('online sessions page', () => {
  it('shows a session an Accounting-Start created, with its counters, and queues a disconnect from the button', async () => {
    const start = await radclient(
      role.server.addresses.acct.port,
      'acct',
      [`User-Name = "${sub.username}"`, 'Acct-Session-Id = "web-0001"', 'NAS-IP-Address = 127.0.0.1', 'Framed-IP-Address = 100.64.7.7', 'Acct-Status-Type = Start'],
      [],
      SECRET,
    );
    expect(start.stdout).toContain('Accounting-Response');
    await radclient(
      role.server.addresses.acct.port,
      'acct',
      [`User-Name = "${sub.username}"`, 'Acct-Session-Id = "web-0001"', 'NAS-IP-Address = 127.0.0.1', 'Acct-Status-Type = Interim-Update', 'Acct-Session-Time = 65', 'Acct-Output-Octets = 1500000', 'Acct-Output-Gigawords = 1'],
      [],
      SECRET,
    );
    await page.getByRole('link', { name: 'Online sessions' }).click();
    const row = page.locator('tr[data-session="web-0001"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(sub.username);
    expect(await row.textContent()).toContain('100.64.7.7');
    // 2^32 + 1,500,000 bytes downloaded: 4.3 GB.
    expect(await row.textContent()).toContain('4.3 GB');
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog', { name: 'Disconnect this session?' }).getByRole('button', { name: 'Disconnect' }).click();
    await page.getByText('Disconnect request queued').waitFor();
    const queued = await server.t.ctx.db.selectFrom('enforcement_requests').select(['kind', 'reason', 'acct_session_id']).where('subscription_id', '=', sub.id).execute();
    expect(queued).toEqual([{ kind: 'disconnect', reason: 'manual', acct_session_id: 'web-0001' }]);
  });

  it('filters by NAS (kept in the address), and refreshes the counters every 30 s and from the button', async () => {
    const core = await radclient(
      role.server.addresses.acct.port,
      'acct',
      [`User-Name = "${sub.username}"`, 'Acct-Session-Id = "core-0002"', 'NAS-IP-Address = 127.0.0.1', 'Framed-IP-Address = 100.64.7.8', 'Acct-Status-Type = Start'],
      [],
      SECRET,
    );
    expect(core.stdout).toContain('Accounting-Response');
    expect(await accountFromEdge([['User-Name', other.username], ['Acct-Session-Id', 'edge-0001'], ['Framed-IP-Address', '100.64.9.9'], ['Acct-Status-Type', 1]])).toBe(5);

    // A page whose timers the test controls, so "every 30 s" is checked without waiting 30 s.
    const context = await browser.newContext({ baseURL: server.baseUrl, viewport: desktop, locale: 'en-US' });
    const own = await context.newPage();
    own.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    own.on('pageerror', (err) => pageErrors.push(err.message));
    own.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()));
    await own.clock.install();
    await signInThroughForm(own, email, PASSWORD);
    await own.goto('/sessions');
    const edgeRow = own.locator('tr[data-session="edge-0001"]');
    const coreRow = own.locator('tr[data-session="core-0002"]');
    await edgeRow.waitFor();
    await coreRow.waitFor();
    expect(await edgeRow.textContent()).toContain('edge-router');

    await own.getByRole('combobox', { name: 'NAS' }).click();
    await own.getByRole('option', { name: 'edge-router' }).click();
    await coreRow.waitFor({ state: 'detached' });
    await edgeRow.waitFor();
    expect(new URL(own.url()).searchParams.get('nasId')).toBe(edgeId);
    expect(await own.locator('tr[data-session]').count()).toBe(1);
    // Reloaded with the filter in the address: the same single row.
    await own.reload();
    await edgeRow.waitFor();
    await expect.poll(() => own.locator('tr[data-session]').count(), eventually).toBe(1);
    expect(await own.getByRole('combobox', { name: 'NAS' }).inputValue()).toBe('edge-router');

    // An interim update moves the counters; 30 s later the page shows them without a click.
    expect(await accountFromEdge([['User-Name', other.username], ['Acct-Session-Id', 'edge-0001'], ['Acct-Status-Type', 3], ['Acct-Session-Time', 600], ['Acct-Output-Octets', 2_500_000], ['Acct-Input-Octets', 700_000]])).toBe(5);
    await own.clock.runFor(5_000);
    expect(await edgeRow.textContent()).not.toContain('2.5 MB');
    await own.clock.runFor(26_000);
    await expect.poll(() => edgeRow.textContent(), eventually).toContain('2.5 MB');
    expect(await edgeRow.textContent()).toContain('700 kB');

    // The Refresh button does not wait for the timer.
    expect(await accountFromEdge([['User-Name', other.username], ['Acct-Session-Id', 'edge-0001'], ['Acct-Status-Type', 3], ['Acct-Session-Time', 660], ['Acct-Output-Octets', 9_100_000], ['Acct-Input-Octets', 700_000]])).toBe(5);
    await own.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => edgeRow.textContent(), eventually).toContain('9.1 MB');

    // Cleared: every NAS again.
    await own.getByRole('button', { name: 'Show every NAS' }).click();
    await coreRow.waitFor();
    expect(new URL(own.url()).searchParams.get('nasId')).toBeNull();
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
