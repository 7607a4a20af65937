/**
 * Time quota end to end (accounting → roll-up → fair usage → Access-Accept/Reject and the outbox),
 * and accounting written by FreeRADIUS (its queries.conf statements against the freeradius.radacct
 * view) reaching the usage roll-up without counting Uplink's own sessions twice.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AaaAccounting } from '../../src/modules/aaa/accounting.ts';
import { AaaPolicy } from '../../src/modules/aaa/policy.ts';
import { applyFairUsage } from '../../src/modules/aaa/fair-usage.ts';
import { rollUpUsage } from '../../src/modules/aaa/usage-rollup.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { accessRequest, accounting, seedNas, subscriptionWithLogin } from './support.ts';

const t = await createTestContext();
t.clock.set('2026-03-10T09:00:00Z');
const tree = await seedTree(t.ctx);
const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
const nas = await seedNas(t, tree.resellerA, 'mikrotik');
const sink = new AaaAccounting(t.ctx);
const at = (iso: string) => new Date(iso);

function timePlan(throttle: boolean) {
  return createPlan(admin, { organizationId: tree.resellerA.id, billingModel: 'postpaid' }, {
    billing: { cycle: 'monthly', alignment: 'calendar', graceDays: 0 },
    network: {
      download: { rateKbps: 10240, burst: null },
      upload: { rateKbps: 2048, burst: null },
      dataQuotaBytes: null,
      timeQuotaSeconds: 3600,
      throttle: throttle ? { downloadKbps: 512, uploadKbps: 256 } : null,
      ipPool: null,
      addressList: null,
    },
  }) as Promise<{ id: string }>;
}

const rollAndCheck = async () => {
  await rollUpUsage(t.ctx.db, '2026-03-01', '2026-04-02');
  return applyFairUsage(t.ctx.db, t.clock.now());
};
const authorize = (username: string) => new AaaPolicy(t.ctx).authorize(accessRequest(nas, username));
const reply = (d: Awaited<ReturnType<typeof authorize>>, name: string) => d.reply?.find(([n]) => n === name)?.[1];
const queued = (id: string) =>
  t.ctx.db.selectFrom('enforcement_requests').select(['kind', 'reason', 'acct_session_id']).where('subscription_id', '=', id).orderBy('created_at').execute();

describe('time quota', () => {
  it('without a throttle profile: Session-Timeout is the time left, then the open session is cut and logins refused until the month turns', async () => {
    const plan = await timePlan(false);
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id, { simultaneousUse: 3 });
    const base = { 'User-Name': s.username, 'Acct-Session-Id': 'tq-1', 'NAS-IP-Address': nas.address };
    await sink.record(accounting(nas, at('2026-03-10T08:00:00Z'), { ...base, 'Acct-Status-Type': 1 }));
    await sink.record(accounting(nas, at('2026-03-10T08:50:00Z'), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 3000 }));
    expect(await rollAndCheck()).toBe(0);
    const state = await t.ctx.db.selectFrom('aaa_quota_state').selectAll().where('subscription_id', '=', s.id).executeTakeFirstOrThrow();
    expect(state).toMatchObject({ used_seconds: 3000n, exhausted: false, throttled: false, period_start: new Date('2026-02-28T21:00:00Z'), period_end: new Date('2026-03-31T21:00:00Z') });
    // At 08:52 the open session has run 120 s since its last update: counted too (3000 + 120 of 3600).
    t.clock.set('2026-03-10T08:52:00Z');
    const before = await authorize(s.username);
    expect(before.kind).toBe('accept');
    expect(reply(before, 'Session-Timeout')).toBe(480);
    expect(reply(before, 'Mikrotik-Rate-Limit')).toBe('2048k/10240k');
    // At 09:00 it has run the 600 s left, though no update said so yet.
    t.clock.set('2026-03-10T09:00:00Z');
    expect(await authorize(s.username)).toMatchObject({ kind: 'reject', reason: 'time_quota_exhausted' });

    await sink.record(accounting(nas, at('2026-03-10T09:02:00Z'), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 3720 }));
    expect(await rollAndCheck()).toBe(1);
    expect(await rollAndCheck()).toBe(0); // nothing queued twice
    expect(await queued(s.id)).toEqual([{ kind: 'disconnect', reason: 'time_quota_exhausted', acct_session_id: 'tq-1' }]);
    const after = await authorize(s.username);
    expect(after).toMatchObject({ kind: 'reject', reason: 'time_quota_exhausted' });

    // A new month: the allowance is whole again (no enforcement needed: the line is offline).
    await sink.record(accounting(nas, at('2026-03-10T09:03:00Z'), { ...base, 'Acct-Status-Type': 2, 'Acct-Session-Time': 3780 }));
    t.clock.set('2026-04-01T06:00:00Z');
    expect(await rollAndCheck()).toBe(1);
    const april = await authorize(s.username);
    expect(april.kind).toBe('accept');
    expect(reply(april, 'Session-Timeout')).toBe(3600);
    expect(await queued(s.id)).toHaveLength(1);
    t.clock.set('2026-03-10T09:00:00Z');
  });

  it('with a throttle profile: the time quota used up throttles (CoA) instead of cutting', async () => {
    const plan = await timePlan(true);
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id, { simultaneousUse: 3 });
    const base = { 'User-Name': s.username, 'Acct-Session-Id': 'tq-2', 'NAS-IP-Address': nas.address };
    await sink.record(accounting(nas, at('2026-03-10T07:00:00Z'), { ...base, 'Acct-Status-Type': 1 }));
    await sink.record(accounting(nas, at('2026-03-10T08:01:00Z'), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 3660 }));
    await rollAndCheck();
    expect(await t.ctx.db.selectFrom('aaa_quota_state').select(['used_seconds', 'throttled', 'exhausted']).where('subscription_id', '=', s.id).executeTakeFirstOrThrow()).toEqual({
      used_seconds: 3660n,
      throttled: true,
      exhausted: false,
    });
    expect(await queued(s.id)).toEqual([{ kind: 'coa', reason: 'quota_exceeded', acct_session_id: 'tq-2' }]);
    const d = await authorize(s.username);
    expect(d.kind).toBe('accept');
    expect(reply(d, 'Mikrotik-Rate-Limit')).toBe('256k/512k');
    expect(reply(d, 'Session-Timeout')).toBeUndefined();
  });
});

/*
 * FreeRADIUS's default queries (mods-config/sql/main/postgresql/queries.conf, "start",
 * "interim-update", "stop") with the values it would expand, against the view it is configured to
 * use. Run as the uplink_freeradius role where the database has it (the triggers must work with
 * that role's rights), as the migrating user otherwise (PGlite).
 */
