/**
 * Fair usage counts over the subscription's billing period (Nairobi, UTC+3): an anniversary cycle
 * on the 15th, a prepaid validity of 30 days from the moment of purchase, a calendar month. And
 * the time a login may still use counts the sessions' time up to that moment, not the last roll-up.
 */
import { describe, expect, it } from 'vitest';
import { AaaAccounting } from '../../src/modules/aaa/accounting.ts';
import { applyFairUsage } from '../../src/modules/aaa/fair-usage.ts';
import { AaaPolicy } from '../../src/modules/aaa/policy.ts';
import { rollUpUsage } from '../../src/modules/aaa/usage-rollup.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { accessRequest, accounting, seedNas, subscriptionWithLogin } from './support.ts';

const t = await createTestContext();
t.clock.set('2026-03-01T06:00:00Z');
const tree = await seedTree(t.ctx);
const adminUser = await seedUser(t.ctx, tree.isp, 'admin');
// Signed in afresh at each test's clock: the tests move it by weeks, past any session's lifetime.
const signIn = () => sessionFor(t, adminUser);
const nas = await seedNas(t, tree.resellerA, 'mikrotik');
const sink = new AaaAccounting(t.ctx);
const at = (iso: string) => new Date(iso);

type Billing = Record<string, unknown>;
function quotaPlan(billingModel: 'prepaid' | 'postpaid', billing: Billing, quota: { dataQuotaBytes?: string; timeQuotaSeconds?: number; throttle: boolean }) {
  return signIn().then((admin) => createPlan(admin, { organizationId: tree.resellerA.id, billingModel }, {
    billing: { graceDays: 0, ...billing },
    network: {
      download: { rateKbps: 10240, burst: null },
      upload: { rateKbps: 2048, burst: null },
      dataQuotaBytes: quota.dataQuotaBytes ?? null,
      timeQuotaSeconds: quota.timeQuotaSeconds ?? null,
      throttle: quota.throttle ? { downloadKbps: 512, uploadKbps: 256 } : null,
      ipPool: null,
      addressList: null,
    },
  })) as Promise<{ id: string }>;
}

/** The roll-up job's two steps at the clock's instant, over every day a test uses. */
async function rollUp(now: string) {
  t.clock.set(now);
  await rollUpUsage(t.ctx.db, '2026-02-25', '2026-06-01');
  return applyFairUsage(t.ctx.db, t.clock.now());
}
const authorize = async (username: string, now: string) => {
  t.clock.set(now);
  return new AaaPolicy(t.ctx).authorize(accessRequest(nas, username));
};
const reply = (d: Awaited<ReturnType<typeof authorize>>, name: string) => d.reply?.find(([n]) => n === name)?.[1];
const state = (id: string) =>
  t.ctx.db.selectFrom('aaa_quota_state').select(['period_start', 'period_end', 'used_bytes', 'used_seconds', 'throttled', 'exhausted']).where('subscription_id', '=', id).executeTakeFirstOrThrow();
const queued = (id: string) => t.ctx.db.selectFrom('enforcement_requests').select(['kind', 'reason', 'acct_session_id']).where('subscription_id', '=', id).orderBy('created_at').orderBy('id').execute();

/** A prepaid line bought from the wallet (topped up first), so it is active from the purchase. */
async function prepaidWithLogin(planId: string) {
  const api = await signIn();
  const subscriber = json<{ id: string }>(await api.post('/api/subscribers', { organizationId: tree.resellerA.id, name: 'Prepaid subscriber' }));
  expect((await api.post(`/api/subscribers/${subscriber.id}/wallet/top-ups`, { amount: '10000', reference: `CASH-${crypto.randomUUID().slice(0, 8)}` })).statusCode).toBe(201);
  const username = `pp${crypto.randomUUID().slice(0, 8)}`;
  const res = await api.post('/api/subscriptions', { subscriberId: subscriber.id, planId, currency: 'KES', username, password: 'secret-pass-1', simultaneousUse: 3 });
  expect(res.statusCode, res.body).toBe(201);
  const sub = json<{ id: string; status: string }>(res);
  expect(sub.status).toBe('active');
  return { id: sub.id, username };
}

