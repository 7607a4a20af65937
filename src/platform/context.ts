import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import type { SecretBox } from './crypto.ts';
import type { Database } from './db/database.ts';
import type { DB } from './db/schema.ts';
import type { JobQueue } from './jobs/queue.ts';

/** The few shared things every module may be handed. Modules name what they use from it. */
export interface AppContext {
  config: Config;
  database: Database;
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  jobs: JobQueue;
}
