import pino from 'pino';
import { loadConfig } from '../config.ts';
import { systemClock } from '../clock.ts';
import { SecretBox } from '../crypto.ts';
import type { AppContext } from '../context.ts';
import type { Database } from '../db/database.ts';
import { JobQueue } from '../jobs/queue.ts';
import { buildHttpApp } from './app.ts';
import { httpModules } from '../../modules/index.ts';

/**
 * The OpenAPI document as the routes declare it. Needs no database: route registration only
 * captures the context, and no request is served.
 */
export async function generateOpenApi(): Promise<string> {
  const unused = new Proxy({} as Database, {
    get: () => {
      throw new Error('the OpenAPI generator does not touch the database');
    },
  });
  const logger = pino({ level: 'silent' });
  const ctx: AppContext = {
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database: unused,
    db: unused as unknown as AppContext['db'],
    clock: systemClock,
    logger,
    secrets: new SecretBox('0'.repeat(64)),
    jobs: new JobQueue({ executeSql: async () => ({ rows: [] }) }, logger),
  };
  const app = await buildHttpApp(ctx, { modules: httpModules, logger: false });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}
