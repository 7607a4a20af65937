import { describe, expect, it } from 'vitest';
import { createTestContext, json } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { invoicesOf, linesOf, monthlyPlan, subscribe, subscriber, subscriberStatus, world, type Subscription } from './support.ts';

describe(`subscriptions API (${engine})`, async () => {
  const t = await createTestContext();
  // 09:00 in Nairobi on 1 April 2026.
  t.clock.set('2026-04-01T06:00:00Z');
  const { tree, admin, resellerB } = await world(t);
  const plan = await monthlyPlan(admin, '3000');
  const fields = (res: { body: string }) => (json(res as never).errors ?? []).map((e: { field: string }) => e.field);

  it('sells a PPPoE plan now: active, a generated login, the first month invoiced, the subscriber active', async () => {
    const s = await subscriber(admin, tree.isp);
    expect(s.status).toBe('lead');
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    expect(sub).toMatchObject({ status: 'active', currency: 'KES', username: s.accountNumber, activatedAt: '2026-04-01T06:00:00.000Z' });
    // The calendar month from local midnight on 1 April, billed in advance at once.
    expect(sub.billedThrough).toBe('2026-04-30T21:00:00.000Z');
    expect(sub.nextBillAt).toBe('2026-04-30T21:00:00.000Z');
    expect(sub.password).toMatch(/^[A-Za-z2-9]{16}$/);
    const [invoice] = await invoicesOf(t, s.id);
    expect(invoice).toMatchObject({ status: 'open', total: 300000n, currency: 'KES' });
    const [line] = await linesOf(t, invoice!.id);
    expect(line).toMatchObject({ kind: 'recurring', subscription_id: sub.id, gross: 300000n });
    expect(await subscriberStatus(t, s.id)).toBe('active');
    const events = json(await admin.get(`/api/subscriptions/${sub.id}/events`));
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['activated', 'created']);
  });

  it('keeps the password encrypted at rest, shows it once, and reveals it again only through an audited call', async () => {
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, username: 'Wanjiru.K', password: 'S3cret-pass' });
    expect(sub.password).toBe('S3cret-pass');
    const row = await t.ctx.db.selectFrom('subscriptions').select(['password_enc', 'username']).where('id', '=', sub.id).executeTakeFirstOrThrow();
    expect(row.username).toBe('Wanjiru.K');
    expect(row.password_enc).not.toContain('S3cret-pass');
    expect(row.password_enc).toMatch(/^v1\./);
    expect(t.ctx.secrets.open(row.password_enc!)).toBe('S3cret-pass');
    const got = json(await admin.get(`/api/subscriptions/${sub.id}`));
    expect(got.password).toBeUndefined();
    expect(JSON.stringify(got)).not.toContain('S3cret-pass');

    const revealed = await admin.post(`/api/subscriptions/${sub.id}/credentials`, { reason: 'Router set-up at the customer' });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(json(revealed)).toEqual({ username: 'Wanjiru.K', password: 'S3cret-pass' });
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('object_id', '=', sub.id).where('action', '=', 'subscription.credentials_revealed').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.after)).not.toContain('S3cret-pass');
    expect(JSON.stringify(await t.ctx.db.selectFrom('audit_log').select(['before', 'after']).where('object_id', '=', sub.id).execute())).not.toContain('S3cret-pass');
    const events = json(await admin.get(`/api/subscriptions/${sub.id}/events`));
    expect(events[0]).toMatchObject({ kind: 'credentials_revealed', reason: 'Router set-up at the customer' });
  });

  it('normalises MAC and addresses, refuses malformed ones naming the field, and gives 409 for a taken username or IP', async () => {
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, username: 'otieno', macAddress: 'aabb.ccdd.ee0f', staticIpv4: '203.0.113.10/32', staticIpv6Prefix: '2001:DB8:0:0100::/56' });
    expect(sub).toMatchObject({ macAddress: 'AA:BB:CC:DD:EE:0F', staticIpv4: '203.0.113.10', staticIpv6Prefix: '2001:db8:0:100::/56' });

    const other = await subscriber(admin, tree.isp);
    const bad = await admin.post('/api/subscriptions', { subscriberId: other.id, planId: plan.id, macAddress: '01:00:5E:00:00:01', staticIpv4: '10.0.0.0/24', staticIpv6Prefix: '2001:db8::1/56' });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad).sort()).toEqual(['macAddress', 'staticIpv4', 'staticIpv6Prefix']);
    expect(await invoicesOf(t, other.id)).toEqual([]);

    const taken = await admin.post('/api/subscriptions', { subscriberId: other.id, planId: plan.id, username: 'OTIENO' });
    expect(taken.statusCode).toBe(409);
    expect(json(taken).detail).toBe('The username OTIENO is already used by another subscription');
    expect(fields(taken)).toEqual(['username']);
    const ipTaken = await admin.post('/api/subscriptions', { subscriberId: other.id, planId: plan.id, staticIpv4: '203.0.113.10' });
    expect(ipTaken.statusCode).toBe(409);
    expect(json(ipTaken).detail).toBe('The address 203.0.113.10 is already assigned to another subscription');
    expect(await t.ctx.db.selectFrom('subscriptions').select('id').where('subscriber_id', '=', other.id).execute()).toEqual([]);

    // Once the first line is terminated, its name and address are free again.
    expect((await admin.post(`/api/subscriptions/${sub.id}/terminate`, { reason: 'moved' })).statusCode).toBe(200);
    const reused = await subscribe(admin, { subscriberId: other.id, planId: plan.id, username: 'otieno', staticIpv4: '203.0.113.10' });
    expect(reused.username).toBe('otieno');
  });

  it('edits the network fields with the same checks, and keeps or replaces the password', async () => {
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, username: 'edit-me', password: 'first-pass' });
    const edited = await admin.patch(`/api/subscriptions/${sub.id}`, { macAddress: '00-1a-2b-3c-4d-5e', simultaneousUse: 2, installationAddressId: s.addresses[0]!.id, username: 'edited' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(json(edited)).toMatchObject({ macAddress: '00:1A:2B:3C:4D:5E', username: 'edited', installationAddressId: s.addresses[0]!.id });
    expect(json(await admin.post(`/api/subscriptions/${sub.id}/credentials`, {})).password).toBe('first-pass');
    expect((await admin.patch(`/api/subscriptions/${sub.id}`, { password: 'second-pass' })).statusCode).toBe(200);
    expect(json(await admin.post(`/api/subscriptions/${sub.id}/credentials`, {}))).toEqual({ username: 'edited', password: 'second-pass' });

    const stranger = await subscriber(admin, tree.isp);
    const foreignAddress = await admin.patch(`/api/subscriptions/${sub.id}`, { installationAddressId: stranger.addresses[0]!.id });
    expect(foreignAddress.statusCode).toBe(400);
    expect(fields(foreignAddress)).toEqual(['installationAddressId']);
    expect((await admin.patch(`/api/subscriptions/${sub.id}`, { macAddress: 'zz:zz' })).statusCode).toBe(400);

    const dropped = json(await admin.patch(`/api/subscriptions/${sub.id}`, { username: null }));
    expect(dropped.username).toBeNull();
    expect((await t.ctx.db.selectFrom('subscriptions').select('password_enc').where('id', '=', sub.id).executeTakeFirstOrThrow()).password_enc).toBeNull();
    expect((await admin.post(`/api/subscriptions/${sub.id}/credentials`, {})).statusCode).toBe(409);
  });

  it('refuses what cannot be sold: no price in the currency, another organization’s plan, an archived subscriber, a start in the past', async () => {
    const s = await subscriber(admin, tree.isp);
    const noUsd = await admin.post('/api/subscriptions', { subscriberId: s.id, planId: plan.id, currency: 'USD' });
    expect(noUsd.statusCode).toBe(422);
    expect(json(noUsd).detail).toBe(`The plan ${plan.code} has no USD price`);
    expect(json(noUsd).errors).toEqual([{ field: 'currency', message: 'must be one of KES' }]);

    const bPlan = await monthlyPlan(resellerB, '1000');
    expect((await admin.post('/api/subscriptions', { subscriberId: s.id, planId: bPlan.id })).statusCode).toBe(422);
    expect((await resellerB.post('/api/subscriptions', { subscriberId: s.id, planId: bPlan.id })).statusCode).toBe(404);

    const past = await admin.post('/api/subscriptions', { subscriberId: s.id, planId: plan.id, startsAt: '2026-03-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect(fields(past)).toEqual(['startsAt']);
    expect((await admin.post('/api/subscriptions', { subscriberId: s.id, planId: plan.id, quantity: 0 })).statusCode).toBe(400);
    expect((await admin.post('/api/subscriptions', { subscriberId: s.id, planId: plan.id, password: 'no-username' })).statusCode).toBe(400);

    expect((await admin.post(`/api/subscribers/${s.id}/status`, { status: 'archived', reason: 'Left' })).statusCode).toBe(200);
    const archived = await admin.post('/api/subscriptions', { subscriberId: s.id, planId: plan.id });
    expect(archived.statusCode).toBe(422);
    expect(await t.ctx.db.selectFrom('subscriptions').select('id').where('subscriber_id', '=', s.id).execute()).toEqual([]);
  });

  it('takes a coupon through the catalog and counts its use', async () => {
    const coupon = await admin.post('/api/discounts', { name: 'Ten off', kind: 'percentage', percent: '10', couponCode: 'KARIBU10', maxRedemptions: 1 });
    expect(coupon.statusCode, coupon.body).toBe(201);
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, couponCode: 'karibu10' });
    expect(json(await admin.get(`/api/subscriptions/${sub.id}`)).discountId).toBe(json(coupon).id);
    // The month is billed with the coupon: 3,000.00 − 10% = 2,700.00.
    expect((await invoicesOf(t, s.id)).map((i) => i.total)).toEqual([270000n]);
    const second = await admin.post('/api/subscriptions', { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, couponCode: 'KARIBU10' });
    expect(second.statusCode).toBe(422);
    expect(fields(second)).toEqual(['couponCode']);
  });

  it('schedules a later start as pending, lists, searches, filters and exports, and deletes only what never started', async () => {
    const s = await subscriber(admin, tree.isp);
    const later = await subscribe(admin, { subscriberId: s.id, planId: plan.id, startsAt: '2026-04-20T06:00:00Z', macAddress: '3C:52:82:11:22:33', staticIpv4: '198.51.100.77' });
    expect(later).toMatchObject({ status: 'pending', activatedAt: null, nextBillAt: null });
    expect(await invoicesOf(t, s.id)).toEqual([]);
    expect(await subscriberStatus(t, s.id)).toBe('lead');

    const ids = async (q: string) => json<{ items: Subscription[] }>(await admin.get(`/api/subscriptions?${q}`)).items.map((x) => x.id);
    expect(await ids('q=3c-52-82')).toEqual([later.id]);
    expect(await ids('q=3c5282112233')).toEqual([later.id]);
    expect(await ids('q=198.51.100')).toEqual([later.id]);
    expect(await ids(`q=${s.accountNumber.toLowerCase()}`)).toEqual([later.id]);
    expect(await ids(`status=pending&subscriberId=${s.id}`)).toEqual([later.id]);
    expect(await ids(`status=active&subscriberId=${s.id}`)).toEqual([]);
    expect(json(await admin.get(`/api/subscribers/${s.id}/subscriptions`)).items.map((x: Subscription) => x.id)).toEqual([later.id]);
    expect((await resellerB.get(`/api/subscribers/${s.id}/subscriptions`)).statusCode).toBe(404);
    expect(json(await resellerB.get(`/api/subscriptions?q=198.51.100`)).items).toEqual([]);

    const csv = await admin.get(`/api/subscriptions/export?subscriberId=${s.id}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, row] = csv.body.trim().split('\r\n');
    expect(header!.split(',').slice(0, 4)).toEqual(['id', 'accountNumber', 'subscriberName', 'planCode']);
    expect(row).toContain(later.id);
    expect(row).toContain('pending');

    const active = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    const refused = await admin.delete(`/api/subscriptions/${active.id}`);
    expect(refused.statusCode).toBe(409);
    expect(json(refused).detail).toContain('The subscription is active');
    expect((await admin.delete(`/api/subscriptions/${later.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/subscriptions/${later.id}`)).statusCode).toBe(404);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', later.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['subscription.created', 'subscription.delete']);
  });

  it('hides another tenant’s subscriptions (404) and sells a reseller’s plans only to its own subscribers', async () => {
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    expect((await resellerB.get(`/api/subscriptions/${sub.id}`)).statusCode).toBe(404);
    expect((await resellerB.patch(`/api/subscriptions/${sub.id}`, { simultaneousUse: 5 })).statusCode).toBe(404);
    expect((await resellerB.post(`/api/subscriptions/${sub.id}/credentials`, {})).statusCode).toBe(404);
    expect((await resellerB.post(`/api/subscriptions/${sub.id}/suspend`, { reason: 'other' })).statusCode).toBe(404);

    const bSubscriber = await subscriber(resellerB, tree.resellerB);
    const bPlan = await monthlyPlan(resellerB, '1500');
    const own = await subscribe(resellerB, { subscriberId: bSubscriber.id, planId: bPlan.id });
    expect(own).toMatchObject({ organizationId: tree.resellerB.id, status: 'active' });
    // The ISP's plan is not a master package: a reseller's subscriber cannot buy it.
    const notShared = await resellerB.post('/api/subscriptions', { subscriberId: bSubscriber.id, planId: plan.id });
    expect(notShared.statusCode).toBe(404);
  });
});