async function asFreeRadius(statement: string): Promise<void> {
  await t.ctx.db.transaction().execute(async (trx) => {
    const role = await sql<{ ok: boolean }>`select exists (select 1 from pg_roles where rolname = 'uplink_freeradius') as ok`.execute(trx);
    if (role.rows[0]?.ok) await sql`set local role uplink_freeradius`.execute(trx);
    await sql.raw(statement).execute(trx);
  });
}
const columns = `AcctSessionId, AcctUniqueId, UserName, Realm, NASIPAddress, NASPortId, NASPortType, AcctStartTime, AcctUpdateTime,
  AcctStopTime, AcctSessionTime, AcctAuthentic, ConnectInfo_start, ConnectInfo_Stop, AcctInputOctets, AcctOutputOctets,
  CalledStationId, CallingStationId, AcctTerminateCause, ServiceType, FramedProtocol, FramedIpAddress, FramedIpv6Address,
  FramedIpv6Prefix, FramedInterfaceId, DelegatedIpv6Prefix, Class`;
const frStart = (sid: string, uid: string, user: string, ts: string) => `
  INSERT INTO freeradius.radacct (${columns}) VALUES ('${sid}', '${uid}', '${user}', NULLIF('', ''), '${nas.address}', NULLIF('15728640', ''),
    'Virtual', TO_TIMESTAMP(${ts}), TO_TIMESTAMP(${ts}), NULL, 0, 'RADIUS', '', NULL, 0, 0, 'pppoe-in1', '00:11:22:33:44:55', NULL,
    'Framed-User', 'PPP', NULLIF('100.64.9.9', '')::inet, NULLIF('', '')::inet, NULLIF('', '')::inet, NULLIF('', ''), NULLIF('', '')::inet, '')
  ON CONFLICT (AcctUniqueId) DO UPDATE SET AcctStartTime = TO_TIMESTAMP(${ts}), AcctUpdateTime = TO_TIMESTAMP(${ts}), ConnectInfo_start = ''
  WHERE freeradius.radacct.AcctUniqueId = '${uid}' AND freeradius.radacct.AcctStopTime IS NULL`;
