/**
 * Both RouterOS adapters against the in-project simulator, over real sockets: the same behaviour
 * through the binary API and through REST, and each way a router conversation can fail.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryApiClient } from '../../src/integrations/mikrotik/api-client.ts';
import type { CommandRecord, RouterClient, RouterConnectOptions } from '../../src/integrations/mikrotik/client.ts';
import { RouterAuthError, RouterCertificateError, RouterConnectionError, RouterFatalError, RouterProtocolError, RouterTimeoutError, RouterTrapError } from '../../src/integrations/mikrotik/errors.ts';
import { exportConfiguration } from '../../src/integrations/mikrotik/export.ts';
import { RestClient } from '../../src/integrations/mikrotik/rest-client.ts';
import { startRouterSimulator, type RouterSimulator } from '../../src/integrations/mikrotik/simulator.ts';
import { encodeSentence, SentenceReader } from '../../src/integrations/mikrotik/words.ts';

const PASSWORD = 'api-secret-42';
let sim: RouterSimulator;
beforeAll(async () => {
  sim = await startRouterSimulator({ username: 'uplink', password: PASSWORD });
});
afterAll(() => sim.close());

const adapters = {
  binary: (o: Partial<RouterConnectOptions> = {}) => BinaryApiClient.connect({ host: sim.host, port: sim.binaryPort, username: 'uplink', password: PASSWORD, timeoutMs: 2000, ...o }),
  rest: (o: Partial<RouterConnectOptions> = {}) => RestClient.connect({ host: sim.host, port: sim.restPort, username: 'uplink', password: PASSWORD, timeoutMs: 2000, ...o }),
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe.each(Object.entries(adapters))('%s adapter', (protocol, connect) => {
  let client: RouterClient;
  const log: CommandRecord[] = [];
  beforeAll(async () => {
    client = await connect({ observer: (r) => log.push(r) });
  });
  afterAll(() => client.close());

  it('adds, prints with a filter and a property list, sets and removes', async () => {
    const name = `gold-${protocol}`;
    const id = await client.add('/ppp/profile', { name, 'rate-limit': '2M/10M', comment: 'uplink' });
    expect(id).toMatch(/^\*[0-9A-F]+$/);
    expect(await client.print('/ppp/profile', { where: { name }, proplist: ['.id', 'name', 'rate-limit'] })).toEqual([{ '.id': id, name, 'rate-limit': '2M/10M' }]);
    await client.set('/ppp/profile', id, { 'rate-limit': '4M/20M' });
    expect(sim.model.get('/ppp/profile', id)['rate-limit']).toBe('4M/20M');
    await client.remove('/ppp/profile', id);
    expect(sim.model.print('/ppp/profile', [{ op: 'eq', name: 'name', value: name }])).toEqual([]);
  });

  it('answers no rows for an empty print (RouterOS 7.18 sends !empty before !done on the binary API)', async () => {
    expect(await client.print('/queue/simple', { where: { name: 'nobody' } })).toEqual([]);
  });

  it("turns the router's refusals into RouterTrapError with its message", async () => {
    await client.add('/ip/hotspot/user/profile', { name: `dup-${protocol}` });
    const dup = await client.add('/ip/hotspot/user/profile', { name: `dup-${protocol}` }).catch((e) => e);
    expect(dup).toBeInstanceOf(RouterTrapError);
    expect(dup.message).toContain('already have such name');
    const bad = await client.add('/ppp/profile', { name: `x-${protocol}`, 'rate-limit': 'fast please' }).catch((e) => e);
    expect(bad).toBeInstanceOf(RouterTrapError);
    expect(bad.message).toContain('rate-limit');
    await expect(client.set('/ppp/profile', '*FFFF', { comment: 'x' })).rejects.toBeInstanceOf(RouterTrapError);
    // The connection is still good after a refusal.
    expect((await client.print('/system/identity'))[0]!.name).toBe(sim.model.identity);
  });

  it('reads singletons, and the configuration as RouterOS 7 answers it (/execute as-string → ret)', async () => {
    expect((await client.print('/system/resource'))[0]!['board-name']).toBe('hEX S');
    // A bare /export sends no text back, as on a real router.
    expect(await client.run('/export')).toEqual({ rows: [], ret: null });
    const text = await exportConfiguration(client);
    expect(text).toMatch(/^# .* by RouterOS 7\.18\.2\n/);
    expect(text).toContain('/ip hotspot user profile');
    expect(log.some((r) => r.command.includes('execute') && r.command.includes('/export'))).toBe(true);
  });

  it('logs every command with secrets masked', async () => {
    await client.add('/ppp/secret', { name: `alice-${protocol}`, password: 'hunter2', profile: 'default' });
    const entry = log.find((r) => r.command.includes(`alice-${protocol}`))!;
    expect(entry.outcome).toBe('ok');
    expect(entry.command).toContain('password=***');
    expect(log.map((r) => r.command).join('\n')).not.toContain('hunter2');
    expect(log.map((r) => r.command).join('\n')).not.toContain(PASSWORD);
    expect(log.some((r) => r.outcome === 'trap' && r.message?.includes('already have such name'))).toBe(true);
  });

  it('refuses a wrong password with RouterAuthError', async () => {
    await expect(connect({ password: 'wrong' })).rejects.toBeInstanceOf(RouterAuthError);
  });

  it('reports a refused connection as RouterConnectionError', async () => {
    const err = await connect({ port: await freePort() }).catch((e) => e);
    expect(err).toBeInstanceOf(RouterConnectionError);
    expect(err.message).toContain('connection refused');
  });

  it('gives up on a router that does not answer with RouterTimeoutError', async () => {
    sim.faults.stall.add('/export');
    try {
      const c = await connect({ timeoutMs: 300 });
      const started = Date.now();
      await expect(c.run('/export')).rejects.toBeInstanceOf(RouterTimeoutError);
      expect(Date.now() - started).toBeLessThan(2000);
      await c.close();
    } finally {
      sim.faults.stall.clear();
    }
  });

  it('times out on a silent peer already at login', async () => {
    sim.faults.silent = true;
    try {
      await expect(connect({ timeoutMs: 300 })).rejects.toBeInstanceOf(RouterTimeoutError);
    } finally {
      sim.faults.silent = false;
    }
  });
});

describe('the configuration export on RouterOS 6 (binary API: no /execute as-string)', () => {
  let v6: RouterSimulator;
  beforeAll(async () => {
    v6 = await startRouterSimulator({ username: 'uplink', password: PASSWORD, emptyReplies: false });
    v6.model.resource.version = '6.49.10 (long-term)';
  });
  afterAll(() => v6.close());
  const connect = () => BinaryApiClient.connect({ host: v6.host, port: v6.binaryPort, username: 'uplink', password: PASSWORD, timeoutMs: 2000 });

  it('writes the export to a file, reads it back from /file and removes the file', async () => {
    v6.model.add('/ppp/profile', { name: 'HOME10', 'rate-limit': '2M/10M' });
    const client = await connect();
    try {
      const text = await exportConfiguration(client, { pollMs: 10 });
      expect(text).toContain('add name=HOME10 rate-limit=2M/10M');
      expect(v6.received).toEqual(expect.arrayContaining(['/execute', '/export', '/file/print', '/file/remove']));
      expect(v6.model.print('/file')).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('refuses clearly when the export is larger than /file shows over the API, and leaves no file behind', async () => {
    for (let i = 0; i < 60; i++) v6.model.add('/ip/firewall/address-list', { list: 'blocked', address: `203.0.113.${i}`, comment: `a comment long enough to make the export grow ${i}` });
    const client = await connect();
    try {
      const err = await exportConfiguration(client, { pollMs: 10 }).catch((e) => e);
      expect(err).toBeInstanceOf(RouterProtocolError);
      expect(err.message).toMatch(/larger than RouterOS 6 shows over the API/);
      expect(v6.model.print('/file')).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('binary API specifics', () => {
  it('runs tagged commands concurrently on one connection and matches each reply', async () => {
    const c = await adapters.binary();
    const names = Array.from({ length: 20 }, (_, i) => `q${i}`);
    const ids = await Promise.all(names.map((name, i) => c.add('/queue/simple', { name, target: `10.0.0.${i + 1}/32`, 'max-limit': '1M/1M' })));
    const rows = await Promise.all(names.map((name) => c.print('/queue/simple', { where: { name }, proplist: ['.id', 'name'] })));
    rows.forEach((r, i) => expect(r).toEqual([{ '.id': ids[i], name: names[i] }]));
    await c.close();
  });

  it('treats !empty as no rows and still waits for !done (also without !empty, as before 7.18)', async () => {
    const old = await startRouterSimulator({ username: 'u', password: 'p', emptyReplies: false });
    try {
      const c = await BinaryApiClient.connect({ host: old.host, port: old.binaryPort, username: 'u', password: 'p' });
      expect(await c.print('/ppp/active')).toEqual([]);
      await c.close();
    } finally {
      await old.close();
    }
  });

  it('fails every command in flight on !fatal and refuses new ones', async () => {
    // A scripted peer: accepts the login, then answers the next command with !fatal.
    const server = net.createServer((s) => {
      const reader = new SentenceReader();
      s.on('data', (chunk) => {
        for (const [cmd, ...words] of reader.push(chunk)) {
          const tag = words.find((w) => w.startsWith('.tag='))!;
          if (cmd === '/login') s.write(encodeSentence(['!done', tag]));
          else s.end(encodeSentence(['!fatal', 'session terminated on request']));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = await BinaryApiClient.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, username: 'a', password: 'b' });
      const err = await c.print('/ppp/active').catch((e) => e);
      expect(err).toBeInstanceOf(RouterFatalError);
      expect(err.message).toBe('session terminated on request');
      await expect(c.print('/ppp/active')).rejects.toBeInstanceOf(RouterFatalError);
    } finally {
      server.close();
    }
  });

  it('reports garbage from the peer as an error, not a crash', async () => {
    const server = net.createServer((s) => s.once('data', () => s.write(Buffer.from([0xf9, 1, 2, 3]))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const err = await BinaryApiClient.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, username: 'a', password: 'b' }).catch((e) => e);
      expect(err.kind).toBe('protocol');
    } finally {
      server.close();
    }
  });
});

describe('TLS (API-SSL and HTTPS) with a pinned self-signed certificate', () => {
  let tlsSim: RouterSimulator;
  let fingerprint: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uplink-router-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=router', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'cert.pem')], { encoding: 'utf8' }).trim().split('=')[1]!;
    tlsSim = await startRouterSimulator({ username: 'u', password: 'p', tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert } });
  });
  afterAll(() => tlsSim.close());

  const connectors = {
    binary: (fp: string | null) => BinaryApiClient.connect({ host: tlsSim.host, port: tlsSim.binaryPort, username: 'u', password: 'p', tls: { fingerprint: fp } }),
    rest: (fp: string | null) => RestClient.connect({ host: tlsSim.host, port: tlsSim.restPort, username: 'u', password: 'p', tls: { fingerprint: fp } }),
  };

  it.each(Object.keys(connectors) as (keyof typeof connectors)[])('%s: refuses an unpinned self-signed certificate before logging in, naming its fingerprint', async (kind) => {
    const before = tlsSim.received.length;
    const err = await connectors[kind](null).catch((e) => e);
    expect(err).toBeInstanceOf(RouterCertificateError);
    expect(err.presentedFingerprint).toBe(fingerprint);
    expect(tlsSim.received.length).toBe(before);
  });

  it.each(Object.keys(connectors) as (keyof typeof connectors)[])('%s: accepts the pinned certificate and refuses another pin', async (kind) => {
    const c = await connectors[kind](fingerprint.toLowerCase());
    expect((await c.print('/system/identity'))[0]!.name).toBe('MikroTik');
    await c.close();
    const other = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    await expect(connectors[kind](other)).rejects.toBeInstanceOf(RouterCertificateError);
  });
});
