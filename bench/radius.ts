/**
 * RADIUS benchmark, the real thing on PostgreSQL: Uplink's radius role (src/main.ts startRuntime
 * with roles ['radius']: NasDirectory, the AAA policy with its decision cache and change listener,
 * the accounting sink writing radacct behind in batches) against Debian's FreeRADIUS 3 with rlm_sql
 * (the raddb of src/modules/freeradius/config.ts, role uplink_freeradius, the clear-text mirror
 * filled by `uplink freeradius enable`'s enableMirror) on the SAME database, in one run.
 *
 * Data: a database of its own (uplink_bench_radius, dropped and created next to DATABASE_URL's),
 * migrated; one organization, one plan with a network profile, N subscribers with one active
 * subscription each and a PPPoE login (user-<i> / pw-user-<i>, password sealed with SecretBox),
 * one NAS at 127.0.0.1 (secret sealed). Set-based SQL for volume.
 *
 * Load: one generator of our own for both servers (a child process, so it does not share the
 * server's event loop): UDP, requests built with src/radius's codec, a fixed number in flight,
 * each response checked (code and Response Authenticator) and timed. Reported per server: the
 * rate of each round and its median, p50/p99 latency, and the server process's CPU per request
 * (PostgreSQL's CPU not included). Access-Requests are PAP, a different User-Name each. Accounting
 * is Interim-Updates of N open sessions (opened by Starts first) with growing counters; a response
 * means durable for both servers (Uplink answers after its batch commits; rlm_sql after its
 * statement, synchronous_commit on), and the rows are checked afterwards. radclient -p 256 runs
 * once per server as a cross-check of the auth rate.
 *
 * The machine is shared: the load average is printed before and after; compare servers within
 * one run, not across runs.
 *
 *   npx tsx bench/radius.ts
 *   BENCH_ROUNDS=3 BENCH_SUBSCRIBERS=10000 BENCH_REQUESTS=20000 BENCH_IN_FLIGHT=256 npx tsx bench/radius.ts
 *   BENCH_KEEP_DB=1 npx tsx bench/radius.ts    # keeps uplink_bench_radius afterwards (look at the rows, time statements)
 */
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 256);
const SECRET = 'bench-secret';
const BENCH_DB = 'uplink_bench_radius';

// ---------------------------------------------------------------------------------------------
// The load generator (runs in a child process: `bench/radius.ts --generator`).
// ---------------------------------------------------------------------------------------------

interface Job {
  port: number;
  kind: 'auth' | 'acct-start' | 'acct-interim';
  /** Acct-Session-Id prefix: each server gets its own sessions. */
  prefix: string;
  count: number;
  /** Request i is about user (offset + i) % subscribers; interim counters grow with round. */
  offset: number;
  round: number;
  subscribers: number;
  inFlight: number;
}

