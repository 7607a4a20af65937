import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { appliedMigrations, migrateToLatest, migrationNames } from '../../platform/db/migrate.ts';
import { JobQueue } from '../../platform/jobs/queue.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Logger } from 'pino';
import { describeDatabase, withDatabase } from '../context.ts';
import { action } from '../run.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('the database schema');
  db.command('migrate').description('apply pending migrations and create or upgrade the job queue schema').action(action(migrate));
  db.command('status').description('show which migrations are applied and which are pending').action(action(status));
}

async function migrate(): Promise<void> {
  await withDatabase(async ({ config, database, logger }) => {
    console.log(describeDatabase(config));
    const applied = await migrateToLatest(database);
    for (const name of applied) console.log(`applied ${name}`);
    if (applied.length === 0) console.log(`the schema is up to date (${migrationNames.length} migrations)`);
    console.log(`job queue schema: version ${await jobQueueSchema(database, logger)}`);
  });
}

/** pg-boss creates or upgrades its own schema when it starts; it does no work unless asked. */
async function jobQueueSchema(database: Database, logger: Logger): Promise<number> {
  const queue = new JobQueue(database.sql, logger);
  await queue.start({ work: false });
  await queue.stop();
  return createRequire(import.meta.url)('pg-boss/version.json').schema;
}

async function status(): Promise<void> {
  await withDatabase(async ({ config, database }) => {
    console.log(describeDatabase(config));
    const applied = new Set(await appliedMigrations(database));
    for (const name of migrationNames) console.log(`${applied.has(name) ? 'applied' : 'pending'}  ${name}`);
    const pending = migrationNames.filter((m) => !applied.has(m)).length;
    console.log(pending ? `${pending} pending: run \`uplink db migrate\` (or start Uplink)` : 'the schema is up to date');
  });
}
