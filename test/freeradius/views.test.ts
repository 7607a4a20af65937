import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { mikrotikRateLimit, rateProfileOf } from '../../src/core/mikrotik-rate-limit.ts';
import { disableMirror, enableMirror, mirrorNasSecrets } from '../../src/modules/freeradius/mirror.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { subscribe, subscriber, world } from '../subscriptions/support.ts';

/** The FreeRADIUS views (schema freeradius) on both engines: what rlm_sql would read for a login. */
describe(`FreeRADIUS views (${engine})`, async () => {
  const t = await createTestContext();
  const { tree, admin } = await world(t);
  const rows = async (view: string, column: 'username' | 'groupname', value: string) =>
    (await sql<{ attribute: string; op: string; value: string }>`select attribute, op, value from ${sql.table(`freeradius.${view}`)} where ${sql.ref(column)} = ${value} order by id, attribute`.execute(t.ctx.db)).rows.map(
      (r) => `${r.attribute} ${r.op} ${r.value}`,
    );
  const plan = await createPlan(admin, {}, { network: { download: { rateKbps: 20_000, burst: null }, upload: { rateKbps: 2_500, burst: { rateKbps: 4_000, thresholdKbps: 2_000, seconds: 16 } }, ipPool: 'home-pool' } });

  it('builds the same Mikrotik-Rate-Limit in SQL as src/core does, for any profile the catalog accepts', async () => {
    const direction = fc.oneof(
      fc.constant({ kbps: null, burst: null }),
      fc.integer({ min: 1, max: 10_000_000 }).chain((kbps) =>
        fc.oneof(
          fc.constant({ kbps, burst: null }),
          fc.record({ rate: fc.integer({ min: kbps + 1, max: kbps + 10_000_000 }), threshold: fc.integer({ min: 1, max: kbps }), seconds: fc.integer({ min: 1, max: 3600 }) }).map((burst) => ({ kbps, burst })),
        ),
      ),
    );
    const samples = fc.sample(fc.record({ down: direction, up: direction }), 300);
    const columns = samples.map(({ down, up }) => ({
      download_kbps: down.kbps,
      download_burst_kbps: down.burst?.rate ?? null,
      download_burst_threshold_kbps: down.burst?.threshold ?? null,
      download_burst_seconds: down.burst?.seconds ?? null,
      upload_kbps: up.kbps,
      upload_burst_kbps: up.burst?.rate ?? null,
      upload_burst_threshold_kbps: up.burst?.threshold ?? null,
      upload_burst_seconds: up.burst?.seconds ?? null,
    }));
    const col = (k: keyof (typeof columns)[number]) => columns.map((c) => c[k]);
    const { rows: fromSql } = await sql<{ v: string | null }>`select freeradius.mikrotik_rate_limit(u, ub, ut, us, d, db, dt, ds) as v
      from unnest(${col('upload_kbps')}::int[], ${col('upload_burst_kbps')}::int[], ${col('upload_burst_threshold_kbps')}::int[], ${col('upload_burst_seconds')}::int[],
                  ${col('download_kbps')}::int[], ${col('download_burst_kbps')}::int[], ${col('download_burst_threshold_kbps')}::int[], ${col('download_burst_seconds')}::int[])
           with ordinality as x(u, ub, ut, us, d, db, dt, ds, n) order by n`.execute(t.ctx.db);
    expect(fromSql.map((r) => r.v)).toEqual(columns.map((c) => mikrotikRateLimit(rateProfileOf(c))));
  });

  it('gives the plan version its group reply and each login its group', async () => {
    const s = await subscribe(admin, { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, username: 'group.member', password: 'Group-pass-1' });
    const { rows: groups } = await sql<{ groupname: string; priority: number }>`select groupname, priority from freeradius.radusergroup where username = 'group.member'`.execute(t.ctx.db);
    expect(groups).toHaveLength(1);
    const version = await t.ctx.db.selectFrom('plans').select('current_version_id').where('id', '=', plan.id).executeTakeFirstOrThrow();
    expect(groups[0]!.groupname).toBe(version.current_version_id);
    expect(await rows('radgroupreply', 'groupname', groups[0]!.groupname)).toEqual([
      'Mikrotik-Rate-Limit = 2500k/20M 4M/0 2M/0 16/0',
      'Framed-Pool := home-pool',
    ]);
    // The interim interval is the login's own (its organization's setting): radreply, not the group.
    expect(await rows('radreply', 'username', 'group.member')).toContain('Acct-Interim-Interval := 300');
    expect(s.status).toBe('active');
  });

  it('holds no clear password while the mirror is off; enable fills it, the service keeps it, disable forgets it', async () => {
    const s = await subscribe(admin, { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, username: 'Mirror.User', password: 'First-pass-1', macAddress: 'aa:bb:cc:dd:ee:01', staticIpv6Prefix: '2001:db8:100::/56' });
    expect(await rows('radcheck', 'username', 'Mirror.User')).toEqual(['Simultaneous-Use := 1', 'Calling-Station-Id =~ ^[Aa][Aa][-:.]?[Bb][Bb][-:.]?[Cc][Cc][-:.]?[Dd][Dd][-:.]?[Ee][Ee][-:.]?01$']);
    expect((await sql`select * from freeradius.radius_credentials`.execute(t.ctx.db)).rows).toEqual([]);

    await enableMirror(t.ctx);
    expect(await rows('radcheck', 'username', 'Mirror.User')).toContain('Cleartext-Password := First-pass-1');
    const res = await admin.patch(`/api/subscriptions/${s.id}`, { password: 'Second-pass-2' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await rows('radcheck', 'username', 'Mirror.User')).toContain('Cleartext-Password := Second-pass-2');
    expect((await rows('radreply', 'username', 'Mirror.User')).filter((r) => !r.startsWith('Session-Timeout'))).toEqual(['Delegated-IPv6-Prefix := 2001:db8:100::/56', 'Acct-Interim-Interval := 300']);

    await disableMirror(t.ctx.db);
    expect((await sql`select * from freeradius.radius_credentials`.execute(t.ctx.db)).rows).toEqual([]);
    expect(await rows('radcheck', 'username', 'Mirror.User')).not.toContain('Cleartext-Password := Second-pass-2');
    expect(await mirrorNasSecrets(t.ctx.db, t.ctx.secrets)).toBe(0);
  });

  it('refuses by name a suspended login, and a terminated one nobody else holds', async () => {
    const s = await subscribe(admin, { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, username: 'leaving', password: 'Leaving-pass-1' });
    expect(await rows('radcheck', 'username', 'leaving')).not.toContain('Auth-Type := Reject');
    expect((await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'request' })).statusCode).toBe(200);
    expect(await rows('radcheck', 'username', 'leaving')).toContain('Auth-Type := Reject');
    await enableMirror(t.ctx);
    const held = async () => (await sql`select 1 from freeradius.radius_credentials where subscription_id = ${s.id}`.execute(t.ctx.db)).rows.length;
    expect(await held()).toBe(1);
    const ended = await admin.post(`/api/subscriptions/${s.id}/terminate`, { reason: 'request' });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(await rows('radcheck', 'username', 'leaving')).toEqual(['Auth-Type := Reject']);
    // Enabling again refreshes the mirror: the terminated login's password is gone.
    await enableMirror(t.ctx);
    expect(await held()).toBe(0);
    await disableMirror(t.ctx.db);
  });

  it('matches every spelling of a bound MAC and no other device', async () => {
    const { rows: r } = await sql<{ ok: boolean[] }>`select array[
        'AA:BB:CC:00:11:2F' ~ p, 'aa-bb-cc-00-11-2f' ~ p, 'aabb.cc00.112f' ~ p, 'aabbcc00112f' ~ p,
        'AA:BB:CC:00:11:20' ~ p, 'xAA:BB:CC:00:11:2F' ~ p] as ok
      from freeradius.mac_pattern('AA:BB:CC:00:11:2F') p`.execute(t.ctx.db);
    expect(r[0]!.ok).toEqual([true, true, true, true, false, false]);
  });
});
