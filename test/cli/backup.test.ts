import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrationNames } from '../../src/platform/db/migrate.ts';
import { BackupError } from '../../src/platform/backup/archive.ts';
import { createBackup } from '../../src/platform/backup/backup.ts';
import { inspectArchive } from '../../src/platform/backup/inspect.ts';
import { restoreBackup } from '../../src/platform/backup/restore.ts';
import { engine } from '../support/db.ts';
import { freshDatabase, pgliteDatabase } from './databases.ts';
import { addActivity, seedVariety, snapshot } from './seed.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplink-backup-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function backup(database: Database, name: string): Promise<string> {
  const file = path.join(dir, name);
  await createBackup(database, { file, clock: systemClock });
  return file;
}

async function restore(database: Database, file: string) {
  return restoreBackup(database, { summary: await inspectArchive(file) });
}

describe(`backup and restore (${engine})`, async () => {
  const source = await freshDatabase();
  const target = await freshDatabase();
  afterAll(async () => {
    await source.close();
    await target.close();
  });
  await seedVariety(source, 'source');
  await seedVariety(target, 'target');
  const expected = await snapshot(source);
  const archive = await backup(source, 'source.jsonl.gz');

  it('writes a header that describes the archive', async () => {
    const [first] = gunzipSync(fs.readFileSync(archive)).toString('utf8').split('\n');
    const header = JSON.parse(first!);
    expect(header).toMatchObject({ format: 'uplink-backup', version: 1, engine: source.engine, migrations: migrationNames });
    const users = header.tables.find((t: { name: string }) => t.name === 'public.users');
    expect(users.rows).toBe(1);
    expect(users.columns).toContainEqual({ name: 'totp_last_step', type: 'bigint' });
    const names = header.tables.map((t: { name: string }) => t.name);
    expect(names.indexOf('public.organizations')).toBeLessThan(names.indexOf('public.users'));
    expect(names.indexOf('pgboss.queue')).toBeLessThan(names.indexOf('pgboss.job'));
    expect(names.filter((n: string) => /^pgboss\.j[0-9a-f]{56}$/.test(n))).toEqual([]);
  });

  it('restores every row of every table exactly, replacing what was there', async () => {
    const result = await restore(target, archive);
    expect(result.audit).toEqual({ ok: true, entries: 5 });
    expect(await snapshot(target)).toEqual(expected);
    const user = await target.kysely.selectFrom('users').select('totp_last_step').executeTakeFirstOrThrow();
    expect(user.totp_last_step).toBe(9007199254740993n);
  });

  it('leaves a working database: new audit entries chain on and the restored job queue is usable', async () => {
    const jobs = await target.sql.executeSql("select data::text as d from pgboss.job where name = 'test.backup'");
    expect(jobs.rows.map((r) => r.d)).toEqual(['{"n": 42}']);
    await addActivity(target);
    const again = await restore(target, await backup(target, 'again.jsonl.gz'));
    expect(again.audit).toEqual({ ok: true, entries: 10 });
  });

  it('warns when the restored secrets need a secret key this installation does not use', async () => {
    const file = path.join(dir, 'keyed.jsonl.gz');
    await createBackup(source, { file, clock: systemClock, secretKeyId: 'aaaaaaaaaaaaaaaa' });
    const summary = await inspectArchive(file);
    expect((await restoreBackup(target, { summary, secretKeyId: 'aaaaaaaaaaaaaaaa' })).warnings).toEqual([]);
    for (const other of ['bbbbbbbbbbbbbbbb', null]) {
      const { warnings } = await restoreBackup(target, { summary, secretKeyId: other });
      expect(warnings).toEqual([expect.stringMatching(/encrypted with the secret key whose id is aaaaaaaaaaaaaaaa.*set UPLINK_SECRET_KEY/)]);
    }
  });

  it('leaves no file behind when a backup cannot be written or fails', async () => {
    const nowhere = path.join(dir, 'missing-folder', 'x.jsonl.gz');
    await expect(createBackup(source, { file: nowhere, clock: systemClock })).rejects.toThrow(/cannot write .*x\.jsonl\.gz/);
    const failing = path.join(dir, 'failing.jsonl.gz');
    const closed = await freshDatabase();
    await closed.close();
    await expect(createBackup(closed, { file: failing, clock: systemClock })).rejects.toThrow();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('failing'))).toEqual([]);
  });

  it('refuses a truncated archive and changes nothing', async () => {
    const before = await snapshot(target);
    const bytes = fs.readFileSync(archive);
    const truncated = path.join(dir, 'truncated.jsonl.gz');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(restore(target, truncated)).rejects.toThrow(/damaged or truncated/);
    const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
    const cut = path.join(dir, 'cut.jsonl.gz');
    fs.writeFileSync(cut, gzipSync(lines.slice(0, -3).join('\n')));
    await expect(restore(target, cut)).rejects.toThrow(BackupError);
    expect(await snapshot(target)).toEqual(before);
  });

  it('refuses a corrupted archive and changes nothing', async () => {
    const before = await snapshot(target);
    const bytes = Buffer.from(fs.readFileSync(archive));
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    const corrupted = path.join(dir, 'corrupted.jsonl.gz');
    fs.writeFileSync(corrupted, bytes);
    await expect(restore(target, corrupted)).rejects.toThrow(BackupError);
    const edited = gunzipSync(fs.readFileSync(archive)).toString('utf8').replace('"Wanjiku Kamau"', '"Wanjiku Kamau", "extra"');
    const bad = path.join(dir, 'bad-row.jsonl.gz');
    fs.writeFileSync(bad, gzipSync(edited));
    await expect(restore(target, bad)).rejects.toThrow(/wrong number of values/);
    expect(await snapshot(target)).toEqual(before);
  });

  it('refuses an archive from a newer Uplink and changes nothing', async () => {
    const before = await snapshot(target);
    const text = gunzipSync(fs.readFileSync(archive)).toString('utf8');
    const newer = path.join(dir, 'newer.jsonl.gz');
    const known = JSON.stringify(migrationNames);
    expect(text).toContain(`"migrations":${known}`);
    fs.writeFileSync(newer, gzipSync(text.replace(`"migrations":${known}`, `"migrations":${JSON.stringify([...migrationNames, '29990101T0000_future'])}`)));
    await expect(restore(target, newer)).rejects.toThrow(/newer Uplink.*29990101T0000_future/);
    expect(await snapshot(target)).toEqual(before);
  });

  describe.runIf(engine === 'postgres')('on a PostgreSQL server', () => {
    it('refuses, naming the reason, when the database user is not a superuser', async () => {
      const role = `uplink_cli_${process.pid}_owner`;
      const su = target.sql;
      await su.executeSql(`create role "${role}" login`);
      const url = new URL(target.url!);
      url.username = role;
      const owner = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
      try {
        const before = await snapshot(target);
        await expect(restore(owner, archive)).rejects.toThrow(`restore needs a PostgreSQL superuser (it turns triggers off while loading rows) and "${role}" is not one`);
        expect(await snapshot(target)).toEqual(before);
      } finally {
        await owner.close();
        await su.executeSql(`drop role "${role}"`);
      }
    });

    it('refuses while another connection (a running Uplink) uses the database', async () => {
      const service = await openDatabase({ databaseUrl: target.url!, poolSize: 1 });
      try {
        await service.ping();
        await expect(restore(target, archive)).rejects.toThrow(/^\d other connection\(s\) use this database; stop every Uplink process using it before restoring$/);
      } finally {
        await service.close();
      }
    });

    it('moves an embedded database to the server and back', async () => {
      const embedded = await pgliteDatabase();
      const server = await freshDatabase();
      try {
        await seedVariety(embedded, 'embedded');
        const fromEmbedded = await snapshot(embedded);
        const toServer = await restore(server, await backup(embedded, 'embedded.jsonl.gz'));
        expect(toServer.audit).toEqual({ ok: true, entries: 5 });
        expect(await snapshot(server)).toEqual(fromEmbedded);

        const fresh = await pgliteDatabase();
        try {
          const back = await restore(fresh, await backup(server, 'server.jsonl.gz'));
          expect(back.audit).toEqual({ ok: true, entries: 5 });
          expect(await snapshot(fresh)).toEqual(fromEmbedded);
        } finally {
          await fresh.close();
        }
      } finally {
        await embedded.close();
        await server.close();
      }
    });
  });
});
