/**
 * Simple queues per static-IP subscriber, pushed through the API to simulated routers on both
 * protocols (and RouterOS 6 on the binary API): preview, apply, idempotent re-push (the router spells values its own way), stale
 * queues of suspended subscribers removed, one queue kept per subscription, and nothing Uplink did not create touched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { desiredQueues, queueChanges, sameValue } from '../../src/modules/routers/queue-push.ts';
import type { StaticSubscription } from '../../src/modules/routers/routers.repo.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, seedOrganization, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { createSubscriber } from '../usage/fixtures.ts';
import { startRouterSimulator } from '../../src/integrations/mikrotik/simulator.ts';
import { API_PASSWORD, API_USER, loopbackAddress, seedRouterNas } from './fixtures.ts';

const t = await createTestContext();
const sims: { close(): Promise<void> }[] = [];
const tree = await seedTree(t.ctx);
afterAll(async () => {
  for (const s of sims) await s.close();
});

let worlds = 0;
/** A reseller with a static-IP plan, a PPPoE plan, a router and a pool tied to it. */
async function world(kind: 'binary' | 'rest' | 'binary-v6') {
  const n = 60 + worlds++;
  const org = await seedOrganization(t.ctx, tree.isp, 'reseller');
  const admin = await sessionFor(t, await seedUser(t.ctx, org, 'admin'));
  const burst = { rateKbps: 20_000, thresholdKbps: 8000, seconds: 16 };
  const fixed = await createPlan(admin, { organizationId: org.id, code: `FIX${n}`, serviceType: 'static_ip' }, {
    network: { download: { rateKbps: 10_000, burst }, upload: { rateKbps: 2000, burst: null } },
  });
  const pppoe = await createPlan(admin, { organizationId: org.id, code: `PPP${n}` });
  // RouterOS 6 on the binary API: no !empty for an empty print.
  const v6 = kind === 'binary-v6' ? await startRouterSimulator({ host: loopbackAddress(), username: API_USER, password: API_PASSWORD, emptyReplies: false }) : undefined;
  if (v6) v6.model.resource.version = '6.49.10 (long-term)';
  const { nas, sim } = await seedRouterNas(t.ctx, org, kind === 'rest' ? 'rest' : 'binary', v6 ? { sim: v6 } : {});
  if (v6) await t.ctx.db.updateTable('nas_devices').set({ address: v6.host }).where('id', '=', nas.id).execute();
  sims.push(sim);
  const pool = json(await admin.post('/api/ip-pools', { name: `static-${n}`, family: 4, nasId: nas.id }));
  expect((await admin.post(`/api/ip-pools/${pool.id}/subnets`, { cidr: `198.18.${n}.0/24`, gateway: `198.18.${n}.1` })).statusCode).toBe(201);
  const subscription = async (planId: string, ip: string, username: string, status: 'active' | 'suspended' = 'active') => {
    const subscriber = await createSubscriber(admin, org);
    return t.ctx.db
      .insertInto('subscriptions')
      .values({ organization_id: org.id, subscriber_id: subscriber.id, plan_id: planId, currency: 'KES', status, starts_at: new Date('2026-01-01T00:00:00Z'), activated_at: new Date('2026-01-01T00:00:00Z'), username, password_enc: 'sealed', static_ipv4: ip })
      .returning(['id'])
      .executeTakeFirstOrThrow();
  };
  const served = await subscription(fixed.id, `198.18.${n}.10`, `shop${n}`);
  const elsewhere = await subscription(fixed.id, `203.0.${n}.10`, `far${n}`);
  const onPppoe = await subscription(pppoe.id, `198.18.${n}.11`, `home${n}`);
  const suspended = await subscription(fixed.id, `198.18.${n}.12`, `late${n}`, 'suspended');
  // What the router had before: Uplink's queue of the now-suspended subscriber, an operator's queue,
  // a session's dynamic queue.
  sim.model.add('/queue/simple', { name: `uplink-late${n}`, target: `198.18.${n}.12`, 'max-limit': '2M/10M', comment: `uplink subscription ${suspended.id} late${n}` });
  sim.model.add('/queue/simple', { name: 'office-uplink', target: '192.168.88.0/24', 'max-limit': '50M/50M', comment: 'set by hand' });
  sim.model.seed('/queue/simple', { name: `<pppoe-home${n}>`, target: `198.18.${n}.11/32`, 'max-limit': '5000000/10000000', dynamic: 'true' });
  return { n, admin, nas, sim, served, elsewhere, onPppoe, suspended, fixed, subscription };
}

