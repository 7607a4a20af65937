import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError, type Config, type Role } from './platform/config.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { SecretBox } from './platform/crypto.ts';
import { openDatabase, type Database, type OpenOptions } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { buildHttpApp } from './platform/http/app.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { createLogger } from './platform/logging.ts';
import { loadSecretKey } from './platform/secret-key.ts';
import type { AppContext } from './platform/context.ts';
import { defineJobs, httpModules } from './modules/index.ts';
import { startEnforcement, startRadiusRole, type RadiusRole } from './modules/aaa/radius-role.ts';

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
  /** The RADIUS server and its policy, when the radius role runs. */
  radius?: RadiusRole;
  stop(): Promise<void>;
}

export const defaultWebDir = path.resolve(import.meta.dirname, '..', 'web', 'dist');

/**
 * Opens the database the configuration names. The embedded engine is one PostgreSQL backend that
 * a single process may hold: a second process opening the same folder would corrupt it, so the
 * folder is locked for as long as the database is open (the server, or a CLI command).
 */
export async function openConfiguredDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl) return openOrExplain({ databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, logger });
  const pgliteDir = path.join(config.dataDir, 'pglite');
  const release = lockDataDir(config.dataDir);
  try {
    const database = await openOrExplain({ pgliteDir, logger });
    return {
      ...database,
      close: async () => {
        try {
          await database.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

const heldDataDirs = new Set<string>();

/**
 * Takes <data dir>/pglite.lock for this process. A lock left by a process that has gone is taken
 * over; so is one carrying our own pid (a container restarted as pid 1 after a crash).
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'pglite.lock');
  if (heldDataDirs.has(file)) throw new ConfigError(`the embedded database in ${dataDir} is already open in this process`);
  fs.mkdirSync(dataDir, { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      heldDataDirs.add(file);
      return () => {
        heldDataDirs.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create ${file}: ${(err as Error).message}`);
    }
    const holder = readLockHolder(file);
    if (holder !== process.pid && processAlive(holder))
      throw new ConfigError(
        `the embedded database in ${dataDir} is in use by another Uplink process (pid ${holder}); stop it first (if none runs, delete ${file})`,
      );
    fs.rmSync(file, { force: true });
  }
}

/** The pid in a lock file; NaN when it vanished or is unreadable (treated as stale). */
function readLockHolder(file: string): number {
  try {
    return Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openOrExplain(opts: OpenOptions): Promise<Database> {
  return openDatabase(opts).catch((err: Error) => {
    throw new ConfigError(`cannot open the database: ${err.message}`);
  });
}

/** Composition root: config → database → migrations → jobs → the chosen roles. */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const database = opts.database ?? (await openConfiguredDatabase(config, logger));
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
    if (opts.roles.includes('worker')) stops.unshift(startEnforcement(ctx));

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
    let radius: RadiusRole | undefined;
    if (opts.roles.includes('radius')) {
      radius = await startRadiusRole(ctx).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
          throw new ConfigError(`cannot listen for RADIUS on ports ${config.radius.authPort}/${config.radius.acctPort}: ${err.code}; set RADIUS_AUTH_PORT and RADIUS_ACCT_PORT`);
        throw err;
      });
      stops.unshift(radius.stop);
    }
    if (ownsDatabase) stops.push(() => database.close());
    return {
      ctx,
      http,
      url,
      radius,
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
