import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

const SECRET = 'Sup3r-secret-radius';

describe(`NAS management (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
  const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'staff'));
  const nasCount = async () => Number((await t.ctx.db.selectFrom('nas_devices').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);
  const create = async (body: Record<string, unknown>, api = admin) => {
    const res = await api.post('/api/nas', { type: 'mikrotik', secret: SECRET, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; [k: string]: unknown }>(res);
  };

  it('creates a NAS, keeps its secret sealed and never answers it', async () => {
    const res = await admin.post('/api/nas', {
      name: 'Kilimani core',
      type: 'mikrotik',
      address: '10.10.0.1',
      secret: SECRET,
      location: 'Kilimani POP',
      coordinates: { latitude: -1.2921, longitude: 36.7856 },
      managementApi: { kind: 'rest', tls: true, username: 'uplink', password: 'api-pass-1' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('api-pass-1');
    const nas = json(res);
    expect(nas).toMatchObject({
      name: 'Kilimani core',
      address: '10.10.0.1',
      secretSet: true,
      requireMessageAuthenticator: true,
      warning: null,
      coaPort: 3799,
      coordinates: { latitude: -1.2921, longitude: 36.7856 },
      managementApi: { kind: 'rest', port: 443, tls: true, username: 'uplink', passwordSet: true },
      status: 'unknown',
      active: true,
    });
    const row = await t.ctx.db.selectFrom('nas_devices').selectAll().where('id', '=', nas.id).executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(SECRET);
    expect(t.ctx.secrets.open(row.secret_enc)).toBe(SECRET);
    expect(t.ctx.secrets.open(row.api_password_enc!)).toBe('api-pass-1');
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('object_id', '=', nas.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['nas.create']);
    expect(JSON.stringify(audit.map((a) => [a.before, a.after]))).not.toContain(SECRET);
    expect((await admin.get(`/api/nas/${nas.id}`)).body).not.toContain(SECRET);
  });

  it('refuses an address another NAS has, in any spelling, and names the conflict only to those who may see it', async () => {
    const first = await create({ name: 'Westlands', address: '2001:db8::1' });
    const before = await nasCount();
    const same = await admin.post('/api/nas', { name: 'Copy', type: 'cisco', address: '2001:DB8:0::1', secret: SECRET });
    expect(same.statusCode).toBe(409);
    expect(json(same).detail).toBe('The address 2001:db8::1 is already used by the NAS Westlands');
    const foreign = await outsider.post('/api/nas', { name: 'Theirs', type: 'cisco', address: '2001:db8::1', secret: SECRET });
    expect(foreign.statusCode).toBe(409);
    expect(json(foreign).detail).toBe('The address 2001:db8::1 is already used by a NAS of another organization');
    // A dual-stack socket's spelling of an IPv4 address is that address.
    await create({ name: 'Mapped', address: '10.20.0.1' });
    expect((await admin.post('/api/nas', { name: 'Mapped 2', type: 'cisco', address: '::ffff:10.20.0.1', secret: SECRET })).statusCode).toBe(409);
    const moved = await admin.patch(`/api/nas/${first.id}`, { address: '10.20.0.1' });
    expect(moved.statusCode).toBe(409);
    expect(await nasCount()).toBe(before + 1);
  });

  it('answers bad input with 400 naming the field, and changes nothing', async () => {
    const before = await nasCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'A', type: 'mikrotik', address: 'router.local', secret: SECRET }, 'address'],
      [{ name: 'A', type: 'mikrotik', address: '10.0.0.0/24', secret: SECRET }, 'address'],
      [{ name: 'A', type: 'nokia', address: '10.30.0.1', secret: SECRET }, 'type'],
      [{ name: 'A', type: 'mikrotik', address: '10.30.0.1', secret: 'short' }, 'secret'],
      [{ name: 'A', type: 'mikrotik', address: '10.30.0.1', secret: SECRET, coaPort: 70000 }, 'coaPort'],
      [{ name: 'A', type: 'mikrotik', address: '10.30.0.1', secret: SECRET, coordinates: { latitude: 91, longitude: 0 } }, 'coordinates.latitude'],
      [{ name: 'A', type: 'mikrotik', address: '10.30.0.1', secret: SECRET, managementApi: { kind: 'binary', username: 'x' } }, 'managementApi.password'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/api/nas', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(json(res).errors), JSON.stringify(body)).toContain(field);
    }
    expect(await nasCount()).toBe(before);
  });

  it('warns when Message-Authenticator is not required', async () => {
    const nas = await create({ name: 'Old Cisco', type: 'cisco', address: '10.40.0.1', requireMessageAuthenticator: false });
    expect(nas.warning).toMatch(/BlastRADIUS/);
    const fixed = json(await admin.patch(`/api/nas/${nas.id}`, { requireMessageAuthenticator: true }));
    expect(fixed.warning).toBeNull();
  });

  it('lists with filters and search, exports CSV without secrets, and hides other tenants', async () => {
    await create({ name: 'Juniper edge', type: 'juniper', address: '10.50.0.1', location: 'Mombasa' });
    const theirs = await create({ name: 'Juniper far', type: 'juniper', address: '10.50.0.2' }, outsider);
    const names = async (qs: string) => json<{ items: { name: string }[] }>(await staff.get(`/api/nas?${qs}`)).items.map((n) => n.name);
    expect(await names('type=juniper')).toEqual(['Juniper edge']);
    expect(await names('q=mombasa')).toEqual(['Juniper edge']);
    expect(await names('q=10.50.')).toEqual(['Juniper edge']);
    expect(await names('sort=-name&limit=200')).toEqual([...(await names('limit=200'))].reverse());
    expect((await staff.get(`/api/nas/${theirs.id}`)).statusCode).toBe(404);
    expect((await staff.get('/api/nas?status=sideways')).statusCode).toBe(400);
    const csv = await admin.get('/api/nas/export?type=juniper');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toContain('id,organizationName,name,type,address');
    expect(csv.body).toContain('Juniper edge');
    expect(csv.body).not.toContain('Juniper far');
    expect(csv.body).not.toContain(SECRET);
    // Staff may read but not export or change.
    expect((await staff.get('/api/nas/export')).statusCode).toBe(403);
    expect((await staff.post('/api/nas', { name: 'X', type: 'generic', address: '10.50.0.9', secret: SECRET })).statusCode).toBe(403);
  });

  it('rotates the secret: answered once, stored sealed, audited without the value', async () => {
    const nas = await create({ name: 'Rotating', address: '10.60.0.1' });
    const given = await admin.post(`/api/nas/${nas.id}/rotate-secret`, { secret: 'a-new-shared-secret' });
    expect(json(given)).toEqual({ secret: 'a-new-shared-secret' });
    const random = json<{ secret: string }>(await admin.post(`/api/nas/${nas.id}/rotate-secret`, {}));
    expect(random.secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const row = await t.ctx.db.selectFrom('nas_devices').select('secret_enc').where('id', '=', nas.id).executeTakeFirstOrThrow();
    expect(t.ctx.secrets.open(row.secret_enc)).toBe(random.secret);
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('object_id', '=', nas.id).where('action', '=', 'nas.rotate_secret').execute();
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit.map((a) => [a.before, a.after]))).not.toContain(random.secret);
    expect((await outsider.post(`/api/nas/${nas.id}/rotate-secret`, {})).statusCode).toBe(404);
  });

  it('refuses to delete a NAS still referenced, deactivates it instead, and deletes a free one', async () => {
    const used = await create({ name: 'With pool', address: '10.70.0.1' });
    await t.ctx.db.insertInto('ip_pools').values({ organization_id: tree.resellerA.id, nas_id: used.id, name: 'pppoe-pool', family: 4 }).execute();
    const refused = await admin.delete(`/api/nas/${used.id}`);
    expect(refused.statusCode).toBe(409);
    expect(json(refused).detail).toContain('ip_pools');
    expect(json(refused).detail).toContain('deactivate it instead');
    const off = await admin.patch(`/api/nas/${used.id}`, { active: false });
    expect(json(off)).toMatchObject({ active: false, status: 'unknown' });
    expect(json(await admin.get('/api/nas?active=false')).items.map((n: { id: string }) => n.id)).toContain(used.id);
    const free = await create({ name: 'Free', address: '10.70.0.2' });
    expect((await outsider.delete(`/api/nas/${free.id}`)).statusCode).toBe(404);
    expect((await admin.delete(`/api/nas/${free.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/nas/${free.id}`)).statusCode).toBe(404);
    const actions = (await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', 'in', [used.id, free.id]).orderBy('seq').execute()).map((a) => a.action);
    expect(actions).toEqual(['nas.create', 'nas.deactivate', 'nas.create', 'nas.delete']);
  });
});
