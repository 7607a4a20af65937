import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`Idempotency-Key on POST (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await seedUser(t.ctx, tree.isp, 'admin');
  const api = await sessionFor(t, admin);
  const named = async (name: string) => (await t.ctx.db.selectFrom('organizations').select('id').where('name', '=', name).execute()).length;
  const reseller = (name: string) => ({ kind: 'reseller', name });
  const key = () => ({ 'idempotency-key': randomUUID() });

  it('same key and same body: the stored response is replayed and the work done once', async () => {
    const k = key();
    const first = await api.post('/api/organizations', reseller('Replay Ltd'), k);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await api.post('/api/organizations', reseller('Replay Ltd'), k);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.body).toBe(first.body);
    expect(await named('Replay Ltd')).toBe(1);
  });

  it('same key with a different body: 422 problem, nothing created', async () => {
    const k = key();
    expect((await api.post('/api/organizations', reseller('Original Ltd'), k)).statusCode).toBe(201);
    const other = await api.post('/api/organizations', reseller('Different Ltd'), k);
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(json(other).detail).toMatch(/different request/);
    expect(await named('Different Ltd')).toBe(0);
  });

  it('20 concurrent requests with one key: one organization, 20 identical answers', async () => {
    const k = key();
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.post('/api/organizations', reseller('Concurrent Ltd'), k)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await named('Concurrent Ltd')).toBe(1);
  });

  it('a 4xx answer from the service is stored and replayed too', async () => {
    const k = key();
    const body = { kind: 'reseller', name: 'Misplaced Ltd', parentId: tree.cardA.id };
    const first = await api.post('/api/organizations', body, k);
    expect(first.statusCode).toBe(400);
    expect(json(first).errors).toEqual([{ field: 'kind', message: expect.any(String) }]);
    const again = await api.post('/api/organizations', body, k);
    expect(again.statusCode).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(await named('Misplaced Ltd')).toBe(0);
  });

  it('keys belong to the caller: another user reusing a key gets its own result', async () => {
    const k = key();
    const otherAdmin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
    const mine = await api.post('/api/organizations', reseller('Shared Key Ltd'), k);
    const theirs = await otherAdmin.post('/api/organizations', reseller('Shared Key Ltd'), k);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(json(theirs).id).not.toBe(json(mine).id);
    expect(await named('Shared Key Ltd')).toBe(2);
  });

  it('without a key every POST runs', async () => {
    const a = await api.post('/api/organizations', reseller('Twice Ltd'));
    const b = await api.post('/api/organizations', reseller('Twice Ltd'));
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(json(a).id).not.toBe(json(b).id);
    expect(await named('Twice Ltd')).toBe(2);
  });

  it('a malformed key is refused with 400', async () => {
    const res = await api.post('/api/organizations', reseller('Bad Key Ltd'), { 'idempotency-key': 'has spaces in it' });
    expect(res.statusCode).toBe(400);
    expect(json(res).detail).toMatch(/Idempotency-Key/);
    expect(await named('Bad Key Ltd')).toBe(0);
  });
});