describe.each(['binary', 'rest', 'binary-v6'] as const)('simple queues over the %s API', (kind) => {
  const setup = world(kind);

  it('previews, applies, removes only its own stale queue, then finds nothing to change', async () => {
    const { n, admin, nas, sim, served, suspended } = await setup;
    const before = sim.model.print('/queue/simple');
    const preview = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, { dryRun: true }));
    expect(preview).toMatchObject({ dryRun: true, applied: false, summary: { create: 1, update: 0, unchanged: 0, remove: 1 }, message: '1 queue(s) to create, 0 to update and 1 stale to remove' });
    expect(preview.queues).toEqual([
      expect.objectContaining({ action: 'create', subscriptionId: served.id, username: `shop${n}`, name: `uplink-shop${n}`, target: `198.18.${n}.10/32`, reason: null }),
      expect.objectContaining({ action: 'remove', subscriptionId: suspended.id, username: `late${n}`, name: `uplink-late${n}`, reason: 'the subscription is suspended', changes: [] }),
    ]);
    expect(preview.queues[0].changes).toEqual(
      expect.arrayContaining([
        { property: 'max-limit', from: null, to: '2M/10M' },
        { property: 'burst-limit', from: null, to: '0/20M' },
        { property: 'burst-threshold', from: null, to: '0/8M' },
        { property: 'burst-time', from: null, to: '0s/16s' },
      ]),
    );
    expect(sim.model.print('/queue/simple')).toEqual(before);

    const push = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, {}));
    expect(push).toMatchObject({ applied: true, summary: { create: 1, remove: 1 }, message: '1 queue(s) created, 0 updated and 1 stale removed' });
    const queues = sim.model.print('/queue/simple');
    expect(queues.map((q) => q.name)).toEqual(['office-uplink', `<pppoe-home${n}>`, `uplink-shop${n}`]);
    // Stored as RouterOS prints it, which a re-push must read as the same thing.
    expect(queues[2]).toMatchObject({ target: `198.18.${n}.10/32`, 'max-limit': '2000000/10000000', 'burst-limit': '0/20000000', 'burst-time': '0s/16s', comment: `uplink subscription ${served.id} shop${n}` });

    const again = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, {}));
    expect(again).toMatchObject({ applied: false, summary: { create: 0, update: 0, unchanged: 1, remove: 0 }, message: 'Nothing to change: the router already has the 1 subscriber queue(s)' });
    const audits = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', nas.id).where('action', '=', 'router.push-queues').execute();
    expect(audits).toHaveLength(1);
    const log = json(await admin.get(`/api/nas/${nas.id}/router/commands?limit=100`)).items.map((c: { command: string }) => c.command);
    expect(log.some((c: string) => c.includes('queue/simple') && /add|PUT/.test(c))).toBe(true);
    expect(log.some((c: string) => c.includes('queue/simple') && /remove|DELETE/.test(c))).toBe(true);
  });

  it('updates a queue an operator edited, and reports a suspended subscriber’s queue as stale', async () => {
    const { n, admin, nas, sim, served } = await setup;
    const ours = sim.model.print('/queue/simple', [{ op: 'eq', name: 'name', value: `uplink-shop${n}` }])[0]!;
    sim.model.set('/queue/simple', ours['.id']!, { 'max-limit': '1M/1M' });
    const preview = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, { dryRun: true }));
    expect(preview.queues).toEqual([expect.objectContaining({ action: 'update', changes: [{ property: 'max-limit', from: '1000000/1000000', to: '2M/10M' }] })]);
    expect((await admin.post(`/api/subscriptions/${served.id}/suspend`, { reason: 'request' })).statusCode).toBe(200);
    const stale = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, { dryRun: true }));
    expect(stale).toMatchObject({ summary: { create: 0, update: 0, remove: 1 } });
    expect(stale.queues).toEqual([expect.objectContaining({ action: 'remove', subscriptionId: served.id, reason: 'the subscription is suspended' })]);
    json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, {}));
    expect(sim.model.print('/queue/simple').map((q) => q.name)).toEqual(['office-uplink', `<pppoe-home${n}>`]);
  });

  it('keeps one queue per subscription: a second one carrying Uplink’s mark is previewed, removed and logged like a stale one', async () => {
    const { n, admin, nas, sim, fixed, subscription } = await setup;
    const queue = (name: string, id: string, username: string, ip: string, limit = '2M/10M') =>
      sim.model.add('/queue/simple', { name, target: ip, 'max-limit': limit, 'burst-limit': '0/20M', 'burst-threshold': '0/8M', 'burst-time': '0s/16s', comment: `uplink subscription ${id} ${username}` });
    // One already named as Uplink names it (the one kept, its limit edited by hand) and a copy of it;
    // two under other names (the first printed is kept and renamed).
    const twin = await subscription(fixed.id, `198.18.${n}.20`, `twin${n}`);
    queue(`uplink-twin${n}`, twin.id, `twin${n}`, `198.18.${n}.20`, '1M/1M');
    queue(`uplink-twin${n}-copy`, twin.id, `twin${n}`, `198.18.${n}.20`);
    const pair = await subscription(fixed.id, `198.18.${n}.21`, `pair${n}`);
    queue(`pair-a${n}`, pair.id, `pair${n}`, `198.18.${n}.21`);
    queue(`pair-b${n}`, pair.id, `pair${n}`, `198.18.${n}.21`);
    const before = sim.model.print('/queue/simple');

    const preview = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, { dryRun: true }));
    expect(preview).toMatchObject({ summary: { create: 0, update: 2, unchanged: 0, remove: 2 }, message: '0 queue(s) to create, 2 to update and 2 stale to remove' });
    expect(preview.queues).toEqual([
      expect.objectContaining({ action: 'update', subscriptionId: twin.id, name: `uplink-twin${n}`, changes: [{ property: 'max-limit', from: '1000000/1000000', to: '2M/10M' }] }),
      expect.objectContaining({ action: 'remove', subscriptionId: twin.id, username: `twin${n}`, name: `uplink-twin${n}-copy`, reason: `a second queue of this subscription: Uplink keeps uplink-twin${n}` }),
      expect.objectContaining({ action: 'update', subscriptionId: pair.id, name: `uplink-pair${n}`, changes: [{ property: 'name', from: `pair-a${n}`, to: `uplink-pair${n}` }] }),
      expect.objectContaining({ action: 'remove', subscriptionId: pair.id, username: `pair${n}`, name: `pair-b${n}`, reason: `a second queue of this subscription: Uplink keeps uplink-pair${n}` }),
    ]);
    expect(sim.model.print('/queue/simple')).toEqual(before);

    const push = json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, {}));
    expect(push).toMatchObject({ applied: true, summary: { update: 2, remove: 2 }, message: '0 queue(s) created, 2 updated and 2 stale removed' });
    const ours = sim.model.print('/queue/simple').filter((q) => q.comment?.startsWith('uplink subscription '));
    expect(ours.map((q) => [q.name, q['max-limit']])).toEqual([
      [`uplink-twin${n}`, '2000000/10000000'],
      [`uplink-pair${n}`, '2000000/10000000'],
    ]);
    const removedIds = before.filter((q) => q.name === `uplink-twin${n}-copy` || q.name === `pair-b${n}`).map((q) => q['.id']!);
    const log = json(await admin.get(`/api/nas/${nas.id}/router/commands?limit=100`)).items.map((c: { command: string }) => c.command);
    for (const id of removedIds) expect(log.some((c: string) => c.includes('queue/simple') && /remove|DELETE/.test(c) && c.includes(id))).toBe(true);
    const audit = await t.ctx.db.selectFrom('audit_log').select('after').where('object_id', '=', nas.id).where('action', '=', 'router.push-queues').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect((audit.after as { queues: { action: string; name: string; reason: string | null }[] }).queues.filter((q) => q.action === 'remove')).toEqual([
      expect.objectContaining({ name: `uplink-twin${n}-copy`, reason: `a second queue of this subscription: Uplink keeps uplink-twin${n}` }),
      expect.objectContaining({ name: `pair-b${n}`, reason: `a second queue of this subscription: Uplink keeps uplink-pair${n}` }),
    ]);
    expect(json(await admin.post(`/api/nas/${nas.id}/router/push-queues`, {}))).toMatchObject({ applied: false, summary: { create: 0, update: 0, unchanged: 2, remove: 0 } });
  });

  it('needs nas.update, and hides another tenant’s router (404, the router hears nothing)', async () => {
    const { nas, sim } = await setup;
    const heard = sim.received.length;
    const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
    expect((await outsider.post(`/api/nas/${nas.id}/router/push-queues`, {})).statusCode).toBe(404);
    const staff = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'staff'));
    expect((await staff.post(`/api/nas/${nas.id}/router/push-queues`, { dryRun: true })).statusCode).toBe(403);
    expect((await outsider.post(`/api/nas/${nas.id}/router/push-queues`, { dryRun: 'yes' })).statusCode).toBe(400);
    expect(sim.received.length).toBe(heard);
  });
});