const frInterim = (uid: string, ts: string, seconds: number, inGw: number, inOct: number, outGw: number, outOct: number) => `
  UPDATE freeradius.radacct SET FramedIPAddress = NULLIF('100.64.9.9', '')::inet, FramedIPv6Address = NULLIF('', '')::inet,
    FramedIPv6Prefix = NULLIF('', '')::inet, FramedInterfaceId = NULLIF('', ''), DelegatedIPv6Prefix = NULLIF('', '')::inet,
    AcctSessionTime = ${seconds}, AcctInterval = (${ts} - EXTRACT(EPOCH FROM (COALESCE(AcctUpdateTime, AcctStartTime)))),
    AcctUpdateTime = TO_TIMESTAMP(${ts}),
    AcctInputOctets = (('${inGw}'::bigint << 32) + '${inOct}'::bigint), AcctOutputOctets = (('${outGw}'::bigint << 32) + '${outOct}'::bigint)
  WHERE AcctUniqueId = '${uid}' AND AcctStopTime IS NULL`;
const frStop = (uid: string, ts: string, seconds: number, inOct: number, outOct: number) => `
  UPDATE freeradius.radacct SET AcctStopTime = TO_TIMESTAMP(${ts}), AcctUpdateTime = TO_TIMESTAMP(${ts}),
    AcctSessionTime = COALESCE(${seconds}, (${ts} - EXTRACT(EPOCH FROM(AcctStartTime)))),
    AcctInputOctets = (('0'::bigint << 32) + '${inOct}'::bigint), AcctOutputOctets = (('0'::bigint << 32) + '${outOct}'::bigint),
    AcctTerminateCause = 'User-Request', FramedIPAddress = NULLIF('100.64.9.9', '')::inet, FramedIPv6Address = NULLIF('', '')::inet,
    FramedIPv6Prefix = NULLIF('', '')::inet, FramedInterfaceId = NULLIF('', ''), DelegatedIPv6Prefix = NULLIF('', '')::inet, ConnectInfo_stop = ''
  WHERE AcctUniqueId = '${uid}' AND AcctStopTime IS NULL`;
const epoch = (iso: string) => String(Date.parse(iso) / 1000);

const records = (id: string) =>
  t.ctx.db.selectFrom('usage_records').select(['unit', 'quantity', 'reference']).where('subscription_id', '=', id).orderBy('reference').execute();

