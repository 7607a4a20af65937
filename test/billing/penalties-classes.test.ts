import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE, createSession } from '../../src/platform/auth/sessions.ts';
import type { User } from '../../src/platform/db/schema.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type TestContext } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createSubscriber } from '../usage/fixtures.ts';

const fields = (res: { body: string }) => (json(res as never).errors ?? []).map((e: { field: string }) => e.field);

/** PUT as the user (the shared API helper has no PUT). */
async function putAs(t: TestContext, user: User, url: string, body: unknown) {
  const s = await createSession(
    t.ctx.db,
    t.ctx.clock,
    { idleMinutes: t.ctx.config.sessionIdleMinutes, absoluteHours: t.ctx.config.sessionAbsoluteHours },
    { userId: user.id, organizationId: user.organization_id, ip: '127.0.0.1', userAgent: 'vitest' },
  );
  return t.app.inject({
    method: 'PUT',
    url,
    headers: { cookie: `${SESSION_COOKIE}=${s.token}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

describe(`penalty classes (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const accountantUser = await seedUser(t.ctx, tree.isp, 'accountant');
  const accountant = await sessionFor(t, accountantUser);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const resellerAUser = await seedUser(t.ctx, tree.resellerA, 'admin');
  const resellerA = await sessionFor(t, resellerAUser);
  const resellerBUser = await seedUser(t.ctx, tree.resellerB, 'admin');
  const resellerB = await sessionFor(t, resellerBUser);
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const classes = async () => Number((await t.ctx.db.selectFrom('penalty_classes').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);

  const create = async (body: Record<string, unknown>, api = accountant) => {
    const res = await api.post('/api/billing/penalty-classes', body);
    expect(res.statusCode, res.body).toBe(201);
    return json(res);
  };

  it('creates fixed and percentage classes with amounts in the currency’s decimals, and audits them', async () => {
    const fixed = await create({ name: 'Flat KES 200', kind: 'fixed', amount: '200' });
    expect(fixed).toMatchObject({ organizationId: tree.isp.id, kind: 'fixed', amount: '200.00', percent: null, minimum: null, currency: 'KES', daysAfterDue: 0, penaltyOnPenalty: false, readOnly: false });
    const pct = await create({ name: '5% min 250', kind: 'percentage', percent: '5.00', minimum: '250', daysAfterDue: 7, penaltyOnPenalty: true });
    expect(pct).toMatchObject({ kind: 'percentage', amount: null, percent: '5', minimum: '250.00', daysAfterDue: 7, penaltyOnPenalty: true });
    const usd = await create({ name: 'USD 2.5%', kind: 'percentage', percent: '2.5', currency: 'usd' });
    expect(usd).toMatchObject({ currency: 'USD', percent: '2.5', minimum: null });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'penalty_class.create').execute();
    expect(audit.map((a) => a.object_id).sort()).toEqual([fixed.id, pct.id, usd.id].sort());
    expect(json(await accountant.get(`/api/billing/penalty-classes/${pct.id}`))).toEqual(pct);
  });

  it('refuses classes that do not add up, naming the field, and stores nothing', async () => {
    const before = await classes();
    const cases: [Record<string, unknown>, number, string[]][] = [
      [{ name: 'No amount', kind: 'fixed' }, 400, ['amount']],
      [{ name: 'Zero', kind: 'fixed', amount: '0' }, 400, ['amount']],
      [{ name: 'Negative', kind: 'fixed', amount: '-200' }, 400, ['amount']],
      [{ name: 'Float', kind: 'fixed', amount: 200 }, 400, ['amount']],
      [{ name: 'Too fine', kind: 'fixed', amount: '200.005' }, 400, ['amount']],
      [{ name: 'Yen cents', kind: 'fixed', amount: '200.5', currency: 'JPY' }, 400, ['amount']],
      [{ name: 'No percent', kind: 'percentage', minimum: '250' }, 400, ['percent']],
      [{ name: 'Over 100', kind: 'percentage', percent: '150' }, 400, ['percent']],
      [{ name: 'Zero percent', kind: 'percentage', percent: '0' }, 400, ['percent']],
      [{ name: 'Bad min', kind: 'percentage', percent: '5', minimum: 'lots' }, 400, ['minimum']],
      [{ name: 'Currency', kind: 'fixed', amount: '1', currency: 'XYZ' }, 400, ['currency']],
      [{ name: 'Days', kind: 'fixed', amount: '1', daysAfterDue: 400 }, 400, ['daysAfterDue']],
      [{ name: 'Flat KES 200', kind: 'fixed', amount: '1' }, 409, ['name']],
    ];
    for (const [body, status, named] of cases) {
      const res = await accountant.post('/api/billing/penalty-classes', body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(fields(res)).toEqual(named);
    }
    expect(await classes()).toBe(before);
  });

  it('edits a class; switching the kind clears the other kind’s fields', async () => {
    const c = await create({ name: 'Editable', kind: 'percentage', percent: '10', minimum: '100' });
    const renamed = await accountant.patch(`/api/billing/penalty-classes/${c.id}`, { name: 'Ten percent', daysAfterDue: 3 });
    expect(json(renamed)).toMatchObject({ name: 'Ten percent', percent: '10', minimum: '100.00', daysAfterDue: 3 });
    const missing = await accountant.patch(`/api/billing/penalty-classes/${c.id}`, { kind: 'fixed' });
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['amount']);
    const fixed = json(await accountant.patch(`/api/billing/penalty-classes/${c.id}`, { kind: 'fixed', amount: '150' }));
    expect(fixed).toMatchObject({ kind: 'fixed', amount: '150.00', percent: null, minimum: null });
    const clash = await accountant.patch(`/api/billing/penalty-classes/${c.id}`, { name: 'Flat KES 200' });
    expect(clash.statusCode).toBe(409);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['before', 'after']).where('action', '=', 'penalty_class.update').where('object_id', '=', c.id).orderBy('seq').execute();
    expect(audit).toHaveLength(2);
    expect(audit[1]!.before).toMatchObject({ kind: 'percentage', percent: '10' });
  });

  it('gives a subscriber a class of its organization or one above, never a sibling’s; deleting a class in use is refused', async () => {
    const ispClass = await create({ name: 'ISP standard', kind: 'fixed', amount: '200' });
    const bClass = await create({ name: 'Reseller B only', kind: 'fixed', amount: '50', organizationId: tree.resellerB.id }, admin);
    const subscriber = await createSubscriber(admin, tree.resellerA);
    const url = `/api/subscribers/${subscriber.id}/penalty-class`;
    const assigned = await putAs(t, resellerAUser, url, { penaltyClassId: ispClass.id });
    expect(assigned.statusCode, assigned.body).toBe(200);
    // Reseller A may use the ISP's class, but not change it.
    expect(json(assigned)).toMatchObject({ subscriberId: subscriber.id, penaltyClass: { id: ispClass.id, readOnly: true } });
    expect((await resellerA.patch(`/api/billing/penalty-classes/${ispClass.id}`, { amount: '1' })).statusCode).toBe(404);
    expect(json(await resellerA.get(url)).penaltyClass.id).toBe(ispClass.id);
    const sibling = await putAs(t, accountantUser, url, { penaltyClassId: bClass.id });
    expect(sibling.statusCode).toBe(400);
    expect(fields(sibling)).toEqual(['penaltyClassId']);
    expect((await putAs(t, resellerBUser, url, { penaltyClassId: bClass.id })).statusCode).toBe(404);
    expect((await resellerB.get(url)).statusCode).toBe(404);
    expect((await resellerB.get(`/api/billing/penalty-classes/${ispClass.id}`)).statusCode).toBe(200);
    expect((await resellerA.get(`/api/billing/penalty-classes/${bClass.id}`)).statusCode).toBe(404);
    const inUse = await accountant.delete(`/api/billing/penalty-classes/${ispClass.id}`);
    expect(inUse.statusCode).toBe(409);
    expect((await putAs(t, accountantUser, url, { penaltyClassId: null })).statusCode).toBe(200);
    expect(json(await accountant.get(url)).penaltyClass).toBeNull();
    expect((await accountant.delete(`/api/billing/penalty-classes/${ispClass.id}`)).statusCode).toBe(204);
    expect((await accountant.get(`/api/billing/penalty-classes/${ispClass.id}`)).statusCode).toBe(404);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['after']).where('action', '=', 'subscriber.penalty_class').where('object_id', '=', subscriber.id).orderBy('seq').execute();
    expect(audit.map((a) => a.after)).toEqual([{ penaltyClassId: ispClass.id }, { penaltyClassId: null }]);
  });

  it('lists classes of the subtree and above with filters; reading needs billing.read, changing billing.update', async () => {
    const mine = json(await resellerA.get('/api/billing/penalty-classes?limit=200')).items.map((c: { name: string }) => c.name);
    expect(mine).toContain('Flat KES 200');
    expect(mine).not.toContain('Reseller B only');
    const usd = json(await accountant.get('/api/billing/penalty-classes?currency=USD')).items;
    expect(usd.map((c: { name: string }) => c.name)).toEqual(['USD 2.5%']);
    expect((await staff.get('/api/billing/penalty-classes')).statusCode).toBe(200);
    expect((await staff.post('/api/billing/penalty-classes', { name: 'Staff class', kind: 'fixed', amount: '1' })).statusCode).toBe(403);
  });
});
