/**
 * Router management through the API, against simulated routers on both protocols: status, plan
 * push (preview, apply, idempotent, a new plan version), active sessions, backups and their diff,
 * the command log, certificate pins, the nightly backup job, and the failures.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/platform/crypto.ts';
import { backupAllRouters } from '../../src/modules/routers/routers.jobs.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, seedOrganization, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { API_PASSWORD, seedRouterNas } from './fixtures.ts';

const t = await createTestContext();
const sims: { close(): Promise<void> }[] = [];
const tree = await seedTree(t.ctx);
const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
const staff = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'staff'));
const burst = { rateKbps: 20_000, thresholdKbps: 8000, seconds: 16 };

/** A reseller of its own with the two plans and a router, so each protocol starts from the same state. */
async function world(kind: 'binary' | 'rest') {
  const org = await seedOrganization(t.ctx, tree.isp, 'reseller');
  const api = await sessionFor(t, await seedUser(t.ctx, org, 'admin'));
  const clerk = await sessionFor(t, await seedUser(t.ctx, org, 'staff'));
  const home = await createPlan(api, { organizationId: org.id, code: 'HOME10' }, {
    network: { download: { rateKbps: 10_000, burst }, upload: { rateKbps: 2000, burst: null }, ipPool: 'pool-home' },
  });
  await createPlan(api, { organizationId: org.id, code: 'DAY1', serviceType: 'hotspot' }, {
    network: { download: { rateKbps: 4000, burst: null }, upload: { rateKbps: 1000, burst: null }, addressList: 'paid' },
  });
  const { nas, sim } = await seedRouterNas(t.ctx, org, kind);
  sims.push(sim);
  return { admin: api, staff: clerk, home, nas, sim };
}
// Another tenant's plan must never reach reseller A's router.
await createPlan(outsider, { organizationId: tree.resellerB.id, code: 'FOREIGN' });
afterAll(async () => {
  for (const s of sims) await s.close();
});

