import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { appliedMigrations, migrateToLatest, migrationNames } from '../../src/platform/db/migrate.ts';
import { JobQueue } from '../../src/platform/jobs/queue.ts';
import { createTestDatabase, engine } from '../support/db.ts';
import { dumpSchema, type Catalogue } from './catalogue.ts';

/*
 * Both engines must end with the same schema. The catalogue dump (catalogue.ts) compares names,
 * types, defaults and the server's own rendering of every definition, and normalizes only what is
 * engine-version noise rather than schema:
 *   - NOT NULL constraint rows (pg_constraint.contype 'n'), which PostgreSQL 18 (PGlite) records and
 *     PostgreSQL 15 does not; nullability itself is compared on every column;
 *   - extension versions (each engine bundles its own), so only extension names are compared;
 *   - object ids and catalogue order (lines are sorted).
 * Definitions that PG15 and PG18 render differently would show up here as a failure.
 */
const schemas = ['public', 'pgboss'];

async function migrateFresh(db: Database): Promise<Database> {
  await migrateToLatest(db);
  const jobs = new JobQueue(db.sql, pino({ level: 'silent' }));
  await jobs.start({ work: false });
  await jobs.stop();
  return db;
}

async function seedData(db: Database) {
  const q = async (text: string) => (await db.sql.executeSql(text, [])).rows;
  return {
    permissions: await q('select key from permissions order by key'),
    roles: await q('select key, name, description, builtin from roles order by key'),
    rolePermissions: await q('select role_key, permission_key from role_permissions order by 1, 2'),
  };
}

describe(`schema equality (${engine})`, () => {
  const dumps = new Map<string, Record<string, Catalogue>>();
  const databases: Database[] = [];

  async function record(label: string, db: Database) {
    databases.push(db);
    const bySchema: Record<string, Catalogue> = {};
    for (const s of schemas) bySchema[s] = await dumpSchema(db, s);
    dumps.set(label, bySchema);
    return db;
  }

  beforeAll(async () => {
    // The template every test file clones, and the same migrations run from scratch on each engine.
    await record('template', await createTestDatabase());
    await record('fresh pglite', await migrateFresh(await openDatabase({})));
    if (engine === 'postgres') await record('fresh server', await migrateFresh(await createTestDatabase({ empty: true })));
  });
  afterAll(async () => {
    for (const db of databases) await db.close();
  });

  it('the catalogue dump sees the schema it compares', () => {
    const pub = dumps.get('fresh pglite')!.public!;
    expect(pub.relations).toContain('organizations kind=r persistence=p rls=f');
    expect(pub.columns).toContain('organizations.path #5 text not null');
    expect(pub.columns).toContain("organizations.currency #7 character(3) not null default 'USD'::bpchar");
    expect(pub.indexes.some((i) => i.startsWith('CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email))'))).toBe(true);
    expect(pub.constraints.some((c) => c.startsWith('organizations organizations_parent_id_fkey f FOREIGN KEY (parent_id)'))).toBe(true);
    expect(pub.triggers.some((t) => t.startsWith('CREATE TRIGGER audit_log_no_update BEFORE DELETE OR UPDATE ON public.audit_log'))).toBe(true);
    expect(pub.functions.some((f) => f.startsWith('audit_log_append_only() CREATE OR REPLACE FUNCTION'))).toBe(true);
    expect(dumps.get('fresh pglite')!.pgboss!.relations.length).toBeGreaterThan(0);
  });

  it('the template equals a database migrated from scratch on the same engine', () => {
    const fresh = engine === 'postgres' ? 'fresh server' : 'fresh pglite';
    for (const s of schemas) expect(dumps.get('template')![s], `schema ${s}`).toEqual(dumps.get(fresh)![s]);
  });

  it.skipIf(engine !== 'postgres')('PGlite and the PostgreSQL server end with the same schema', () => {
    for (const s of schemas) expect(dumps.get('fresh pglite')![s], `schema ${s}`).toEqual(dumps.get('fresh server')![s]);
  });

  it('every migration is recorded as applied, in order, with the same seed data everywhere', async () => {
    const [first, ...others] = databases;
    expect(await appliedMigrations(first!)).toEqual(migrationNames);
    const seeded = await seedData(first!);
    expect(seeded.roles.length).toBeGreaterThan(0);
    for (const db of others) {
      expect(await appliedMigrations(db)).toEqual(migrationNames);
      expect(await seedData(db)).toEqual(seeded);
    }
  });
});
