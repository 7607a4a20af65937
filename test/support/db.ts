import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { urlForDatabase } from './template.ts';

export const engine: 'pglite' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase extends Database {
  /** The URL of the per-test database on the server engine. */
  url?: string;
}

/**
 * A database for one test file: by default a clone of the migrated template (a PGlite data-dir
 * copy, or `create database … template` on the server); with `empty`, a database nothing has
 * touched yet (to migrate from scratch).
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    if (opts.empty) return openDatabase({});
    const blob = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
    return openDatabase({ pgliteLoadDataDir: blob });
  }
  const name = `uplink_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(base, opts.empty ? `create database "${name}"` : `create database "${name}" template "${inject('serverTemplate')}"`);
  const url = urlForDatabase(base, name);
  const db = await openDatabase({ databaseUrl: url, poolSize: 5 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await adminQuery(base, `drop database if exists "${name}" with (force)`);
    },
  };
}

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}
