import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { coveredCount, formatAddress, nextFree, parseCidr, rangeOf, type Interval } from '../../src/core/ipam.ts';
import { usableRange } from '../../src/modules/network/ipam-usage.ts';
import { firstFreeSlot } from '../../src/modules/network/ipam.repo.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { seedSubscription } from '../usage/fixtures.ts';

/*
 * Next-free allocation is one statement in the database (ipam.repo.ts firstFreeSlot). Here: a /16
 * filled set-based with 60,000 assignments still allocates in milliseconds, and on random subnets
 * the database's answer is the one the pure reference (core/ipam.ts nextFree) gives, and the
 * utilization from the ranges the database merges counts what the intervals cover.
 */
describe(`IPAM allocation in the database (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
  const created = async <T>(p: Promise<{ statusCode: number; body: string }>): Promise<T> => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(201);
    return JSON.parse(res.body) as T;
  };
  const newPool = async (body: Record<string, unknown>, cidr: string, gateway?: string) => {
    const pool = await created<{ id: string }>(admin.post('/api/ip-pools', body));
    const detail = await created<{ subnets: { id: string }[] }>(admin.post(`/api/ip-pools/${pool.id}/subnets`, { cidr, ...(gateway ? { gateway } : {}) }));
    return { poolId: pool.id, subnetId: detail.subnets[0]!.id };
  };

  it('allocates from a /16 holding 60,000 assignments in milliseconds, finding the one hole', async () => {
    const { poolId, subnetId } = await newPool({ name: 'big-16', family: 4 }, '10.60.0.0/16', '10.60.0.1');
    // 10.60.0.2 … the 60,000th address after it, all taken but one (10.60.175.83, offset 44,883).
    await sql`insert into ip_assignments (pool_id, subnet_id, organization_id, address, kind)
      select ${poolId}, ${subnetId}, ${tree.resellerA.id}, set_masklen('10.60.0.2'::inet + i, 32)::cidr, 'allocated'
      from generate_series(0, 60000) i where i <> 44881`.execute(t.ctx.db);
    await created(admin.post(`/api/ip-subnets/${subnetId}/reservations`, { first: '10.60.250.0', last: '10.60.250.255', reason: 'infrastructure' }));
    const sub = await seedSubscription(t.ctx, admin, tree.resellerA);
    const started = performance.now();
    const res = await admin.post(`/api/ip-pools/${poolId}/assignments`, { subscriptionId: sub.id });
    const ms = performance.now() - started;
    expect(res.statusCode, res.body).toBe(201);
    expect(JSON.parse(res.body).address).toBe('10.60.175.83');
    // Utilization counts merged ranges, not 60,001 rows: 65,534 hosts, the gateway and a /24 reserved.
    const read = performance.now();
    const detail = await admin.get(`/api/ip-pools/${poolId}`);
    const readMs = performance.now() - read;
    expect(detail.statusCode).toBe(200);
    expect(JSON.parse(detail.body).utilization).toEqual({ total: '65534', reserved: '257', used: '60001', free: '5276', percent: '91.9' });
    // The statement alone, as the allocation runs it.
    const q = { subnetId, cidr: '10.60.0.0/16', family: 4 as const, first: '10.60.0.1', last: '10.60.255.254', slotLength: 32 };
    const t0 = performance.now();
    expect(await firstFreeSlot(t.ctx.db, q)).toBe('10.60.234.99/32');
    const queryMs = performance.now() - t0;
    console.log(`a /16 with 60,000 assignments (${engine}): allocation request ${ms.toFixed(0)} ms, its statement ${queryMs.toFixed(0)} ms; pool detail with utilization ${readMs.toFixed(0)} ms`);
    expect(queryMs).toBeLessThan(2000);
    // Past the end of the block, over the reserved range, to the last host address; then full.
    await sql`insert into ip_assignments (pool_id, subnet_id, organization_id, address, kind)
      select ${poolId}, ${subnetId}, ${tree.resellerA.id}, set_masklen('10.60.234.99'::inet + i, 32)::cidr, 'allocated'
      from generate_series(0, 6000) i where '10.60.234.99'::inet + i not between '10.60.250.0' and '10.60.250.255' and '10.60.234.99'::inet + i < '10.60.255.254'`.execute(t.ctx.db);
    expect(await firstFreeSlot(t.ctx.db, q)).toBe('10.60.255.254/32');
    await sql`insert into ip_assignments (pool_id, subnet_id, organization_id, address, kind) values (${poolId}, ${subnetId}, ${tree.resellerA.id}, '10.60.255.254/32', 'static')`.execute(t.ctx.db);
    expect(await firstFreeSlot(t.ctx.db, q)).toBeNull();
    expect(JSON.parse((await admin.get(`/api/ip-pools/${poolId}`)).body).utilization).toMatchObject({ used: '65277', free: '0', percent: '100.0' });
    const full = await admin.post(`/api/ip-pools/${poolId}/assignments`, { subscriptionId: (await seedSubscription(t.ctx, admin, tree.resellerA)).id });
    expect(full.statusCode).toBe(409);
  }, 120_000);

  it('answers what the reference answers on random IPv4 and IPv6 address pools and IPv6 prefix pools', async () => {
    let seed = 20261122;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const cases = [
      { family: 4 as const, kind: 'address' as const, slot: 32, cidr: (round: number) => `10.77.${round}.0/27` },
      { family: 6 as const, kind: 'prefix' as const, slot: 56, cidr: (round: number) => `2001:db8:77:${(round * 16).toString(16)}00::/52` },
      { family: 6 as const, kind: 'address' as const, slot: 128, cidr: (round: number) => `2001:db8:78::${(round * 64).toString(16)}/122` },
    ];
    for (const [n, c] of cases.entries()) {
      for (let round = 0; round < 12; round++) {
        const cidrText = c.cidr(round);
        const cidr = parseCidr(cidrText)!;
        const body = c.kind === 'prefix' ? { name: `pd-${n}-${round}`, family: 6, kind: 'prefix', prefixLength: c.slot } : { name: `rnd-${n}-${round}`, family: c.family };
        const { poolId, subnetId } = await newPool(body, cidrText);
        const block = 1n << BigInt((c.family === 4 ? 32 : 128) - c.slot);
        const slots = Number(rangeOf(cidr).last - rangeOf(cidr).first + 1n) / Number(block);
        const taken: Interval[] = [];
        const reserved: Interval[] = [];
        const density = random(100);
        for (let i = 0; i < slots; i++) {
          if (random(100) >= density) continue;
          const first = cidr.base + BigInt(i) * block;
          if (c.kind === 'address' && (i === 0 || i === slots - 1)) continue;
          taken.push({ first, last: first + block - 1n });
          await sql`insert into ip_assignments (pool_id, subnet_id, organization_id, address, kind) values (${poolId}, ${subnetId}, ${tree.resellerA.id}, ${`${formatAddress(c.family, first)}/${c.slot}`}::cidr, 'allocated')`.execute(t.ctx.db);
        }
        for (let r = random(3); r > 0; r--) {
          const a = cidr.base + BigInt(random(slots)) * block + BigInt(random(Number(block > 1000n ? 1000n : block)));
          const b = a + BigInt(random(3)) * block;
          const last = b > rangeOf(cidr).last ? rangeOf(cidr).last : b;
          taken.push({ first: a, last });
          reserved.push({ first: a, last });
          await sql`insert into ip_reservations (subnet_id, first_address, last_address) values (${subnetId}, ${formatAddress(c.family, a)}::inet, ${formatAddress(c.family, last)}::inet)`.execute(t.ctx.db);
        }
        const range = usableRange({ kind: c.kind }, cidr);
        const expected = nextFree(range, taken, block);
        const got = await firstFreeSlot(t.ctx.db, { subnetId, cidr: cidrText, family: c.family, first: formatAddress(c.family, range.first), last: formatAddress(c.family, range.last), slotLength: c.slot });
        // Utilization, from the ranges the database merged, counts what the intervals cover.
        const units = (i: Interval) => ({ first: i.first / block, last: i.last / block });
        const within = units(range);
        const busy = coveredCount(within, taken.map(units));
        const held = coveredCount(within, reserved.map(units));
        const pool = JSON.parse((await admin.get(`/api/ip-pools/${poolId}`)).body);
        expect(pool.utilization, cidrText).toMatchObject({ reserved: String(held), used: String(busy - held), free: String(within.last - within.first + 1n - busy) });
        expect(got, `${cidrText} with ${taken.length} taken`).toBe(expected === null ? null : `${formatAddress(c.family, expected)}/${c.slot}`);
      }
    }
  }, 120_000);
});
