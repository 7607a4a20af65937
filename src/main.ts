import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError, type Config, type Role } from './platform/config.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { SecretBox } from './platform/crypto.ts';
import { openDatabase, type Database } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { buildHttpApp } from './platform/http/app.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { createLogger } from './platform/logging.ts';
import { loadSecretKey } from './platform/secret-key.ts';
import type { AppContext } from './platform/context.ts';
import { defineJobs, httpModules } from './modules/index.ts';

export interface RuntimeOptions {
  config: Config;
  roles: Role[];
  clock?: Clock;
  logger?: Logger;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /** Where the built web app lives; default web/dist beside the sources. */
  webDir?: string;
  jobPollingSeconds?: number;
}

export interface Runtime {
  ctx: AppContext;
  http?: FastifyInstance;
  url?: string;
  stop(): Promise<void>;
}

export const defaultWebDir = path.resolve(import.meta.dirname, '..', 'web', 'dist');

/** Composition root: config → database → migrations → jobs → the chosen roles. */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const database =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDir: path.join(config.dataDir, 'pglite'),
      poolSize: config.dbPoolSize,
      logger,
    }).catch((err: Error) => {
      throw new ConfigError(`cannot open the database: ${err.message}`);
    }));
  const stops: (() => Promise<void>)[] = [];
  const ownsDatabase = !opts.database;
  try {
    await database.ping().catch((err: Error) => {
      throw new ConfigError(`cannot reach the database: ${err.message}`);
    });
    const applied = await migrateToLatest(database);
    if (applied.length) logger.info({ applied }, 'database migrated');
    const secrets = new SecretBox(loadSecretKey({ secretKeyHex: config.secretKeyHex, dataDir: config.dataDir }));
    const jobs = new JobQueue(database.sql, logger);
    const ctx: AppContext = { config, database, db: database.kysely, clock, logger, secrets, jobs };
    defineJobs(jobs, ctx);
    await jobs.start({ work: opts.roles.includes('worker'), pollingIntervalSeconds: opts.jobPollingSeconds });
    stops.push(() => jobs.stop());

    let http: FastifyInstance | undefined;
    let url: string | undefined;
    if (opts.roles.includes('http')) {
      http = await buildHttpApp(ctx, { modules: httpModules, webDir: opts.webDir ?? defaultWebDir });
      try {
        await http.listen({ host: config.host, port: config.port });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new ConfigError(`port ${config.port} is already in use; set PORT to a free port`);
        if (code === 'EACCES') throw new ConfigError(`no permission to listen on port ${config.port}; use a port above 1023`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError(`cannot listen on host ${config.host}`);
        throw err;
      }
      const app = http;
      stops.unshift(() => app.close());
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = config.publicUrl ?? `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
    }
    if (ownsDatabase) stops.push(() => database.close());
    return {
      ctx,
      http,
      url,
      stop: async () => {
        for (const stop of stops) await stop().catch((err) => logger.warn({ err }, 'error while stopping'));
      },
    };
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    if (ownsDatabase) await database.close().catch(() => undefined);
    throw err;
  }
}
