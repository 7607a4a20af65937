import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

interface Page {
  items: { id: string; name: string; organizationId: string }[];
  nextCursor: string | null;
}

/** Subscribers added with set-based SQL: `count` named "<surname> <n>", one second apart, newest last. */
async function addMany(t: Awaited<ReturnType<typeof createTestContext>>, organizationId: string, surname: string, count: number, prefix: string) {
  await sql`insert into subscribers (organization_id, account_number, name, status, search_text, created_at, updated_at)
    select ${organizationId}::uuid, ${prefix} || i, ${surname} || ' ' || i, 'active', lower(${surname} || ' ' || i || ' ' || ${prefix} || i),
           timestamptz '2026-01-01' + i * interval '1 second', now()
      from generate_series(1, ${count}::int) i`.execute(t.ctx.db);
}

describe(`subscriber search at scale (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'staff'));
  await addMany(t, tree.resellerA.id, 'Kamau', 2500, 'A-');
  await addMany(t, tree.subA.id, 'Kamau', 300, 'S-');
  await addMany(t, tree.resellerB.id, 'Kamau', 3000, 'B-');
  await addMany(t, tree.resellerA.id, 'Otieno', 40, 'O-');
  const expected = async (like: string, limit: number) =>
    (
      await sql<{ id: string }>`select s.id from subscribers s join organizations o on o.id = s.organization_id
        where o.path like ${`${tree.resellerA.path}%`} and s.search_text like ${like} order by s.created_at desc, s.id desc limit ${limit}`.execute(t.ctx.db)
    ).rows.map((r) => r.id);
  const get = async (query: string) => {
    const res = await staff.get(`/api/subscribers?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return json<Page>(res);
  };

  it('a fragment matching thousands answers the newest matches of the caller’s subtree, page after page', async () => {
    const first = await get('q=kama&limit=50');
    expect(first.items.map((s) => s.id)).toEqual((await expected('%kama%', 50)));
    expect(first.items.every((s) => s.organizationId !== tree.resellerB.id)).toBe(true);
    const second = await get(`q=kama&limit=50&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((s) => s.id)).toEqual(await expected('%kama%', 100));
  });

  it('a fragment matching few answers the same way, and name order is there when asked for', async () => {
    expect((await get('q=otieno&limit=50')).items.map((s) => s.id)).toEqual(await expected('%otieno%', 50));
    const byName = await get('q=otieno 1&sort=name&limit=5');
    expect(byName.items.map((s) => s.name)).toEqual(['Otieno 1', 'Otieno 10', 'Otieno 11', 'Otieno 12', 'Otieno 13']);
  });

  it('filters narrow a large search, and a list without search stays in name order', async () => {
    const inSub = await get(`q=kamau&organizationId=${tree.subA.id}&limit=200`);
    expect(inSub.items).toHaveLength(200);
    expect(inSub.items.every((s) => s.organizationId === tree.subA.id)).toBe(true);
    expect((await get('status=suspended&q=kamau')).items).toEqual([]);
    expect((await get('limit=3')).items.map((s) => s.name)).toEqual(['Kamau 1', 'Kamau 1', 'Kamau 10']);
  });
});
