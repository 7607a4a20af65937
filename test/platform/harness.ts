import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { TestClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { SecretBox } from '../../src/platform/crypto.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { buildHttpApp } from '../../src/platform/http/app.ts';
import { JobQueue } from '../../src/platform/jobs/queue.ts';
import { defineJobs, httpModules } from '../../src/modules/index.ts';
import type { TestContext } from '../support/app.ts';

/**
 * The app on a database and logger the test chooses (createTestContext picks both itself): a
 * connection through a proxy, or a logger writing into the test's own stream. close() closes the
 * database too.
 */
export async function appOn(database: Database, logger: Logger): Promise<TestContext> {
  const clock = new TestClock(new Date());
  const jobs = new JobQueue(database.sql, logger);
  const ctx: AppContext = {
    config: loadConfig({ UPLINK_DATA_DIR: '/tmp/uplink-test-unused', LOG_LEVEL: 'silent' }),
    database,
    db: database.kysely,
    clock,
    logger,
    secrets: new SecretBox(randomBytes(32).toString('hex')),
    jobs,
  };
  defineJobs(jobs, ctx);
  const app = await buildHttpApp(ctx, { modules: httpModules });
  await app.ready();
  return {
    database,
    ctx,
    app,
    clock,
    close: async () => {
      await app.close();
      await jobs.stop();
      await database.close();
    },
  };
}
