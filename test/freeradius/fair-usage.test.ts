/**
 * Fair usage in the FreeRADIUS views, on both engines: what rlm_sql reads for a throttled line and
 * for a line with a time allowance, against what Uplink's own RADIUS server (AaaPolicy) answers at
 * the same instant. Lines are bought a day back (Nairobi, UTC+3), so their quota period holds
 * everything the tests record whatever the time of day they run at. Also the two answers that
 * depend on the organization's AAA settings: Acct-Interim-Interval, and the Session-Timeout of a
 * line whose service end has passed.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dayStart, localDay } from '../../src/core/fair-usage.ts';
import { rollUpRecentUsage } from '../../src/modules/aaa/aaa.jobs.ts';
import { AaaAccounting } from '../../src/modules/aaa/accounting.ts';
import { AaaPolicy } from '../../src/modules/aaa/policy.ts';
import { accessRequest, accounting, seedNas } from '../aaa/support.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { subscribe, subscriber, topUp, world } from '../subscriptions/support.ts';

const t = await createTestContext();
const { tree, adminUser } = await world(t);
const nas = await seedNas(t, tree.isp);
const sink = new AaaAccounting(t.ctx);
const zone = 'Africa/Nairobi';
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

type Network = Record<string, unknown>;
/** A plan of the ISP's; a master package (sold by the organizations below too) when shared. */
async function quotaPlan(billingModel: 'prepaid' | 'postpaid', billing: Record<string, unknown>, network: Network, shared = false) {
  const admin = await sessionFor(t, adminUser);
  return createPlan(admin, { billingModel, sharedWithSubtree: shared }, {
    billing: { graceDays: 0, ...billing },
    network: { download: { rateKbps: 10_240, burst: { rateKbps: 20_480, thresholdKbps: 7680, seconds: 16 } }, upload: { rateKbps: 2048, burst: null }, ipPool: 'pppoe-pool', ...network },
  }) as Promise<{ id: string }>;
}

/** A line bought at `at` (prepaid from the wallet, topped up first), in the ISP unless told. */
async function lineBoughtAt(at: Date, planId: string, username: string, prepaid: boolean, organization = tree.isp) {
  t.clock.set(at);
  const admin = await sessionFor(t, adminUser);
  const owner = await subscriber(admin, organization);
  if (prepaid) await topUp(t, organization.id, owner.id, '10000');
  const s = await subscribe(admin, { subscriberId: owner.id, planId, currency: 'KES', username, password: 'Quota-pass-1', simultaneousUse: 3 });
  expect(s.status).toBe('active');
  t.clock.set(new Date());
  return s;
}

