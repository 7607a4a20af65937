import { describe, expect, it } from 'vitest';
import { usageTotals } from '../../src/modules/usage/usage.repo.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { seedSubscription } from './fixtures.ts';

interface UsageRecord {
  id: string;
  subscriptionId: string;
  unit: string;
  quantity: string;
  occurredAt: string;
  source: string;
  reference: string | null;
}

const fields = (res: { body: string }) => (json(res as never).errors ?? []).map((e: { field: string }) => e.field);

describe(`usage records (${engine})`, async () => {
  const t = await createTestContext();
  t.clock.set('2026-03-15T09:00:00Z');
  const tree = await seedTree(t.ctx);
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const resellerA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  const customer = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'customer'));
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const sub = await seedSubscription(t.ctx, admin, tree.resellerA, { username: 'wanjiru' });
  const other = await seedSubscription(t.ctx, admin, tree.resellerA);
  const count = async () => Number((await t.ctx.db.selectFrom('usage_records').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);

  const record = (body: Record<string, unknown>, api = staff, id = sub.id) => api.post(`/api/subscriptions/${id}/usage`, body);

  it('records a reading with an exact quantity, lists it and audits it', async () => {
    const res = await record({ unit: 'GB', quantity: '007.50', occurredAt: '2026-03-01T10:00:00+03:00' });
    expect(res.statusCode, res.body).toBe(201);
    const created = json<UsageRecord>(res);
    expect(created).toMatchObject({ subscriptionId: sub.id, unit: 'GB', quantity: '7.5', occurredAt: '2026-03-01T07:00:00.000Z', source: 'manual', reference: null });
    const list = json<{ items: UsageRecord[] }>(await staff.get(`/api/subscriptions/${sub.id}/usage`));
    expect(list.items.map((r) => r.id)).toEqual([created.id]);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'object_id', 'organization_id']).where('action', '=', 'usage.record').execute();
    expect(audit).toEqual([{ action: 'usage.record', object_id: sub.id, organization_id: tree.resellerA.id }]);
  });

  it('sums a period per unit exactly: 0.1 + 0.2 GB is 0.3 GB, and the period is [from, to)', async () => {
    const readings = [
      { unit: 'GB', quantity: '0.1', occurredAt: '2026-02-01T00:00:00Z' },
      { unit: 'GB', quantity: '0.2', occurredAt: '2026-02-14T12:30:00Z' },
      { unit: 'minutes', quantity: '120', occurredAt: '2026-02-20T08:00:00Z' },
      { unit: 'minutes', quantity: '0.000000001', occurredAt: '2026-02-28T23:59:59Z' },
      // The first instant of March belongs to March, not to February.
      { unit: 'GB', quantity: '5', occurredAt: '2026-03-01T00:00:00Z' },
      { unit: 'GB', quantity: '9', occurredAt: '2026-01-31T23:59:59Z' },
    ];
    for (const r of readings) expect((await record(r, staff, other.id)).statusCode).toBe(201);
    const feb = json(await staff.get(`/api/subscriptions/${other.id}/usage/totals?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z`));
    expect(feb).toEqual({ subscriptionId: other.id, from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z', totals: { GB: '0.3', minutes: '120.000000001' } });
    const list = json<{ items: UsageRecord[] }>(await staff.get(`/api/subscriptions/${other.id}/usage?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z&unit=GB`));
    expect(list.items.map((r) => r.quantity)).toEqual(['0.2', '0.1']);
    const empty = json(await staff.get(`/api/subscriptions/${other.id}/usage/totals?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z`));
    expect(empty.totals).toEqual({});
    // The repository function the billing run rates with: several subscriptions at once.
    const both = await usageTotals(t.ctx.db, [sub.id, other.id, tree.isp.id], new Date('2026-01-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z'));
    expect(Object.fromEntries(both)).toEqual({ [sub.id]: { GB: '7.5' }, [other.id]: { GB: '14.3', minutes: '120.000000001' } });
  });

  it('walks the list page by page, newest first, with no duplicates or gaps', async () => {
    const all = json<{ items: UsageRecord[] }>(await staff.get(`/api/subscriptions/${other.id}/usage?limit=200`)).items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p: { items: UsageRecord[]; nextCursor: string | null } = json(await staff.get(`/api/subscriptions/${other.id}/usage?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...p.items.map((r) => r.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(all.map((r) => r.occurredAt)).toEqual([...all.map((r) => r.occurredAt)].sort().reverse());
    expect(all).toHaveLength(6);
  });

  it('a reference sent again answers the stored record; another reading under it is a conflict', async () => {
    const body = { unit: 'GB', quantity: '12.25', occurredAt: '2026-03-02T00:00:00Z', reference: 'meter-2026-03-02' };
    const first = await record(body);
    expect(first.statusCode, first.body).toBe(201);
    const before = await count();
    const again = await record({ ...body, quantity: '12.250', occurredAt: '2026-03-02T03:00:00+03:00' });
    expect(again.statusCode, again.body).toBe(200);
    expect(json(again).id).toBe(json(first).id);
    const changed = await record({ ...body, quantity: '13' });
    expect(changed.statusCode).toBe(409);
    expect(fields(changed)).toEqual(['reference']);
    expect(await count()).toBe(before);
    // The same reference on another subscription is another reading.
    expect((await record(body, staff, other.id)).statusCode).toBe(201);
  });

  it('refuses bad input with the field named, and stores nothing', async () => {
    const before = await count();
    const at = '2026-03-01T00:00:00Z';
    const cases: [Record<string, unknown>, number, string[]][] = [
      [{ unit: 'GB', quantity: '-1', occurredAt: at }, 400, ['quantity']],
      [{ unit: 'GB', quantity: 'ten', occurredAt: at }, 400, ['quantity']],
      [{ unit: 'GB', quantity: '1e3', occurredAt: at }, 400, ['quantity']],
      [{ unit: 'GB', quantity: 12.5, occurredAt: at }, 400, ['quantity']],
      [{ unit: 'GB', quantity: '0.0000000001', occurredAt: at }, 400, ['quantity']],
      [{ unit: '1GB', quantity: '1', occurredAt: at }, 400, ['unit']],
      [{ unit: 'giga bytes', quantity: '1', occurredAt: at }, 400, ['unit']],
      [{ unit: 'GB', quantity: '1', occurredAt: '2026-03-01 10:00' }, 400, ['occurredAt']],
      [{ unit: 'GB', quantity: '1', occurredAt: '2026-03-16T00:00:00Z' }, 422, ['occurredAt']],
      [{ unit: 'GB', quantity: '1', occurredAt: '2025-12-31T23:59:59Z' }, 422, ['occurredAt']],
    ];
    for (const [body, status, named] of cases) {
      const res = await record(body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(fields(res)).toEqual(named);
    }
    expect((await staff.get(`/api/subscriptions/${sub.id}/usage/totals?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`)).statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('another tenant’s subscription answers 404 to reads and writes; the owner’s reseller sees it; a customer may not', async () => {
    const before = await count();
    const body = { unit: 'GB', quantity: '1', occurredAt: '2026-03-01T00:00:00Z' };
    expect((await record(body, resellerB)).statusCode).toBe(404);
    expect((await resellerB.get(`/api/subscriptions/${sub.id}/usage`)).statusCode).toBe(404);
    expect((await resellerB.get(`/api/subscriptions/${sub.id}/usage/totals?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z`)).statusCode).toBe(404);
    expect((await record(body, staff, crypto.randomUUID())).statusCode).toBe(404);
    expect((await record(body, customer)).statusCode).toBe(403);
    expect(await count()).toBe(before);
    expect((await resellerA.get(`/api/subscriptions/${sub.id}/usage`)).statusCode).toBe(200);
    expect((await record(body, resellerA)).statusCode).toBe(201);
  });
});
