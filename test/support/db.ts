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

/** A fresh, migrated database for one test file: a PGlite clone or a server database from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const blob = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
    return openDatabase({ pgliteLoadDataDir: blob });
  }
  const name = `uplink_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${inject('serverTemplate')}"`);
  } finally {
    await admin.end();
  }
  const url = urlForDatabase(base, name);
  const db = await openDatabase({ databaseUrl: url, poolSize: 5 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      try {
        await a.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
