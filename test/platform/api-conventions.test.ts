import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedOrganization, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';

const problemType = 'application/problem+json';

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain(problemType);
  const body = json(res);
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

interface Org {
  id: string;
  name: string;
  createdAt: string;
}

/** Follows nextCursor to the end; returns the pages. */
async function walk(api: Api, query: string): Promise<Org[][]> {
  const pages: Org[][] = [];
  let cursor: string | null = null;
  do {
    const res = await api.get(`/api/organizations?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = json<{ items: Org[]; nextCursor: string | null }>(res);
    pages.push(body.items);
    cursor = body.nextCursor;
  } while (cursor && pages.length < 10);
  return pages;
}

describe(`API conventions (${engine})`, async () => {
  const t = await createTestContext();
  const isp = await seedOrganization(t.ctx, null, 'isp', 'Nairobi Fibre');
  const api = await sessionFor(t, await seedUser(t.ctx, isp, 'admin'));
  // 120 resellers: 40 names used three times each (ties on name), created one by one.
  for (let i = 0; i < 120; i++) await seedOrganization(t.ctx, isp, 'reseller', `Shop ${String(i % 40).padStart(2, '0')}`);
  // Microsecond timestamps, three to a millisecond and in exact pairs: what a busy server stores.
  await sql`update organizations o set created_at = timestamptz '2026-01-01 00:00:00+00' + (r.n / 2) * interval '300 microseconds'
    from (select id, row_number() over (order by id) as n from organizations where kind = 'reseller') r where o.id = r.id`.execute(t.ctx.db);
  const all = await t.ctx.db.selectFrom('organizations').select(['id', 'name']).where('kind', '=', 'reseller').execute();
  const byCreatedThenId = (await sql<{ id: string }>`select id from organizations where kind = 'reseller' order by created_at, id`.execute(t.ctx.db)).rows.map((r) => r.id);
  const byNameThenId = [...all].sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1)).map((o) => o.id);

  describe('errors are problem documents', () => {
    it('a body validation error names the fields', async () => {
      const body = expectProblem(await api.post('/api/organizations', { kind: 'reseller', name: '' }), 400);
      expect(body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
      const missing = expectProblem(await api.post('/api/organizations', { name: 'No kind' }), 400);
      expect(missing.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
    });

    it('a query validation error names the parameter', async () => {
      const body = expectProblem(await api.get('/api/organizations?limit=0'), 400);
      expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
    });

    it('an unknown route answers 404', async () => {
      expect(expectProblem(await api.get('/api/no-such-thing'), 404).detail).toContain('/api/no-such-thing');
      expectProblem(await api.post('/no-such-page', {}), 404);
    });

    it('malformed JSON answers 400', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/organizations',
        headers: { 'content-type': 'application/json' },
        payload: '{"kind": "reseller", "name":',
      });
      expectProblem(res, 400);
    });

    it('an unauthenticated request answers 401', async () => {
      expectProblem(await t.app.inject({ method: 'GET', url: '/api/organizations' }), 401);
    });
  });

  describe('cursor pagination', () => {
    it('walks 120 organizations in pages of 50 by name, ascending, with no duplicates or gaps', async () => {
      const pages = await walk(api, 'kind=reseller&limit=50&sort=name');
      expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
      expect(pages.flat().map((o) => o.id)).toEqual(byNameThenId);
    });

    it('walks the same list descending', async () => {
      const pages = await walk(api, 'kind=reseller&limit=50&sort=-name');
      expect(pages.flat().map((o) => o.id)).toEqual([...byNameThenId].reverse());
    });

    it('walks by a microsecond timestamp with ties, both ways, with no duplicates or gaps', async () => {
      expect((await walk(api, 'kind=reseller&limit=50&sort=created_at')).flat().map((o) => o.id)).toEqual(byCreatedThenId);
      expect((await walk(api, 'kind=reseller&limit=50&sort=-created_at')).flat().map((o) => o.id)).toEqual([...byCreatedThenId].reverse());
    });

    it('a cursor still works after its row is deleted', async () => {
      const parent = await seedOrganization(t.ctx, isp, 'reseller', 'Parent for deletion');
      const [a, b, c] = [
        await seedOrganization(t.ctx, parent, 'sub_reseller', 'Sub A'),
        await seedOrganization(t.ctx, parent, 'sub_reseller', 'Sub B'),
        await seedOrganization(t.ctx, parent, 'sub_reseller', 'Sub C'),
      ];
      const list = `/api/organizations?parentId=${parent.id}&limit=2&sort=name`;
      const first = json(await api.get(list));
      expect(first.items.map((o: Org) => o.id)).toEqual([a.id, b.id]);
      await t.ctx.db.deleteFrom('organizations').where('id', '=', b.id).execute();
      const next = json(await api.get(`${list}&cursor=${first.nextCursor}`));
      expect(next.items.map((o: Org) => o.id)).toEqual([c.id]);
    });

    it('a page size above the maximum is refused', async () => {
      expect(expectProblem(await api.get('/api/organizations?limit=201'), 400).errors[0].field).toBe('limit');
    });

    it('an unknown sort field is refused with the allowed fields', async () => {
      const body = expectProblem(await api.get('/api/organizations?sort=password_hash'), 400);
      expect(body.errors).toEqual([{ field: 'sort', message: expect.stringContaining('name, -name, created_at, -created_at') }]);
    });

    it('a malformed cursor, or one from another sort order, is refused', async () => {
      expect(expectProblem(await api.get('/api/organizations?cursor=not-a-cursor'), 400).errors[0].field).toBe('cursor');
      const first = json(await api.get('/api/organizations?kind=reseller&limit=5&sort=name'));
      const body = expectProblem(await api.get(`/api/organizations?kind=reseller&limit=5&sort=-name&cursor=${first.nextCursor}`), 400);
      expect(body.errors[0].field).toBe('cursor');
    });
  });

  describe('request ids', () => {
    it('echoes a given x-request-id', async () => {
      const res = await api.get('/api/organizations?limit=1', { 'x-request-id': 'edge-7f3a.42' });
      expect(res.headers['x-request-id']).toBe('edge-7f3a.42');
      expect(expectProblem(await api.get('/api/nothing', { 'x-request-id': 'edge-7f3a.43' }), 404).requestId).toBe('edge-7f3a.43');
    });

    it('generates one when none (or an unusable one) is given', async () => {
      const a = await api.get('/api/organizations?limit=1');
      const b = await api.get('/api/organizations?limit=1', { 'x-request-id': 'has spaces; and <html>' });
      for (const res of [a, b]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });
  });
});
