import { describe, expect, it } from 'vitest';
import { poolByName } from '../../src/modules/network/ipam.repo.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createSubscriber, seedSubscription } from '../usage/fixtures.ts';

interface Pool {
  id: string;
  utilization: { total: string; reserved: string; used: string; free: string; percent: string };
  subnets: { id: string; cidr: string; utilization: { total: string; used: string; free: string; reserved: string; percent: string } }[];
  assignments: { id: string; address: string; subscriptionId: string; kind: string }[];
}

describe(`IPAM (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
  const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
  const ok = async <T = Pool>(p: Promise<{ statusCode: number; body: string }>, status = 201): Promise<T> => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(status);
    return JSON.parse(res.body) as T;
  };
  const pool = (body: Record<string, unknown>, api: Api = admin) => ok(api.post('/api/ip-pools', { family: 4, ...body }));
  const subnet = (poolId: string, body: Record<string, unknown>, api: Api = admin) => ok(api.post(`/api/ip-pools/${poolId}/subnets`, body));
  const assign = (poolId: string, body: Record<string, unknown>) => admin.post(`/api/ip-pools/${poolId}/assignments`, body);
  const subscription = async (org = tree.resellerA) => seedSubscription(t.ctx, admin, org);
  const staticOf = async (id: string) => (await t.ctx.db.selectFrom('subscriptions').select(['static_ipv4', 'static_ipv6_prefix']).where('id', '=', id).executeTakeFirstOrThrow());

  it('reports utilization, keeps the gateway and reserved ranges out, and hands out the next free address until full', async () => {
    const p = await pool({ name: 'pppoe-kilimani' });
    const withSubnet = await subnet(p.id, { cidr: '10.100.0.0/29', gateway: '10.100.0.1' });
    expect(withSubnet.subnets[0]!.utilization).toEqual({ total: '6', reserved: '1', used: '0', free: '5', percent: '0.0' });
    const subs = await Promise.all(Array.from({ length: 5 }, () => subscription()));
    const first = await ok<{ address: string; kind: string }>(assign(p.id, { subscriptionId: subs[0]!.id }));
    expect(first).toMatchObject({ address: '10.100.0.2', kind: 'allocated' });
    expect((await staticOf(subs[0]!.id)).static_ipv4).toBe('10.100.0.2');
    await ok(admin.post(`/api/ip-subnets/${withSubnet.subnets[0]!.id}/reservations`, { first: '10.100.0.3', last: '10.100.0.4', reason: 'switches' }));
    expect((await ok<{ address: string }>(assign(p.id, { subscriptionId: subs[1]!.id }))).address).toBe('10.100.0.5');
    expect((await ok<{ address: string }>(assign(p.id, { subscriptionId: subs[2]!.id }))).address).toBe('10.100.0.6');
    const full = await assign(p.id, { subscriptionId: subs[3]!.id });
    expect(full.statusCode).toBe(409);
    expect(json(full).detail).toBe('The pool pppoe-kilimani has no free address left');
    const detail = await ok(admin.get(`/api/ip-pools/${p.id}`), 200);
    expect(detail.utilization).toEqual({ total: '6', reserved: '3', used: '3', free: '0', percent: '100.0' });
    expect(detail.assignments.map((a) => a.address)).toEqual(['10.100.0.2', '10.100.0.5', '10.100.0.6']);
    // Releasing frees the address and clears the subscription's static address.
    const released = detail.assignments[0]!;
    expect((await admin.delete(`/api/ip-assignments/${released.id}`)).statusCode).toBe(204);
    expect((await staticOf(subs[0]!.id)).static_ipv4).toBeNull();
    expect((await ok<{ address: string }>(assign(p.id, { subscriptionId: subs[3]!.id }))).address).toBe('10.100.0.2');
    // A chosen address: reserved, outside, or the broadcast address are refused.
    expect((await assign(p.id, { subscriptionId: subs[4]!.id, address: '10.100.0.3' })).statusCode).toBe(409);
    expect((await assign(p.id, { subscriptionId: subs[4]!.id, address: '10.200.0.3' })).statusCode).toBe(422);
    expect((await assign(p.id, { subscriptionId: subs[4]!.id, address: '10.100.0.7' })).statusCode).toBe(422);
    expect((await assign(p.id, { subscriptionId: subs[4]!.id, address: 'ten' })).statusCode).toBe(422);
    // Nothing half-done: the subscription kept no address.
    expect((await staticOf(subs[4]!.id)).static_ipv4).toBeNull();
  });

  it('refuses overlapping subnets anywhere, naming only what the caller may see, and bad subnets with 400', async () => {
    const a = await pool({ name: 'overlap-a' });
    await subnet(a.id, { cidr: '100.64.0.0/22' });
    const b = await pool({ name: 'overlap-b' });
    const inside = await admin.post(`/api/ip-pools/${b.id}/subnets`, { cidr: '100.64.1.0/24' });
    expect(inside.statusCode).toBe(409);
    expect(json(inside).detail).toBe('The subnet 100.64.1.0/24 overlaps the subnet 100.64.0.0/22 of the pool overlap-a');
    const around = await admin.post(`/api/ip-pools/${b.id}/subnets`, { cidr: '100.64.0.0/16' });
    expect(around.statusCode).toBe(409);
    const theirs = await pool({ name: 'theirs' }, outsider);
    const foreign = await outsider.post(`/api/ip-pools/${theirs.id}/subnets`, { cidr: '100.64.2.0/23' });
    expect(foreign.statusCode).toBe(409);
    expect(json(foreign).detail).toBe("The subnet 100.64.2.0/23 overlaps another organization's subnet");
    // The database refuses on its own too, whatever the service checked.
    const direct = t.ctx.db.insertInto('ip_subnets').values({ pool_id: b.id, organization_id: tree.resellerA.id, cidr: '100.64.3.0/24' }).execute();
    await expect(direct).rejects.toMatchObject({ code: '23P01' });
    for (const [body, field] of [
      [{ cidr: '100.65.0.1/24' }, 'cidr'],
      [{ cidr: '2001:db8::/64' }, 'cidr'],
      [{ cidr: '100.65.0.0/24', gateway: '100.66.0.1' }, 'gateway'],
      [{ cidr: 'lots' }, 'cidr'],
    ] as const) {
      const res = await admin.post(`/api/ip-pools/${b.id}/subnets`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(json(res).errors[0].field).toBe(field);
    }
    expect((await ok(admin.get(`/api/ip-pools/${b.id}`), 200)).subnets).toEqual([]);
    expect((await admin.post(`/api/ip-pools/${theirs.id}/subnets`, { cidr: '100.90.0.0/24' })).statusCode).toBe(404);
    expect((await admin.get(`/api/ip-pools/${theirs.id}`)).statusCode).toBe(404);
    expect((await admin.post('/api/ip-pools', { name: 'overlap-a', family: 4 })).statusCode).toBe(409);
    expect((await admin.post('/api/ip-pools', { name: 'bad name!', family: 4 })).statusCode).toBe(400);
  });

  it('delegates aligned IPv6 prefixes from a prefix pool: the /56s of a /40', async () => {
    const p = await pool({ name: 'pd-westlands', family: 6, kind: 'prefix', prefixLength: 56 });
    const withSubnet = await subnet(p.id, { cidr: '2001:db8::/40' });
    expect(withSubnet.utilization).toMatchObject({ total: '65536', used: '0', free: '65536' });
    const [x, y] = [await subscription(), await subscription()];
    expect((await ok<{ address: string }>(assign(p.id, { subscriptionId: x.id }))).address).toBe('2001:db8::/56');
    expect((await ok<{ address: string }>(assign(p.id, { subscriptionId: y.id }))).address).toBe('2001:db8:0:100::/56');
    expect((await staticOf(y.id)).static_ipv6_prefix).toBe('2001:db8:0:100::/56');
    expect((await ok(admin.get(`/api/ip-pools/${p.id}`), 200)).utilization).toMatchObject({ used: '2', free: '65534', percent: '0.0' });
    expect((await admin.post('/api/ip-pools', { name: 'pd-bad', family: 4, kind: 'prefix', prefixLength: 56 })).statusCode).toBe(400);
    expect((await admin.post(`/api/ip-pools/${p.id}/subnets`, { cidr: '2001:db9::/60' })).statusCode).toBe(400);
  });

  it('records a sold static IPv4 inside a managed pool, and refuses a reserved one', async () => {
    const p = await pool({ name: 'static-pool' });
    await subnet(p.id, { cidr: '198.51.100.0/28', gateway: '198.51.100.1' });
    const plan = await createPlan(admin, { organizationId: tree.resellerA.id });
    const sell = async (staticIpv4: string) => admin.post('/api/subscriptions', { subscriberId: (await createSubscriber(admin, tree.resellerA)).id, planId: plan.id, staticIpv4 });
    const sold = await ok<{ id: string }>(sell('198.51.100.9'));
    const detail = await ok(admin.get(`/api/ip-pools/${p.id}`), 200);
    expect(detail.assignments).toEqual([expect.objectContaining({ address: '198.51.100.9', subscriptionId: sold.id, kind: 'static' })]);
    const count = async () => (await t.ctx.db.selectFrom('subscriptions').select('id').execute()).length;
    const before = await count();
    expect((await sell('198.51.100.1')).statusCode).toBe(409);
    expect(await count()).toBe(before);
    // Moving the address moves the assignment; the pool steps around a static address when allocating.
    await ok(admin.patch(`/api/subscriptions/${sold.id}`, { staticIpv4: '198.51.100.2' }), 200);
    expect((await ok(admin.get(`/api/ip-pools/${p.id}`), 200)).assignments.map((a) => a.address)).toEqual(['198.51.100.2']);
    expect((await ok<{ address: string }>(assign(p.id, { subscriptionId: (await subscription()).id }))).address).toBe('198.51.100.3');
    // Outside every pool: the operator's own business, nothing recorded.
    await ok(sell('203.0.113.50'));
    const pools = json<{ items: { name: string; utilization: { used: string } }[] }>(await admin.get('/api/ip-pools?q=static'));
    expect(pools.items).toEqual([expect.objectContaining({ name: 'static-pool', utilization: expect.objectContaining({ used: '2' }) })]);
    // A pool with addresses in use stays.
    expect((await admin.delete(`/api/ip-pools/${p.id}`)).statusCode).toBe(409);
  });

  it("resolves a plan's pool name to the organization's own pool, else the nearest above", async () => {
    const isp = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
    const top = await pool({ name: 'shared', organizationId: tree.isp.id }, isp);
    expect((await poolByName(t.ctx.db, tree.subA.path, 'SHARED'))?.id).toBe(top.id);
    const own = await pool({ name: 'shared', organizationId: tree.resellerA.id });
    expect((await poolByName(t.ctx.db, tree.subA.path, 'shared'))?.id).toBe(own.id);
    expect(await poolByName(t.ctx.db, tree.resellerB.path, 'nothing')).toBeUndefined();
  });

  it('never hands one address to two of 50 concurrent allocations', async () => {
    const p = await pool({ name: 'concurrent' });
    await subnet(p.id, { cidr: '10.250.0.0/24' });
    const subs = [];
    for (let i = 0; i < 50; i++) subs.push(await subscription());
    const results = await Promise.all(subs.map((s) => assign(p.id, { subscriptionId: s.id })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const addresses = results.map((r) => json<{ address: string }>(r).address);
    expect(new Set(addresses).size).toBe(50);
    expect(new Set(addresses)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `10.250.0.${i + 1}`)));
  });
});
