import { describe, expect, it } from 'vitest';
import { redeemCoupon } from '../../src/modules/catalog/discounts.service.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, created, fields } from './fixtures.ts';

describe(`discounts and coupons (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const resellerA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  const plan = await createPlan(admin, { code: 'HOME', sharedWithSubtree: true });
  const other = await createPlan(admin, { code: 'OTHER', sharedWithSubtree: true });
  const validate = (api: typeof admin, code: string, planId = plan.id, currency = 'KES') =>
    api.post('/api/discounts/validate', { code, planId, currency }).then((r) => {
      expect(r.statusCode, r.body).toBe(200);
      return json(r) as { valid: boolean; reason: string | null; discount: { id: string; redemptions: number } | null };
    });
  const redeem = (code: string, reference: string, org: Organization = tree.isp, planId = plan.id) =>
    t.ctx.db.transaction().execute((trx) => redeemCoupon(trx, t.ctx.clock, { organization: org, code, planId, currency: 'KES', reference }));

  it('a promotion applies only inside its window: not before it starts, and not from the instant it ends', async () => {
    const now = t.clock.now().getTime();
    const startsAt = new Date(now + 600_000).toISOString();
    const endsAt = new Date(now + 1_200_000).toISOString();
    const promo = await created(admin.post('/api/discounts', { name: 'Launch week', couponCode: 'launch', kind: 'percentage', percent: '12.5', startsAt, endsAt }));
    expect(promo).toMatchObject({ couponCode: 'LAUNCH', kind: 'percentage', percent: '12.5', amount: null, startsAt, endsAt, redemptions: 0, planIds: [] });
    expect(await validate(admin, 'launch')).toMatchObject({ valid: false, reason: 'not_started' });
    t.clock.advance({ minutes: 10 });
    expect(await validate(admin, 'LAUNCH')).toMatchObject({ valid: true, reason: null, discount: { id: promo.id } });
    t.clock.advance({ minutes: 9, seconds: 59 });
    expect((await validate(admin, 'LAUNCH')).valid).toBe(true);
    t.clock.advance({ seconds: 1 });
    expect(await validate(admin, 'LAUNCH')).toMatchObject({ valid: false, reason: 'ended' });
    await expect(redeem('LAUNCH', 'sub-1')).rejects.toThrow('The coupon has expired');
  });

  it('a coupon for 2 uses is used twice; the third is refused; a repeated reference counts once', async () => {
    const coupon = await created(admin.post('/api/discounts', { name: 'Two only', couponCode: 'TWO', kind: 'fixed', amount: '200', currency: 'KES', maxRedemptions: 2 }));
    expect(coupon).toMatchObject({ amount: '200.00', currency: 'KES', percent: null, maxRedemptions: 2 });
    expect((await redeem('two', 'subscription-1')).replayed).toBe(false);
    expect((await redeem('TWO', 'subscription-1')).replayed).toBe(true);
    expect(json(await admin.get(`/api/discounts/${coupon.id}`)).redemptions).toBe(1);
    expect((await redeem('TWO', 'subscription-2')).discount.redemption_count).toBe(2);
    await expect(redeem('TWO', 'subscription-3')).rejects.toThrow('The coupon has been used as many times as it may be');
    expect(await validate(admin, 'TWO')).toMatchObject({ valid: false, reason: 'used_up' });
    expect((await redeem('TWO', 'subscription-2')).replayed).toBe(true);
    const uses = await t.ctx.db.selectFrom('discount_redemptions').select('reference').where('discount_id', '=', coupon.id).orderBy('reference').execute();
    expect(uses.map((u) => u.reference)).toEqual(['subscription-1', 'subscription-2']);
    expect((await admin.delete(`/api/discounts/${coupon.id}`)).statusCode).toBe(409);
    expect(fields(await admin.patch(`/api/discounts/${coupon.id}`, { maxRedemptions: 1 }))).toEqual(['maxRedemptions']);
    expect(json(await admin.patch(`/api/discounts/${coupon.id}`, { maxRedemptions: 3 })).maxRedemptions).toBe(3);
    expect((await validate(admin, 'TWO')).valid).toBe(true);
  });

  it('twelve subscriptions racing for a coupon of 5 get exactly 5 uses', async () => {
    await created(admin.post('/api/discounts', { name: 'Five', couponCode: 'FIVE', kind: 'percentage', percent: '5', maxRedemptions: 5 }));
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => redeem('FIVE', `race-${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const row = await t.ctx.db.selectFrom('discounts').select('redemption_count').where('coupon_code', '=', 'FIVE').executeTakeFirstOrThrow();
    expect(row.redemption_count).toBe(5);
  });

  it('a coupon limited to plans refuses others; a fixed amount refuses another currency; unknown codes are named', async () => {
    await created(admin.post('/api/discounts', { name: 'Home only', couponCode: 'HOMEONLY', kind: 'percentage', percent: '20', planIds: [plan.id] }));
    expect((await validate(admin, 'HOMEONLY')).valid).toBe(true);
    expect(await validate(admin, 'HOMEONLY', other.id)).toMatchObject({ valid: false, reason: 'other_plan' });
    await created(admin.post('/api/discounts', { name: 'Dollar off', couponCode: 'DOLLAR', kind: 'fixed', amount: '1', currency: 'USD' }));
    expect(await validate(admin, 'DOLLAR')).toMatchObject({ valid: false, reason: 'other_currency' });
    expect(await validate(admin, 'NO-SUCH')).toEqual({ valid: false, reason: 'unknown_code', discount: null });
    const list = json(await admin.get(`/api/discounts?planId=${other.id}`)).items.map((d: { couponCode: string }) => d.couponCode);
    expect(list).not.toContain('HOMEONLY');
    expect(list).toContain('DOLLAR');
  });

  it('coupons are found upwards (the ISP’s at every reseller), a reseller’s own first, never a sibling’s', async () => {
    const ispCoupon = await created(admin.post('/api/discounts', { name: 'ISP wide', couponCode: 'WELCOME', kind: 'percentage', percent: '10' }));
    expect((await validate(resellerA, 'WELCOME')).discount?.id).toBe(ispCoupon.id);
    const ownCoupon = await created(resellerA.post('/api/discounts', { name: 'Kibera welcome', couponCode: 'WELCOME', kind: 'percentage', percent: '15' }));
    expect((await validate(resellerA, 'WELCOME')).discount?.id).toBe(ownCoupon.id);
    expect((await validate(resellerB, 'WELCOME')).discount?.id).toBe(ispCoupon.id);
    await created(resellerA.post('/api/discounts', { name: 'A only', couponCode: 'AONLY', kind: 'percentage', percent: '15' }));
    expect((await validate(resellerB, 'AONLY')).reason).toBe('unknown_code');
    expect((await redeem('AONLY', 'sub-b', tree.resellerB).catch((e: Error) => e.message))).toBe('There is no such coupon');
    // Discounts are managed only in the subtree: the ISP's are not even listed below.
    const listed = json(await resellerA.get('/api/discounts')).items.map((d: { id: string }) => d.id);
    expect(listed).toContain(ownCoupon.id);
    expect(listed).not.toContain(ispCoupon.id);
    expect((await resellerA.get(`/api/discounts/${ispCoupon.id}`)).statusCode).toBe(404);
    expect((await resellerA.patch(`/api/discounts/${ispCoupon.id}`, { percent: '90' })).statusCode).toBe(404);
    expect((await resellerB.get(`/api/discounts/${ownCoupon.id}`)).statusCode).toBe(404);
    // A plan the reseller cannot see is neither validated nor named by its discounts.
    const hidden = await createPlan(admin, { code: 'HIDDEN' });
    expect((await resellerA.post('/api/discounts/validate', { code: 'WELCOME', planId: hidden.id, currency: 'KES' })).statusCode).toBe(404);
    expect(fields(await resellerA.post('/api/discounts', { name: 'x', kind: 'percentage', percent: '1', planIds: [plan.id, hidden.id] }))).toEqual(['planIds.1']);
    const dup = await resellerA.post('/api/discounts', { name: 'again', couponCode: 'welcome', kind: 'percentage', percent: '1' });
    expect(dup.statusCode).toBe(409);
    expect(fields(dup)).toEqual(['couponCode']);
  });

  it('refuses terms that cannot be charged, naming the field; changes and deletions are audited', async () => {
    const refused = async (body: Record<string, unknown>, expected: string[]) => {
      const res = await admin.post('/api/discounts', { name: 'Bad', ...body });
      expect(res.statusCode, res.body).toBe(400);
      expect(fields(res).sort()).toEqual(expected.sort());
    };
    await refused({ kind: 'percentage', percent: '120' }, ['percent']);
    await refused({ kind: 'percentage', percent: '0' }, ['percent']);
    await refused({ kind: 'percentage' }, ['percent']);
    await refused({ kind: 'percentage', percent: '10', amount: '5' }, ['amount']);
    await refused({ kind: 'fixed', amount: '100' }, ['currency']);
    await refused({ kind: 'fixed', amount: '100.005', currency: 'KES' }, ['amount']);
    await refused({ kind: 'fixed', amount: '0', currency: 'KES' }, ['amount']);
    await refused({ kind: 'percentage', percent: '5', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z' }, ['endsAt']);
    await refused({ kind: 'percentage', percent: '5', couponCode: 'no spaces' }, ['couponCode']);
    const d = await created(admin.post('/api/discounts', { name: 'Loyalty', kind: 'fixed', amount: '150.50', currency: 'KES' }));
    expect(d).toMatchObject({ couponCode: null, amount: '150.50' });
    expect(json(await admin.patch(`/api/discounts/${d.id}`, { kind: 'percentage', percent: '7.25', amount: null, currency: null }))).toMatchObject({ kind: 'percentage', percent: '7.25', amount: null });
    expect((await admin.delete(`/api/discounts/${d.id}`)).statusCode).toBe(204);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', d.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['discount.create', 'discount.update', 'discount.delete']);
  });
});
