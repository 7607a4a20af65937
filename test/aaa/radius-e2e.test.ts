/**
 * End to end through real RADIUS packets: a NAS and a subscription made through the API, Debian's
 * radtest (PAP) and radclient (accounting) against the running server of the radius role.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rollUpRecentUsage } from '../../src/modules/aaa/aaa.jobs.ts';
import { sendDueEnforcements } from '../../src/modules/aaa/enforcement.ts';
import { createChangeSender } from '../../src/radius/index.ts';
import { startNasListener } from '../radius/nas-listener.ts';
import { startRadiusRole } from '../../src/modules/aaa/radius-role.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { radclient, run } from '../radius/support.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { networkPlan, subscriptionWithLogin } from './support.ts';

const SECRET = 'e2e-shared-secret';

describe('radius role end to end (radtest, radclient)', async () => {
  const t = await createTestContext({ config: { radius: { host: '127.0.0.1', authPort: 0, acctPort: 0 } } });
  const tree = await seedTree(t.ctx);
  const adminUser = await seedUser(t.ctx, tree.isp, 'admin');
  const admin = await sessionFor(t, adminUser);
  const nas = await admin.post('/api/nas', { organizationId: tree.isp.id, name: 'core-1', type: 'mikrotik', address: '127.0.0.1', secret: SECRET });
  expect(nas.statusCode, nas.body).toBe(201);
  const plan = await networkPlan(admin, tree.resellerA);
  const sub = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
  const role = await startRadiusRole(t.ctx);
  afterAll(() => role.stop());
  const authPort = role.server.addresses.auth.port;
  const acctPort = role.server.addresses.acct.port;
  const radtest = (user: string, password: string) => run('radtest', ['-x', user, password, `127.0.0.1:${authPort}`, '0', SECRET]);

  it('PAP with radtest: Access-Accept with the plan rate as Mikrotik-Rate-Limit (upload first)', async () => {
    const r = await radtest(sub.username, sub.password);
    expect(r.stdout).toContain('Access-Accept');
    expect(r.stdout).toMatch(/Mikrotik-Rate-Limit = "2048k\/10240k 0\/20480k 0\/7680k 0\/16"/);
    expect(r.stdout).toMatch(/Framed-Pool = "pppoe-pool"/);
    const wrong = await radtest(sub.username, 'not-the-password');
    expect(wrong.stdout).toContain('Access-Reject');
  });

  it('accounting start, interim and stop with gigawords: one radacct row with folded octets, then usage', async () => {
    const base = [`User-Name = "${sub.username}"`, 'Acct-Session-Id = "e2e-0001"', 'NAS-IP-Address = 127.0.0.1', 'Framed-IP-Address = 100.64.1.9'];
    const send = (lines: string[]) => radclient(acctPort, 'acct', [...base, ...lines], [], SECRET);
    expect((await send(['Acct-Status-Type = Start'])).stdout).toContain('Accounting-Response');
    expect((await send(['Acct-Status-Type = Interim-Update', 'Acct-Session-Time = 300', 'Acct-Input-Octets = 1000', 'Acct-Input-Gigawords = 1', 'Acct-Output-Octets = 2000', 'Acct-Output-Gigawords = 2'])).stdout).toContain('Accounting-Response');
    const stop = await send(['Acct-Status-Type = Stop', 'Acct-Session-Time = 600', 'Acct-Input-Octets = 5000', 'Acct-Input-Gigawords = 1', 'Acct-Output-Octets = 7000', 'Acct-Output-Gigawords = 3', 'Acct-Terminate-Cause = User-Request']);
    expect(stop.stdout).toContain('Accounting-Response');
    // The answer came after the commit: the row is there now.
    const rows = await t.ctx.db.selectFrom('radacct').selectAll().where('acctsessionid', '=', 'e2e-0001').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subscription_id: sub.id, acctinputoctets: 4294972296n, acctoutputoctets: 12884908888n, acctsessiontime: 600n, framedipaddress: '100.64.1.9' });
    expect(rows[0]!.acctstoptime).not.toBeNull();
    await rollUpRecentUsage(t.ctx);
    const usage = json(await admin.get(`/api/subscriptions/${sub.id}/usage?unit=GB`));
    expect(usage.items.map((u: { quantity: string; source: string }) => [u.quantity, u.source])).toEqual([['17.179881184', 'radius']]);
  });

  it('a time allowance: radtest while a session is open gets the time left now (the session’s last update and the time since)', async () => {
    t.clock.set('2026-03-10T09:00:00Z');
    const api = await sessionFor(t, adminUser);
    const plan = (await createPlan(api, { organizationId: tree.resellerA.id, billingModel: 'postpaid' }, {
      billing: { cycle: 'monthly', alignment: 'calendar', graceDays: 0 },
      network: { download: { rateKbps: 10240, burst: null }, upload: { rateKbps: 2048, burst: null }, dataQuotaBytes: null, timeQuotaSeconds: 3600, throttle: null, ipPool: null, addressList: null },
    })) as { id: string };
    const line = await subscriptionWithLogin(api, tree.resellerA, plan.id, { simultaneousUse: 2 });
    const base = [`User-Name = "${line.username}"`, 'Acct-Session-Id = "e2e-time-1"', 'NAS-IP-Address = 127.0.0.1'];
    const send = (lines: string[]) => radclient(acctPort, 'acct', [...base, ...lines], [], SECRET);
    expect((await send(['Acct-Status-Type = Start'])).stdout).toContain('Accounting-Response');
    t.clock.set('2026-03-10T09:10:00Z');
    expect((await send(['Acct-Status-Type = Interim-Update', 'Acct-Session-Time = 600'])).stdout).toContain('Accounting-Response');
    // 09:15, no roll-up has run: 600 s reported + 300 s since the update, of 3600.
    t.clock.set('2026-03-10T09:15:00Z');
    const r = await radtest(line.username, line.password);
    expect(r.stdout).toContain('Access-Accept');
    expect(r.stdout).toMatch(/Session-Timeout = 2700\b/);
    // 10:00, the last update at 09:40: the open session has used the hour up; the next login is refused.
    t.clock.set('2026-03-10T09:40:00Z');
    expect((await send(['Acct-Status-Type = Interim-Update', 'Acct-Session-Time = 2400'])).stdout).toContain('Accounting-Response');
    t.clock.set('2026-03-10T10:00:00Z');
    const late = await radtest(line.username, line.password);
    expect(late.stdout).toContain('Access-Reject');
    expect(late.stdout).toContain('Your time allowance for this period is used up');
    expect((await send(['Acct-Status-Type = Stop', 'Acct-Session-Time = 3600'])).stdout).toContain('Accounting-Response');
  });

  it('suspending through the API: the next radtest is rejected at once, and an open session gets a Disconnect-Request queued', async () => {
    await radclient(acctPort, 'acct', [`User-Name = "${sub.username}"`, 'Acct-Session-Id = "e2e-0002"', 'NAS-IP-Address = 127.0.0.1', 'Acct-Status-Type = Start'], [], SECRET);
    const res = await admin.post(`/api/subscriptions/${sub.id}/suspend`, { reason: 'unpaid' });
    expect(res.statusCode, res.body).toBe(200);
    const r = await radtest(sub.username, sub.password);
    expect(r.stdout).toContain('Access-Reject');
    expect(r.stdout).toContain('Your service is suspended');
    const log = json(await admin.get(`/api/subscriptions/${sub.id}/enforcement`));
    expect(log.items.map((e: { kind: string; reason: string; acctSessionId: string }) => [e.kind, e.reason, e.acctSessionId])).toEqual([['disconnect', 'suspended', 'e2e-0002']]);
    const online = json(await admin.get('/api/sessions'));
    expect(online.items.map((s: { acctSessionId: string }) => s.acctSessionId)).toContain('e2e-0002');
  });

  it('the worker sends the queued Disconnect-Request to the NAS (a test listener) and records its ACK', async () => {
    const listener = await startNasListener(SECRET, { kind: 'ack' });
    const sender = createChangeSender({ timeoutMs: 500, retries: 1 });
    try {
      await t.ctx.db.updateTable('nas_devices').set({ coa_port: listener.port }).where('name', '=', 'core-1').execute();
      expect(await sendDueEnforcements(t.ctx, sender)).toBe(1);
      expect(listener.received).toHaveLength(1);
      const got = listener.received[0]!;
      expect(got.authentic).toBe(true);
      expect(got.packet.attributes.filter(([n]) => n === 'User-Name' || n === 'Acct-Session-Id')).toEqual([
        ['User-Name', sub.username],
        ['Acct-Session-Id', 'e2e-0002'],
      ]);
      const log = json(await admin.get(`/api/subscriptions/${sub.id}/enforcement`));
      expect(log.items.map((e: { status: string; attempts: number }) => [e.status, e.attempts])).toEqual([['ack', 1]]);
    } finally {
      await sender.close();
      await listener.close();
    }
  });
});
