import type { KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AaaAccounting } from '../../src/modules/aaa/accounting.ts';
import { listenForChanges } from '../../src/modules/aaa/decision-cache.ts';
import { AaaPolicy } from '../../src/modules/aaa/policy.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { accessRequest, accounting, networkPlan, seedNas, subscriptionWithLogin } from './support.ts';

const attr = (reply: readonly (readonly [string, unknown])[] | undefined, name: string) => (reply ?? []).filter(([n]) => n === name).map(([, v]) => v);

describe('AAA authorization from billing state', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const plan = await networkPlan(admin, tree.resellerA);
  const nas = await seedNas(t, tree.resellerA, 'mikrotik');
  const policy = new AaaPolicy(t.ctx);
  const stopListening = await listenForChanges({ ...t.ctx, config: { ...t.ctx.config, databaseUrl: t.database.url } }, policy.cache);
  const sink = new AaaAccounting(t.ctx);

  it('accepts an active subscription with its password and the plan profile in MikroTik terms', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    const d = await policy.authorize(accessRequest(nas, s.username.toUpperCase()));
    expect(d).toMatchObject({ kind: 'accept', password: s.password });
    if (d.kind !== 'accept') return;
    expect(attr(d.reply, 'Mikrotik-Rate-Limit')).toEqual(['2048k/10240k 0/20480k 0/7680k 0/16']);
    expect(attr(d.reply, 'Framed-Pool')).toEqual(['pppoe-pool']);
    expect(attr(d.reply, 'Mikrotik-Address-List')).toEqual(['customers']);
    expect(attr(d.reply, 'Acct-Interim-Interval')).toEqual([300]);
  });

  it('answers in the NAS vendor dialect: Huawei rates in bit/s', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    const huawei = await seedNas(t, tree.isp, 'huawei');
    const d = await policy.authorize(accessRequest(huawei, s.username));
    expect(d.kind).toBe('accept');
    expect(attr(d.reply, 'Huawei-Output-Average-Rate')).toEqual([10240000]);
    expect(attr(d.reply, 'Huawei-Output-Peak-Rate')).toEqual([20480000]);
    expect(attr(d.reply, 'Huawei-Input-Average-Rate')).toEqual([2048000]);
  });

  it('rejects unknown users, and a NAS of another branch of the tree', async () => {
    expect(await policy.authorize(accessRequest(nas, 'nobody-here'))).toMatchObject({ kind: 'reject', reason: 'unknown_user' });
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    const foreignNas = await seedNas(t, tree.resellerB);
    expect(await policy.authorize(accessRequest(foreignNas, s.username))).toMatchObject({ kind: 'reject', reason: 'nas_not_allowed' });
  });

  it('suspending through the API rejects the very next request, though the decision was cached', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await new Promise((r) => setTimeout(r, 50)); // notices of the subscription's creation arrive first
    expect((await policy.authorize(accessRequest(nas, s.username))).kind).toBe('accept');
    expect(policy.cache.size).toBeGreaterThan(0);
    const res = await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'unpaid' });
    expect(res.statusCode, res.body).toBe(200);
    await new Promise((r) => setTimeout(r, 50)); // the NOTIFY is delivered after commit
    expect(await policy.authorize(accessRequest(nas, s.username))).toMatchObject({ kind: 'reject', reason: 'suspended' });
    const resumed = await admin.post(`/api/subscriptions/${s.id}/resume`, {});
    expect(resumed.statusCode, resumed.body).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect((await policy.authorize(accessRequest(nas, s.username))).kind).toBe('accept');
  });

  it('the captive choice set through the API on the ISP reaches a reseller’s suspended line; a plan may override it', async () => {
    const bad = await admin.put('/api/aaa/settings', { organizationId: tree.isp.id, blockedAction: 'captive' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('walled garden needs a pool or an address list');
    const set = await admin.put('/api/aaa/settings', { organizationId: tree.isp.id, blockedAction: 'captive', blockedPool: 'expired', blockedAddressList: 'unpaid', captiveMessage: 'Pay with M-PESA to reconnect' });
    expect(set.statusCode, set.body).toBe(200);
    const inherited = await admin.get(`/api/aaa/settings?organizationId=${tree.resellerA.id}`);
    expect(JSON.parse(inherited.body)).toMatchObject({ organizationId: tree.resellerA.id, inheritedFrom: tree.isp.id, blockedAction: 'captive' });
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'unpaid' });
    await new Promise((r) => setTimeout(r, 50));
    const d = await policy.authorize(accessRequest(nas, s.username));
    expect(d.kind).toBe('accept');
    expect(attr(d.reply, 'Framed-Pool')).toEqual(['expired']);
    expect(attr(d.reply, 'Mikrotik-Address-List')).toEqual(['unpaid']);
    expect(attr(d.reply, 'Reply-Message')).toEqual(['Pay with M-PESA to reconnect']);
    expect(attr(d.reply, 'Mikrotik-Rate-Limit')).toEqual([]);
    const override = await admin.put(`/api/plans/${plan.id}/aaa-settings`, { blockedAction: 'reject' });
    expect(override.statusCode, override.body).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(await policy.authorize(accessRequest(nas, s.username))).toMatchObject({ kind: 'reject', reason: 'suspended' });
    await admin.put(`/api/plans/${plan.id}/aaa-settings`, { blockedAction: null });
    await admin.put('/api/aaa/settings', { organizationId: tree.isp.id, blockedAction: 'reject' });
  });

  it('binds a line to its MAC (any written form of the Calling-Station-Id)', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id, { macAddress: '00:1a:2b:3c:4d:5e' });
    expect((await policy.authorize(accessRequest(nas, s.username, [['Calling-Station-Id', '00-1A-2B-3C-4D-5E']]))).kind).toBe('accept');
    expect(await policy.authorize(accessRequest(nas, s.username, [['Calling-Station-Id', '00:1A:2B:3C:4D:5F']]))).toMatchObject({ kind: 'reject', reason: 'mac_mismatch' });
  });

  it('counts open sessions for the simultaneous-use limit', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(nas, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': 'sim-1', 'NAS-IP-Address': nas.address }));
    expect(await policy.authorize(accessRequest(nas, s.username))).toMatchObject({ kind: 'reject', reason: 'simultaneous_use' });
    await sink.record(accounting(nas, t.clock.now(), { 'Acct-Status-Type': 2, 'User-Name': s.username, 'Acct-Session-Id': 'sim-1', 'NAS-IP-Address': nas.address, 'Acct-Session-Time': 5 }));
    expect((await policy.authorize(accessRequest(nas, s.username))).kind).toBe('accept');
  });

  it('answers a burst of requests with one lookup of the subscriptions and one count of open sessions', async () => {
    const queries: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const burst = new AaaPolicy({ ...t.ctx, db: t.ctx.db.withPlugin(counting) });
    const warm = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    expect((await burst.authorize(accessRequest(nas, warm.username))).kind).toBe('accept'); // the organizations' settings are cached from here on
    const [a, b, busy] = [
      await subscriptionWithLogin(admin, tree.resellerA, plan.id),
      await subscriptionWithLogin(admin, tree.resellerA, plan.id),
      await subscriptionWithLogin(admin, tree.resellerA, plan.id),
    ];
    await sink.record(accounting(nas, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': busy.username, 'Acct-Session-Id': 'burst-1', 'NAS-IP-Address': nas.address }));
    queries.length = 0;
    const answers = await Promise.all([
      burst.authorize(accessRequest(nas, a.username.toUpperCase())),
      burst.authorize(accessRequest(nas, 'nobody-in-the-burst')),
      burst.authorize(accessRequest(nas, b.username)),
      burst.authorize(accessRequest(nas, busy.username)),
      burst.authorize(accessRequest(nas, a.username)),
    ]);
    expect(answers.map((d) => (d.kind === 'accept' ? d.password : d.reason))).toEqual([a.password, 'unknown_user', b.password, 'simultaneous_use', a.password]);
    // One at a time, that was five lookups and four counts.
    expect(queries).toEqual(['SelectQueryNode', 'SelectQueryNode']);
  });

  it('logs each outcome to radpostauth without the password', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    const request = accessRequest(nas, s.username);
    policy.recorded({ request, accepted: true, reason: 'active', at: t.clock.now() });
    policy.recorded({ request: accessRequest(nas, 'ghost'), accepted: false, reason: 'unknown_user', at: t.clock.now() });
    await policy.drain();
    const rows = await t.ctx.db.selectFrom('radpostauth').selectAll().where('username', 'in', [s.username, 'ghost']).orderBy('id').execute();
    expect(rows.map((r) => [r.username, r.reply, r.pass, r.nas_id])).toEqual([
      [s.username, 'Access-Accept', '', nas.id],
      ['ghost', 'Access-Reject', '', nas.id],
    ]);
  });

  it('stops', async () => {
    await stopListening();
  });
});
