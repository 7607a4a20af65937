import { describe, expect, it } from 'vitest';
import { apiAs, createTestContext, json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';

describe('smoke', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await seedUser(t.ctx, tree.isp, 'admin', 'admin@example.test');

  it('logs in and lists organizations', async () => {
    const res = await apiAs(t.app, null).post('/api/auth/login', { email: 'admin@example.test', password: PASSWORD });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).status).toBe('signed-in');
    const api = await sessionFor(t, admin);
    const list = await api.get('/api/organizations');
    expect(list.statusCode, list.body).toBe(200);
    expect(json(list).items.map((o: any) => o.name)).toContain('Reseller A');
  });
});
