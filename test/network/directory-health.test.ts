import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkNasHealth } from '../../src/modules/network/health.ts';
import { NasDirectory } from '../../src/modules/network/radius-clients.ts';
import type { RadiusClient } from '../../src/radius/contract.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe(`RADIUS client directory and NAS health (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
  const create = async (body: Record<string, unknown>) => {
    const res = await admin.post('/api/nas', { type: 'mikrotik', secret: 'directory-secret', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res);
  };

  it('answers a NAS by its source address in any spelling, and follows changes', async () => {
    // The test's own database (the context's configuration names the server's base database).
    const dir = new NasDirectory({ ...t.ctx, config: { ...t.ctx.config, databaseUrl: t.database.url } }, { reloadEveryMs: 60_000 });
    await create({ name: 'Core', address: '192.0.2.1', requireMessageAuthenticator: false, coaPort: 1700 });
    await dir.start();
    try {
      expect(dir.byAddress('192.0.2.1')).toMatchObject({ name: 'Core', secret: 'directory-secret', type: 'mikrotik', requireMessageAuthenticator: false, coaPort: 1700, organizationId: tree.resellerA.id });
      expect(dir.byAddress('::ffff:192.0.2.1')?.name).toBe('Core');
      expect(dir.byAddress('192.0.2.2')).toBeNull();
      expect(dir.byAddress('not an address')).toBeNull();
      // Through the API: this process is told at once.
      const v6 = await create({ name: 'Edge v6', address: '2001:db8::10' });
      await until(() => dir.byAddress('2001:DB8::10') !== null);
      await admin.patch(`/api/nas/${v6.id}`, { active: false });
      await until(() => dir.byAddress('2001:db8::10') === null);
      await admin.post(`/api/nas/${(dir.byAddress('192.0.2.1') as RadiusClient).id}/rotate-secret`, { secret: 'rotated-secret-1' });
      await until(() => dir.byAddress('192.0.2.1')?.secret === 'rotated-secret-1');
      // Behind the API's back (another process, or by hand): heard through LISTEN/NOTIFY.
      const loads = dir.loads;
      await t.ctx.db.updateTable('nas_devices').set({ coa_port: 3799 }).where('address', '=', '192.0.2.1').execute();
      await until(() => dir.byAddress('192.0.2.1')?.coaPort === 3799);
      expect(dir.loads).toBeGreaterThan(loads);
      // A health update does not touch what the directory holds: no reload for it.
      const quiet = dir.loads;
      await t.ctx.db.updateTable('nas_devices').set({ last_seen_at: new Date() }).execute();
      await new Promise((r) => setTimeout(r, 300));
      expect(dir.loads).toBe(quiet);
    } finally {
      await dir.stop();
    }
  });

  it('marks a NAS down when its API port stops answering and up when it comes back, with events', async () => {
    await t.ctx.db.updateTable('nas_devices').set({ active: false }).execute();
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const nas = await create({ name: 'Watched', address: '127.0.0.1', managementApi: { kind: 'binary', port, username: 'u', password: 'p' } });
    await create({ name: 'Unwatched', address: '127.0.0.2' });
    const status = async () => json<{ status: string; lastSeenAt: string | null; statusChangedAt: string | null; events: { kind: string }[] }>(await admin.get(`/api/nas/${nas.id}`));

    t.clock.set('2026-05-01T10:00:00Z');
    let report = await checkNasHealth(t.ctx, { probe: null, timeoutMs: 1_000 });
    expect(report).toMatchObject({ checked: 1, up: 1, down: 0, unchecked: 1, wentDown: [], cameBack: [] });
    expect(await status()).toMatchObject({ status: 'up', lastSeenAt: '2026-05-01T10:00:00.000Z', events: [] });

    await new Promise<void>((r) => server.close(() => r()));
    t.clock.set('2026-05-01T10:01:00Z');
    report = await checkNasHealth(t.ctx, { probe: null, timeoutMs: 1_000 });
    expect(report.wentDown).toEqual([nas.id]);
    t.clock.set('2026-05-01T10:02:00Z');
    expect((await checkNasHealth(t.ctx, { probe: null, timeoutMs: 1_000 })).wentDown).toEqual([]);
    expect(await status()).toMatchObject({ status: 'down', statusChangedAt: '2026-05-01T10:01:00.000Z', lastSeenAt: '2026-05-01T10:00:00.000Z' });

    // The RADIUS probe alone brings it back: it is reachable, whatever its API port says.
    const probed: string[] = [];
    t.clock.set('2026-05-01T10:03:00Z');
    report = await checkNasHealth(t.ctx, { probe: async (c) => (probed.push(c.name), c.secret === 'directory-secret'), timeoutMs: 500 });
    expect(probed.sort()).toEqual(['Unwatched', 'Watched']);
    expect(report.cameBack).toEqual([nas.id]);
    const after = await status();
    expect(after).toMatchObject({ status: 'up', statusChangedAt: '2026-05-01T10:03:00.000Z' });
    expect(after.events.map((e) => e.kind)).toEqual(['up', 'down']);
    const feed = json<{ items: { nasName: string; kind: string }[] }>(await admin.get('/api/nas/events'));
    expect(feed.items.map((e) => `${e.nasName} ${e.kind}`)).toEqual(['Watched up', 'Watched down']);
    const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
    expect(json(await outsider.get('/api/nas/events')).items).toEqual([]);
    expect(json(await admin.get('/api/nas?status=down')).items).toEqual([]);
  });
});
