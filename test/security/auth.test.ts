import { describe, expect, it } from 'vitest';
import { currentTotp } from '../../src/platform/auth/totp.ts';
import { sha256 } from '../../src/platform/crypto.ts';
import { issueSetupLink } from '../../src/modules/setup/setup.service.ts';
import { apiAs, createTestContext, json, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import type { LightMyRequestResponse } from 'fastify';

const cookieOf = (res: LightMyRequestResponse) => {
  const raw = res.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw : [raw ?? '']).find((c) => c.startsWith('uplink_session='));
  return { line: line ?? '', value: line?.split(';')[0]?.split('=')[1] ?? '' };
};

describe('sign-in, sessions and credentials', async () => {
  const t = await createTestContext();
  const { ctx, app } = t;
  const tree = await seedTree(ctx);
  let ipCounter = 0;
  /** Each test signs in from its own address so the per-IP rate limit of one test does not hit another. */
  const anon = () => {
    const ip = `10.9.0.${++ipCounter}`;
    const a = apiAs(app, null);
    return {
      login: (email: string, password: string) => a.post('/api/auth/login', { email, password }, { 'x-forwarded-for': ip }),
      post: (url: string, body: unknown) => a.post(url, body, { 'x-forwarded-for': ip }),
    };
  };
  const cookieApi = async (res: LightMyRequestResponse) => {
    const cookie = cookieOf(res).value;
    const me = await apiAs(app, { cookie, csrf: '' }).get('/api/auth/me');
    return { api: apiAs(app, { cookie, csrf: json(me).csrfToken }), cookie, me: json(me) };
  };

  it('signs in with a fresh ≥128-bit token in an HttpOnly SameSite cookie, stored only hashed', async () => {
    const user = await seedUser(ctx, tree.isp, 'admin');
    const a = anon();
    const first = await a.login(user.email, PASSWORD);
    expect(first.statusCode, first.body).toBe(200);
    const c1 = cookieOf(first);
    expect(c1.line).toMatch(/HttpOnly/i);
    expect(c1.line).toMatch(/SameSite=Lax/i);
    expect(Buffer.from(c1.value, 'base64url').length).toBeGreaterThanOrEqual(16);
    const stored = await ctx.db.selectFrom('sessions').select('token_hash').where('user_id', '=', user.id).execute();
    expect(stored.some((s) => s.token_hash.equals(sha256(c1.value)))).toBe(true);
    expect(stored.some((s) => s.token_hash.toString('utf8').includes(c1.value))).toBe(false);
    const second = await a.login(user.email, PASSWORD);
    expect(cookieOf(second).value).not.toBe(c1.value);
  });

  it('answers unknown e-mail and wrong password alike, and audits both', async () => {
    const user = await seedUser(ctx, tree.isp, 'staff');
    const a = anon();
    const wrong = await a.login(user.email, 'not the password');
    const unknown = await a.login('nobody@example.test', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(json(wrong).detail).toBe(json(unknown).detail);
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    const failures = await ctx.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'auth.login_failed').execute();
    expect(failures.some((f) => f.object_id === user.id)).toBe(true);
    expect(failures.some((f) => f.object_id === null)).toBe(true);
  });

  it('locks an account after repeated failures, until the lockout ends or an admin unlocks it', async () => {
    const user = await seedUser(ctx, tree.isp, 'staff');
    const a = anon();
    for (let i = 0; i < 4; i++) expect((await a.login(user.email, 'wrong')).statusCode).toBe(401);
    const locked = await a.login(user.email, 'wrong');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await anon().login(user.email, PASSWORD)).statusCode).toBe(429);
    t.clock.advance({ minutes: 16 });
    expect((await anon().login(user.email, PASSWORD)).statusCode).toBe(200);

    for (let i = 0; i < 5; i++) await anon().login(user.email, 'wrong');
    expect((await anon().login(user.email, PASSWORD)).statusCode).toBe(429);
    const admin = await sessionFor(t, await seedUser(ctx, tree.isp, 'admin'));
    expect((await admin.post(`/api/users/${user.id}/unlock`)).statusCode).toBe(200);
    expect((await anon().login(user.email, PASSWORD)).statusCode).toBe(200);
  });

  it('rate-limits sign-in attempts per address', async () => {
    const a = anon();
    const codes = [];
    for (let i = 0; i < 12; i++) codes.push((await a.login(`x${i}@example.test`, 'whatever')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes[11]).toBe(429);
  });

  it('ends sessions on logout and when the user is disabled', async () => {
    const user = await seedUser(ctx, tree.isp, 'staff');
    const { api, cookie } = await cookieApi(await anon().login(user.email, PASSWORD));
    expect((await api.post('/api/auth/logout')).statusCode).toBe(204);
    expect((await apiAs(app, { cookie, csrf: '' }).get('/api/auth/me')).statusCode).toBe(401);

    const victim = await seedUser(ctx, tree.isp, 'staff');
    const s = await cookieApi(await anon().login(victim.email, PASSWORD));
    const admin = await sessionFor(t, await seedUser(ctx, tree.isp, 'admin'));
    expect((await admin.patch(`/api/users/${victim.id}`, { status: 'disabled' })).statusCode).toBe(200);
    expect((await s.api.get('/api/auth/me')).statusCode).toBe(401);
    expect((await anon().login(victim.email, PASSWORD)).statusCode).toBe(403);
  });

  it('requires the CSRF token on cookie-authenticated writes', async () => {
    const user = await seedUser(ctx, tree.isp, 'admin');
    const { cookie, me } = await cookieApi(await anon().login(user.email, PASSWORD));
    const body = { parentId: tree.isp.id, kind: 'reseller', name: 'CSRF probe' };
    const none = await apiAs(app, { cookie, csrf: '' }).post('/api/organizations', body, { 'x-csrf-token': '' });
    expect(none.statusCode).toBe(403);
    const wrong = await apiAs(app, { cookie, csrf: 'x'.repeat(32) }).post('/api/organizations', body);
    expect(wrong.statusCode).toBe(403);
    expect(await ctx.db.selectFrom('organizations').select('id').where('name', '=', 'CSRF probe').executeTakeFirst()).toBeUndefined();
    const right = await apiAs(app, { cookie, csrf: me.csrfToken }).post('/api/organizations', body);
    expect(right.statusCode, right.body).toBe(201);
  });

  it('issues scoped, hashed, revocable API tokens', async () => {
    const owner = await seedUser(ctx, tree.resellerA, 'reseller');
    const api = await sessionFor(t, owner);
    const tooWide = await api.post('/api/api-tokens', { name: 'too wide', scopes: ['settings.update'] });
    expect(tooWide.statusCode).toBe(403);
    const created = await api.post('/api/api-tokens', { name: 'billing sync', scopes: ['organizations.read'] });
    expect(created.statusCode, created.body).toBe(201);
    const { token, apiToken } = json(created);
    expect(token).toMatch(/^upl_/);
    const row = await ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', apiToken.id).executeTakeFirstOrThrow();
    expect(row.token_hash.equals(sha256(token))).toBe(true);
    const bearer = apiAs(app, { bearer: token });
    const list = await bearer.get('/api/organizations');
    expect(list.statusCode).toBe(200);
    expect(json(list).items.every((o: { id: string }) => o.id !== tree.resellerB.id)).toBe(true);
    expect((await bearer.get('/api/users')).statusCode).toBe(403);
    expect((await bearer.post('/api/organizations', { kind: 'card_partner', name: 'Nope' })).statusCode).toBe(403);
    expect((await api.delete(`/api/api-tokens/${apiToken.id}`)).statusCode).toBe(204);
    expect((await bearer.get('/api/organizations')).statusCode).toBe(401);
    expect((await apiAs(app, { bearer: 'upl_made_up' }).get('/api/organizations')).statusCode).toBe(401);
  });

  it('expires API tokens and stops them when the owner is disabled', async () => {
    const owner = await seedUser(ctx, tree.isp, 'admin');
    const api = await sessionFor(t, owner);
    const { token } = json(await api.post('/api/api-tokens', { name: 'short', scopes: ['organizations.read'], expiresInDays: 1 }));
    const bearer = apiAs(app, { bearer: token });
    expect((await bearer.get('/api/organizations')).statusCode).toBe(200);
    t.clock.advance({ days: 2 });
    expect((await bearer.get('/api/organizations')).statusCode).toBe(401);

    const other = await seedUser(ctx, tree.isp, 'admin');
    const { token: t2 } = json(await (await sessionFor(t, other)).post('/api/api-tokens', { name: 'x', scopes: ['organizations.read'] }));
    await ctx.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', other.id).execute();
    expect((await apiAs(app, { bearer: t2 }).get('/api/organizations')).statusCode).toBe(401);
  });

  it('turns on TOTP two-factor sign-in and refuses wrong and replayed codes', async () => {
    const user = await seedUser(ctx, tree.isp, 'admin');
    const api = await sessionFor(t, user);
    const setup = json(await api.post('/api/auth/totp/setup'));
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await api.post('/api/auth/totp/enable', { code: '000000' })).statusCode).toBe(400);
    const enabled = await api.post('/api/auth/totp/enable', { code: currentTotp(setup.secret, ctx.clock.now()) });
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(json(enabled).user.totpEnabled).toBe(true);

    t.clock.advance({ seconds: 60 });
    const a = anon();
    const step1 = await a.login(user.email, PASSWORD);
    expect(json(step1)).toMatchObject({ status: 'mfa-required' });
    expect(cookieOf(step1).value).toBe('');
    const bad = await a.post('/api/auth/login/mfa', { mfaToken: json(step1).mfaToken, code: '123456' === currentTotp(setup.secret, ctx.clock.now()) ? '654321' : '123456' });
    expect(bad.statusCode).toBe(401);
    const again = await a.login(user.email, PASSWORD);
    const code = currentTotp(setup.secret, ctx.clock.now());
    const ok = await a.post('/api/auth/login/mfa', { mfaToken: json(again).mfaToken, code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(cookieOf(ok).value).not.toBe('');
    const third = await a.login(user.email, PASSWORD);
    const replay = await a.post('/api/auth/login/mfa', { mfaToken: json(third).mfaToken, code });
    expect(replay.statusCode).toBe(401);

    const off = await api.post('/api/auth/totp/disable', { password: PASSWORD });
    expect(json(off).user.totpEnabled).toBe(false);
    expect(json(await anon().login(user.email, PASSWORD)).status).toBe('signed-in');
  });

  it('changes the password: other sessions end, the caller gets a new session', async () => {
    const user = await seedUser(ctx, tree.isp, 'staff');
    const other = await cookieApi(await anon().login(user.email, PASSWORD));
    const mine = await cookieApi(await anon().login(user.email, PASSWORD));
    const weak = await mine.api.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(json(weak).errors[0].field).toBe('newPassword');
    const changed = await mine.api.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(cookieOf(changed).value).not.toBe(mine.cookie);
    expect((await other.api.get('/api/auth/me')).statusCode).toBe(401);
    expect((await mine.api.get('/api/auth/me')).statusCode).toBe(401);
    expect((await apiAs(app, { cookie: cookieOf(changed).value, csrf: '' }).get('/api/auth/me')).statusCode).toBe(200);
    expect((await anon().login(user.email, 'a brand new passphrase')).statusCode).toBe(200);
  });

  it('resets a password with a one-time link issued by an admin', async () => {
    const user = await seedUser(ctx, tree.resellerA, 'staff');
    const admin = await sessionFor(t, await seedUser(ctx, tree.resellerA, 'reseller'));
    const link = json(await admin.post(`/api/users/${user.id}/password-link`));
    const token = new URL(link.url).hash.replace('#token=', '');
    const a = anon();
    expect((await a.post('/api/auth/password-reset', { token, newPassword: 'reset passphrase ok' })).statusCode).toBe(204);
    expect((await a.post('/api/auth/password-reset', { token, newPassword: 'another passphrase' })).statusCode).toBe(400);
    expect((await anon().login(user.email, 'reset passphrase ok')).statusCode).toBe(200);
  });

  it('switches to a descendant organization and narrows what is visible', async () => {
    const user = await seedUser(ctx, tree.isp, 'admin');
    const api = await sessionFor(t, user);
    const switched = await api.post('/api/auth/organization', { organizationId: tree.resellerA.id });
    expect(json(switched).organization.id).toBe(tree.resellerA.id);
    const ids = json(await api.get('/api/organizations?limit=200')).items.map((o: { id: string }) => o.id);
    expect(ids).toContain(tree.subA.id);
    expect(ids).not.toContain(tree.resellerB.id);
    const audited = await ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'auth.switch_organization').where('actor_id', '=', user.id).execute();
    expect(audited).toHaveLength(1);
    const switchable = json(await api.get('/api/auth/organizations?limit=200')).items.map((o: { id: string }) => o.id);
    expect(switchable).toEqual(expect.arrayContaining([tree.isp.id, tree.resellerB.id, tree.subA.id]));
    const reseller = await sessionFor(t, await seedUser(ctx, tree.resellerA, 'reseller'));
    expect((await reseller.post('/api/auth/organization', { organizationId: tree.resellerB.id })).statusCode).toBe(404);
    const theirs = json(await reseller.get('/api/auth/organizations?limit=200')).items.map((o: { id: string }) => o.id);
    expect(theirs).toContain(tree.subA.id);
    expect(theirs).not.toContain(tree.resellerB.id);
  });

  it('never lets anyone hand out more power than they hold', async () => {
    const admin = await sessionFor(t, await seedUser(ctx, tree.isp, 'admin'));
    const dev = await admin.post('/api/users', { email: 'dev2@example.test', name: 'Dev', role: 'developer', password: 'long enough pass' });
    expect(dev.statusCode).toBe(403);
    const superAdmin = await seedUser(ctx, tree.isp, 'super_admin');
    expect((await admin.patch(`/api/users/${superAdmin.id}`, { name: 'Demoted' })).statusCode).toBe(403);
    const reseller = await sessionFor(t, await seedUser(ctx, tree.resellerA, 'reseller'));
    const staff = await seedUser(ctx, tree.resellerA, 'staff');
    expect((await reseller.patch(`/api/users/${staff.id}`, { role: 'admin' })).statusCode).toBe(403);
  });

  it('treats permissions as data: granting staff users.create lets staff create users', async () => {
    const staff = await sessionFor(t, await seedUser(ctx, tree.isp, 'staff'));
    const body = () => ({ email: `n${Date.now()}${Math.random()}@example.test`, name: 'New', role: 'customer', password: 'long enough pass' });
    expect((await staff.post('/api/users', body())).statusCode).toBe(403);
    const superAdmin = await sessionFor(t, await seedUser(ctx, tree.isp, 'super_admin'));
    const role = json(await superAdmin.get('/api/roles/staff'));
    const updated = await superAdmin.patch('/api/roles/staff', { permissions: [...role.permissions, 'users.create'] });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await staff.post('/api/users', body())).statusCode).toBe(201);
    await superAdmin.patch('/api/roles/staff', { permissions: role.permissions });
    expect((await staff.post('/api/users', body())).statusCode).toBe(403);
  });

  it('refuses sign-in for users of a disabled organization', async () => {
    const user = await seedUser(ctx, tree.subA, 'staff');
    await ctx.db.updateTable('organizations').set({ status: 'disabled' }).where('id', '=', tree.resellerA.id).execute();
    const res = await anon().login(user.email, PASSWORD);
    await ctx.db.updateTable('organizations').set({ status: 'active' }).where('id', '=', tree.resellerA.id).execute();
    expect(res.statusCode).toBe(403);
    expect(json(res).detail).toMatch(/organization is disabled/);
  });
});