describe.each(['binary', 'rest'] as const)('over the %s API', (kind) => {
  const setup = world(kind);

  it('reads identity and resources, and the status answers ok', async () => {
    const { nas, admin } = await setup;
    const res = await admin.get(`/api/nas/${nas.id}/router`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ ok: true, protocol: kind, identity: 'MikroTik', resource: { boardName: 'hEX S', cpuLoadPercent: 3, totalMemoryBytes: 268435456 }, error: null });
  });

  it('previews, pushes, then finds nothing to change', async () => {
    const { nas, sim, admin, staff, home } = await setup;
    const preview = json(await admin.post(`/api/nas/${nas.id}/router/push-plans`, { dryRun: true }));
    expect(preview).toMatchObject({ dryRun: true, applied: false, summary: { create: 2, update: 0, unchanged: 0 } });
    expect(preview.profiles.map((p: { name: string }) => p.name).sort()).toEqual(['DAY1', 'HOME10']);
    expect(sim.model.print('/ppp/profile').map((r) => r.name)).toEqual(['default', 'default-encryption']);

    const push = json(await admin.post(`/api/nas/${nas.id}/router/push-plans`, {}));
    expect(push).toMatchObject({ applied: true, summary: { create: 2, update: 0, unchanged: 0 } });
    expect(sim.model.print('/ppp/profile', [{ op: 'eq', name: 'name', value: 'HOME10' }])[0]).toMatchObject({
      'rate-limit': '2M/10M 0/20M 0/8M 0/16',
      'remote-address': 'pool-home',
      comment: 'uplink plan HOME10 v1',
    });
    expect(sim.model.print('/ip/hotspot/user/profile', [{ op: 'eq', name: 'name', value: 'DAY1' }])[0]).toMatchObject({ 'rate-limit': '1M/4M', 'address-list': 'paid' });

    const writes = sim.received.filter((c) => /\/(add|set)$|^(PUT|PATCH) /.test(c)).length;
    const again = json(await admin.post(`/api/nas/${nas.id}/router/push-plans`, {}));
    expect(again).toMatchObject({ applied: false, summary: { create: 0, update: 0, unchanged: 2 } });
    expect(again.message).toContain('Nothing to change');
    expect(sim.received.filter((c) => /\/(add|set)$|^(PUT|PATCH) /.test(c)).length).toBe(writes);
    const audits = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', nas.id).where('action', '=', 'router.push-plans').execute();
    expect(audits).toHaveLength(1);
  });

  it('lists active PPP and hotspot sessions', async () => {
    const { nas, sim, admin, staff, home } = await setup;
    sim.model.seed('/ppp/active', { name: 'alice', service: 'pppoe', 'caller-id': 'AA:BB:CC:00:00:01', address: '10.10.0.2', uptime: '1h2m' });
    sim.model.seed('/ip/hotspot/active', { user: 'bob', address: '10.20.0.5', 'mac-address': 'AA:BB:CC:00:00:02', 'bytes-in': '1024', 'bytes-out': '4096', server: 'hs1' });
    const res = await staff.get(`/api/nas/${nas.id}/router/active-sessions`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).items).toEqual([
      expect.objectContaining({ kind: 'pppoe', user: 'alice', address: '10.10.0.2', callerId: 'AA:BB:CC:00:00:01' }),
      expect.objectContaining({ kind: 'hotspot', user: 'bob', callerId: 'AA:BB:CC:00:00:02', bytesOut: '4096', service: 'hs1' }),
    ]);
  });

  it('backs up, pushes a new plan version, backs up again and shows the change as a diff', async () => {
    const { nas, admin, home } = await setup;
    const first = await admin.post(`/api/nas/${nas.id}/router/backups`);
    expect(first.statusCode, first.body).toBe(201);
    const v2 = await admin.post(`/api/plans/${home.id}/versions`, {
      billing: { cycle: 'monthly' },
      prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '3000' }] }],
      network: { download: { rateKbps: 20_000, burst: null }, upload: { rateKbps: 5000, burst: null }, ipPool: 'pool-home' },
    });
    expect(v2.statusCode, v2.body).toBe(201);
    const push = json(await admin.post(`/api/nas/${nas.id}/router/push-plans`, {}));
    expect(push.summary).toEqual({ create: 0, update: 1, unchanged: 1 });
    expect(push.profiles.find((p: { name: string }) => p.name === 'HOME10').changes).toEqual([
      { property: 'rate-limit', from: '2M/10M 0/20M 0/8M 0/16', to: '5M/20M' },
      { property: 'comment', from: 'uplink plan HOME10 v1', to: 'uplink plan HOME10 v2' },
    ]);
    const second = json(await admin.post(`/api/nas/${nas.id}/router/backups`));
    const list = json(await admin.get(`/api/nas/${nas.id}/router/backups`));
    expect(list.items.map((b: { id: string }) => b.id)).toEqual([second.id, json(first).id]);
    const diff = json(await admin.get(`/api/nas/${nas.id}/router/backups/diff?from=${json(first).id}&to=${second.id}`));
    expect(diff.identical).toBe(false);
    expect([diff.added, diff.removed]).toEqual([1, 1]);
    const lines: string[] = diff.hunks.flatMap((h: { lines: string[] }) => h.lines);
    expect(lines).toContain('-add comment="uplink plan HOME10 v1" name=HOME10 rate-limit="2M/10M 0/20M 0/8M 0/16" remote-address=pool-home');
    expect(lines).toContain('+add comment="uplink plan HOME10 v2" name=HOME10 rate-limit=5M/20M remote-address=pool-home');
    const one = json(await admin.get(`/api/nas/${nas.id}/router/backups/${second.id}`));
    expect(one.content).toContain('/ppp profile');
    expect((await admin.get(`/api/nas/${nas.id}/router/backups/diff?from=${second.id}&to=${second.id}`)).statusCode).toBe(400);
  });

  it('logs every command with the user, and never the API password', async () => {
    const { nas, admin } = await setup;
    const res = await admin.get(`/api/nas/${nas.id}/router/commands?limit=200`);
    expect(res.statusCode).toBe(200);
    const items = json(res).items as { command: string; outcome: string; userEmail: string | null; protocol: string }[];
    expect(items.length).toBeGreaterThan(5);
    expect(items.every((i) => i.protocol === kind && i.outcome === 'ok' && i.userEmail)).toBe(true);
    expect(items.some((i) => i.userEmail?.startsWith('admin.'))).toBe(true);
    expect(items.some((i) => i.command.includes(kind === 'binary' ? '/ppp/profile/add' : 'PUT /rest/ppp/profile'))).toBe(true);
    if (kind === 'binary') expect(items.some((i) => i.command.startsWith('/login') && i.command.includes('=password=***'))).toBe(true);
    expect(res.body).not.toContain(API_PASSWORD);
    const stored = await t.ctx.db.selectFrom('router_commands').select('command').where('nas_id', '=', nas.id).execute();
    expect(stored.some((s) => s.command.includes(API_PASSWORD))).toBe(false);
  });
});