interface JobResult {
  ok: number;
  unexpected: number;
  lost: number;
  retransmissions: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function runJob(job: Job): Promise<JobResult> {
  const { encodePacket } = await import('../src/radius/packet.ts');
  const { verifyResponse } = await import('../src/radius/authenticators.ts');
  const secret = Buffer.from(SECRET);
  const expected = job.kind === 'auth' ? 2 : 5;
  // One socket per 256 requests in flight (the identifier is one byte).
  const sockets = Array.from({ length: Math.ceil(job.inFlight / 256) }, () => dgram.createSocket('udp4'));
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.connect(job.port, '127.0.0.1', r))));
  const perSocket = Math.ceil(job.inFlight / sockets.length);
  const slots = sockets.map(() => Array.from({ length: 256 }, () => ({ busy: false, sentAt: 0, lastSent: 0, tries: 0, packet: Buffer.alloc(0) as Buffer, authenticator: Buffer.alloc(16) })));
  const latencies = new Float64Array(job.count);
  let next = 0;
  let done = 0;
  let ok = 0;
  let unexpected = 0;
  let lost = 0;
  let retransmissions = 0;

  const build = (i: number, identifier: number): Buffer => {
    const n = (job.offset + i) % job.subscribers;
    const user = `user-${n}`;
    if (job.kind === 'auth')
      return encodePacket({ code: 1, identifier, secret, attributes: [['User-Name', user], ['User-Password', `pw-${user}`], ['NAS-IP-Address', '127.0.0.1'], ['NAS-Port', n]] });
    const start = job.kind === 'acct-start';
    const octets = BigInt(job.round) * 1_000_000n + BigInt(i);
    return encodePacket({
      code: 4,
      identifier,
      secret,
      attributes: [
        ['Acct-Status-Type', start ? 'Start' : 'Interim-Update'],
        ['User-Name', user],
        ['Acct-Session-Id', `${job.prefix}-${n}`],
        ['NAS-IP-Address', '127.0.0.1'],
        ['NAS-Port', n],
        ['Framed-IP-Address', `100.64.${(n >> 8) & 255}.${n & 255}`],
        ['Acct-Delay-Time', 0],
        ...(start
          ? []
          : ([
              ['Acct-Session-Time', 300 * job.round],
              ['Acct-Input-Octets', Number(octets & 0xffffffffn)],
              ['Acct-Input-Gigawords', Number(octets >> 32n)],
              ['Acct-Output-Octets', Number((octets * 3n) & 0xffffffffn)],
              ['Acct-Output-Gigawords', Number((octets * 3n) >> 32n)],
            ] as const)),
      ],
    });
  };

  const started = performance.now();
  return new Promise<JobResult>((resolve) => {
    const finish = () => {
      clearInterval(sweep);
      for (const s of sockets) s.close();
      const seconds = (performance.now() - started) / 1000;
      const times = latencies.subarray(0, ok + unexpected).sort();
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
      resolve({ ok, unexpected, lost, retransmissions, seconds, p50: at(0.5), p99: at(0.99) });
    };
    const send = (s: number, id: number) => {
      if (next >= job.count) return;
      const packet = build(next++, id);
      const slot = slots[s]![id]!;
      slot.busy = true;
      slot.sentAt = slot.lastSent = performance.now();
      slot.tries = 1;
      slot.packet = packet;
      packet.copy(slot.authenticator, 0, 4, 20);
      sockets[s]!.send(packet);
    };
    const settle = (s: number, id: number) => {
      slots[s]![id]!.busy = false;
      if (++done === job.count) finish();
      else send(s, id);
    };
    sockets.forEach((socket, s) =>
      socket.on('message', (msg) => {
        const id = msg[1]!;
        const slot = slots[s]![id]!;
        if (!slot.busy || !verifyResponse(msg, secret, slot.authenticator)) return; // late or forged: ignore
        latencies[ok + unexpected] = performance.now() - slot.sentAt;
        if (msg[0] === expected) ok++;
        else unexpected++;
        settle(s, id);
      }),
    );
    // As a NAS (and radclient -r 3 -t 3) does: unanswered for 3 s, the same packet is sent again,
    // at most 3 times in all; then it is lost and its slot carries on with the next request.
    const sweep = setInterval(() => {
      const now = performance.now();
      slots.forEach((list, s) =>
        list.forEach((slot, id) => {
          if (!slot.busy || now - slot.lastSent < 3000) return;
          if (slot.tries < 3) {
            slot.tries++;
            slot.lastSent = now;
            retransmissions++;
            sockets[s]!.send(slot.packet);
          } else {
            lost++;
            settle(s, id);
          }
        }),
      );
    }, 250);
    for (let s = 0; s < sockets.length; s++) for (let id = 0; id < perSocket; id++) send(s, id);
  });
}

