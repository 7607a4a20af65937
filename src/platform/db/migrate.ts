import { Migrator, type MigrationResultSet } from 'kysely';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';

export const migrationNames = Object.keys(migrations);

function migrator(database: Database, names: string[] = migrationNames): Migrator {
  const chosen = Object.fromEntries(
    names.map((name) => {
      const m = migrations[name];
      if (!m) throw new Error(`unknown migration ${name}`);
      return [name, m];
    }),
  );
  return new Migrator({
    db: database.kysely,
    provider: { getMigrations: async () => chosen },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

/** Applies every pending migration; throws with the failing migration's name and error. */
export function migrateToLatest(database: Database): Promise<string[]> {
  return migrateTo(database, migrationNames);
}

/** Applies the named migrations only (a restore rebuilds exactly the archive's schema). */
export async function migrateTo(database: Database, names: string[]): Promise<string[]> {
  const result: MigrationResultSet = await migrator(database, names).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const why = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${why}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function appliedMigrations(database: Database): Promise<string[]> {
  const list = await migrator(database).getMigrations();
  return list.filter((m) => m.executedAt).map((m) => m.name);
}
