import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { JobQueue } from '../../src/platform/jobs/queue.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Changes whenever a migration or the job-queue version changes, so templates rebuild themselves. */
export function schemaFingerprint(): string {
  const h = createHash('sha256');
  const dir = path.join(root, 'src/platform/db/migrations');
  for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  h.update(fs.readFileSync(path.join(root, 'src/platform/auth/permissions.ts')));
  h.update(JSON.parse(fs.readFileSync(path.join(root, 'node_modules/pg-boss/package.json'), 'utf8')).version);
  return h.digest('hex').slice(0, 12);
}

async function prepare(db: Database): Promise<void> {
  await migrateToLatest(db);
  const jobs = new JobQueue(db.sql, pino({ level: 'silent' }));
  await jobs.start({ work: false });
  await jobs.stop();
}

export function pgliteTemplatePath(): string {
  return path.join(root, 'node_modules/.cache/uplink', `pglite-template-${schemaFingerprint()}.tar.gz`);
}

export async function buildPgliteTemplate(): Promise<string> {
  const file = pgliteTemplatePath();
  if (fs.existsSync(file)) return file;
  const db = await openDatabase({});
  await prepare(db);
  const dump = await db.pglite!.dumpDataDir('gzip');
  await db.close();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  return file;
}

export function serverTemplateName(): string {
  return `uplink_tpl_${schemaFingerprint()}`;
}

export function urlForDatabase(baseUrl: string, name: string): string {
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function buildServerTemplate(baseUrl: string): Promise<string> {
  const name = serverTemplateName();
  return withTemplateLock(baseUrl, async (admin) => {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_build_${process.pid}`;
    await admin.query(`drop database if exists "${building}"`);
    await admin.query(`create database "${building}"`);
    const db = await openDatabase({ databaseUrl: urlForDatabase(baseUrl, building) });
    try {
      await prepare(db);
    } finally {
      await db.close();
    }
    await admin.query(`alter database "${building}" rename to "${name}"`);
    return name;
  });
}

/**
 * Test runs sharing one server (several developers, or an editor and a terminal) take turns to
 * build the template and clean up, so one run never drops or races another's databases.
 */
async function withTemplateLock<T>(baseUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [templateLockKey]);
    return await fn(admin);
  } finally {
    // Ending the session releases the advisory lock.
    await admin.end();
  }
}

const templateLockKey = 0x75706c6b;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops databases left behind by test runs that were killed: per-file clones and half-built
 * templates whose process is gone, and all but the newest few templates of other schema versions.
 */
export async function dropStaleTestDatabases(baseUrl: string): Promise<void> {
  await withTemplateLock(baseUrl, async (admin) => {
    const rows = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'uplink\\_t%' order by oid desc");
    let otherTemplates = 0;
    for (const { datname } of rows.rows) {
      const owner = /^uplink_t_(\d+)_[0-9a-f]+$/.exec(datname) ?? /^uplink_tpl_[0-9a-f]+_build_(\d+)$/.exec(datname);
      if (owner) {
        if (!processAlive(Number(owner[1]))) await admin.query(`drop database if exists "${datname}" with (force)`);
      } else if (/^uplink_tpl_[0-9a-f]+$/.test(datname) && datname !== serverTemplateName()) {
        // Another checkout (another branch, a CI clone) may be testing with its own template right
        // now: keep the newest few and drop only the old ones beyond them.
        if (++otherTemplates > 6) await admin.query(`drop database if exists "${datname}"`).catch(() => undefined);
      }
    }
  });
}