describe('queue planning', () => {
  const sub = (over: Partial<StaticSubscription> = {}): StaticSubscription => ({
    id: crypto.randomUUID(),
    username: 'shop1',
    static_ipv4: '198.51.100.10',
    plan_code: 'FIX',
    download_kbps: 10_000,
    download_burst_kbps: null,
    download_burst_threshold_kbps: null,
    download_burst_seconds: null,
    upload_kbps: 2000,
    upload_burst_kbps: null,
    upload_burst_threshold_kbps: null,
    upload_burst_seconds: null,
    ...over,
  });

  it('skips a plan without a limit, and never takes a name an operator’s queue holds', () => {
    const free = sub({ download_kbps: null, upload_kbps: null, plan_code: 'OPEN' });
    const clash = sub({ username: 'taken' });
    const { queues, skipped } = desiredQueues([free, clash]);
    expect(skipped).toEqual([{ subscriptionId: free.id, reason: 'the plan OPEN has no rate limit' }]);
    const { changes, blocked } = queueChanges(queues, [{ '.id': '*9', name: 'uplink-taken', target: '10.0.0.1/32' }]);
    expect(changes).toEqual([]);
    expect(blocked).toEqual([{ subscriptionId: clash.id, reason: 'the router already has a queue named uplink-taken that Uplink did not create' }]);
  });

  it('removes every queue of a subscription no longer wanted, and leaves a dynamic one with the mark alone', () => {
    const gone = crypto.randomUUID();
    const mark = { comment: `uplink subscription ${gone} left1`, target: '198.51.100.30/32' };
    const { changes } = queueChanges([], [
      { '.id': '*1', name: 'uplink-left1', ...mark },
      { '.id': '*2', name: 'uplink-left1-copy', ...mark },
      { '.id': '*3', name: '<pppoe-left1>', ...mark, dynamic: 'true' },
    ]);
    expect(changes.map((c) => [c.action, c.id, c.keptQueue])).toEqual([
      ['remove', '*1', null],
      ['remove', '*2', null],
    ]);
  });

  it('reads values as the router means them', () => {
    expect(sameValue('max-limit', '5000000/10000000', '5M/10M')).toBe(true);
    expect(sameValue('max-limit', '512000/1000000', '512k/1M')).toBe(true);
    expect(sameValue('max-limit', '5000000/10000000', '5M/20M')).toBe(false);
    expect(sameValue('burst-time', '00:00:16/8s', '16s/8')).toBe(true);
    expect(sameValue('target', '198.51.100.10', '198.51.100.10/32')).toBe(true);
    expect(sameValue('comment', 'a', 'b')).toBe(false);
  });
});
