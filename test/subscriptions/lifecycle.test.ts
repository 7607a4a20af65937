import { describe, expect, it } from 'vitest';
import { unlockAfterPayment } from '../../src/modules/subscriptions/lifecycle.ts';
import { applyLifecycle } from '../../src/modules/subscriptions/subscriptions.jobs.ts';
import { createTestContext, json, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { invoicesOf, monthlyPlan, subscribe, subscriber, subscriberStatus, topUp, world, type Subscription } from './support.ts';

const nothing = { activated: 0, terminated: 0, suspended: 0, resumed: 0, grace: 0, grace_expired: 0 };

describe(`subscription lifecycle (${engine})`, async () => {
  const t = await createTestContext();
  // 09:00 in Nairobi (UTC+3) on 1 April 2026.
  t.clock.set('2026-04-01T06:00:00Z');
  const w = await world(t);
  const { tree } = w;
  const plan = await monthlyPlan(w.admin, '3000');
  let admin = w.admin;
  /** Moves the clock and signs in again (sessions expire as the clock runs). */
  const at = async (instant: string) => {
    t.clock.set(instant);
    admin = await sessionFor(t, w.adminUser);
  };
  const get = async (id: string) => json<Subscription>(await admin.get(`/api/subscriptions/${id}`));
  const kinds = async (id: string) => json<{ kind: string }[]>(await admin.get(`/api/subscriptions/${id}/events`)).map((e) => e.kind);
  const run = () => applyLifecycle(t.ctx);

  it('moves active → suspended → active → terminated with reasons, events, audit and the subscriber’s status', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    const suspended = await admin.post(`/api/subscriptions/${sub.id}/suspend`, { reason: 'request', note: 'Travelling' });
    expect(suspended.statusCode, suspended.body).toBe(200);
    expect(json(suspended)).toMatchObject({ status: 'suspended', statusReason: 'request' });
    expect(await subscriberStatus(t, s.id)).toBe('suspended');
    const [event] = json(await admin.get(`/api/subscriptions/${sub.id}/events`));
    expect(event).toMatchObject({ kind: 'suspended', from: 'active', to: 'suspended', reason: 'request', details: { note: 'Travelling' } });
    expect(event.by.name).toBe('admin user');

    expect(json(await admin.post(`/api/subscriptions/${sub.id}/resume`, {}))).toMatchObject({ status: 'active', statusReason: '' });
    expect(await subscriberStatus(t, s.id)).toBe('active');
    expect(json(await admin.post(`/api/subscriptions/${sub.id}/terminate`, { reason: 'moved', note: 'Left Nairobi' }))).toMatchObject({ status: 'terminated', statusReason: 'moved', nextBillAt: null });
    expect(await subscriberStatus(t, s.id)).toBe('disconnected');
    expect(await kinds(sub.id)).toEqual(['terminated', 'resumed', 'suspended', 'activated', 'created']);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', sub.id).where('action', 'like', 'subscription.%').orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['subscription.created', 'subscription.activated', 'subscription.suspended', 'subscription.resumed', 'subscription.terminated']);
    const history = json(await admin.get(`/api/subscribers/${s.id}/history`));
    expect(history.map((h: { to: string; reason: string }) => `${h.to}: ${h.reason}`)).toEqual(['disconnected: Subscription terminated', 'active: Subscription resumed', 'suspended: Subscription suspended', 'active: Subscription activated', 'lead: ']);
  });

  it('activates a scheduled subscription early on request: it starts and is billed now', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, startsAt: '2026-04-20T06:00:00Z' });
    const res = await admin.post(`/api/subscriptions/${sub.id}/activate`, { note: 'Installed early' });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ status: 'active', startsAt: '2026-04-01T06:00:00.000Z', activatedAt: '2026-04-01T06:00:00.000Z', nextBillAt: '2026-04-30T21:00:00.000Z' });
    expect((await invoicesOf(t, s.id)).length).toBe(1);
    expect(json(await admin.get(`/api/subscriptions/${sub.id}/events`))[0]).toMatchObject({ kind: 'activated', details: { note: 'Installed early' } });
    await admin.post(`/api/subscriptions/${sub.id}/terminate`, {});
  });

  it('refuses illegal moves with 409 naming the current status, and changes nothing', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const pending = await subscribe(admin, { subscriberId: s.id, planId: plan.id, startsAt: '2026-04-10T06:00:00Z' });
    const resume = await admin.post(`/api/subscriptions/${pending.id}/resume`, {});
    expect(resume.statusCode).toBe(409);
    expect(json(resume).detail).toBe('The subscription is pending and cannot be resumed');
    expect((await admin.post(`/api/subscriptions/${pending.id}/suspend`, { reason: 'other' })).statusCode).toBe(409);
    const active = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    expect(json(await admin.post(`/api/subscriptions/${active.id}/activate`, {})).detail).toBe('The subscription is active and cannot be activated');
    await admin.post(`/api/subscriptions/${active.id}/terminate`, {});
    const again = await admin.post(`/api/subscriptions/${active.id}/suspend`, { reason: 'other' });
    expect(again.statusCode).toBe(409);
    expect(json(again).detail).toBe('The subscription is terminated and cannot become suspended');
    expect(json(await admin.post(`/api/subscriptions/${active.id}/terminate`, {})).detail).toBe('The subscription is terminated and cannot become terminated');
    expect((await admin.patch(`/api/subscriptions/${active.id}`, { simultaneousUse: 3 })).statusCode).toBe(409);
    expect((await get(pending.id)).status).toBe('pending');
    expect(await kinds(active.id)).toEqual(['terminated', 'activated', 'created']);

    const bad = await admin.post(`/api/subscriptions/${pending.id}/terminate`, { at: '2026-03-01T00:00:00Z' });
    expect(bad.statusCode).toBe(422);
    const vacation = await admin.post(`/api/subscriptions/${pending.id}/suspend`, { reason: 'vacation' });
    expect(vacation.statusCode).toBe(400);
    expect(json(vacation).errors).toEqual([{ field: 'resumeAt', message: 'a vacation hold needs the date it ends' }]);
    expect((await admin.post(`/api/subscriptions/${pending.id}/cancel-scheduled`, { change: 'termination' })).statusCode).toBe(409);
    expect((await admin.delete(`/api/subscriptions/${pending.id}`)).statusCode).toBe(204);
  });

  it('applies scheduled activation, vacation hold and termination when the job runs on the clock, once', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id, startsAt: '2026-04-10T06:00:00Z' });
    await at('2026-04-10T05:59:59Z');
    expect(await run()).toEqual(nothing);
    await at('2026-04-10T06:00:30Z');
    expect(await run()).toEqual({ ...nothing, activated: 1 });
    expect(await get(sub.id)).toMatchObject({ status: 'active', activatedAt: '2026-04-10T06:00:30.000Z', billedThrough: '2026-04-30T21:00:00.000Z' });
    expect((await invoicesOf(t, s.id)).length).toBe(1);
    expect(await subscriberStatus(t, s.id)).toBe('active');
    await topUp(t, tree.isp.id, s.id, '3000');

    // A vacation hold from 5 to 20 May, set in April.
    const hold = await admin.post(`/api/subscriptions/${sub.id}/suspend`, { reason: 'vacation', note: 'Upcountry', at: '2026-05-05T06:00:00Z', resumeAt: '2026-05-20T06:00:00Z' });
    expect(json(hold)).toMatchObject({ status: 'active', suspendAt: '2026-05-05T06:00:00.000Z', resumeAt: '2026-05-20T06:00:00.000Z' });
    await admin.post(`/api/subscriptions/${sub.id}/terminate`, { reason: 'moved', at: '2026-06-15T06:00:00Z' });
    await at('2026-05-05T06:00:00Z');
    expect(await run()).toEqual({ ...nothing, suspended: 1 });
    expect(await get(sub.id)).toMatchObject({ status: 'suspended', statusReason: 'vacation', suspendAt: null, resumeAt: '2026-05-20T06:00:00.000Z' });
    const [suspendedEvent] = json(await admin.get(`/api/subscriptions/${sub.id}/events`));
    expect(suspendedEvent).toMatchObject({ kind: 'suspended', reason: 'vacation', details: { note: 'Upcountry', scheduled: true }, by: null });
    expect(await run()).toEqual(nothing);
    await at('2026-05-20T06:00:00Z');
    expect(await run()).toEqual({ ...nothing, resumed: 1 });
    expect(await get(sub.id)).toMatchObject({ status: 'active', resumeAt: null, terminateAt: '2026-06-15T06:00:00.000Z' });
    // Back in service, May is invoiced at once (the billing run had not reached it), due 3 June.
    expect((await invoicesOf(t, s.id)).map((i) => [i.period_end?.toISOString(), i.due_date])).toEqual([
      ['2026-04-30T21:00:00.000Z', '2026-04-24'],
      ['2026-05-31T21:00:00.000Z', '2026-06-03'],
    ]);
    await topUp(t, tree.isp.id, s.id, '3000');
    await at('2026-06-15T06:00:00Z');
    expect(await run()).toEqual({ ...nothing, terminated: 1 });
    expect(await get(sub.id)).toMatchObject({ status: 'terminated', statusReason: 'moved', terminateAt: null });
    expect(await subscriberStatus(t, s.id)).toBe('disconnected');
    expect(await run()).toEqual(nothing);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_type']).where('object_id', '=', sub.id).where('action', '=', 'subscription.terminated').executeTakeFirstOrThrow();
    expect(audit.actor_type).toBe('system');
  });

  it('cancels a scheduled suspension (and the resumption set with it), so the job leaves the line alone', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    await admin.post(`/api/subscriptions/${sub.id}/suspend`, { reason: 'request', at: '2026-04-03T06:00:00Z', resumeAt: '2026-04-06T06:00:00Z' });
    const cancelled = await admin.post(`/api/subscriptions/${sub.id}/cancel-scheduled`, { change: 'suspension' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(json(cancelled)).toMatchObject({ suspendAt: null, resumeAt: null });
    await at('2026-04-07T06:00:00Z');
    expect(await run()).toEqual(nothing);
    expect((await get(sub.id)).status).toBe('active');
    expect((await kinds(sub.id)).slice(0, 2)).toEqual(['schedule_cancelled', 'suspension_scheduled']);
    await admin.post(`/api/subscriptions/${sub.id}/terminate`, {});
  });

  it('puts an overdue postpaid line into grace, suspends it when grace runs out, and unlocks it once everything is paid', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const sub = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    const [invoice] = await invoicesOf(t, s.id);
    // Issued 1 April, due 14 days later (the default): 15 April.
    expect(invoice).toMatchObject({ issue_date: '2026-04-01', due_date: '2026-04-15', total: 300000n });

    await at('2026-04-15T20:59:00Z'); // 23:59 on the due date in Nairobi: not overdue yet
    expect(await run()).toEqual(nothing);
    await at('2026-04-15T21:00:00Z'); // midnight: overdue
    expect(await run()).toEqual({ ...nothing, grace: 1 });
    // Plan grace 0 → the organization's 3 days: suspended from midnight at the start of 19 April.
    expect(await get(sub.id)).toMatchObject({ status: 'grace', statusReason: 'unpaid', graceUntil: '2026-04-18T21:00:00.000Z' });
    expect(await subscriberStatus(t, s.id)).toBe('active');
    await at('2026-04-18T20:59:59Z');
    expect(await run()).toEqual(nothing);
    await at('2026-04-18T21:00:00Z');
    expect(await run()).toEqual({ ...nothing, grace_expired: 1 });
    expect(await get(sub.id)).toMatchObject({ status: 'suspended', statusReason: 'unpaid', graceUntil: null });
    expect(await subscriberStatus(t, s.id)).toBe('suspended');

    // Part of the bill does not unlock; all of it does.
    await topUp(t, tree.isp.id, s.id, '1000');
    expect((await get(sub.id)).status).toBe('suspended');
    await topUp(t, tree.isp.id, s.id, '2000');
    expect((await invoicesOf(t, s.id))[0]!.status).toBe('paid');
    expect(await get(sub.id)).toMatchObject({ status: 'active', statusReason: '' });
    expect(await subscriberStatus(t, s.id)).toBe('active');
    expect((await kinds(sub.id)).slice(0, 3)).toEqual(['unlocked', 'suspended', 'grace']);
    expect(await run()).toEqual(nothing);
  });

  it('unlockAfterPayment leaves lines alone while a bill is unpaid, and never lifts a suspension made on request', async () => {
    await at('2026-04-01T06:00:00Z');
    const s = await subscriber(admin, tree.isp);
    const first = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    const second = await subscribe(admin, { subscriberId: s.id, planId: plan.id });
    await admin.post(`/api/subscriptions/${first.id}/suspend`, { reason: 'unpaid' });
    await admin.post(`/api/subscriptions/${second.id}/suspend`, { reason: 'request' });
    await t.ctx.db.transaction().execute((trx) => unlockAfterPayment(trx, t.ctx.clock, s.id));
    expect((await get(first.id)).status).toBe('suspended');
    // Both months paid (2 × 3,000): the unpaid one comes back, the one suspended on request stays.
    await topUp(t, tree.isp.id, s.id, '6000');
    expect((await get(first.id)).status).toBe('active');
    expect(await get(second.id)).toMatchObject({ status: 'suspended', statusReason: 'request' });
    expect(await subscriberStatus(t, s.id)).toBe('active');
  });

  it('runs every minute, and two workers at once activate each due subscription exactly once', async () => {
    expect(t.ctx.jobs.definitions.find((d) => d.name === 'subscriptions.lifecycle')).toMatchObject({ cron: '* * * * *' });
    await at('2026-07-01T06:00:00Z');
    const due: { subscriber: string; sub: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await subscriber(admin, tree.isp);
      due.push({ subscriber: s.id, sub: (await subscribe(admin, { subscriberId: s.id, planId: plan.id, startsAt: '2026-07-02T06:00:00Z' })).id });
    }
    await at('2026-07-02T06:00:00Z');
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.activated! + b.activated!).toBe(4);
    for (const d of due) {
      expect((await get(d.sub)).status).toBe('active');
      expect((await invoicesOf(t, d.subscriber)).length).toBe(1);
      expect((await kinds(d.sub)).filter((k) => k === 'activated')).toHaveLength(1);
    }
    expect(await run()).toEqual(nothing);
  });
});