describe('accounting written by FreeRADIUS', () => {
  const plan = timePlan(true);

  it('a session FreeRADIUS starts, updates and stops is rolled up per local day like Uplink’s own', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, (await plan).id);
    const uid = 'fr-0001-unique';
    await asFreeRadius(frStart('81000001', uid, s.username, epoch('2026-03-11T06:00:00Z')));
    await asFreeRadius(frInterim(uid, epoch('2026-03-11T12:00:00Z'), 21600, 0, 1_000_000_000, 0, 500_000_000));
    await asFreeRadius(frInterim(uid, epoch('2026-03-11T12:00:00Z'), 21600, 0, 1_000_000_000, 0, 500_000_000)); // a retransmission
    await asFreeRadius(frStop(uid, epoch('2026-03-12T12:00:00Z'), 108000, 2_000_000_000, 1_000_000_000));
    const row = await sql<{ via_sql: boolean; subscription_id: string; nas_id: string }>`select via_sql, subscription_id, nas_id from radacct where acctuniqueid = ${uid}`.execute(t.ctx.db);
    expect(row.rows[0]).toEqual({ via_sql: true, subscription_id: s.id, nas_id: nas.id });
    await rollUpUsage(t.ctx.db, '2026-03-10', '2026-03-13');
    await rollUpUsage(t.ctx.db, '2026-03-10', '2026-03-13');
    // Day one: 1.5 GB and 6 h; day two: the rest (3 GB − 1.5 GB, 30 h − 6 h). The seeded tree's zone keeps both in one day each.
    expect(await records(s.id)).toEqual([
      { unit: 'GB', quantity: '1.5', reference: 'radius:2026-03-11:GB' },
      { unit: 'minutes', quantity: '360', reference: 'radius:2026-03-11:minutes' },
      { unit: 'GB', quantity: '1.5', reference: 'radius:2026-03-12:GB' },
      { unit: 'minutes', quantity: '1440', reference: 'radius:2026-03-12:minutes' },
    ]);
    // …and fair usage sees it: 30 h online is over the 1 h time quota.
    await applyFairUsage(t.ctx.db, t.clock.now());
    expect(await t.ctx.db.selectFrom('aaa_quota_state').select(['used_seconds', 'throttled']).where('subscription_id', '=', s.id).executeTakeFirstOrThrow()).toEqual({ used_seconds: 108000n, throttled: true });
  });

  it('Uplink’s own sessions are not marked and file their days once; a session both write is counted once', async () => {
    const s = await subscriptionWithLogin(admin, tree.resellerA, (await plan).id, { simultaneousUse: 3 });
    const base = { 'User-Name': s.username, 'NAS-IP-Address': nas.address };
    await sink.record(accounting(nas, at('2026-03-13T08:00:00Z'), { ...base, 'Acct-Session-Id': 'own-1', 'Acct-Status-Type': 1 }));
    await sink.record(accounting(nas, at('2026-03-13T09:00:00Z'), { ...base, 'Acct-Session-Id': 'own-1', 'Acct-Status-Type': 2, 'Acct-Session-Time': 3600, 'Acct-Input-Octets': 250_000_000, 'Acct-Output-Octets': 250_000_000 }));
    const own = await sql<{ via_sql: boolean }>`select via_sql from radacct where acctsessionid = 'own-1'`.execute(t.ctx.db);
    expect(own.rows).toEqual([{ via_sql: false }]);
    // The same session reaches both writers (an operator moving from FreeRADIUS to Uplink mid-session).
    const shared = 'shared-unique-1';
    await asFreeRadius(frStart('shared-1', shared, s.username, epoch('2026-03-13T10:00:00Z')));
    await asFreeRadius(frInterim(shared, epoch('2026-03-13T10:30:00Z'), 1800, 0, 100_000_000, 0, 100_000_000));
    await sink.record(accounting(nas, at('2026-03-13T11:00:00Z'), { ...base, 'Acct-Session-Id': 'shared-1', 'Acct-Unique-Session-Id': shared, 'Acct-Status-Type': 2, 'Acct-Session-Time': 3600, 'Acct-Input-Octets': 250_000_000, 'Acct-Output-Octets': 250_000_000 }));
    await rollUpUsage(t.ctx.db, '2026-03-13', '2026-03-13');
    expect(await records(s.id)).toEqual([
      { unit: 'GB', quantity: '1', reference: 'radius:2026-03-13:GB' },
      { unit: 'minutes', quantity: '120', reference: 'radius:2026-03-13:minutes' },
    ]);
  });

  it('an unknown user name written by FreeRADIUS files nothing and fails nothing', async () => {
    await asFreeRadius(frStart('nobody-1', 'nobody-unique', 'no-such-user', epoch('2026-03-13T10:00:00Z')));
    await asFreeRadius(frInterim('nobody-unique', epoch('2026-03-13T10:30:00Z'), 1800, 0, 5, 0, 5));
    const r = await sql<{ n: string }>`select count(*)::text as n from radacct_days d join radacct r using (radacctid) where r.acctuniqueid = 'nobody-unique'`.execute(t.ctx.db);
    expect(r.rows[0]!.n).toBe('0');
  });
});
