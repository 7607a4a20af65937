import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { urlForDatabase } from '../support/template.ts';

export interface FreshDatabase extends Database {
  url?: string;
}

/** A throw-away embedded database cloned from the migrated template, whatever the engine under test. */
export async function pgliteDatabase(): Promise<Database> {
  return openDatabase({ pgliteLoadDataDir: new Blob([fs.readFileSync(inject('pgliteTemplate'))]) });
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops uplink_cli_<pid>_… databases whose test process is gone (a run that was killed). */
async function dropStale(c: pg.Client): Promise<void> {
  const rows = await c.query<{ datname: string }>("select datname from pg_database where datname like 'uplink\\_cli\\_%'");
  for (const { datname } of rows.rows) {
    const pid = Number(/^uplink_cli_(\d+)_/.exec(datname)?.[1]);
    if (!pid) continue;
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) await c.query(`drop database if exists "${datname}" with (force)`);
  }
}

/** An empty server database (no migrations) for the CLI to start on. */
export async function createServerDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `uplink_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(async (c) => {
    await dropStale(c);
    await c.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  });
  return {
    url: urlForDatabase(process.env.DATABASE_URL!, name),
    drop: () => admin(async (c) => void (await c.query(`drop database if exists "${name}" with (force)`))),
  };
}

/**
 * A migrated database on the engine under test. On the server it has a one-connection pool:
 * a restore refuses while other connections use the database, as it must with a running service.
 */
export async function freshDatabase(): Promise<FreshDatabase> {
  if (!process.env.DATABASE_URL) return pgliteDatabase();
  const server = await createServerDatabase(inject('serverTemplate'));
  const db = await openDatabase({ databaseUrl: server.url, poolSize: 1 });
  return {
    ...db,
    url: server.url,
    close: async () => {
      await db.close();
      await server.drop();
    },
  };
}
