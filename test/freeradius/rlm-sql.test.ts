import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { standaloneConfig } from '../../src/modules/freeradius/config.ts';
import { enableMirror, mirrorNasSecrets } from '../../src/modules/freeradius/mirror.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { rollUpRecentUsage } from '../../src/modules/aaa/aaa.jobs.ts';
import { createTestContext, json, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { subscribe, subscriber, topUp, world } from '../subscriptions/support.ts';

/*
 * Debian's FreeRADIUS 3 with rlm_sql (postgresql) runs against Uplink's database: a subscriber,
 * plan and subscription made through Uplink's API authenticate, a suspension refuses, accounting
 * lands in radacct. FreeRADIUS connects over TCP as the role uplink_freeradius, so this needs the
 * PostgreSQL server engine: the embedded PGlite has no socket to connect to.
 */
const radiusd = ['/usr/sbin/freeradius', '/usr/sbin/radiusd'].find((p) => fs.existsSync(p));

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function radclient(port: number, kind: 'auth' | 'acct', secret: string, attributes: Record<string, string | number>): string {
  const input = Object.entries(attributes)
    .map(([k, v]) => `${k} = ${typeof v === 'number' ? v : `"${v}"`}`)
    .join('\n');
  const r = spawnSync('radclient', ['-x', '-r', '1', '-t', '3', `127.0.0.1:${port}`, kind, secret], { input, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

const unavailable = engine !== 'postgres' ? 'needs the PostgreSQL server engine (FreeRADIUS connects over TCP; PGlite has no socket)' : !radiusd ? "needs Debian's freeradius package" : null;

describe(`FreeRADIUS rlm_sql against Uplink's database (${engine})`, async () => {
  if (unavailable) {
    it.skip(unavailable, () => {});
    return;
  }
  const t = await createTestContext();
  const { tree, admin, adminUser } = await world(t);
  const secret = 'nas-shared-secret';
  await t.ctx.db
    .insertInto('nas_devices')
    .values({ organization_id: tree.isp.id, name: 'Core router', type: 'mikrotik', address: '127.0.0.1', secret_enc: t.ctx.secrets.seal(secret) })
    .execute();
  const plan = await createPlan(
    admin,
    {},
    {
      network: {
        download: { rateKbps: 10_000, burst: { rateKbps: 15_000, thresholdKbps: 8_000, seconds: 10 } },
        upload: { rateKbps: 5_000, burst: null },
        ipPool: 'pppoe-pool',
        addressList: 'home',
      },
    },
  );
  // One login made before the mirror is turned on (filled by enable), the others after (kept by the service).
  const early = await subscribe(admin, { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, username: 'early.bird', password: 'Early-pass-1' });
  const enabled = await enableMirror(t.ctx);
  const wanjiru = await subscribe(admin, { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, username: 'wanjiru', password: 'S3cret-pass', staticIpv4: '203.0.113.10' });
  const bound = await subscribe(admin, { subscriberId: (await subscriber(admin, tree.isp)).id, planId: plan.id, username: 'bound', password: 'Bound-pass-1', macAddress: 'AA:BB:CC:00:11:2F' });
  // Fair usage: lines bought a day back (their quota period holds today whatever the hour), one with a
  // data quota and a throttle profile, one with a time allowance and none.
  const quotaLine = async (username: string, network: Record<string, unknown>) => {
    t.clock.set(new Date(Date.now() - 26 * 3_600_000));
    const api = await sessionFor(t, adminUser);
    const quotaPlan = await createPlan(api, {}, { billing: { cycle: 'monthly', alignment: 'anniversary' }, network: { download: { rateKbps: 10_000, burst: null }, upload: { rateKbps: 5_000, burst: null }, ...network } });
    const line = await subscribe(api, { subscriberId: (await subscriber(api, tree.isp)).id, planId: quotaPlan.id, username, password: 'Quota-pass-1' });
    t.clock.set(new Date());
    return line;
  };
  await quotaLine('heavy', { dataQuotaBytes: '1000000000', throttle: { downloadKbps: 512, uploadKbps: 256 } });
  await quotaLine('metered', { timeQuotaSeconds: 3600 });
  await mirrorNasSecrets(t.ctx.db, t.ctx.secrets);

  // The operator's steps (docs/freeradius.md): let the role log in; here the server trusts 127.0.0.1.
  await sql`alter role uplink_freeradius login`.execute(t.ctx.db);
  const url = new URL(t.database.url!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplink-freeradius-'));
  const authPort = await freeUdpPort();
  const acctPort = await freeUdpPort();
  const files = standaloneConfig({
    dir,
    listenAddress: '127.0.0.1',
    authPort,
    acctPort,
    db: { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: 'uplink_freeradius', password: 'unused' },
  });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  for (const sub of ['log', 'run']) fs.mkdirSync(path.join(dir, sub));

  // Its debug output goes to a file: a pipe left undrained while radclient runs (spawnSync) would block it.
  const logFile = path.join(dir, 'log', 'radiusd.out');
  const logFd = fs.openSync(logFile, 'w');
  const server: ChildProcess = spawn(radiusd!, ['-X', '-d', dir], { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  const log = () => fs.readFileSync(logFile, 'utf8');
  afterAll(() => {
    server.kill('SIGTERM');
    // FREERADIUS_LOG=path keeps FreeRADIUS's debug output (-X) for a failure to be read.
    if (process.env.FREERADIUS_LOG) fs.copyFileSync(logFile, process.env.FREERADIUS_LOG);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (log().includes('Ready to process requests')) {
        clearInterval(timer);
        resolve();
      } else if (server.exitCode !== null || Date.now() - started > 20_000) {
        clearInterval(timer);
        reject(new Error(`FreeRADIUS did not start:\n${log().slice(-4000)}`));
      }
    }, 50);
  });

  it('reads its client (the NAS) from the nas view; enabling the mirror filled it with the NAS and the login made before', () => {
    expect(enabled).toEqual({ subscriptions: 1, nas: 1 });
    expect(log()).toMatch(/Adding client 127\.0\.0\.1/);
  });

  it('accepts a subscriber made through the API (radtest, PAP) with the plan’s Mikrotik-Rate-Limit, pool, address list and static address', () => {
    const r = spawnSync('radtest', ['-t', 'pap', 'wanjiru', 'S3cret-pass', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    expect(out, log().slice(-3000)).toContain('Received Access-Accept');
    // rx/tx = upload/download: 5M up, 10M down, a download burst to 15M above 8M for 10 s.
    expect(out).toContain('Mikrotik-Rate-Limit = "5M/10M 0/15M 0/8M 0/10"');
    expect(out).toContain('Framed-Pool = "pppoe-pool"');
    expect(out).toContain('Mikrotik-Address-List = "home"');
    expect(out).toContain('Framed-IP-Address = 203.0.113.10');
    expect(out).toContain('Acct-Interim-Interval = 300');
    // Postpaid: paid-through is not an end of service, as Uplink's server reckons it.
    expect(out).not.toContain('Session-Timeout');
  });

  it('authenticates CHAP and MS-CHAPv2 for the login mirrored by enable, and refuses a wrong password', () => {
    const chap = spawnSync('radtest', ['-t', 'chap', 'early.bird', 'Early-pass-1', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    expect(chap.stdout).toContain('Received Access-Accept');
    expect(early.username).toBe('early.bird');
    const mschap = spawnSync('radtest', ['-t', 'mschap', 'early.bird', 'Early-pass-1', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    expect(mschap.stdout).toContain('Received Access-Accept');
    const wrong = spawnSync('radtest', ['wanjiru', 'not-the-password', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    expect(wrong.stdout).toContain('Received Access-Reject');
  });

  it('binds a MAC: the bound device in any spelling is accepted, another device refused', () => {
    const login = { 'User-Name': 'bound', 'User-Password': 'Bound-pass-1', 'NAS-IP-Address': '127.0.0.1' };
    expect(radclient(authPort, 'auth', secret, { ...login, 'Calling-Station-Id': 'aa-bb-cc-00-11-2f' })).toContain('Received Access-Accept');
    expect(radclient(authPort, 'auth', secret, { ...login, 'Calling-Station-Id': 'AA:BB:CC:00:11:2F' })).toContain('Received Access-Accept');
    expect(radclient(authPort, 'auth', secret, { ...login, 'Calling-Station-Id': 'AA:BB:CC:00:11:30' })).toContain('Received Access-Reject');
    expect(bound.macAddress).toBe('AA:BB:CC:00:11:2F');
  });

  it('refuses a subscription suspended through the API at its next request', async () => {
    const res = await admin.post(`/api/subscriptions/${wanjiru.id}/suspend`, { reason: 'request' });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).status).toBe('suspended');
    const r = spawnSync('radtest', ['wanjiru', 'S3cret-pass', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    expect(r.stdout).toContain('Received Access-Reject');
    await admin.post(`/api/subscriptions/${wanjiru.id}/resume`, {});
  });

  it('writes accounting Start and Stop into radacct (gigawords folded), refuses a second session (Simultaneous-Use), logs auths without the password', async () => {
    const session = { 'User-Name': 'early.bird', 'Acct-Session-Id': 'S-0001', 'NAS-IP-Address': '127.0.0.1', 'NAS-Port': 7, 'Framed-IP-Address': '100.64.0.9' };
    expect(radclient(acctPort, 'acct', secret, { ...session, 'Acct-Status-Type': 'Start' })).toContain('Received Accounting-Response');
    const open = await t.ctx.db.selectFrom('radacct').selectAll().where('acctsessionid', '=', 'S-0001').executeTakeFirstOrThrow();
    // Simultaneous-Use := 1 (radcheck) against the open session FreeRADIUS has just written.
    const second = spawnSync('radtest', ['early.bird', 'Early-pass-1', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    expect(second.stdout, log().slice(-3000)).toContain('Received Access-Reject');
    expect(open).toMatchObject({ username: 'early.bird', acctstoptime: null, subscription_id: early.id, organization_id: tree.isp.id });
    expect(open.framedipaddress).toBe('100.64.0.9');
    const stop = { ...session, 'Acct-Status-Type': 'Stop', 'Acct-Session-Time': 3600, 'Acct-Input-Octets': 1000, 'Acct-Input-Gigawords': 1, 'Acct-Output-Octets': 5, 'Acct-Terminate-Cause': 'User-Request' };
    expect(radclient(acctPort, 'acct', secret, stop)).toContain('Received Accounting-Response');
    const closed = await t.ctx.db.selectFrom('radacct').selectAll().where('acctsessionid', '=', 'S-0001').execute();
    expect(closed).toHaveLength(1);
    expect(closed[0]!.acctterminatecause).toBe('User-Request');
    expect(BigInt(closed[0]!.acctsessiontime!)).toBe(3600n);
    expect(BigInt(closed[0]!.acctinputoctets!)).toBe((1n << 32n) + 1000n);
    expect(BigInt(closed[0]!.acctoutputoctets!)).toBe(5n);
    expect(closed[0]!.acctstoptime).not.toBeNull();

    const postAuth = await t.ctx.db.selectFrom('radpostauth').selectAll().where('username', 'in', ['wanjiru', 'early.bird']).execute();
    expect(postAuth.map((l) => l.reply)).toEqual(expect.arrayContaining(['Access-Accept', 'Access-Reject']));
    expect(postAuth.map((l) => l.pass)).toEqual(postAuth.map(() => ''));
    expect(JSON.stringify(postAuth.map((l) => ({ ...l, id: String(l.id) })))).not.toMatch(/S3cret-pass|not-the-password|Early-pass-1/);
  });

  /** A session FreeRADIUS records (Start, then Stop), then the roll-up job's pass when asked. */
  const sessionThrough = async (username: string, id: string, stop: Record<string, number>) => {
    const base = { 'User-Name': username, 'Acct-Session-Id': id, 'NAS-IP-Address': '127.0.0.1', 'NAS-Port': 9 };
    expect(radclient(acctPort, 'acct', secret, { ...base, 'Acct-Status-Type': 'Start' })).toContain('Received Accounting-Response');
    expect(radclient(acctPort, 'acct', secret, { ...base, 'Acct-Status-Type': 'Stop', ...stop })).toContain('Received Accounting-Response');
  };
  const rollUp = async () => {
    t.clock.set(new Date());
    await rollUpRecentUsage(t.ctx);
  };
  const login = (username: string) => {
    const r = spawnSync('radtest', [username, 'Quota-pass-1', `127.0.0.1:${authPort}`, '0', secret], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  };

  it('gives a line past its data quota the throttle rate: FreeRADIUS’s accounting, then Uplink’s roll-up, then its next login', async () => {
    expect(login('heavy')).toContain('Mikrotik-Rate-Limit = "5M/10M"');
    await sessionThrough('heavy', 'Q-heavy-1', { 'Acct-Session-Time': 600, 'Acct-Output-Octets': 1_500_000_000 });
    await rollUp();
    const out = login('heavy');
    expect(out, log().slice(-3000)).toContain('Received Access-Accept');
    expect(out).toContain('Mikrotik-Rate-Limit = "256k/512k"');
    expect(out).not.toContain('5M/10M');
  });

  it('times a login out at the allowance left, and refuses one with Uplink’s message once it is used up', async () => {
    await sessionThrough('metered', 'Q-metered-1', { 'Acct-Session-Time': 1800 });
    await rollUp();
    const first = login('metered');
    expect(first, log().slice(-3000)).toContain('Received Access-Accept');
    expect(first).toContain('Session-Timeout = 1800');
    // The next session counts at once, from the day counters its accounting filed: no roll-up needed.
    await sessionThrough('metered', 'Q-metered-2', { 'Acct-Session-Time': 1800 });
    const refused = login('metered');
    expect(refused, log().slice(-3000)).toContain('Received Access-Reject');
    expect(refused).toContain('Reply-Message = "Your time allowance for this period is used up"');
  });

  it('sends the interim interval set through the API for the line’s branch, and one interval as Session-Timeout once its paid-through has passed', async () => {
    const set = await admin.put('/api/aaa/settings', { organizationId: tree.resellerA.id, blockedAction: 'reject', interimIntervalSeconds: 900 });
    expect(set.statusCode, set.body).toBe(200);
    // Prepaid for 30 days, bought 31 days ago in a sub-reseller of reseller A: the billing run has not renewed or suspended it yet.
    t.clock.set(new Date(Date.now() - 31 * 86_400_000));
    const api = await sessionFor(t, adminUser);
    const prepaid = await createPlan(api, { billingModel: 'prepaid', sharedWithSubtree: true }, { billing: { cycle: 'validity', validityUnit: 'days', validityLength: 30 } });
    const owner = await subscriber(api, tree.subA);
    await topUp(t, tree.subA.id, owner.id, '10000');
    const line = await subscribe(api, { subscriberId: owner.id, planId: prepaid.id, currency: 'KES', username: 'lapsed', password: 'Quota-pass-1' });
    t.clock.set(new Date());
    expect(line.status).toBe('active');
    const out = login('lapsed');
    expect(out, log().slice(-3000)).toContain('Received Access-Accept');
    expect(out).toContain('Acct-Interim-Interval = 900');
    expect(out).toContain('Session-Timeout = 900');
    // A line of the ISP, above reseller A, keeps the default.
    expect(login('heavy')).toContain('Acct-Interim-Interval = 300');
  });
});
