import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, createTaxClass, fields } from './fixtures.ts';

describe(`tax classes (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));

  it('stores the rates src/core/tax.ts applies, and refuses rates it cannot apply, naming the rate', async () => {
    const kenya = await createTaxClass(admin, { code: 'KE-DATA', name: 'Excise and VAT', inclusive: false, rates: [{ code: 'EXCISE', percent: '15' }, { code: 'VAT', percent: '16', compound: true }] });
    expect(kenya).toMatchObject({ code: 'KE-DATA', inclusive: false, readOnly: false, rates: [{ code: 'EXCISE', percent: '15', compound: false }, { code: 'VAT', percent: '16', compound: true }] });
    expect(json(await staff.get(`/api/tax-classes/${kenya.id}`))).toEqual(kenya);
    const refused = async (rates: unknown[], expected: string[]) => {
      const res = await admin.post('/api/tax-classes', { code: 'BAD', name: 'Bad', inclusive: true, rates });
      expect(res.statusCode, res.body).toBe(400);
      expect(fields(res)).toEqual(expected);
    };
    await refused([{ code: 'VAT', percent: '-16' }], ['rates.0.percent']);
    await refused([{ code: 'VAT', percent: '16' }, { code: 'LEVY', percent: '1.5%' }], ['rates.1.percent']);
    await refused([{ code: 'VAT', percent: '16' }, { code: 'VAT', percent: '8' }], ['rates.1.code']);
    await refused([{ code: 'vat', percent: '16' }], ['rates.0.code']);
    await refused([], ['rates']);
    const again = await admin.post('/api/tax-classes', { code: 'KE-DATA', name: 'Again', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] });
    expect(again.statusCode).toBe(409);
    expect(fields(again)).toEqual(['code']);
    expect((await staff.post('/api/tax-classes', { code: 'X', name: 'x', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] })).statusCode).toBe(403);
  });

  it('a rate change applies from now on and is audited; a class a plan version charges cannot be deleted', async () => {
    const vat = await createTaxClass(admin, { code: 'VAT', name: 'VAT' });
    const changed = json(await admin.patch(`/api/tax-classes/${vat.id}`, { rates: [{ code: 'VAT', percent: '14' }] }));
    expect(changed.rates).toEqual([{ code: 'VAT', percent: '14', compound: false }]);
    expect(fields(await admin.patch(`/api/tax-classes/${vat.id}`, { rates: [{ code: 'VAT', percent: 'x' }] }))).toEqual(['rates.0.percent']);
    const plan = await createPlan(admin, {}, { taxClassId: vat.id });
    expect((await admin.post(`/api/plans/${plan.id}/preview`, {}).then(json)).totals.tax).toBe('307.02');
    expect((await admin.delete(`/api/tax-classes/${vat.id}`)).statusCode).toBe(409);
    const unused = await createTaxClass(admin, { code: 'UNUSED' });
    expect((await admin.delete(`/api/tax-classes/${unused.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/tax-classes/${unused.id}`)).statusCode).toBe(404);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_type', '=', 'tax_class').where('object_id', 'in', [vat.id, unused.id]).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['tax_class.create', 'tax_class.update', 'tax_class.create', 'tax_class.delete']);
  });
});
