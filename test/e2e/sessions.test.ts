import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startRadiusRole, type RadiusRole } from '../../src/modules/aaa/radius-role.ts';
import { PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { networkPlan, subscriptionWithLogin } from '../aaa/support.ts';
import { radclient } from '../radius/support.ts';
import { buildWebApp, desktop, launchBrowser, openPage, signInThroughForm, startWebServer, type WebServer } from './support/browser.ts';

const SECRET = 'browser-test-secret';
let server: WebServer;
let browser: Browser;
let page: Page;
let role: RadiusRole;
let sub: { id: string; username: string };

beforeAll(async () => {
  buildWebApp();
  server = await startWebServer();
  server.t.ctx.config.radius = { host: '127.0.0.1', authPort: 0, acctPort: 0 };
  const tree = await seedTree(server.t.ctx);
  const user = await seedUser(server.t.ctx, tree.isp, 'admin');
  const admin = await sessionFor(server.t, user);
  const nas = await admin.post('/api/nas', { organizationId: tree.isp.id, name: 'core-router', type: 'mikrotik', address: '127.0.0.1', secret: SECRET });
  expect(nas.statusCode, nas.body).toBe(201);
  sub = await subscriptionWithLogin(admin, tree.resellerA, (await networkPlan(admin, tree.resellerA)).id);
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
});
