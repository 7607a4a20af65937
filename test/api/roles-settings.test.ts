import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';

describe('roles, settings and links: partial updates change only what is sent', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const dev = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'developer'));

  it('keeps a role’s description when only its permissions change', async () => {
    const created = await dev.post('/api/roles', { key: 'field_agent', name: 'Field agent', description: 'Installs routers', permissions: ['organizations.read'] });
    expect(created.statusCode, created.body).toBe(201);
    const updated = json(await dev.patch('/api/roles/field_agent', { permissions: ['organizations.read', 'users.read'] }));
    expect(updated).toMatchObject({ description: 'Installs routers', name: 'Field agent', permissions: ['organizations.read', 'users.read'] });
  });

  it('keeps the other settings when one setting changes', async () => {
    const first = json(await dev.patch('/api/settings', { passwordMinLength: 14, lockoutMinutes: 30 }));
    expect(first).toMatchObject({ passwordMinLength: 14, lockoutMinutes: 30 });
    const second = json(await dev.patch('/api/settings', { platformName: 'Kilima Net' }));
    expect(second).toMatchObject({ platformName: 'Kilima Net', passwordMinLength: 14, lockoutMinutes: 30 });
    const bad = await dev.patch('/api/settings', { passwordMinLength: 4 });
    expect(bad.statusCode).toBe(400);
    expect(json(await dev.get('/api/settings')).passwordMinLength).toBe(14);
  });

  it('points password links at the address the caller used when PUBLIC_URL is unset', async () => {
    const res = await dev.post('/api/users', { email: 'link@example.test', name: 'Link', role: 'staff' }, { host: '192.168.88.10:3000' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).passwordLink.url).toMatch(/^http:\/\/192\.168\.88\.10:3000\/reset-password#token=/);
  });
});