function session(username: string, id: string) {
  const base = { 'User-Name': username, 'Acct-Session-Id': id, 'NAS-IP-Address': nas.address };
  return {
    start: (iso: string) => sink.record(accounting(nas, at(iso), { ...base, 'Acct-Status-Type': 1 })),
    interim: (iso: string, seconds: number, octets = 0) => sink.record(accounting(nas, at(iso), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': seconds, 'Acct-Output-Octets': octets })),
    stop: (iso: string, seconds: number, octets = 0) => sink.record(accounting(nas, at(iso), { ...base, 'Acct-Status-Type': 2, 'Acct-Session-Time': seconds, 'Acct-Output-Octets': octets })),
  };
}

// One database for the file, and each test moves the clock where it needs it: the other tests'
// lines flip too when it goes back, so a test counts only its own line's state and requests.
describe(`fair usage over the billing period (${engine})`, () => {
  it('anniversary on the 15th: throttled past the quota stays throttled over the 1st, until the 15th, then is restored', async () => {
    t.clock.set('2026-03-15T06:00:00Z'); // 09:00 on 15 March in Nairobi
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'anniversary' }, { dataQuotaBytes: '1000000000', throttle: true });
    const s = await subscriptionWithLogin(await signIn(), tree.resellerA, plan.id, { simultaneousUse: 2 });
    const first = session(s.username, 'p15-1');
    await first.start('2026-03-20T10:00:00Z');
    await first.stop('2026-03-20T12:00:00Z', 7200, 1_500_000_000);
    expect(await rollUp('2026-03-20T12:05:00Z')).toBe(1);
    expect(await state(s.id)).toEqual({
      period_start: at('2026-03-14T21:00:00Z'),
      period_end: at('2026-04-14T21:00:00Z'),
      used_bytes: 1_500_000_000n,
      used_seconds: 7200n,
      throttled: true,
      exhausted: false,
    });

    // A session that stays open across the turn of the period, to receive the CoA back.
    const second = session(s.username, 'p15-2');
    await second.start('2026-04-10T08:00:00Z');
    await second.interim('2026-04-14T20:00:00Z', 388_800, 1_000_000);
    // The calendar month turned: nothing changes (the month was the old rule).
    expect(await rollUp('2026-04-01T06:00:00Z')).toBe(0);
    expect(await rollUp('2026-04-14T20:30:00Z')).toBe(0); // 23:30 on 14 April
    expect(await state(s.id)).toMatchObject({ throttled: true, used_bytes: 1_501_000_000n });
    expect(reply(await authorize(s.username, '2026-04-14T20:45:00Z'), 'Mikrotik-Rate-Limit')).toBe('256k/512k');

    // 00:30 on 15 April: a new period. A login before the roll-up already gets the full profile.
    expect(reply(await authorize(s.username, '2026-04-14T21:30:00Z'), 'Mikrotik-Rate-Limit')).toBe('2048k/10240k');
    expect(await rollUp('2026-04-14T21:35:00Z')).toBe(1);
    expect(await state(s.id)).toEqual({
      period_start: at('2026-04-14T21:00:00Z'),
      period_end: at('2026-05-14T21:00:00Z'),
      used_bytes: 0n,
      used_seconds: 0n,
      throttled: false,
      exhausted: false,
    });
    expect(await queued(s.id)).toEqual([{ kind: 'coa', reason: 'quota_reset', acct_session_id: 'p15-2' }]);
    expect(await rollUp('2026-04-14T21:40:00Z')).toBe(0);
  });

  it('prepaid validity of 30 days: counts from the moment of purchase, the first day included; a session across the renewal is split at it', async () => {
    t.clock.set('2026-03-03T11:30:00Z'); // bought at 14:30 on 3 March
    const plan = await quotaPlan('prepaid', { cycle: 'validity', validityUnit: 'days', validityLength: 30 }, { timeQuotaSeconds: 36_000, throttle: false });
    const s = await prepaidWithLogin(plan.id);
    const a = session(s.username, 'pp-a');
    await a.start('2026-03-03T12:00:00Z');
    await a.stop('2026-03-03T17:00:00Z', 18_000);
    const b = session(s.username, 'pp-b');
    await b.start('2026-03-20T06:00:00Z');
    await b.stop('2026-03-20T10:00:00Z', 14_400);
    await rollUp('2026-03-20T11:00:00Z');
    expect(await state(s.id)).toMatchObject({ period_start: at('2026-03-03T11:30:00Z'), period_end: at('2026-04-02T11:30:00Z'), used_seconds: 32_400n, exhausted: false });
    expect(reply(await authorize(s.username, '2026-03-20T11:00:00Z'), 'Session-Timeout')).toBe(3600);

    // 12:30 on 2 April, two hours before the period ends: a session opens, its update at 12:55.
    const c = session(s.username, 'pp-c');
    await c.start('2026-04-02T09:30:00Z');
    await c.interim('2026-04-02T09:55:00Z', 1500);
    await rollUp('2026-04-02T10:00:00Z');
    expect(await state(s.id)).toMatchObject({ used_seconds: 33_900n });
    // A second login at 13:00: 9 h + 25 min counted, + 5 min the open session ran since its update.
    expect(reply(await authorize(s.username, '2026-04-02T10:00:00Z'), 'Session-Timeout')).toBe(1800);

    // Renewed for the next 30 days (billing moves paid-through), the session stops at 16:30: four
    // hours, two of them in the new period.
    await t.ctx.db.updateTable('subscriptions').set({ billed_through: at('2026-05-02T11:30:00Z') }).where('id', '=', s.id).execute();
    await c.stop('2026-04-02T13:30:00Z', 14_400);
    await rollUp('2026-04-02T14:00:00Z');
    expect(await state(s.id)).toMatchObject({ period_start: at('2026-04-02T11:30:00Z'), period_end: at('2026-05-02T11:30:00Z'), used_seconds: 7200n, exhausted: false });
    expect(reply(await authorize(s.username, '2026-04-02T14:00:00Z'), 'Session-Timeout')).toBe(28_800);
  });

  it('calendar month: what was used on 31 March counts in March only; 1 April restores the line', async () => {
    t.clock.set('2026-03-05T06:00:00Z');
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'calendar' }, { dataQuotaBytes: '1000000000', throttle: true });
    const s = await subscriptionWithLogin(await signIn(), tree.resellerA, plan.id, { simultaneousUse: 2 });
    const late = session(s.username, 'cal-1');
    await late.start('2026-03-31T17:00:00Z'); // 20:00 on 31 March
    await late.interim('2026-03-31T20:50:00Z', 13_800, 2_000_000_000); // 23:50
    await rollUp('2026-03-31T20:55:00Z');
    expect(await state(s.id)).toMatchObject({ period_start: at('2026-02-28T21:00:00Z'), period_end: at('2026-03-31T21:00:00Z'), throttled: true });
    // 00:20 on 1 April: the session went on past midnight (its April day counts in April).
    await late.interim('2026-03-31T21:20:00Z', 15_600, 2_100_000_000);
    await rollUp('2026-03-31T21:25:00Z');
    expect(await state(s.id)).toMatchObject({ period_start: at('2026-03-31T21:00:00Z'), period_end: at('2026-04-30T21:00:00Z'), used_bytes: 100_000_000n, used_seconds: 1800n, throttled: false });
    expect(await queued(s.id)).toEqual([
      { kind: 'coa', reason: 'quota_exceeded', acct_session_id: 'cal-1' },
      { kind: 'coa', reason: 'quota_reset', acct_session_id: 'cal-1' },
    ]);
  });

  it('a time allowance at login counts the open sessions up to now: no login gets more than is left', async () => {
    t.clock.set('2026-03-05T06:00:00Z');
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'anniversary' }, { timeQuotaSeconds: 3600, throttle: false });
    const s = await subscriptionWithLogin(await signIn(), tree.resellerA, plan.id, { simultaneousUse: 3 });
    const one = session(s.username, 'live-1');
    await one.start('2026-03-06T08:00:00Z');
    // Before any roll-up: the state does not exist yet, the period is computed at login.
    expect(reply(await authorize(s.username, '2026-03-06T08:10:00Z'), 'Session-Timeout')).toBe(3000);
    await one.interim('2026-03-06T08:15:00Z', 900);
    await rollUp('2026-03-06T08:16:00Z');
    expect(await state(s.id)).toMatchObject({ used_seconds: 900n });
    // 08:30: 900 s reported, 900 s since; a second session opened at 08:20 with no update yet.
    const two = session(s.username, 'live-2');
    await two.start('2026-03-06T08:20:00Z');
    expect(reply(await authorize(s.username, '2026-03-06T08:30:00Z'), 'Session-Timeout')).toBe(3600 - 1800 - 600);
    // An update after the roll-up counts as soon as it is written, without waiting for the next one.
    await one.interim('2026-03-06T08:30:00Z', 1800);
    await two.interim('2026-03-06T08:30:00Z', 600);
    expect(reply(await authorize(s.username, '2026-03-06T08:30:00Z'), 'Session-Timeout')).toBe(1200);
    expect(await authorize(s.username, '2026-03-06T08:50:00Z')).toMatchObject({ kind: 'reject', reason: 'time_quota_exhausted' });
  });

  it('the usage views show the period the quota counts and what is left, measured now', async () => {
    t.clock.set('2026-03-15T06:00:00Z');
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'anniversary' }, { dataQuotaBytes: '5000000000', timeQuotaSeconds: 36_000, throttle: true });
    const s = await subscriptionWithLogin(await signIn(), tree.resellerA, plan.id);
    const one = session(s.username, 'view-1');
    await one.start('2026-03-20T08:00:00Z');
    await one.interim('2026-03-20T09:00:00Z', 3600, 1_250_000_000);
    t.clock.set('2026-03-20T09:10:00Z'); // no roll-up yet: today's counters and 10 minutes since the update
    const api = await signIn();
    const res = await api.get(`/api/subscriptions/${s.id}/usage/daily?range=current`);
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).quota).toEqual({
      periodStart: '2026-03-14T21:00:00.000Z',
      periodEnd: '2026-04-14T21:00:00.000Z',
      data: { quotaBytes: 5_000_000_000, usedBytes: 1_250_000_000, leftBytes: 3_750_000_000 },
      time: { quotaSeconds: 36_000, usedSeconds: 4200, leftSeconds: 31_800 },
      state: 'full',
    });
    await one.interim('2026-03-20T10:00:00Z', 7200, 6_000_000_000);
    t.clock.set('2026-03-20T10:00:00Z');
    const later = await signIn();
    expect(json(await later.get(`/api/subscriptions/${s.id}/usage/daily`)).quota).toMatchObject({ data: { usedBytes: 6_000_000_000, leftBytes: 0 }, state: 'throttled' });
    // A plan without a quota has none to show; bad input is a clear 4xx.
    const plain = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'calendar' }, { throttle: false });
    const other = await subscriptionWithLogin(later, tree.resellerA, plain.id);
    expect(json(await later.get(`/api/subscriptions/${other.id}/usage/daily`)).quota).toBeNull();
    expect((await later.get(`/api/subscriptions/${s.id}/usage/daily?range=forever`)).statusCode).toBe(400);
    expect((await later.get('/api/subscriptions/not-a-uuid/usage/daily')).statusCode).toBe(400);
    expect((await later.get(`/api/subscriptions/${crypto.randomUUID()}/usage/daily`)).statusCode).toBe(404);
  });
});
