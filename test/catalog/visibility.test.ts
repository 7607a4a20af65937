import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, createTaxClass, fields, pppoePlan } from './fixtures.ts';

/*
 * Master packages: the ISP shares plans with its subtree; resellers below read and sell them but
 * never change them, and a reseller's plans (shared or not) never reach a sibling reseller.
 */
describe(`plan visibility down the organization tree (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const ispAdmin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const resellerA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
  const adminA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
  const subA = await sessionFor(t, await seedUser(t.ctx, tree.subA, 'sub_reseller'));
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));

  const vat = await createTaxClass(ispAdmin, { code: 'VAT16' });
  const master = await createPlan(ispAdmin, { code: 'MASTER-10', sharedWithSubtree: true }, { taxClassId: vat.id });
  const internal = await createPlan(ispAdmin, { code: 'STAFF-ONLY' });
  const ownA = await createPlan(resellerA, { code: 'A-HOME', sharedWithSubtree: true }, { taxClassId: vat.id });
  const privateA = await createPlan(resellerA, { code: 'A-PRIVATE' });
  const codes = async (api: typeof resellerA) => json(await api.get('/api/plans?limit=200')).items.map((p: { code: string }) => p.code).sort();

  it('a reseller reads the ISP master package, read-only, beside its own plans; never the ISP’s unshared plans', async () => {
    expect(await codes(resellerA)).toEqual(['A-HOME', 'A-PRIVATE', 'MASTER-10']);
    const seen = json(await resellerA.get(`/api/plans/${master.id}`));
    expect(seen).toMatchObject({ code: 'MASTER-10', readOnly: true, organizationName: tree.isp.name });
    expect(json(await resellerA.get(`/api/plans/${ownA.id}`)).readOnly).toBe(false);
    expect((await resellerA.get(`/api/plans/${internal.id}`)).statusCode).toBe(404);
    expect(json(await resellerA.get(`/api/plans/${master.id}/versions`)).items).toHaveLength(1);
    expect((await resellerA.post(`/api/plans/${master.id}/preview`, {})).statusCode).toBe(200);
    expect(json(await ispAdmin.get('/api/plans?limit=200')).items.find((p: { id: string }) => p.id === master.id).readOnly).toBe(false);
  });

  it('a master package is never writable from below: change, new version and delete answer 404 and change nothing', async () => {
    expect((await resellerA.patch(`/api/plans/${master.id}`, { name: 'Hijacked' })).statusCode).toBe(404);
    expect((await resellerA.patch(`/api/plans/${master.id}`, { status: 'archived' })).statusCode).toBe(404);
    const version = { billing: { cycle: 'monthly' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1' }] }] };
    expect((await resellerA.post(`/api/plans/${master.id}/versions`, version)).statusCode).toBe(404);
    expect((await adminA.delete(`/api/plans/${master.id}`)).statusCode).toBe(404);
    const after = json(await ispAdmin.get(`/api/plans/${master.id}`));
    expect(after).toMatchObject({ name: master.name, status: 'active', currentVersion: { version: 1 } });
    expect((await resellerA.post('/api/plans', pppoePlan({ organizationId: tree.isp.id }))).statusCode).toBe(404);
  });

  it('a sibling reseller sees neither the other reseller’s shared nor its private plans', async () => {
    expect(await codes(resellerB)).toEqual(['MASTER-10']);
    for (const plan of [ownA, privateA]) {
      expect((await resellerB.get(`/api/plans/${plan.id}`)).statusCode).toBe(404);
      expect((await resellerB.get(`/api/plans/${plan.id}/versions`)).statusCode).toBe(404);
      expect((await resellerB.post(`/api/plans/${plan.id}/preview`, {})).statusCode).toBe(404);
      expect((await resellerB.patch(`/api/plans/${plan.id}`, { name: 'x' })).statusCode).toBe(404);
    }
    expect((await resellerB.get(`/api/plans/export`)).statusCode).toBe(403);
  });

  it('a sub-reseller reads what every organization above it shares, and only that', async () => {
    expect(await codes(subA)).toEqual(['A-HOME', 'MASTER-10']);
    expect(json(await subA.get(`/api/plans/${ownA.id}`)).readOnly).toBe(true);
    expect((await subA.get(`/api/plans/${privateA.id}`)).statusCode).toBe(404);
    // Unsharing takes it away from below at once.
    await resellerA.patch(`/api/plans/${ownA.id}`, { sharedWithSubtree: false });
    expect(await codes(subA)).toEqual(['MASTER-10']);
    await resellerA.patch(`/api/plans/${ownA.id}`, { sharedWithSubtree: true });
  });

  it('tax classes: read from above, used from above, changed only at home; never a sibling’s', async () => {
    const taxB = await createTaxClass(resellerB, { code: 'B-TAX' });
    const listA = json(await resellerA.get('/api/tax-classes')).items;
    expect(listA.map((c: { code: string; readOnly: boolean }) => [c.code, c.readOnly])).toEqual([['VAT16', true]]);
    expect((await resellerA.get(`/api/tax-classes/${taxB.id}`)).statusCode).toBe(404);
    expect((await resellerA.patch(`/api/tax-classes/${vat.id}`, { name: 'Hijacked' })).statusCode).toBe(404);
    expect((await adminA.delete(`/api/tax-classes/${vat.id}`)).statusCode).toBe(404);
    const withSiblingTax = await resellerA.post('/api/plans', pppoePlan({}, { taxClassId: taxB.id }));
    expect(withSiblingTax.statusCode).toBe(400);
    expect(fields(withSiblingTax)).toEqual(['version.taxClassId']);
    // The ISP's plan cannot charge a tax class of a reseller below it either.
    const taxA = await createTaxClass(resellerA, { code: 'A-TAX' });
    expect(fields(await ispAdmin.post('/api/plans', pppoePlan({}, { taxClassId: taxA.id })))).toEqual(['version.taxClassId']);
    expect(fields(await ispAdmin.post(`/api/plans/${master.id}/versions`, { billing: { cycle: 'monthly' }, prices: master.currentVersion.prices, taxClassId: taxA.id }))).toEqual(['taxClassId']);
  });

  it('a reseller bundles the ISP master package with its own plans, never a plan it cannot see', async () => {
    const bundle = await resellerA.post('/api/plans', pppoePlan({ code: 'A-BUNDLE', kind: 'bundle', serviceType: 'other', bundleItems: [{ planId: master.id }, { planId: privateA.id }] }));
    expect(bundle.statusCode, bundle.body).toBe(201);
    const hidden = await resellerA.post('/api/plans', pppoePlan({ kind: 'bundle', bundleItems: [{ planId: internal.id }] }));
    expect(fields(hidden)).toEqual(['bundleItems.0.planId']);
    const sibling = await resellerB.post('/api/plans', pppoePlan({ kind: 'bundle', bundleItems: [{ planId: ownA.id }] }));
    expect(fields(sibling)).toEqual(['bundleItems.0.planId']);
    // The ISP cannot delete its master package while a reseller's bundle includes it.
    expect((await ispAdmin.delete(`/api/plans/${master.id}`)).statusCode).toBe(409);
  });
});
