import { describe, expect, it } from 'vitest';
import { createTestContext, json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { portalFixtures } from './fixtures.ts';

describe(`portal logins for subscribers (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  const f = portalFixtures(t, staff);

  it('staff give a subscriber a login with a password: a customer user of its organization, linked to it, that signs in to the portal', async () => {
    const s = await f.subscriber(tree.resellerA, 'Wanjiru Kamau');
    const res = await staff.post(`/api/subscribers/${s.id}/portal-login`, { email: 'Wanjiru@Example.TEST', password: PASSWORD });
    expect(res.statusCode, res.body).toBe(201);
    const body = json(res);
    expect(body.user).toMatchObject({ email: 'wanjiru@example.test', name: 'Wanjiru Kamau', role: 'customer', organizationId: tree.resellerA.id, status: 'active' });
    expect(body.passwordLink).toBeNull();
    const row = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', body.user.id).executeTakeFirstOrThrow();
    expect(row.subscriber_id).toBe(s.id);
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('object_id', '=', body.user.id).execute();
    expect(audit.map((a) => [a.action, a.organization_id])).toEqual([['user.create', tree.resellerA.id]]);

    // The real sign-in endpoint, then the portal answers for this subscriber.
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'wanjiru@example.test', password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'uplink_session')!;
    const me = await t.app.inject({ method: 'GET', url: '/api/portal/me', cookies: { uplink_session: cookie.value } });
    expect(me.statusCode, me.body).toBe(200);
    expect(json(me).subscriber).toMatchObject({ id: s.id, accountNumber: s.accountNumber, name: 'Wanjiru Kamau' });
  });

  it('without a password the subscriber gets a one-time link to choose one', async () => {
    const s = await f.subscriber(tree.isp);
    const res = await staff.post(`/api/subscribers/${s.id}/portal-login`, { email: `link.${s.id.slice(0, 8)}@example.test` });
    expect(res.statusCode, res.body).toBe(201);
    const { user, passwordLink } = json(res);
    expect(passwordLink.url).toMatch(/\/reset-password#token=[\w-]{20,}$/);
    const row = await t.ctx.db.selectFrom('users').select(['password_hash', 'subscriber_id']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ password_hash: null, subscriber_id: s.id });
    const token = new URL(passwordLink.url).hash.slice('#token='.length);
    const reset = await t.app.inject({ method: 'POST', url: '/api/auth/password-reset', payload: { token, newPassword: 'a long new passphrase 42' } });
    expect(reset.statusCode, reset.body).toBeLessThan(300);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'a long new passphrase 42' } });
    expect(login.statusCode, login.body).toBe(200);
  });

  it('one login per subscriber, one user per e-mail, and the password policy holds; nothing is written when refused', async () => {
    const s = await f.subscriber(tree.isp);
    const first = await f.customer(s.id);
    const again = await staff.post(`/api/subscribers/${s.id}/portal-login`, { email: 'another@example.test', password: PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(json(again).detail).toContain(first.email);

    const other = await f.subscriber(tree.isp);
    const taken = await staff.post(`/api/subscribers/${other.id}/portal-login`, { email: first.email.toUpperCase(), password: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(json(taken).errors).toEqual([{ field: 'email', message: 'is already in use' }]);
    const weak = await staff.post(`/api/subscribers/${other.id}/portal-login`, { email: 'weak@example.test', password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(json(weak).errors.map((e: { field: string }) => e.field)).toEqual(['password']);
    const bad = await staff.post(`/api/subscribers/${other.id}/portal-login`, { email: 'not an e-mail' });
    expect(bad.statusCode).toBe(400);
    expect(await t.ctx.db.selectFrom('users').select('id').where('subscriber_id', '=', other.id).execute()).toEqual([]);
  });

  it('needs subscribers.update, and another tenant’s subscriber is not found', async () => {
    const s = await f.subscriber(tree.isp);
    const denied = await accountant.post(`/api/subscribers/${s.id}/portal-login`, { email: 'denied@example.test', password: PASSWORD });
    expect(denied.statusCode).toBe(403);
    const foreign = await resellerB.post(`/api/subscribers/${s.id}/portal-login`, { email: 'foreign@example.test', password: PASSWORD });
    expect(foreign.statusCode).toBe(404);
    expect(await t.ctx.db.selectFrom('users').select('id').where('subscriber_id', '=', s.id).execute()).toEqual([]);
    const customer = await f.customer((await f.subscriber(tree.isp)).id);
    expect((await customer.api.post(`/api/subscribers/${s.id}/portal-login`, { email: 'self@example.test', password: PASSWORD })).statusCode).toBe(403);
  });
});