function session(username: string, id: string) {
  const base = { 'User-Name': username, 'Acct-Session-Id': id, 'NAS-IP-Address': nas.address };
  return {
    start: (at: Date) => sink.record(accounting(nas, at, { ...base, 'Acct-Status-Type': 1 })),
    interim: (at: Date, seconds: number, octets = 0) => sink.record(accounting(nas, at, { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': seconds, 'Acct-Output-Octets': octets })),
    stop: (at: Date, seconds: number, octets = 0) => sink.record(accounting(nas, at, { ...base, 'Acct-Status-Type': 2, 'Acct-Session-Time': seconds, 'Acct-Output-Octets': octets })),
  };
}

async function rollUp() {
  t.clock.set(new Date());
  await rollUpRecentUsage(t.ctx);
}

interface Answer {
  kind: 'accept' | 'reject';
  'Session-Timeout'?: string;
  'Mikrotik-Rate-Limit'?: string;
  'Reply-Message'?: string;
  'Acct-Interim-Interval'?: string;
}
const compared = ['Session-Timeout', 'Mikrotik-Rate-Limit', 'Reply-Message', 'Acct-Interim-Interval'] as const;

/**
 * What FreeRADIUS answers from the views, read in one transaction (one now()), and that instant.
 * rlm_sql moves the user's radreply first, then the group's radgroupreply: `:=` replaces, `=` adds
 * only an attribute not there yet.
 */
async function freeradiusAnswer(username: string): Promise<{ at: Date; answer: Answer; check: string[] }> {
  return t.ctx.db.transaction().execute(async (trx) => {
    const rows = async (query: ReturnType<typeof sql<{ attribute: string; op: string; value: string }>>) => (await query.execute(trx)).rows;
    const { rows: clock } = await sql<{ at: Date }>`select now() as at`.execute(trx);
    const check = await rows(sql`select attribute, op, value from freeradius.radcheck where username = ${username} order by id`);
    const reply = await rows(sql`select attribute, op, value from freeradius.radreply where username = ${username} order by id`);
    const group = await rows(sql`select r.attribute, r.op, r.value from freeradius.radusergroup g join freeradius.radgroupreply r on r.groupname = g.groupname
      where g.username = ${username} order by g.priority, r.id`);
    const merged = new Map<string, string>();
    for (const r of [...reply, ...group]) if (r.op === ':=' || !merged.has(r.attribute)) merged.set(r.attribute, r.value);
    const answer: Answer = { kind: check.some((c) => c.attribute === 'Auth-Type' && c.value === 'Reject') ? 'reject' : 'accept' };
    for (const name of compared) if (merged.has(name) && (answer.kind === 'accept' || name === 'Reply-Message')) answer[name] = merged.get(name)!;
    return { at: clock[0]!.at, answer, check: check.map((c) => `${c.attribute} ${c.op} ${c.value}`) };
  });
}

async function uplinkAnswer(username: string, at: Date): Promise<Answer> {
  t.clock.set(at);
  const d = await new AaaPolicy(t.ctx).authorize(accessRequest(nas, username));
  const answer: Answer = { kind: d.kind === 'accept' ? 'accept' : 'reject' };
  for (const [name, value] of d.reply ?? []) if ((compared as readonly string[]).includes(name)) answer[name as (typeof compared)[number]] = String(value);
  return answer;
}

/**
 * The views read now() with microseconds, the policy a millisecond clock: a count rounded up to
 * the second may differ by one where the instant falls on the second, so Uplink is asked at the
 * millisecond and the next one, and FreeRADIUS must answer as one of them.
 */
async function expectSameAsUplink(username: string): Promise<Answer> {
  const { at, answer } = await freeradiusAnswer(username);
  const uplink = [await uplinkAnswer(username, at), await uplinkAnswer(username, new Date(at.getTime() + 1))];
  expect(uplink).toContainEqual(answer);
  return answer;
}

describe(`fair usage in the FreeRADIUS views (${engine})`, () => {
  it('a throttled line gets the throttle profile’s rate in radreply, over the plan’s in radgroupreply, while its period holds', async () => {
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'anniversary' }, { dataQuotaBytes: '1000000000', throttle: { downloadKbps: 512, uploadKbps: 256 } });
    const s = await lineBoughtAt(minutes(-26 * 60), plan.id, 'heavy.user', false);
    const plain = await freeradiusAnswer('heavy.user');
    expect(plain.answer).toMatchObject({ kind: 'accept', 'Mikrotik-Rate-Limit': '2048k/10240k 0/20480k 0/7680k 0/16' });

    const streaming = session('heavy.user', 'fr-heavy-1');
    await streaming.start(minutes(-10));
    await streaming.stop(minutes(-5), 300, 1_500_000_000);
    await rollUp();
    expect(await expectSameAsUplink('heavy.user')).toMatchObject({ kind: 'accept', 'Mikrotik-Rate-Limit': '256k/512k' });
    const { rows: group } = await sql<{ op: string; value: string }>`select r.op, r.value from freeradius.radusergroup g join freeradius.radgroupreply r on r.groupname = g.groupname
      where g.username = 'heavy.user' and r.attribute = 'Mikrotik-Rate-Limit'`.execute(t.ctx.db);
    expect(group).toEqual([{ op: '=', value: '2048k/10240k 0/20480k 0/7680k 0/16' }]);

    // The period turned (the roll-up has not run since): neither server throttles on the old flag.
    await sql`update aaa_quota_state set period_start = now() - interval '31 days', period_end = now() - interval '1 second' where subscription_id = ${s.id}`.execute(t.ctx.db);
    expect(await expectSameAsUplink('heavy.user')).toMatchObject({ kind: 'accept', 'Mikrotik-Rate-Limit': '2048k/10240k 0/20480k 0/7680k 0/16' });
  });

  it('a time allowance: Session-Timeout is what is left, counted as Uplink counts it (first day in part, open sessions to now); used up, refused with Uplink’s message', async () => {
    // Prepaid, 30 days from 10:00 yesterday: yesterday counts only after 10:00.
    const yesterday = localDay(minutes(-24 * 60), zone);
    const at = (hour: number) => new Date(dayStart(yesterday, zone).getTime() + hour * 3_600_000);
    const plan = await quotaPlan('prepaid', { cycle: 'validity', validityUnit: 'days', validityLength: 30 }, { timeQuotaSeconds: 10_800 });
    const s = await lineBoughtAt(at(10), plan.id, 'hourly.user', true);
    const across = session('hourly.user', 'fr-hourly-1'); // 09:00-11:00: one hour of it after the purchase
    await across.start(at(9));
    await across.stop(at(11), 7200);
    const afternoon = session('hourly.user', 'fr-hourly-2');
    await afternoon.start(at(14));
    await afternoon.stop(at(15), 3600);
    // Open, updated 10 minutes after its start and silent for 30 since: 600 s reported, and since then the
    // three update intervals (1,800 s) the stale-session job waits for.
    const open = session('hourly.user', 'fr-hourly-3');
    await open.start(minutes(-40));
    await open.interim(minutes(-30), 600);

    // Before the roll-up has recorded the period, SQL cannot tell it: the whole allowance (docs/freeradius.md).
    expect((await freeradiusAnswer('hourly.user')).answer).toMatchObject({ kind: 'accept', 'Session-Timeout': '10800' });
    expect((await uplinkAnswer('hourly.user', new Date()))['Session-Timeout']).toBe('1200');

    await rollUp();
    expect(await expectSameAsUplink('hourly.user')).toEqual({ kind: 'accept', 'Session-Timeout': '1200', 'Mikrotik-Rate-Limit': '2048k/10240k 0/20480k 0/7680k 0/16', 'Acct-Interim-Interval': '300' });

    const last = session('hourly.user', 'fr-hourly-4');
    await last.start(minutes(-4));
    await last.stop(minutes(-2), 1200);
    await rollUp();
    expect(await expectSameAsUplink('hourly.user')).toEqual({ kind: 'reject', 'Reply-Message': 'Your time allowance for this period is used up' });
    expect((await freeradiusAnswer('hourly.user')).check).toContain('Auth-Type := Reject');
    expect(s.username).toBe('hourly.user');
  });

  it('a time allowance with a throttle profile never refuses: the throttle rate once used up', async () => {
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'anniversary' }, { timeQuotaSeconds: 3600, throttle: { downloadKbps: 1024, uploadKbps: 512 } });
    await lineBoughtAt(minutes(-26 * 60), plan.id, 'slow.after.hour', false);
    const long = session('slow.after.hour', 'fr-slow-1');
    await long.start(minutes(-90));
    await long.stop(minutes(-20), 4200);
    await rollUp();
    // Postpaid: no end of service to time out at either.
    expect(await expectSameAsUplink('slow.after.hour')).toEqual({ kind: 'accept', 'Mikrotik-Rate-Limit': '512k/1024k', 'Acct-Interim-Interval': '300' });
  });

  it('Acct-Interim-Interval is the setting of the nearest organization up the line’s branch, set through the API, in radreply over no group row', async () => {
    const admin = await sessionFor(t, adminUser);
    for (const [organizationId, interimIntervalSeconds] of [[tree.isp.id, 600], [tree.resellerA.id, 120]] as const) {
      const res = await admin.put('/api/aaa/settings', { organizationId, blockedAction: 'reject', interimIntervalSeconds });
      expect(res.statusCode, res.body).toBe(200);
    }
    const plan = await quotaPlan('postpaid', { cycle: 'monthly', alignment: 'anniversary' }, {}, true);
    await lineBoughtAt(minutes(-26 * 60), plan.id, 'isp.line', false);
    await lineBoughtAt(minutes(-26 * 60), plan.id, 'reseller.b.line', false, tree.resellerB);
    await lineBoughtAt(minutes(-26 * 60), plan.id, 'sub.reseller.line', false, tree.subA);
    expect(await expectSameAsUplink('isp.line')).toMatchObject({ kind: 'accept', 'Acct-Interim-Interval': '600' });
    expect(await expectSameAsUplink('reseller.b.line')).toMatchObject({ kind: 'accept', 'Acct-Interim-Interval': '600' });
    expect(await expectSameAsUplink('sub.reseller.line')).toMatchObject({ kind: 'accept', 'Acct-Interim-Interval': '120' });
    const { rows: group } = await sql`select r.* from freeradius.radusergroup g join freeradius.radgroupreply r on r.groupname = g.groupname
      where g.username = 'sub.reseller.line' and r.attribute = 'Acct-Interim-Interval'`.execute(t.ctx.db);
    expect(group).toEqual([]);
  });

  it('a service end already passed (billing has not acted on it yet) gives one interim interval of Session-Timeout, even with a later end scheduled', async () => {
    const plan = await quotaPlan('prepaid', { cycle: 'validity', validityUnit: 'days', validityLength: 30 }, {}, true);
    const s = await lineBoughtAt(minutes(-31 * 24 * 60), plan.id, 'lapsed.line', true, tree.subA);
    const { billed_through } = await t.ctx.db.selectFrom('subscriptions').select('billed_through').where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(billed_through!.getTime()).toBeLessThan(Date.now());
    expect(await expectSameAsUplink('lapsed.line')).toEqual({ kind: 'accept', 'Session-Timeout': '120', 'Mikrotik-Rate-Limit': '2048k/10240k 0/20480k 0/7680k 0/16', 'Acct-Interim-Interval': '120' });
    // The first end counts, passed or not: a suspension scheduled later does not stretch it.
    await sql`update subscriptions set suspend_at = now() + interval '2 days' where id = ${s.id}`.execute(t.ctx.db);
    expect(await expectSameAsUplink('lapsed.line')).toMatchObject({ kind: 'accept', 'Session-Timeout': '120' });
  });

  it('a lookup by username has an index path into subscriptions on every branch', async () => {
    await t.ctx.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      for (const view of ['radcheck', 'radreply', 'radusergroup']) {
        const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select * from ${sql.table(`freeradius.${view}`)} where username = 'hourly.user'`.execute(trx);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, plan).not.toMatch(/Seq Scan on (subscriptions|radacct|aaa_quota_state)\b/);
        expect(plan).toMatch(/Index (Only )?Scan using \w+ on subscriptions/);
      }
    });
  });
});
