/**
 * Hotspot voucher logins through real RADIUS packets (Debian's radtest, PAP) against the radius
 * role: a plan card's PIN is the login; the first Access-Request redeems it, later ones are
 * ordinary logins until the validity counted from the first one ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startRadiusRole } from '../../src/modules/aaa/radius-role.ts';
import { billSubscriptions } from '../../src/modules/billing/billing-run.service.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { run } from '../radius/support.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';

const SECRET = 'hotspot-shared-secret';

describe('hotspot voucher login (radtest)', async () => {
  const t = await createTestContext({ config: { radius: { host: '127.0.0.1', authPort: 0, acctPort: 0 } } });
  const tree = await seedTree(t.ctx);
  t.clock.set(new Date('2026-03-10T09:00:00Z'));
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const nas = await admin.post('/api/nas', { organizationId: tree.isp.id, name: 'hotspot-1', type: 'mikrotik', address: '127.0.0.1', secret: SECRET });
  expect(nas.statusCode, nas.body).toBe(201);
  const plan = await createPlan(
    admin,
    { serviceType: 'hotspot', billingModel: 'prepaid', name: 'Day pass' },
    {
      billing: { cycle: 'validity', validityUnit: 'hours', validityLength: 24 },
      prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '50' }] }],
      network: { download: { rateKbps: 4096, burst: null }, upload: { rateKbps: 1024, burst: null } },
    },
  );

  async function cards(body: Record<string, unknown>) {
    const res = await admin.post('/api/cards/batches', { name: 'Hotspot', prefix: 'HS', value: '50', quantity: 3, expiresAt: '2026-12-31T00:00:00Z', ...body });
    expect(res.statusCode, res.body).toBe(201);
    const id = json(res).id;
    expect((await admin.post(`/api/cards/batches/${id}/sell`, { from: 1, to: 2 })).statusCode).toBe(200);
    return (await admin.get(`/api/cards/batches/${id}/export`)).body.trim().split('\n').slice(1).map((l) => l.split(',')[1]!.replace(/-/g, ''));
  }
  const dayPass = await cards({ planId: plan.id });
  const valueCard = await cards({});

  const role = await startRadiusRole(t.ctx);
  afterAll(() => role.stop());
  const radtest = (user: string, password: string) => run('radtest', ['-x', user, password, `127.0.0.1:${role.server.addresses.auth.port}`, '0', SECRET]);

  it('the first login with a day pass PIN redeems it: a voucher subscriber with the plan, accepted with its rate', async () => {
    const pin = dayPass[0]!;
    const r = await radtest(pin, pin);
    expect(r.stdout).toContain('Access-Accept');
    expect(r.stdout).toMatch(/Mikrotik-Rate-Limit = "1024k\/4096k"/);
    const sub = await t.ctx.db.selectFrom('subscriptions').selectAll().where('username', '=', pin).executeTakeFirstOrThrow();
    expect(sub).toMatchObject({ plan_id: plan.id, status: 'active', auto_renew: false });
    // Validity counted from the first login: 24 hours.
    expect(sub.billed_through?.toISOString()).toBe('2026-03-11T09:00:00.000Z');
    const subscriber = await t.ctx.db.selectFrom('subscribers').select(['name', 'tags']).where('id', '=', sub.subscriber_id).executeTakeFirstOrThrow();
    expect(subscriber.name).toMatch(/^Voucher HS\d+-000001$/);
    const card = await t.ctx.db.selectFrom('cards').selectAll().where('subscription_id', '=', sub.id).executeTakeFirstOrThrow();
    expect(card.state).toBe('redeemed');
    const invoices = await t.ctx.db.selectFrom('invoices').select(['status', 'total']).where('subscriber_id', '=', sub.subscriber_id).execute();
    expect(invoices).toEqual([{ status: 'paid', total: 5_000n }]);
  });

  it('later logins with the same PIN keep working, without a second redemption, until the validity ends', async () => {
    const pin = dayPass[0]!;
    t.clock.set(new Date('2026-03-10T20:00:00Z'));
    expect((await radtest(pin, pin)).stdout).toContain('Access-Accept');
    expect((await radtest(pin.toLowerCase(), pin)).stdout).toContain('Access-Accept');
    expect((await radtest(pin, 'wrong-password')).stdout).toContain('Access-Reject');
    const payments = await t.ctx.db.selectFrom('payments').select('id').where('channel', '=', 'card').execute();
    expect(payments).toHaveLength(1);
    // The hourly billing finds the day over: a prepaid pass that does not renew ends.
    t.clock.set(new Date('2026-03-11T09:30:00Z'));
    const sub = await t.ctx.db.selectFrom('subscriptions').select('id').where('username', '=', pin).executeTakeFirstOrThrow();
    await t.ctx.db.transaction().execute((trx) => billSubscriptions(trx, t.clock, { subscriptionIds: [sub.id], asOf: t.clock.now() }));
    const ended = await radtest(pin, pin);
    expect(ended.stdout).toContain('Access-Reject');
    expect((await t.ctx.db.selectFrom('subscriptions').select('status').where('id', '=', sub.id).executeTakeFirstOrThrow()).status).not.toBe('active');
    t.clock.set(new Date('2026-03-10T09:00:00Z'));
  });

  it('refuses a value card, an unsold card and an unknown PIN, and says why', async () => {
    const value = await radtest(valueCard[0]!, valueCard[0]!);
    expect(value.stdout).toContain('Access-Reject');
    expect(value.stdout).toContain('This card is not a hotspot voucher');
    const unsold = await radtest(dayPass[2]!, dayPass[2]!);
    expect(unsold.stdout).toContain('Access-Reject');
    expect(unsold.stdout).toContain('This card has not been sold yet');
    expect((await radtest('ZZZZZZZZZZZZ', 'ZZZZZZZZZZZZ')).stdout).toContain('Access-Reject');
    expect(await t.ctx.db.selectFrom('subscriptions').select('id').where('username', 'in', [valueCard[0]!, dayPass[2]!]).execute()).toEqual([]);
  });
});