describe('failures and limits', () => {
  it('answers 502 naming a refused connection, and logs the attempt', async () => {
    const { nas, sim } = await seedRouterNas(t.ctx, tree.resellerA, 'binary');
    await sim.close();
    const res = await admin.post(`/api/nas/${nas.id}/router/push-plans`, {});
    expect(res.statusCode).toBe(502);
    expect(json(res).detail).toContain('connection refused');
    const status = json(await admin.get(`/api/nas/${nas.id}/router`));
    expect(status).toMatchObject({ ok: false, error: { kind: 'connection' } });
    const log = json(await admin.get(`/api/nas/${nas.id}/router/commands`)).items;
    expect(log[0]).toMatchObject({ outcome: 'error', command: expect.stringMatching(/^connect binary /) });
  });

  it('reports a wrong API password as an auth failure', async () => {
    const { nas, sim } = await seedRouterNas(t.ctx, tree.resellerA, 'rest');
    sims.push(sim);
    await t.ctx.db.updateTable('nas_devices').set({ api_password_enc: t.ctx.secrets.seal('wrong') }).where('id', '=', nas.id).execute();
    expect(json(await admin.get(`/api/nas/${nas.id}/router`))).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect((await admin.get(`/api/nas/${nas.id}/router/active-sessions`)).statusCode).toBe(502);
  });

  it('refuses a NAS without a management API (422) and hides another tenant’s NAS (404)', async () => {
    const bare = await t.ctx.db
      .insertInto('nas_devices')
      .values({ organization_id: tree.resellerA.id, name: 'No API', type: 'mikrotik', address: '198.51.100.77', secret_enc: t.ctx.secrets.seal('s') })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await admin.post(`/api/nas/${bare.id}/router/push-plans`, {})).statusCode).toBe(422);
    const { nas, sim } = await seedRouterNas(t.ctx, tree.resellerB, 'binary');
    sims.push(sim);
    const content = '/ip address\nadd address=192.0.2.1/24 interface=ether1\n';
    const backup = await t.ctx.db
      .insertInto('router_backups')
      .values({ nas_id: nas.id, organization_id: tree.resellerB.id, trigger: 'manual', content, sha256: sha256Hex(content), size_bytes: content.length, created_at: t.clock.now(), created_by: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const res of [
      await admin.get(`/api/nas/${nas.id}/router`),
      await admin.get(`/api/nas/${nas.id}/router/active-sessions`),
      await admin.post(`/api/nas/${nas.id}/router/push-plans`, {}),
      await admin.post(`/api/nas/${nas.id}/router/push-queues`, {}),
      await admin.put(`/api/nas/${nas.id}/router/tls-pin`, { fingerprint: 'ab'.repeat(32) }),
      await admin.get(`/api/nas/${nas.id}/router/backups`),
      await admin.post(`/api/nas/${nas.id}/router/backups`, {}),
      await admin.get(`/api/nas/${nas.id}/router/backups/${backup.id}`),
      await admin.get(`/api/nas/${nas.id}/router/backups/diff?from=${backup.id}&to=${crypto.randomUUID()}`),
      await admin.get(`/api/nas/${nas.id}/router/commands`),
    ])
      expect(res.statusCode, res.body).toBe(404);
    expect(sim.received).toEqual([]);
    expect(await t.ctx.db.selectFrom('router_tls_pins').select('nas_id').where('nas_id', '=', nas.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('router_backups').select('id').where('nas_id', '=', nas.id).execute()).toEqual([backup]);
  });

  it('needs nas.update to push and nas.export for backups', async () => {
    const { nas, sim } = await seedRouterNas(t.ctx, tree.resellerA, 'binary');
    sims.push(sim);
    expect((await staff.post(`/api/nas/${nas.id}/router/push-plans`, {})).statusCode).toBe(403);
    expect((await staff.get(`/api/nas/${nas.id}/router/backups`)).statusCode).toBe(403);
    expect(sim.received).toEqual([]);
  });

  it('pins a certificate fingerprint (normalised), refuses a malformed one, unpins', async () => {
    const { nas, sim } = await seedRouterNas(t.ctx, tree.resellerA, 'binary');
    sims.push(sim);
    const fp = 'ab'.repeat(32);
    const res = await admin.put(`/api/nas/${nas.id}/router/tls-pin`, { fingerprint: fp });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).fingerprint).toBe(Array(32).fill('AB').join(':'));
    expect((await admin.put(`/api/nas/${nas.id}/router/tls-pin`, { fingerprint: 'abc' })).statusCode).toBe(400);
    expect(json(await admin.put(`/api/nas/${nas.id}/router/tls-pin`, { fingerprint: null })).fingerprint).toBeNull();
  });
});

describe('nightly backups', () => {
  it('stores a backup per managed router, skips an unchanged configuration, and survives a dead router', async () => {
    const tc = await createTestContext();
    const org = (await seedTree(tc.ctx)).resellerA;
    const a = await seedRouterNas(tc.ctx, org, 'binary');
    const b = await seedRouterNas(tc.ctx, org, 'rest');
    const dead = await seedRouterNas(tc.ctx, org, 'binary');
    sims.push(a.sim, b.sim);
    await dead.sim.close();
    expect(await backupAllRouters(tc.ctx)).toEqual({ stored: 2, unchanged: 0, failed: 1 });
    expect(await backupAllRouters(tc.ctx)).toEqual({ stored: 0, unchanged: 2, failed: 1 });
    a.sim.model.identity = 'core-router';
    expect(await backupAllRouters(tc.ctx)).toEqual({ stored: 1, unchanged: 1, failed: 1 });
    const rows = await tc.ctx.db.selectFrom('router_backups').select(['nas_id', 'trigger']).execute();
    expect(rows.filter((r) => r.nas_id === a.nas.id)).toHaveLength(2);
    expect(rows.every((r) => r.trigger === 'schedule')).toBe(true);
  });
});
