import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, created, fields, pppoePlan } from './fixtures.ts';

describe(`plans and their versions (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));

  it('creates a plan with its first version, audited', async () => {
    const plan = await createPlan(admin, { code: 'HOME-10', description: 'Fibre to the home' });
    expect(plan).toMatchObject({
      code: 'HOME-10',
      organizationId: tree.isp.id,
      organizationName: tree.isp.name,
      serviceType: 'pppoe',
      kind: 'plan',
      billingModel: 'postpaid',
      status: 'active',
      sharedWithSubtree: false,
      readOnly: false,
      currentVersion: {
        version: 1,
        billing: { cycle: 'monthly', alignment: 'anniversary', validityUnit: null, validityLength: null, timing: 'in_advance', graceDays: 0 },
        prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2500' }] }],
        taxClassId: null,
        network: { download: { rateKbps: 10_000, burst: null }, upload: { rateKbps: 5_000, burst: null }, dataQuotaBytes: null, throttle: null, ipPool: null },
      },
    });
    expect(json(await admin.get(`/api/plans/${plan.id}`))).toEqual(plan);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'organization_id']).where('object_id', '=', plan.id).execute();
    expect(audit).toEqual([{ action: 'plan.create', organization_id: tree.isp.id }]);
    const again = await admin.post('/api/plans', pppoePlan({ code: 'HOME-10' }));
    expect(again.statusCode).toBe(409);
    expect(fields(again)).toEqual(['code']);
  });

  it('stores a full network profile: burst, quotas, fair-usage throttle, pool and address list', async () => {
    const network = {
      download: { rateKbps: 20_000, burst: { rateKbps: 40_000, thresholdKbps: 15_000, seconds: 16 } },
      upload: { rateKbps: 10_000, burst: { rateKbps: 20_000, thresholdKbps: 8_000, seconds: 16 } },
      dataQuotaBytes: '500000000000',
      timeQuotaSeconds: null,
      throttle: { downloadKbps: 2_000, uploadKbps: 1_000 },
      ipPool: 'pool-home',
      addressList: 'fup_users',
    };
    const plan = await createPlan(admin, {}, { network, billing: { cycle: 'monthly', alignment: 'calendar', graceDays: 5 } });
    expect(plan.currentVersion.network).toEqual(network);
    expect(plan.currentVersion.billing).toMatchObject({ alignment: 'calendar', graceDays: 5 });
    const row = await t.ctx.db.selectFrom('plan_versions').selectAll().where('id', '=', plan.currentVersion.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ download_burst_kbps: 40_000, upload_burst_threshold_kbps: 8_000, data_quota_bytes: 500_000_000_000n, throttle_download_kbps: 2_000, ip_pool: 'pool-home' });
  });

  it('refuses prices that src/core/rating.ts cannot rate, naming the component', async () => {
    const refused = async (components: unknown[], expected: string[], currency = 'KES') => {
      const res = await admin.post('/api/plans', pppoePlan({}, { prices: [{ currency, components }] }));
      expect(res.statusCode, res.body).toBe(400);
      expect(fields(res)).toEqual(expected);
      return json(res).errors as { field: string; message: string }[];
    };
    const tiers = await refused(
      [
        { kind: 'fixed', price: '1000' },
        { kind: 'graduated', unit: 'GB', tiers: [{ upTo: '50', price: '0' }, { upTo: '20', price: '10' }, { upTo: null, price: '5' }] },
      ],
      ['version.prices.0.components.1'],
    );
    expect(tiers[0]!.message).toBe('Tier bounds must rise strictly from 0');
    await refused([{ kind: 'volume', unit: 'GB', tiers: [{ upTo: '50', price: '1' }] }], ['version.prices.0.components.0']);
    const minimum = await refused([{ kind: 'minimum', amount: '100.005' }], ['version.prices.0.components.0']);
    expect(minimum[0]!.message).toContain('at most 2 decimal places');
    await refused([{ kind: 'fixed', price: '-5' }, { kind: 'per-day', price: '1e3' }], ['version.prices.0.components.0', 'version.prices.0.components.1']);
    await refused([{ kind: 'minimum', amount: '100' }, { kind: 'minimum', amount: '200' }], ['version.prices.0.components']);
    // JPY has no minor unit: a minimum of 0.5 yen cannot be charged.
    await refused([{ kind: 'minimum', amount: '0.5' }], ['version.prices.0.components.0'], 'JPY');
    const twice = await admin.post('/api/plans', pppoePlan({}, { prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1' }] }, { currency: 'kes', components: [{ kind: 'fixed', price: '2' }] }] }));
    expect(fields(twice)).toEqual(['version.prices.1.currency']);
  });

  it('refuses billing, component and profile combinations that do not fit the plan', async () => {
    const refused = async (overrides: Record<string, unknown>, version: Record<string, unknown>, expected: string[]) => {
      const res = await admin.post('/api/plans', pppoePlan(overrides, version));
      expect(res.statusCode, res.body).toBe(400);
      expect(fields(res).sort()).toEqual(expected.sort());
    };
    await refused({ kind: 'one_off', billingModel: 'prepaid' }, {}, ['version.billing.cycle']);
    await refused({ serviceType: 'other', billingModel: 'prepaid' }, { billing: { cycle: 'one_time' } }, ['version.billing.cycle']);
    await refused({ kind: 'one_off', billingModel: 'prepaid' }, { billing: { cycle: 'one_time' }, prices: [{ currency: 'KES', components: [{ kind: 'per-day', price: '10' }] }] }, ['version.prices.0.components.0.kind']);
    await refused({}, { billing: { cycle: 'validity', validityUnit: 'days', validityLength: 30 } }, ['version.billing.cycle']);
    await refused({ billingModel: 'prepaid' }, { billing: { cycle: 'validity', validityUnit: 'days' } }, ['version.billing.validityLength']);
    await refused({ billingModel: 'prepaid' }, { billing: { cycle: 'daily', timing: 'in_arrears' } }, ['version.billing.timing']);
    await refused({}, { billing: { cycle: 'daily', alignment: 'calendar', validityLength: 3 } }, ['version.billing.alignment', 'version.billing.validityLength']);
    await refused({ billingModel: 'usage' }, {}, ['version.prices.0.components']);
    await refused({}, { network: { download: { rateKbps: 10_000, burst: { rateKbps: 8_000, thresholdKbps: 12_000, seconds: 10 } } } }, [
      'version.network.download.burst.rateKbps',
      'version.network.download.burst.thresholdKbps',
    ]);
    await refused({}, { network: { throttle: { downloadKbps: 1_000, uploadKbps: 512 } } }, ['version.network.throttle']);
  });

  it('a price change is a new version; the old one stays exactly as it was and the history shows both', async () => {
    const plan = await createPlan(admin);
    const v1 = plan.currentVersion;
    t.clock.advance({ minutes: 5 });
    const body = { billing: { cycle: 'monthly' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2800' }] }, { currency: 'USD', components: [{ kind: 'fixed', price: '22' }] }], network: v1.network };
    const changed = await created(admin.post(`/api/plans/${plan.id}/versions`, body));
    expect(changed.currentVersion).toMatchObject({ version: 2, prices: body.prices, validFrom: t.clock.now().toISOString() });
    expect(changed.currentVersion.id).not.toBe(v1.id);
    const history = json(await admin.get(`/api/plans/${plan.id}/versions`)).items;
    expect(history.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(history[1]).toEqual(v1);

    // The same content again makes no version.
    const same = await admin.post(`/api/plans/${plan.id}/versions`, body);
    expect(same.statusCode, same.body).toBe(200);
    expect(json(same).currentVersion.version).toBe(2);
    expect(json(await admin.get(`/api/plans/${plan.id}/versions`)).items).toHaveLength(2);

    const earlier = await admin.post(`/api/plans/${plan.id}/versions`, { ...body, validFrom: '2020-01-01T00:00:00Z' });
    expect(earlier.statusCode).toBe(400);
    expect(fields(earlier)).toEqual(['validFrom']);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', plan.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['plan.create', 'plan.version.create']);
  });

  it('the database refuses to change or delete a version, whatever writes to it', async () => {
    const plan = await createPlan(admin);
    const id = plan.currentVersion.id;
    await expect(sql`update plan_versions set prices = '{"KES":[{"kind":"fixed","price":"1"}]}' where id = ${id}`.execute(t.ctx.db)).rejects.toThrow(/plan versions never change: UPDATE/);
    await expect(sql`delete from plan_versions where id = ${id}`.execute(t.ctx.db)).rejects.toThrow(/plan versions never change: DELETE/);
    await expect(sql`truncate plan_versions cascade`.execute(t.ctx.db)).rejects.toThrow(/plan versions never change: TRUNCATE/);
    await expect(sql`update plans set current_version_id = (select id from plan_versions where plan_id <> ${plan.id} limit 1) where id = ${plan.id}`.execute(t.ctx.db)).rejects.toThrow(/plans_current_version_fkey/);
    const row = await t.ctx.db.selectFrom('plan_versions').select('prices').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.prices).toEqual({ KES: [{ kind: 'fixed', price: '2500' }] });
  });

  it('archives and restores a plan; lists filter by service type, status and search; exports CSV', async () => {
    const hotspot = await createPlan(admin, { code: 'HS-DAY', name: 'Hotspot day pass', serviceType: 'hotspot', billingModel: 'prepaid' }, {
      billing: { cycle: 'validity', validityUnit: 'hours', validityLength: 24 },
      prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '50' }] }],
    });
    const archived = json(await admin.patch(`/api/plans/${hotspot.id}`, { status: 'archived' }));
    expect(archived.status).toBe('archived');
    const list = (query: string) => admin.get(`/api/plans?${query}`).then((r) => json(r).items.map((p: { code: string }) => p.code));
    expect(await list('serviceType=hotspot')).toEqual(['HS-DAY']);
    expect(await list('serviceType=hotspot&status=active')).toEqual([]);
    expect(await list('q=day%20pass')).toEqual(['HS-DAY']);
    expect(await list('q=hs-d')).toEqual(['HS-DAY']);
    expect(json(await admin.patch(`/api/plans/${hotspot.id}`, { status: 'active', name: 'Hotspot 24 hours' }))).toMatchObject({ status: 'active', name: 'Hotspot 24 hours' });
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', hotspot.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['plan.create', 'plan.archive', 'plan.restore']);

    const csv = await accountant.get('/api/plans/export?serviceType=hotspot');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, line] = csv.body.trim().split('\r\n');
    expect(header).toBe('id,organizationName,code,name,serviceType,kind,billingModel,status,sharedWithSubtree,version,validFrom,cycle,timing,graceDays,prices,downloadKbps,uploadKbps,dataQuotaBytes,createdAt');
    expect(line).toContain(`${hotspot.id},Nairobi Fibre,HS-DAY,Hotspot 24 hours,hotspot,plan,prepaid,active,false,1,`);
    expect(line).toContain(',validity,in_advance,0,KES 50,10000,5000,,');
    expect((await accountant.patch(`/api/plans/${hotspot.id}`, { name: 'x' })).statusCode).toBe(403);
  });

  it('bundles include plans (never bundles); an included plan cannot be deleted; a plan nothing names can', async () => {
    const tv = await createPlan(admin, { code: 'TV-BASIC', name: 'Cable TV basic', serviceType: 'cable_tv' });
    const net = await createPlan(admin, { code: 'NET-20', name: 'Internet 20 Mbps' });
    const bundle = await createPlan(admin, { code: 'TRIPLE', name: 'Internet + TV', serviceType: 'other', kind: 'bundle', bundleItems: [{ planId: net.id }, { planId: tv.id, quantity: 2 }] });
    expect(bundle.bundleItems).toEqual([
      { planId: tv.id, code: 'TV-BASIC', name: 'Cable TV basic', quantity: 2 },
      { planId: net.id, code: 'NET-20', name: 'Internet 20 Mbps', quantity: 1 },
    ]);
    const nested = await admin.post('/api/plans', pppoePlan({ kind: 'bundle', bundleItems: [{ planId: bundle.id }] }));
    expect(fields(nested)).toEqual(['bundleItems.0.planId']);
    expect(fields(await admin.post('/api/plans', pppoePlan({ kind: 'bundle' })))).toEqual(['bundleItems']);
    expect(fields(await admin.post('/api/plans', pppoePlan({ bundleItems: [{ planId: tv.id }] })))).toEqual(['bundleItems']);

    expect((await admin.delete(`/api/plans/${tv.id}`)).statusCode).toBe(409);
    expect(json(await admin.patch(`/api/plans/${bundle.id}`, { bundleItems: [{ planId: net.id }] })).bundleItems.map((i: { code: string }) => i.code)).toEqual(['NET-20']);
    expect((await admin.delete(`/api/plans/${tv.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/plans/${tv.id}`)).statusCode).toBe(404);
    expect(await t.ctx.db.selectFrom('plan_versions').select('id').where('plan_id', '=', tv.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', tv.id).where('action', '=', 'plan.delete').execute()).toHaveLength(1);
  });
});
