import { describe, expect, it } from 'vitest';
import { AaaAccounting } from '../../src/modules/aaa/accounting.ts';
import { closeStaleSessions } from '../../src/modules/aaa/accounting.repo.ts';
import { MAX_ATTEMPTS, sendDueEnforcements } from '../../src/modules/aaa/enforcement.ts';
import { AaaPolicy } from '../../src/modules/aaa/policy.ts';
import { applyFairUsage } from '../../src/modules/aaa/fair-usage.ts';
import { rollUpUsage } from '../../src/modules/aaa/usage-rollup.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { accessRequest, accounting, networkPlan, ScriptedNas, seedNas, subscriptionWithLogin } from './support.ts';

describe('AAA accounting, usage and enforcement', async () => {
  const t = await createTestContext();
  t.clock.set('2026-03-10T09:00:00Z');
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const plan = await networkPlan(admin, tree.resellerA);
  const nas = await seedNas(t, tree.resellerA, 'mikrotik');
  const sink = new AaaAccounting(t.ctx);
  const session = (id: string) => t.ctx.db.selectFrom('radacct').selectAll().where('acctsessionid', '=', id).execute();
  const at = (iso: string) => new Date(iso);

  it('start, interim (twice: recorded once) and stop with gigawords fold into one row of 64-bit octets', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    const base = { 'User-Name': s.username, 'Acct-Session-Id': 'acct-1', 'NAS-IP-Address': nas.address, 'Framed-IP-Address': '100.64.0.7', 'Calling-Station-Id': '00:1A:2B:3C:4D:5E' };
    await sink.record(accounting(nas, at('2026-03-10T08:00:00Z'), { ...base, 'Acct-Status-Type': 1 }));
    const interim = { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 600, 'Acct-Input-Octets': 5, 'Acct-Input-Gigawords': 1, 'Acct-Output-Octets': 100, 'Acct-Output-Gigawords': 2 };
    await Promise.all([sink.record(accounting(nas, at('2026-03-10T08:10:00Z'), interim)), sink.record(accounting(nas, at('2026-03-10T08:10:00Z'), interim))]);
    let rows = await session('acct-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ acctinputoctets: (1n << 32n) + 5n, acctoutputoctets: (2n << 32n) + 100n, acctstoptime: null, subscription_id: s.id, nas_id: nas.id, organization_id: tree.resellerA.id, framedipaddress: '100.64.0.7' });
    await sink.record(accounting(nas, at('2026-03-10T08:20:00Z'), { ...base, 'Acct-Status-Type': 2, 'Acct-Session-Time': 1200, 'Acct-Input-Octets': 10, 'Acct-Input-Gigawords': 1, 'Acct-Output-Octets': 7, 'Acct-Output-Gigawords': 3, 'Acct-Terminate-Cause': 'User-Request' }));
    rows = await session('acct-1');
    expect(rows[0]).toMatchObject({ acctinputoctets: (1n << 32n) + 10n, acctoutputoctets: (3n << 32n) + 7n, acctsessiontime: 1200n, acctterminatecause: 'User-Request' });
    expect(rows[0]!.acctstoptime).toEqual(at('2026-03-10T08:20:00Z'));
    expect(rows[0]!.acctuniqueid).toMatch(/^[0-9a-f]{32}$/);
  });

  it('300 concurrent records are all stored by the time their promises resolve', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id, { simultaneousUse: 100 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => sink.record(accounting(nas, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': `bulk-${i}`, 'NAS-IP-Address': nas.address }))),
    );
    const n = await t.ctx.db.selectFrom('radacct').select((eb) => eb.fn.countAll<string>().as('n')).where('subscription_id', '=', s.id).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(300);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('Accounting-On closes the NAS’s open sessions; stale sessions close after three silent intervals', async () => {
    const other = await seedNas(t, tree.resellerA);
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id, { simultaneousUse: 5 });
    await sink.record(accounting(other, at('2026-03-10T08:00:00Z'), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': 'reboot-1', 'NAS-IP-Address': other.address }));
    await sink.record(accounting(other, at('2026-03-10T08:30:00Z'), { 'Acct-Status-Type': 7, 'NAS-IP-Address': other.address }));
    expect((await session('reboot-1'))[0]).toMatchObject({ acctterminatecause: 'NAS-Reboot', acctsessiontime: 1800n });
    await sink.record(accounting(nas, at('2026-03-10T08:00:00Z'), { 'Acct-Status-Type': 3, 'User-Name': s.username, 'Acct-Session-Id': 'stale-1', 'NAS-IP-Address': nas.address, 'Acct-Session-Time': 60 }));
    expect(await closeStaleSessions(t.ctx.db, at('2026-03-10T08:14:00Z'))).toBe(0);
    await closeStaleSessions(t.ctx.db, at('2026-03-10T08:16:00Z'));
    expect((await session('stale-1'))[0]).toMatchObject({ acctterminatecause: 'Stale-Session' });
  });

  it('rolls a multi-day session up per local day into GB and minutes, and re-running never counts twice', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    const base = { 'User-Name': s.username, 'Acct-Session-Id': 'days-1', 'NAS-IP-Address': nas.address };
    // The organization's day is Africa/Nairobi (UTC+3) in the seeded tree, or UTC: the test reads it.
    const tz = (await t.ctx.db.selectFrom('organizations').select('timezone').where('id', '=', tree.resellerA.id).executeTakeFirstOrThrow()).timezone;
    expect(tz).toBeTruthy();
    await sink.record(accounting(nas, at('2026-03-11T06:00:00Z'), { ...base, 'Acct-Status-Type': 1 }));
    await sink.record(accounting(nas, at('2026-03-11T12:00:00Z'), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 21600, 'Acct-Input-Octets': 1_000_000_000, 'Acct-Output-Octets': 500_000_000 }));
    await sink.record(accounting(nas, at('2026-03-12T12:00:00Z'), { ...base, 'Acct-Status-Type': 2, 'Acct-Session-Time': 108000, 'Acct-Input-Octets': 0, 'Acct-Input-Gigawords': 1, 'Acct-Output-Octets': 0, 'Acct-Output-Gigawords': 1 }));
    const run = () => rollUpUsage(t.ctx.db, '2026-03-10', '2026-03-13');
    await run();
    const records = () =>
      t.ctx.db.selectFrom('usage_records').select(['unit', 'quantity', 'reference', 'source']).where('subscription_id', '=', s.id).orderBy('reference').execute();
    const first = await records();
    expect(first).toEqual([
      { unit: 'GB', quantity: '1.5', reference: 'radius:2026-03-11:GB', source: 'radius' },
      { unit: 'minutes', quantity: '360', reference: 'radius:2026-03-11:minutes', source: 'radius' },
      { unit: 'GB', quantity: '7.089934592', reference: 'radius:2026-03-12:GB', source: 'radius' },
      { unit: 'minutes', quantity: '1440', reference: 'radius:2026-03-12:minutes', source: 'radius' },
    ]);
    expect(await run()).toBe(0);
    expect(await records()).toEqual(first);
    const totals = await admin.get(`/api/subscriptions/${s.id}/usage/totals?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z`);
    expect(JSON.parse(totals.body).totals).toEqual({ GB: '8.589934592', minutes: '1800' });
  });

  it('fair usage: the quota used up throttles at once and queues a CoA to the throttle rate', async () => {
    const quotaPlan = await networkPlan(admin, tree.resellerA, { quotaBytes: '2000000000' });
    const s = await subscriptionWithLogin(admin, tree.resellerA, quotaPlan.id, { simultaneousUse: 2 });
    const base = { 'User-Name': s.username, 'Acct-Session-Id': 'fup-1', 'NAS-IP-Address': nas.address };
    await sink.record(accounting(nas, at('2026-03-10T08:00:00Z'), { ...base, 'Acct-Status-Type': 1 }));
    await sink.record(accounting(nas, at('2026-03-10T08:30:00Z'), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 1800, 'Acct-Input-Octets': 500_000_000, 'Acct-Output-Octets': 1_600_000_000 }));
    await rollUpUsage(t.ctx.db, '2026-03-09', '2026-03-11');
    expect(await applyFairUsage(t.ctx.db, t.clock.now())).toBeGreaterThanOrEqual(1);
    expect(await applyFairUsage(t.ctx.db, t.clock.now())).toBe(0);
    const queued = await t.ctx.db.selectFrom('enforcement_requests').selectAll().where('subscription_id', '=', s.id).execute();
    expect(queued.map((q) => [q.kind, q.reason, q.acct_session_id])).toEqual([['coa', 'quota_exceeded', 'fup-1']]);
    const policy = new AaaPolicy(t.ctx);
    const d = await policy.authorize(accessRequest(nas, s.username));
    expect(d.reply?.find(([n]) => n === 'Mikrotik-Rate-Limit')?.[1]).toBe('256k/512k');
    const router = new ScriptedNas('ack');
    await sendDueEnforcements(t.ctx, router);
    expect(router.sent).toHaveLength(1);
    expect(router.sent[0]!.attributes).toEqual([
      ['User-Name', s.username],
      ['Acct-Session-Id', 'fup-1'],
      ['Mikrotik-Rate-Limit', '256k/512k'],
      ['Mikrotik-Address-List', 'customers'],
    ]);
    expect((await t.ctx.db.selectFrom('enforcement_requests').select('status').where('subscription_id', '=', s.id).executeTakeFirstOrThrow()).status).toBe('ack');
  });

  it('suspension with an open session queues a Disconnect-Request; no answer is retried with backoff, then fails', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(nas, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': 'cut-1', 'NAS-IP-Address': nas.address }));
    const res = await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'unpaid' });
    expect(res.statusCode, res.body).toBe(200);
    const log = await admin.get(`/api/subscriptions/${s.id}/enforcement`);
    expect(log.statusCode, log.body).toBe(200);
    expect(JSON.parse(log.body).items.map((e: { kind: string; reason: string; status: string }) => [e.kind, e.reason, e.status])).toEqual([['disconnect', 'suspended', 'pending']]);
    const silent = new ScriptedNas('timeout');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await sendDueEnforcements(t.ctx, silent)).toBe(1);
      expect(await sendDueEnforcements(t.ctx, silent)).toBe(0); // not due again before its backoff
      t.clock.advance({ minutes: 10 });
    }
    expect(silent.sent.map((x) => x.kind)).toEqual(Array(MAX_ATTEMPTS).fill('disconnect'));
    const row = await t.ctx.db.selectFrom('enforcement_requests').selectAll().where('subscription_id', '=', s.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(row.last_error).toContain('router');
  });

  it('a billing-size update of many subscriptions without network changes queues nothing', async () => {
    const before = await t.ctx.db.selectFrom('enforcement_requests').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await t.ctx.db.updateTable('subscriptions').set({ updated_at: t.clock.now() }).execute();
    const after = await t.ctx.db.selectFrom('enforcement_requests').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
