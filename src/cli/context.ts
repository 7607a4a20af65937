import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../platform/config.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { sha256Hex } from '../platform/crypto.ts';
import type { Database } from '../platform/db/database.ts';
import { openConfiguredDatabase } from '../main.ts';

/** What a one-shot command works with: the configuration, a database, a clock and a quiet logger. */
export interface CliContext {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
}

/** Commands other than `start` log only warnings, to stderr: stdout is for their results. */
export function cliLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'uplink-cli' } }, pino.destination(2));
}

/**
 * Opens the configured database for one command and closes it afterwards. `singleConnection`
 * keeps a server pool to one connection (restore refuses while other connections exist).
 */
export async function withDatabase<T>(fn: (c: CliContext) => Promise<T>, opts: { singleConnection?: boolean } = {}): Promise<T> {
  const loaded = loadConfig(process.env);
  const config = opts.singleConnection ? { ...loaded, dbPoolSize: 1 } : loaded;
  const logger = cliLogger();
  const database = await openConfiguredDatabase(config, logger);
  try {
    return await fn({ config, database, clock: systemClock, logger });
  } finally {
    await database.close();
  }
}

/** Where the data lives, for messages: the embedded folder, or the server URL without its password. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `embedded PostgreSQL in ${path.join(config.dataDir, 'pglite')}`;
  const u = new URL(config.databaseUrl);
  if (u.password) u.password = '***';
  return `PostgreSQL at ${u.toString()}`;
}

/**
 * Identifies the secret key in use without creating one (a CLI run elsewhere must not invent a
 * key the service does not have): from UPLINK_SECRET_KEY or <data dir>/secret.key, else null.
 */
export function currentSecretKeyId(config: Config): string | null {
  let key = config.secretKeyHex;
  if (!key) {
    try {
      key = fs.readFileSync(path.join(config.dataDir, 'secret.key'), 'utf8').trim();
    } catch {
      return null;
    }
  }
  return sha256Hex(Buffer.from(key.toLowerCase(), 'hex')).slice(0, 16);
}
