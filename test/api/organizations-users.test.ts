import { describe, expect, it } from 'vitest';
import { apiAs, createTestContext, json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';

describe('organizations', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));

  it('creates children with inherited settings and the kind rules of the business model', async () => {
    const res = await admin.post('/api/organizations', { parentId: tree.resellerA.id, kind: 'sub_reseller', name: 'Eldoret POP' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res)).toMatchObject({ parentId: tree.resellerA.id, depth: 2, currency: 'KES', timezone: 'Africa/Nairobi', status: 'active' });
    const bad = await admin.post('/api/organizations', { parentId: tree.cardA.id, kind: 'sub_reseller', name: 'Under a card partner' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors[0]).toMatchObject({ field: 'kind' });
    const isp = await admin.post('/api/organizations', { kind: 'isp', name: 'Second ISP' });
    expect(isp.statusCode).toBe(400);
  });

  it('validates currency and time zone with field messages and changes nothing', async () => {
    const count = async () => (await t.ctx.db.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    const res = await admin.post('/api/organizations', { kind: 'reseller', name: 'X', currency: 'KSH', timezone: 'Nairobi' });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors.map((e: { field: string }) => e.field).sort()).toEqual(['currency', 'timezone']);
    expect(await count()).toBe(before);
  });

  it('refuses to delete an organization that still holds organizations or users, or your own', async () => {
    expect((await admin.delete(`/api/organizations/${tree.resellerA.id}`)).statusCode).toBe(409);
    expect((await admin.delete(`/api/organizations/${tree.isp.id}`)).statusCode).toBe(409);
    const empty = json(await admin.post('/api/organizations', { parentId: tree.resellerB.id, kind: 'card_partner', name: 'Short-lived' }));
    expect((await admin.delete(`/api/organizations/${empty.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/organizations/${empty.id}`)).statusCode).toBe(404);
    const reseller = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
    expect((await reseller.patch(`/api/organizations/${tree.resellerB.id}`, { status: 'disabled' })).statusCode).toBe(409);
  });

  it('filters, searches and exports within the subtree', async () => {
    const resellers = json(await admin.get('/api/organizations?kind=reseller'));
    expect(resellers.items.map((o: { name: string }) => o.name).sort()).toEqual(['Reseller A', 'Reseller B']);
    const search = json(await admin.get('/api/organizations?q=sub-res'));
    expect(search.items.map((o: { name: string }) => o.name)).toContain('Sub-reseller A1');
    const csv = await admin.get('/api/organizations/export?kind=card_partner');
    expect(csv.headers['content-disposition']).toMatch(/organizations\.csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,parentId,kind,name/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(',card_partner,'))).toBe(true);
  });
});

describe('users', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const me = await seedUser(t.ctx, tree.resellerA, 'reseller');
  const reseller = await sessionFor(t, me);

  it('creates a user without a password and hands back a one-time link that works', async () => {
    const res = await reseller.post('/api/users', { organizationId: tree.subA.id, email: 'Wanjiku@Example.TEST', name: 'Wanjiku Kamau', role: 'staff' });
    expect(res.statusCode, res.body).toBe(201);
    const body = json(res);
    expect(body.user.email).toBe('wanjiku@example.test');
    expect(body.passwordLink.url).toMatch(/\/reset-password#token=/);
    const token = new URL(body.passwordLink.url).hash.replace('#token=', '');
    expect((await apiAs(t.app, null).post('/api/auth/password-reset', { token, newPassword: 'sunrise over lake victoria' })).statusCode).toBe(204);
    const login = await apiAs(t.app, null).post('/api/auth/login', { email: 'wanjiku@example.test', password: 'sunrise over lake victoria' });
    expect(login.statusCode).toBe(200);
  });

  it('rejects duplicate e-mails (any case), weak passwords and unknown roles with field errors', async () => {
    const dup = await reseller.post('/api/users', { email: 'WANJIKU@example.test', name: 'Other', role: 'staff', password: PASSWORD });
    expect(dup.statusCode).toBe(409);
    expect(json(dup).errors[0].field).toBe('email');
    const weak = await reseller.post('/api/users', { email: 'weak@example.test', name: 'Weak', role: 'staff', password: 'password123' });
    expect(weak.statusCode).toBe(400);
    expect(json(weak).errors[0].field).toBe('password');
    const role = await reseller.post('/api/users', { email: 'role@example.test', name: 'R', role: 'emperor', password: PASSWORD });
    expect(role.statusCode).toBe(400);
    expect(json(role).errors[0].field).toBe('role');
  });

  it('stops you from locking yourself out', async () => {
    expect((await reseller.patch(`/api/users/${me.id}`, { status: 'disabled' })).statusCode).toBe(409);
    expect((await reseller.patch(`/api/users/${me.id}`, { role: 'staff' })).statusCode).toBe(409);
    expect((await reseller.delete(`/api/users/${me.id}`)).statusCode).toBe(409);
    expect((await reseller.patch(`/api/users/${me.id}`, { name: 'Renamed Me' })).statusCode).toBe(200);
  });

  it('moves a user within the subtree and ends their sessions', async () => {
    const staff = await seedUser(t.ctx, tree.resellerA, 'staff');
    const theirs = await sessionFor(t, staff);
    expect((await theirs.get('/api/auth/me')).statusCode).toBe(200);
    const moved = await reseller.patch(`/api/users/${staff.id}`, { organizationId: tree.subA.id });
    expect(json(moved).organizationId).toBe(tree.subA.id);
    expect((await theirs.get('/api/auth/me')).statusCode).toBe(401);
    expect((await reseller.patch(`/api/users/${staff.id}`, { organizationId: tree.resellerB.id })).statusCode).toBe(404);
  });

  it('lists with filters and stable cursor pages', async () => {
    for (let i = 0; i < 7; i++) await seedUser(t.ctx, tree.cardA, 'card_distributor');
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { items: { id: string; role: string }[]; nextCursor: string | null } = json(
        await reseller.get(`/api/users?role=card_distributor&limit=3${cursor ? `&cursor=${cursor}` : ''}`),
      );
      for (const u of res.items) {
        expect(u.role).toBe('card_distributor');
        expect(seen.has(u.id)).toBe(false);
        seen.add(u.id);
      }
      cursor = res.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(7);
    expect(pages).toBe(3);
  });
});
