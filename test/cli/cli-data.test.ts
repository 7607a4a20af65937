import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { roleKeys } from '../../src/platform/auth/permissions.ts';
import { engine } from '../support/db.ts';
import { freePort, newInstallation, postJson, runCli, startCli, stderrLines } from './spawn.ts';

// Each test starts `uplink` in a child process that opens (and on first use creates) its own
// database: on the embedded engine that is a PGlite start-up and every migration, minutes on a busy machine.
describe(`uplink demo, backup, restore, audit verify (${engine})`, { timeout: 180_000 }, async () => {
  const install = await newInstallation();
  const fresh = await newInstallation();
  const archive = path.join(install.dataDir, 'nightly.jsonl.gz');

  it('loads the demo data set into an empty database and prints the logins', async () => {
    const r = await runCli(['demo'], fresh.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('10 organizations, 334 accounts (310 customers)');
    expect(r.stdout).toMatch(/admin +admin@demo\.uplink\.test/);
    const db = await fresh.open();
    try {
      const orgs = await db.kysely.selectFrom('organizations').select(['kind', 'currency']).execute();
      expect(orgs.filter((o) => o.kind === 'reseller')).toHaveLength(3);
      expect(orgs.filter((o) => o.kind === 'card_partner')).toHaveLength(2);
      expect(new Set(orgs.map((o) => o.currency))).toEqual(new Set(['KES', 'BDT']));
      const roles = await db.kysely.selectFrom('users').select('role_key').distinct().execute();
      expect(new Set(roles.map((r) => r.role_key))).toEqual(new Set(roleKeys));
      const audit = await db.kysely.selectFrom('audit_log').select(['action', 'actor_label']).orderBy('seq').execute();
      expect(audit[0]).toEqual({ action: 'demo.load', actor_label: 'cli' });
      expect(new Set(audit.map((a) => a.actor_label))).toEqual(new Set(['cli', 'billing run']));
      expect(audit.filter((a) => a.action === 'subscriber.create')).toHaveLength(40);
      // The demo's customers are billed as real ones are: every subscription active and invoiced, the books even.
      const subscriptions = await db.kysely.selectFrom('subscriptions').select('status').execute();
      expect(subscriptions.map((s) => s.status)).toEqual(Array(40).fill('active'));
      const invoices = await db.kysely.selectFrom('invoices').select(['status', 'number']).execute();
      expect(invoices.length).toBeGreaterThanOrEqual(40);
      expect(invoices.every((i) => i.number !== null)).toBe(true);
      expect(invoices.some((i) => i.status === 'paid') && invoices.some((i) => i.status === 'open')).toBe(true);
      const drift = await sql`select * from ledger_balance_drift()`.execute(db.kysely);
      expect(drift.rows).toEqual([]);
      const portal = await db.kysely.selectFrom('users').select('id').where('subscriber_id', 'is not', null).execute();
      expect(portal).toHaveLength(10);
    } finally {
      await db.close();
    }
  });

  it('start --demo loads the demo on the first start: no setup link, the printed login works', async () => {
    const running = await startCli(['--port', String(await freePort()), '--demo'], install.env);
    try {
      expect(running.output()).toContain('Demo data loaded');
      expect(running.output()).not.toContain('/setup#token=');
      const password = /password: (\S+)/.exec(running.output())![1]!;
      const login = await postJson(`${running.url}/api/auth/login`, { email: 'admin@demo.uplink.test', password });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('refuses to load the demo data set twice, by either command', async () => {
    const r = await runCli(['demo'], install.env);
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/already holds data/);
    const running = await startCli(['--port', String(await freePort()), '--demo'], install.env);
    expect(running.output()).toContain('--demo: the database already holds data');
    expect(await running.stop()).toBe(0);
  });

  it('backs up, refuses a damaged archive or an unconfirmed restore, and restores with --yes', async () => {
    const backup = await runCli(['backup', '--out', archive], install.env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/wrote .*nightly\.jsonl\.gz: \d+ tables, \d+ rows/);

    const truncated = path.join(install.dataDir, 'truncated.jsonl.gz');
    fs.writeFileSync(truncated, fs.readFileSync(archive).subarray(0, 2000));
    const damaged = await runCli(['restore', truncated, '--yes'], install.env);
    expect(damaged.code).toBe(1);
    expect(stderrLines(damaged).filter((l) => l.startsWith('uplink:'))).toEqual([expect.stringMatching(/truncated/)]);

    const unconfirmed = await runCli(['restore', archive], install.env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('add --yes to confirm');

    const restored = await runCli(['restore', archive, '--yes'], install.env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/audit log: \d+ entr(y|ies), chain intact/);
  });

  it('verifies the audit chain and names the first tampered entry', async () => {
    const intact = await runCli(['audit', 'verify'], install.env);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/^\d+ entr(y|ies), chain intact$/m);

    const db = await install.open();
    try {
      // Only a superuser can do this: the application's own connection is refused by the trigger.
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(db.kysely);
      await sql`update audit_log set action = 'user.delete' where seq = 2`.execute(db.kysely);
      await sql`alter table audit_log enable trigger audit_log_no_update`.execute(db.kysely);
    } finally {
      await db.close();
    }
    const broken = await runCli(['audit', 'verify'], install.env);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain('entry 2: content does not match its hash');
  });
});