if (process.argv.includes('--generator')) {
  process.on('message', (job: Job) => void runJob(job).then((r) => process.send!(r)));
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const pg = (await import('pg')).default;
  const { sql } = await import('kysely');
  const pino = (await import('pino')).default;
  const { rootPath } = await import('../src/core/organizations.ts');
  const { allPermissions } = await import('../src/platform/auth/permissions.ts');
  const { loadConfig } = await import('../src/platform/config.ts');
  const { SecretBox } = await import('../src/platform/crypto.ts');
  const { openDatabase } = await import('../src/platform/db/database.ts');
  const { migrateToLatest } = await import('../src/platform/db/migrate.ts');
  const { systemClock } = await import('../src/platform/clock.ts');
  const { createPlan } = await import('../src/modules/catalog/plans.service.ts');
  const { createPlanSchema } = await import('../src/modules/catalog/plans.schemas.ts');
  const { enableMirror } = await import('../src/modules/freeradius/mirror.ts');
  const { standaloneConfig } = await import('../src/modules/freeradius/config.ts');
  const { startRuntime } = await import('../src/main.ts');

  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadBefore = load();
  console.log(`load average before: ${loadBefore} (2 cores, shared: other sessions may be running tests meanwhile)`);

  // A database of our own next to DATABASE_URL's.
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${BENCH_DB} with (force)`);
  await admin.query(`create database ${BENCH_DB}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${BENCH_DB}`;
  const url = u.toString();
  const database = await openDatabase({ databaseUrl: url, poolSize: 10 });
  await migrateToLatest(database);
  const db = database.kysely;
  const keyHex = randomBytes(32).toString('hex');
  const secrets = new SecretBox(keyHex);
  // Errors (a failed batch: no reply, so the client retransmits) are shown; the rest is silent.
  const logger = pino({ level: 'error' }, pino.destination(2));

  // Organization, plan, subscribers and subscriptions with logins, NAS.
  const seeding = performance.now();
  const orgId = crypto.randomUUID();
  await db
    .insertInto('organizations')
    .values({ id: orgId, parent_id: null, kind: 'isp', name: 'Bench ISP', path: rootPath(orgId), depth: 0, currency: 'KES', timezone: 'Africa/Nairobi', contact_email: null, contact_phone: null, address: null, tax_id: null })
    .execute();
  const scope = { orgId, orgPath: rootPath(orgId) };
  const actor = {
    principal: { via: 'session' as const, userId: crypto.randomUUID(), userName: 'bench', email: '', roleKey: 'developer', locale: null, home: scope, scope, permissions: new Set(allPermissions) },
    audit: { type: 'system' as const, id: null, label: 'bench', requestId: null, ip: null },
  };
  const plan = await createPlan(
    { db, clock: systemClock },
    actor,
    createPlanSchema.parse({
      code: 'HOME-10',
      name: 'Home 10M',
      serviceType: 'pppoe',
      billingModel: 'postpaid',
      version: {
        billing: { cycle: 'monthly' },
        prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2000' }] }],
        network: { download: { rateKbps: 10_000, burst: { rateKbps: 15_000, thresholdKbps: 8_000, seconds: 10 } }, upload: { rateKbps: 5_000, burst: null }, ipPool: 'pppoe-pool', addressList: 'home' },
      },
    }),
  );
  await sql`insert into subscribers (organization_id, account_number, name, status, search_text, created_at, updated_at)
    select ${orgId}::uuid, 'B-' || lpad(i::text, 7, '0'), 'Subscriber ' || i, 'active', 'subscriber ' || i, now(), now()
      from generate_series(0, ${SUBSCRIBERS - 1}::int) i`.execute(db);
  const passwords = Array.from({ length: SUBSCRIBERS }, (_, i) => secrets.seal(`pw-user-${i}`));
  await sql`insert into subscriptions (organization_id, subscriber_id, plan_id, currency, status, starts_at, activated_at, username, password_enc)
    select ${orgId}::uuid, s.id, ${plan.id}::uuid, 'KES', 'active', now() - interval '30 days', now() - interval '30 days', 'user-' || n, (${passwords}::text[])[n + 1]
      from (select id, substring(account_number from 3)::int as n from subscribers) s`.execute(db);
  await db
    .insertInto('nas_devices')
    .values({ organization_id: orgId, name: 'Bench NAS', type: 'mikrotik', address: '127.0.0.1', secret_enc: secrets.seal(SECRET) })
    .execute();
  const mirrored = await enableMirror({ db, secrets });
  await sql`alter role uplink_freeradius login`.execute(db);
  await sql`vacuum analyze`.execute(db);
  console.log(
    `seeded ${SUBSCRIBERS.toLocaleString('en')} subscriptions with logins, 1 NAS, FreeRADIUS mirror (${mirrored.subscriptions} passwords, ${mirrored.nas} NAS) in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );

  // Uplink: the radius role as the composition root starts it.
  const dataDir = mkdtempSync(join(tmpdir(), 'uplink-bench-radius-'));
  const config = loadConfig({ DATABASE_URL: url, UPLINK_SECRET_KEY: keyHex, UPLINK_DATA_DIR: dataDir, RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', LOG_LEVEL: 'silent' });
  const runtime = await startRuntime({ config, roles: ['radius'], database, logger });
  const uplinkPorts = { auth: runtime.radius!.server.addresses.auth.port, acct: runtime.radius!.server.addresses.acct.port };
  for (let i = 0; runtime.radius && i < 50; i++) {
    if ((await probe(uplinkPorts.auth)) === 'accept') break;
    await sleep(100);
  }

  // FreeRADIUS with rlm_sql on the same database.
  const freeradius = await startFreeRadius(dataDir, url, standaloneConfig);

  const generator = fork(import.meta.filename, ['--generator'], { stdio: 'inherit' });
  const run = (job: Omit<Job, 'subscribers' | 'inFlight'>) =>
    new Promise<JobResult>((resolve) => {
      generator.once('message', (r) => resolve(r as JobResult));
      generator.send({ ...job, subscribers: SUBSCRIBERS, inFlight: IN_FLIGHT });
    });

  interface Figures {
    rates: number[];
    p50: number[];
    p99: number[];
    cpu: number[];
  }
  const figures = new Map<string, Figures>();
  const serverCpu = { uplink: () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }, freeradius: () => procCpuMs(freeradius.child.pid!) };

  async function measure(label: string, server: 'uplink' | 'freeradius', job: Omit<Job, 'subscribers' | 'inFlight'>) {
    const cpu0 = serverCpu[server]();
    const r = await run(job);
    const cpuMs = serverCpu[server]() - cpu0;
    if (r.unexpected || r.lost) throw new Error(`${label}: ${r.unexpected} unexpected replies, ${r.lost} lost of ${job.count}`);
    const rate = job.count / r.seconds;
    const f = figures.get(label) ?? { rates: [], p50: [], p99: [], cpu: [] };
    f.rates.push(rate);
    f.p50.push(r.p50);
    f.p99.push(r.p99);
    f.cpu.push((cpuMs * 1000) / job.count);
    figures.set(label, f);
    console.log(
      `  ${label} round ${job.round}: ${fmt(rate)} /s${r.retransmissions ? ` (${r.retransmissions} retransmitted)` : ''}, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, server CPU ${f.cpu.at(-1)!.toFixed(0)} µs/request (load ${load()})`,
    );
  }

  const AUTH_U = 'Uplink PAP Access-Request';
  const AUTH_F = 'FreeRADIUS+rlm_sql PAP Access-Request';
  const ACCT_U = 'Uplink Accounting Interim-Update (durable)';
  const ACCT_F = 'FreeRADIUS+rlm_sql Accounting Interim-Update (durable)';
  try {
    console.log(`\nPAP Access-Requests: ${ROUNDS} rounds of ${fmt(REQUESTS)}, ${IN_FLIGHT} in flight, a different User-Name each (of ${fmt(SUBSCRIBERS)})`);
    for (let round = 1; round <= ROUNDS; round++) {
      const offset = (round - 1) * REQUESTS;
      await measure(AUTH_U, 'uplink', { port: uplinkPorts.auth, kind: 'auth', prefix: '', count: REQUESTS, offset, round });
      await measure(AUTH_F, 'freeradius', { port: freeradius.authPort, kind: 'auth', prefix: '', count: REQUESTS, offset, round });
    }
    console.log('cross-check, radclient -p 256 over a file of the same requests (one round each):');
    const file = join(dataDir, 'auth-requests');
    writeFileSync(
      file,
      Array.from({ length: REQUESTS }, (_, i) => `User-Name = "user-${i % SUBSCRIBERS}"\nUser-Password = "pw-user-${i % SUBSCRIBERS}"\nNAS-IP-Address = 127.0.0.1\nMessage-Authenticator = 0x00`).join('\n\n') + '\n',
    );
    console.log(`  Uplink ${fmt(await radclient(uplinkPorts.auth, file))} /s, FreeRADIUS ${fmt(await radclient(freeradius.authPort, file))} /s`);

    // Accounting: open the sessions (Starts), then rounds of Interim-Updates with growing counters.
    console.log(`\nAccounting: ${fmt(SUBSCRIBERS)} sessions started per server, then ${ROUNDS} rounds of ${fmt(REQUESTS)} Interim-Updates, ${IN_FLIGHT} in flight`);
    for (const [port, prefix] of [[uplinkPorts.acct, 'u'], [freeradius.acctPort, 'f']] as const) {
      const r = await run({ port, kind: 'acct-start', prefix, count: SUBSCRIBERS, offset: 0, round: 0 });
      if (r.unexpected || r.lost) throw new Error(`Starts (${prefix}): ${r.unexpected} unexpected replies, ${r.lost} lost`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      await measure(ACCT_U, 'uplink', { port: uplinkPorts.acct, kind: 'acct-interim', prefix: 'u', count: REQUESTS, offset: 0, round });
      await measure(ACCT_F, 'freeradius', { port: freeradius.acctPort, kind: 'acct-interim', prefix: 'f', count: REQUESTS, offset: 0, round });
    }
    // Durable: every session's row holds the last round's counters (read back from the database).
    const lastI = (n: number) => Math.max(...Array.from({ length: Math.ceil((REQUESTS - n) / SUBSCRIBERS) }, (_, k) => n + k * SUBSCRIBERS).filter((i) => i < REQUESTS));
    const expectedInput = (n: number) => BigInt(ROUNDS) * 1_000_000n + BigInt(lastI(n));
    const want = Array.from({ length: SUBSCRIBERS }, (_, n) => `${expectedInput(n)}`);
    for (const prefix of ['u', 'f']) {
      const { rows } = await sql<{ wrong: string; rows: string }>`
        select count(*) filter (where r.acctinputoctets is distinct from w.octets::bigint or r.subscription_id is null) as wrong, count(r.*) as rows
          from unnest(${want}::text[]) with ordinality w(octets, n)
          left join radacct r on r.acctsessionid = ${prefix} || '-' || (w.n - 1)`.execute(db);
      console.log(`  check ${prefix === 'u' ? 'Uplink' : 'FreeRADIUS'}: ${rows[0]!.rows} session rows, ${rows[0]!.wrong} without the last round's counters or owner`);
    }
  } finally {
    generator.kill();
    freeradius.child.kill();
    await runtime.stop();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  console.log(`\nSummary (median of ${ROUNDS} rounds; ${fmt(SUBSCRIBERS)} subscriptions; ${IN_FLIGHT} in flight; the same generator for both servers):`);
  for (const [label, f] of figures)
    console.log(
      `  ${label.padEnd(56)} ${fmt(median(f.rates)).padStart(7)} /s   p50 ${median(f.p50).toFixed(1).padStart(5)} ms   p99 ${median(f.p99).toFixed(1).padStart(6)} ms   server CPU ${median(f.cpu).toFixed(0)} µs/req`,
    );
  const ratio = median(figures.get(AUTH_U)!.rates) / median(figures.get(AUTH_F)!.rates);
  const acct = median(figures.get(ACCT_U)!.rates);
  console.log(`  auth: Uplink ${ratio.toFixed(2)}× FreeRADIUS+SQL (target ≥ 2×); accounting: Uplink ${fmt(acct)} interim updates/s durable (target ≥ 10,000)`);
  console.log(`load average before ${loadBefore}, after ${load()} (shared machine)`);

  if (process.env.BENCH_KEEP_DB) return void console.log(`kept database ${BENCH_DB}`);
  const admin2 = new pg.Client({ connectionString: serverUrl });
  await admin2.connect();
  await admin2.query(`drop database if exists ${BENCH_DB} with (force)`);
  await admin2.end();
}

// ---------------------------------------------------------------------------------------------

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** utime + stime of a process in ms (Linux, 100 ticks/s). */
function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function probe(port: number): Promise<'accept' | 'other' | 'none'> {
  return new Promise((resolve) => {
    const child = execFile('radclient', ['-r', '1', '-t', '1', `127.0.0.1:${port}`, 'auth', SECRET], (err, stdout) =>
      resolve(/Access-Accept/.test(stdout) ? 'accept' : err ? 'none' : 'other'),
    );
    child.stdin?.end('User-Name = "user-1"\nUser-Password = "pw-user-1"\nNAS-IP-Address = 127.0.0.1\nMessage-Authenticator = 0x00\n');
  });
}

function radclient(port: number, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile('radclient', ['-q', '-s', '-p', '256', '-r', '3', '-t', '3', '-f', file, `127.0.0.1:${port}`, 'auth', SECRET], { maxBuffer: 1 << 24 }, (err, stdout) => {
      const seconds = (performance.now() - started) / 1000;
      const failed = /Failed\s*:\s*(\d+)/i.exec(stdout)?.[1];
      const lost = /Lost\s*:\s*(\d+)/i.exec(stdout)?.[1];
      if (err || (failed && failed !== '0') || (lost && lost !== '0')) return reject(new Error(`radclient: ${err?.message ?? ''}\n${stdout}`));
      resolve(REQUESTS / seconds);
    });
  });
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Debian's FreeRADIUS on the raddb standaloneConfig writes (rlm_sql, role uplink_freeradius), multi-threaded (-f, not -X). */
async function startFreeRadius(
  dataDir: string,
  url: string,
  standaloneConfig: typeof import('../src/modules/freeradius/config.ts').standaloneConfig,
): Promise<{ child: ChildProcess; authPort: number; acctPort: number }> {
  const radiusd = ['/usr/sbin/freeradius', '/usr/sbin/radiusd'].find((p) => existsSync(p));
  if (!radiusd) throw new Error("Debian's freeradius package is not installed");
  const dir = join(dataDir, 'raddb');
  mkdirSync(dir);
  const u = new URL(url);
  const authPort = await freeUdpPort();
  const acctPort = await freeUdpPort();
  const files = standaloneConfig({
    dir,
    listenAddress: '127.0.0.1',
    authPort,
    acctPort,
    db: { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1), user: 'uplink_freeradius', password: 'unused' },
  });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const sub of ['log', 'run']) mkdirSync(join(dir, sub));
  const logFile = join(dir, 'log', 'radiusd.out');
  const fd = openSync(logFile, 'w');
  const child = spawn(radiusd, ['-f', '-d', dir], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  for (let attempt = 0; attempt < 100; attempt++) {
    await sleep(200);
    if (child.exitCode !== null) break;
    if ((await probe(authPort)) === 'accept') return { child, authPort, acctPort };
  }
  child.kill();
  throw new Error(`FreeRADIUS did not start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