describe('first-run setup', async () => {
  const t = await createTestContext();
  it('creates the ISP and the first account from the one-time link, once', async () => {
    expect(json(await apiAs(t.app, null).get('/api/setup')).needed).toBe(true);
    const link = await issueSetupLink(t.ctx, 'http://localhost:3000');
    const token = new URL(link!).hash.replace('#token=', '');
    const body = {
      token,
      organization: { name: 'Mombasa Net', currency: 'KES', timezone: 'Africa/Nairobi', locale: 'sw' },
      admin: { name: 'Amina Odhiambo', email: 'amina@mombasa.test', password: 'a good long passphrase' },
    };
    const bad = await apiAs(t.app, null).post('/api/setup', { ...body, organization: { ...body.organization, timezone: 'Mars/Olympus' } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors[0].field).toBe('organization.timezone');
    const res = await apiAs(t.app, null).post('/api/setup', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).me.user.role).toBe('developer');
    expect(json(res).me.organization).toMatchObject({ name: 'Mombasa Net', kind: 'isp', currency: 'KES' });
    expect(json(await apiAs(t.app, null).get('/api/setup')).needed).toBe(false);
    expect((await apiAs(t.app, null).post('/api/setup', body)).statusCode).toBe(409);
    expect(await issueSetupLink(t.ctx, 'http://localhost:3000')).toBeUndefined();
  });
});
