/**
 * RADIUS benchmark: PAP Access-Requests and accounting Interim-Updates per second through Uplink's
 * RADIUS server with an in-memory policy and sink (the protocol layer alone, no database), driven
 * by Debian's radclient with 256 requests in flight (`radclient -p 256`), as PROTOCOLS.md measured
 * FreeRADIUS. Prints each round, the median, and the server's CPU time per request (a figure that
 * does not depend on what else the machine is running, unlike the rate: check the load average).
 *
 * When Debian's FreeRADIUS is installed, the same PAP load is also run against it (users file, a
 * minimal virtual server: files + pap) in the same run, so both figures share the machine's load.
 *
 *   npx tsx bench/radius.ts
 *   BENCH_ROUNDS=3 BENCH_REQUESTS=20000 npx tsx bench/radius.ts
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRadiusServer } from '../src/radius/server.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const SUBSCRIBERS = 1_000;
const SECRET = 'bench-secret';

const silent = () => {};
const server = createRadiusServer({
  auth: { port: 0, host: '127.0.0.1' },
  acct: { port: 0, host: '127.0.0.1' },
  clients: {
    byAddress: (address) =>
      address === '127.0.0.1'
        ? { id: 'bench', organizationId: 'bench', name: 'bench', type: 'mikrotik', address, secret: SECRET, requireMessageAuthenticator: true, coaPort: 3799 }
        : null,
  },
  policy: {
    authorize: async (request) => ({ kind: 'accept', password: `pw-${request.userName}`, reply: [['Mikrotik-Rate-Limit', '10M/20M'], ['Session-Timeout', 3600]] }),
  },
  accounting: { record: async () => {} },
  logger: { debug: silent, info: silent, warn: silent, error: silent },
});
await server.start();

const dir = mkdtempSync(join(tmpdir(), 'uplink-bench-radius-'));
const authFile = join(dir, 'auth');
const acctFile = join(dir, 'acct');
const packets = (make: (i: number) => string[]) => Array.from({ length: REQUESTS }, (_, i) => make(i).join('\n')).join('\n\n') + '\n';
writeFileSync(authFile, packets((i) => [`User-Name = "user-${i % SUBSCRIBERS}"`, `User-Password = "pw-user-${i % SUBSCRIBERS}"`, 'NAS-IP-Address = 127.0.0.1', 'Message-Authenticator = 0x00']));
writeFileSync(
  acctFile,
  packets((i) => [
    'Acct-Status-Type = Interim-Update',
    `User-Name = "user-${i % SUBSCRIBERS}"`,
    `Acct-Session-Id = "s-${i}"`,
    `Acct-Input-Octets = ${i}`,
    'Acct-Input-Gigawords = 1',
    'Acct-Session-Time = 300',
  ]),
);

function radclient(port: number, command: 'auth' | 'acct', file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile('radclient', ['-q', '-s', '-p', '256', '-r', '3', '-t', '3', '-f', file, `127.0.0.1:${port}`, command, SECRET], { maxBuffer: 1 << 24 }, (err, stdout) => {
      const seconds = (performance.now() - started) / 1000;
      const failed = /Failed\s*:\s*(\d+)/i.exec(stdout)?.[1];
      const lost = /Lost\s*:\s*(\d+)/i.exec(stdout)?.[1];
      if (err || (failed && failed !== '0') || (lost && lost !== '0')) return reject(new Error(`radclient: ${err?.message ?? ''}\n${stdout}`));
      resolve(REQUESTS / seconds);
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(label: string, port: number, command: 'auth' | 'acct', file: string, inProcess = true) {
  const rates: number[] = [];
  const cpuPerRequest: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const rate = await radclient(port, command, file);
    const used = process.cpuUsage(cpu);
    rates.push(rate);
    cpuPerRequest.push((used.user + used.system) / REQUESTS);
    console.log(`  ${label} round ${round}: ${Math.round(rate).toLocaleString('en')} /s${inProcess ? `, server CPU ${cpuPerRequest.at(-1)!.toFixed(0)} µs/request` : ''}`);
  }
  const cpu = median(cpuPerRequest);
  console.log(
    `${label}: median ${Math.round(median(rates)).toLocaleString('en')} /s over ${ROUNDS} rounds of ${REQUESTS.toLocaleString('en')} (radclient -p 256)` +
      (inProcess ? `; server CPU ${cpu.toFixed(0)} µs/request (≈ ${Math.round(1e6 / cpu).toLocaleString('en')} /s per core)` : ''),
  );
}

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on this machine`);

/**
 * Debian's FreeRADIUS with the packaged configuration, reduced to one virtual server that reads a
 * users file with the same subscribers (EAP and the default sites removed: they need sections a
 * bench server does not have).
 */
async function startFreeRadius(port: number): Promise<ChildProcess | null> {
  if (!existsSync('/usr/sbin/freeradius') || !existsSync('/etc/freeradius/3.0/radiusd.conf')) return null;
  const raddb = join(dir, 'raddb');
  execFileSync('cp', ['-r', '/etc/freeradius/3.0', raddb]);
  rmSync(join(raddb, 'mods-enabled', 'eap'), { force: true });
  execFileSync('sh', ['-c', `rm -f '${raddb}'/sites-enabled/*`]);
  writeFileSync(
    join(raddb, 'sites-enabled', 'bench'),
    `server bench {\n listen {\n  type = auth\n  ipaddr = 127.0.0.1\n  port = ${port}\n }\n authorize {\n  files\n  pap\n }\n authenticate {\n  pap\n }\n}\n`,
  );
  writeFileSync(join(raddb, 'clients.conf'), `client bench {\n ipaddr = 127.0.0.1\n secret = ${SECRET}\n}\n`);
  const users = Array.from({ length: SUBSCRIBERS }, (_, i) => `user-${i} Cleartext-Password := "pw-user-${i}"\n\tMikrotik-Rate-Limit = "10M/20M",\n\tSession-Timeout = 3600\n`);
  writeFileSync(join(raddb, 'mods-config', 'files', 'authorize'), users.join('\n'));
  // FreeRADIUS drops privileges to the freerad user, which must be able to read the copy.
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
  const child = spawn('/usr/sbin/freeradius', ['-f', '-d', raddb, '-l', 'stdout'], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 60; attempt++) {
    await new Promise((r) => setTimeout(r, 500));
    const ok = await new Promise<boolean>((resolve) => {
      const probe = execFile('radclient', ['-q', '-r', '1', '-t', '1', `127.0.0.1:${port}`, 'auth', SECRET], (err) => resolve(!err));
      probe.stdin?.end('User-Name = "user-1"\nUser-Password = "pw-user-1"\nMessage-Authenticator = 0x00\n');
    });
    if (ok) return child;
  }
  child.kill();
  throw new Error('FreeRADIUS did not start');
}

const { auth, acct } = server.addresses;
await measure('Uplink PAP Access-Request', auth.port, 'auth', authFile);
await measure('Uplink Accounting Interim-Update (in-memory sink)', acct.port, 'acct', acctFile);
console.log(`server stats: ${JSON.stringify(server.stats)}`);
await server.stop();

const freeradiusPort = auth.port + 17;
const freeradius = await startFreeRadius(freeradiusPort);
if (freeradius) {
  try {
    await measure('FreeRADIUS 3.2 PAP Access-Request (users file)', freeradiusPort, 'auth', authFile, false);
  } finally {
    freeradius.kill();
  }
} else {
  console.log('FreeRADIUS not installed: no comparison run');
}
