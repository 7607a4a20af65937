import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { engine } from '../support/db.ts';
import { freePort, newInstallation, postJson, runCli, startCli, stderrLines } from './spawn.ts';

const admin = { name: 'Achieng Otieno', email: 'achieng@kilima.test', password: 'lake victoria sunrise' };

describe(`uplink start (${engine})`, async () => {
  const install = await newInstallation();
  const port = await freePort();

  it('starts on a free port, prints the URL and the setup link, answers /healthz, and stops cleanly', async () => {
    const running = await startCli(['--port', String(port)], install.env);
    expect(running.url).toBe(`http://localhost:${port}`);
    const token = /\/setup#token=([\w-]+)/.exec(running.output())?.[1];
    expect(token).toBeDefined();
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const setup = await postJson(`${running.url}/api/setup`, {
      token,
      organization: { name: 'Kilima Broadband', currency: 'KES', timezone: 'Africa/Nairobi' },
      admin,
    });
    expect(setup.status, JSON.stringify(setup.body)).toBe(200);
    expect(await running.stop()).toBe(0);
  });

  it('creates a user from the command line', async () => {
    const r = await runCli(
      ['user', 'create', '--email', 'wafula@kilima.test', '--name', 'Baraka Wafula', '--role', 'admin', '--org', 'root', '--password', 'mombasa road traffic'],
      install.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created wafula@kilima\.test \(admin\) in Kilima Broadband/);
  });

  it('keeps its data across a restart: no setup link, and both accounts sign in', async () => {
    const running = await startCli(['--port', String(port), '--role', 'http,worker'], install.env);
    try {
      expect(running.output()).not.toContain('/setup#token=');
      expect(running.output()).toContain('roles: http, worker');
      for (const [email, password] of [[admin.email, admin.password], ['wafula@kilima.test', 'mombasa road traffic']]) {
        const login = await postJson(`${running.url}/api/auth/login`, { email, password });
        expect(login.status, JSON.stringify(login.body)).toBe(200);
        expect(login.body.status).toBe('signed-in');
      }
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('says in one line, without a stack trace, that the port is in use', async () => {
    const blocker = net.createServer();
    const busy = await new Promise<number>((resolve) => blocker.listen(0, () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      const r = await runCli(['start', '--port', String(busy)], install.env);
      expect(r.code).toBe(1);
      expect(stderrLines(r)).toEqual([`uplink: port ${busy} is already in use; set PORT to a free port`]);
    } finally {
      blocker.close();
    }
  });

  it('says in one line, without a stack trace, that DATABASE_URL is malformed', async () => {
    const r = await runCli(['start'], { ...install.env, DATABASE_URL: 'postgres://' });
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toEqual(['uplink: Invalid configuration: DATABASE_URL: must look like postgres://user:password@host:5432/database']);
  });

  it('says in one line that the database server cannot be reached', async () => {
    const closed = await freePort();
    const r = await runCli(['db', 'status'], { ...install.env, DATABASE_URL: `postgres://uplink@127.0.0.1:${closed}/uplink` });
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toEqual([`uplink: cannot reach the database: connect ECONNREFUSED 127.0.0.1:${closed}`]);
  });
});
